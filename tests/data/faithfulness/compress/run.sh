#!/bin/bash
# The tune part's 140 labelled articles summarised twice with the same code, fresh stores, one after the
# other: the defaults, then extract-then-compress (the article condensed to 300 tokens of lead and
# salient sentences before the model writes the brief, instead of 600). Rows: rows.jsonl's tune rows
# that have a label. pairs_tune.jsonl holds the 96 whose summaries differ, in seeded A/B order.
export ZHAIYAO_MODELS_DIR=/work/main/models
for v in before after; do
  opt=""; [ $v = after ] && opt="--option input_budget_tokens 300"
  XDG_DATA_HOME=xdg_$v zhaiyao summarise tune_rows.jsonl --format jsonl $opt > out_$v.jsonl 2> log_$v.txt
done
