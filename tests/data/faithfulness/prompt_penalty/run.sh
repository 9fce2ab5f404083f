#!/bin/bash
# The tune part's 140 labelled articles summarised twice, fresh stores, one after the other: main as at
# 5d1e12f, then a worktree of it with answer_only.patch applied (the repetition penalty on the answer's
# own tokens, not the prompt's), put first on PYTHONPATH through a folder holding zhaiyao -> its app/.
# tune_rows.jsonl: rows.jsonl's tune rows that have a label (as ../compress/run.sh).
export ZHAIYAO_MODELS_DIR=/work/main/models
XDG_DATA_HOME=$PWD/xdg_before zhaiyao summarise tune_rows.jsonl --format jsonl > out_before.jsonl 2> log_before.txt
XDG_DATA_HOME=$PWD/xdg_after PYTHONPATH=$SHIM zhaiyao summarise tune_rows.jsonl --format jsonl > out_after.jsonl 2> log_after.txt
