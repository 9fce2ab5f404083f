#!/bin/bash
# Summarise every chunk with the defaults; a chunk whose output is complete is skipped (rerun-safe).
# Chunks alternate between the pages_real pages (tune) and feed rows (both parts, round-robin over the
# paper-days), so that if time runs out the finished prefix is still balanced.
export ZHAIYAO_MODELS_DIR=$HOME/.cache/zhaiyao/models
Z=/work/venv-faith/bin/zhaiyao
P=/work/shared/eval/pages_real
cd /work/faith-data-run
run() {  # name, expected rows, inputs...
  local name=$1 n=$2; shift 2
  if [ -f out/$name.jsonl ] && [ "$(wc -l < out/$name.jsonl)" -eq "$n" ]; then echo "skip $name"; return; fi
  echo "=== $name ($n articles) $(date -u +%FT%TZ)"
  local t0=$(date +%s.%N)
  nice -n 10 $Z summarise "$@" --format jsonl > out/$name.part 2> out/$name.log
  local rc=$? t1=$(date +%s.%N)
  echo "rc=$rc rows=$(wc -l < out/$name.part) wall=$(echo "$t1 - $t0" | bc)s end $(date -u +%FT%TZ)"
  tr '\r' '\n' < out/$name.log | grep -E "loaded in|summarised $n/"
  [ $rc -eq 0 ] && [ "$(wc -l < out/$name.part)" -eq "$n" ] && mv out/$name.part out/$name.jsonl
}
# feed_01 was started by the first copy of this script in /tmp/faith (pid 12095): wait for it, keep its output.
while kill -0 12095 2>/dev/null; do sleep 10; done
[ "$(wc -l < /tmp/faith/out/feed_01.part)" -eq 30 ] && cp /tmp/faith/out/feed_01.part out/feed_01.jsonl && cp /tmp/faith/out/feed_01.log out/
tr "\r" "\n" < out/feed_01.log | grep -E "loaded in|summarised 30/"
echo "feed_01 (started by the first script in /tmp/faith) finished $(date -u +%FT%TZ)"
run pages_a 46 $P/page_0[1-6].txt
run feed_01 30 chunks2/feed_01.jsonl
run feed_02 30 chunks2/feed_02.jsonl
run pages_b1 22 $P/page_0[7-9].txt
run feed_03 30 chunks2/feed_03.jsonl
run feed_04 30 chunks2/feed_04.jsonl
run pages_b2 25 $P/page_1[0-2].txt
run feed_05 30 chunks2/feed_05.jsonl
run feed_06 30 chunks2/feed_06.jsonl
run pages_c1 18 $P/page_1[3-5].txt
run feed_07 32 chunks2/feed_07.jsonl
run pages_c2 15 $P/page_1[6-8].txt
echo "=== done $(date -u +%FT%TZ)"
