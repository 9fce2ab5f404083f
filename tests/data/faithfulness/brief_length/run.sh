#!/bin/bash
# One part's labelled articles (tune_rows.jsonl: the tune part's 140; check_rows.jsonl: the check part's
# 145), main as at 65a1bfd (app/ as at 580d803), fresh stores, one run after the other: the brief's limit
# raised to 150 characters, then the defaults (100). Usage: run.sh tune|check (in an empty folder holding
# the rows file; ZHAIYAO_MODELS_DIR pointing at the weights).
set -e
part=$1
for v in 150 main; do
  opt=()
  [ "$v" = main ] || opt=(--max-chars "$v")
  t0=$(date +%s.%N)
  XDG_DATA_HOME=$PWD/xdg_$v zhaiyao summarise "${part}_rows.jsonl" --format jsonl "${opt[@]}" \
    > "out_${part}_$v.jsonl" 2> "log_${part}_$v.txt"
  echo "$v rows=$(wc -l < "out_${part}_$v.jsonl") wall=$(echo "$(date +%s.%N) - $t0" | bc)s" >> done.txt
done
