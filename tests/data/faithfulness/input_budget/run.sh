#!/bin/bash
# The tune part's 140 labelled articles (as ../compress/run.sh), main as at 580d803, fresh stores, one run
# after the other: the defaults (the "main" run of ../few_shot/run.sh), then the input budget raised from
# 600 to 1,200 tokens, so that an article is condensed only past 1,200 tokens (19 of 140 instead of 53).
export ZHAIYAO_MODELS_DIR=/work/main/models
XDG_DATA_HOME=$PWD/xdg_main zhaiyao summarise tune_rows.jsonl --format jsonl > out_main.jsonl 2> log_main.txt
XDG_DATA_HOME=$PWD/xdg_1200 zhaiyao summarise tune_rows.jsonl --format jsonl \
  --option input_budget_tokens 1200 > out_1200.jsonl 2> log_1200.txt
