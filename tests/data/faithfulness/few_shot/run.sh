#!/bin/bash
# The tune part's 140 labelled articles (rows.jsonl's tune rows with a label in labels_tune.jsonl, as
# ../compress/run.sh), summarised with main as at 580d803 and with each patch applied to a worktree of it,
# put first on PYTHONPATH through a folder holding zhaiyao -> its app/ (fresh stores, one run at a time).
export ZHAIYAO_MODELS_DIR=/work/main/models
XDG_DATA_HOME=$PWD/xdg_main zhaiyao summarise tune_rows.jsonl --format jsonl > out_main.jsonl 2> log_main.txt
XDG_DATA_HOME=$PWD/xdg_three PYTHONPATH=$SHIM_THREE zhaiyao summarise tune_rows.jsonl --format jsonl > out_three.jsonl 2> log_three.txt
XDG_DATA_HOME=$PWD/xdg_four PYTHONPATH=$SHIM_FOUR zhaiyao summarise tune_rows.jsonl --format jsonl > out_four.jsonl 2> log_four.txt
