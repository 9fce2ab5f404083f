#!/bin/bash
# The check part's 83 labelled articles with the news-first brief prompt (2026-12-07.2) and the check in the loop.
export ZHAIYAO_MODELS_DIR=$HOME/.cache/zhaiyao/models XDG_DATA_HOME=/work/after2/xdg
cd /work/after2
git -C /work/main rev-parse HEAD > commit.txt
t0=$(date +%s.%N)
/work/main/.venv/bin/zhaiyao summarise check_labelled.jsonl --format jsonl > out.jsonl 2> log.txt
echo "rc=$? rows=$(wc -l < out.jsonl) wall=$(echo "$(date +%s.%N) - $t0" | bc)s"
