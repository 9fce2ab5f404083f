#!/bin/bash
# "After" summaries of the faithfulness set's check part: today's defaults (check in the loop), fresh store.
export ZHAIYAO_MODELS_DIR=$HOME/.cache/zhaiyao/models XDG_DATA_HOME=/work/after-run/xdg
Z=/work/main/.venv/bin/zhaiyao
cd /work/after-run
git -C /work/main rev-parse HEAD > commit.txt
for n in check_labelled; do
  echo "=== $n $(date -u +%FT%TZ)"
  t0=$(date +%s.%N)
  $Z summarise $n.jsonl --format jsonl > out_$n.jsonl 2> log_$n.txt
  echo "rc=$? rows=$(wc -l < out_$n.jsonl) wall=$(echo "$(date +%s.%N) - $t0" | bc)s"
done
echo "=== done $(date -u +%FT%TZ)"
