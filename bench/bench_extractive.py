"""Extractive ranking on long articles: sentences vs seconds and peak memory.

    python bench/bench_extractive.py [--sizes 1000 4000 16000 64000] [--pairs-up-to 4000]

Each size runs in a fresh process (so peak RSS is that size's own): an article of N sentences drawn
from the sample page's own sentences (shuffled with a fixed seed, so every sentence is real Chinese
news text and the graph is not trivially uniform) is segmented with jieba, ranked and summarised in
brief style. Printed per size: characters, segmentation and ranking seconds, and the process's peak
RSS above its baseline after imports. ``--pairs-up-to`` also times the every-pair graph (the ranking
used below FULL_GRAPH sentences) at sizes up to that, for comparison with the banded one.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SEED = ROOT / "examples" / "zhuzhou_front_page.txt"


def article(n: int) -> str:
    from zhaiyao.summarise.extractive import _terminated
    from zhaiyao.text.sentences import split_sentences

    text = SEED.read_text(encoding="utf-8")
    pool = [_terminated(s) for s in split_sentences(text) if len(s) >= 8 and len(split_sentences(s)) == 1]
    rng = random.Random(n)
    sentences = [rng.choice(pool) for _ in range(n)]
    return "\n".join("".join(sentences[i : i + 6]) for i in range(0, n, 6))


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(n: int, every_pair: bool) -> dict[str, float]:
    import jieba
    from zhaiyao.summarise import extractive
    from zhaiyao.summarise.base import STYLES

    jieba.initialize()
    text = article(n)
    base = _peak_mb()
    began = time.perf_counter()
    segs = extractive.segment(text)
    segmented = time.perf_counter()
    if every_pair:
        extractive._full_graph_scores([{w for w in words if len(w) >= 2} for _, words in segs])
    else:
        extractive.extract(text, STYLES["brief"], 100)
    ranked = time.perf_counter()
    return {
        "sentences": len(segs),
        "chars": len(text),
        "segment_s": segmented - began,
        "rank_s": ranked - segmented,
        "peak_mb": _peak_mb() - base,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 4000, 16000, 64000])
    parser.add_argument("--pairs-up-to", type=int, default=4000)
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # a child process: measure one size
    parser.add_argument("--every-pair", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--smoke", action="store_true", help="the same path at the smallest size (CI)")
    args = parser.parse_args()
    if args.smoke:
        args.sizes, args.pairs_up_to = [700], 700  # past the full graph's size, both graphs measured
    if args.one:
        print(json.dumps(measure(args.one, args.every_pair)))
        return 0
    print("| sentences | characters | graph | jieba s | rank + summary s | peak MB above baseline |")
    print("|---|---|---|---|---|---|")
    for n in args.sizes:
        for every_pair in (False, True) if n <= args.pairs_up_to else (False,):
            cmd = [sys.executable, __file__, "--one", str(n)] + (["--every-pair"] if every_pair else [])
            row = json.loads(subprocess.run(cmd, capture_output=True, text=True, check=True).stdout)
            from zhaiyao.summarise.extractive import FULL_GRAPH, NEIGHBOURS

            graph = "every pair" if every_pair or n <= FULL_GRAPH else f"±{NEIGHBOURS} neighbours"
            print(
                f"| {row['sentences']:,} | {row['chars']:,} | {graph} | {row['segment_s']:.2f} "
                f"| {row['rank_s']:.2f} | {row['peak_mb']:.0f} |"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
