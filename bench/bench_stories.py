"""Stories at scale: N articles (default 1,000) grouped by the rules, wall time and peak memory.

usage: python bench/bench_stories.py [--articles 1000] [--smoke]

The articles are the four labelled days of tests/data/stories (359 real rows of two national dailies),
repeated with a marker in front of each copy's text until there are N: copies are near-duplicates, as
reprinted wire copy is, so the day is a hard one for single link. All N are given one date, so they are
one day (the worst case: the pair matrices are N × N). Peak memory is the process's maximum resident
set (``ru_maxrss``), which includes the interpreter and numpy/scipy.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from dataclasses import replace
from pathlib import Path

from zhaiyao.config import Settings
from zhaiyao.sources.files import read_inputs
from zhaiyao.split.page import split_page
from zhaiyao.stories.day import group_stories

DATA = Path(__file__).resolve().parents[1] / "tests" / "data" / "stories"
DAYS = ("2026-04-27", "2026-04-29", "2026-05-01", "2026-05-03")
LIMIT_S = 60.0  # the issue's bar: 1,000 articles on 2 cores


def articles(n: int) -> list:
    rows = [
        a for d in DAYS for p in read_inputs([str(DATA / f"{d}.jsonl")], Settings()) for a in split_page(p)
    ]
    out = []
    for k in range(n // len(rows) + 1):
        out += [
            replace(a, text=f"{k} {a.text}", issue_date="2026-01-01", source_id=f"{a.source_id}#{k}")
            for a in rows
        ]
    return out[:n]


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--articles", type=int, default=1000)
    ap.add_argument("--smoke", action="store_true", help="the same path at the smallest size (CI)")
    args = ap.parse_args(argv)
    n = 40 if args.smoke else args.articles
    items = articles(n)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    cpu0, t0 = time.process_time(), time.perf_counter()
    stories, _ = group_stories(items)
    wall, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    several = sum(1 for s in stories if len(s.members) > 1)
    print(f"{'articles':<24}{n:>10}")
    print(f"{'stories':<24}{len(stories):>10}   ({several} of several articles)")
    print(f"{'wall s':<24}{wall:>10.1f}")
    print(f"{'cpu s':<24}{cpu:>10.1f}")
    print(f"{'peak rss MB':<24}{peak:>10.0f}   (before grouping {before:.0f})")
    ok = wall <= LIMIT_S
    print(f"limit {LIMIT_S:.0f} s: {'ok' if ok else 'FAILED'}")
    print(
        json.dumps({"articles": n, "wall_s": round(wall, 2), "cpu_s": round(cpu, 2), "peak_mb": round(peak)})
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
