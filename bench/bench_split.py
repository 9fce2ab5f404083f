"""Splitting speed: seed-sized pages per minute on one core, median of several runs.

    python bench/bench_split.py [--runs 7] [--pages 50] [--floor 1000] [--corpus tests/data/real]

Each run splits ``--pages`` copies of the seed page (each copy made distinct so no cache helps) and
reports pages/min; with ``--corpus DIR`` the pages are every ``.txt`` page of DIR (the real-page
corpus: e-paper layouts, furniture, CRLF), cycled to ``--pages``. The machine is shared, so
alongside the absolute figure the script times a fixed pure-Python baseline (decoding and
line-splitting the same text) in the same runs and reports the ratio, which moves less with the
machine's load than the absolute number. Exits 1 when the median is under ``--floor`` pages/min
(the issue's requirement: splitting must never be what limits the app).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from zhaiyao.documents import Page
from zhaiyao.split.page import split_page

SEED = Path(__file__).resolve().parents[1] / "examples" / "zhuzhou_front_page.txt"


def _pages(n: int, corpus: Path | None = None) -> list[Page]:
    if corpus is None:
        text = SEED.read_text(encoding="utf-8")
        return [
            Page(source=f"seed-{i}.txt", text=text.replace("9月27日", f"9月{(i % 28) + 1}日"))
            for i in range(n)
        ]
    texts = [p.read_bytes().decode("utf-8") for p in sorted(corpus.glob("*.txt"))]
    # A distinct last line per copy, so no cache could help.
    return [Page(source=f"corpus-{i}.txt", text=f"{texts[i % len(texts)]}\n（{i}）") for i in range(n)]


def _baseline(pages: list[Page]) -> float:
    """Cost of just encoding, decoding and splitting each page into lines: the floor of any reader."""
    start = time.perf_counter()
    for page in pages:
        data = page.text.encode("utf-8")
        _ = [ln.strip() for ln in data.decode("utf-8").split("\n") if ln.strip()]
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--pages", type=int, default=50)
    parser.add_argument("--floor", type=float, default=1000.0, help="minimum pages/min (median)")
    parser.add_argument("--corpus", type=Path, default=None, help="split the .txt pages of this folder")
    parser.add_argument("--smoke", action="store_true", help="the same path at the smallest size (CI)")
    args = parser.parse_args()
    if args.smoke:
        args.runs, args.pages, args.floor = 1, 2, 0.0
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core, as the requirement says

    pages = _pages(args.pages, args.corpus)
    articles = len(split_page(pages[0]))
    split_page(pages[0])  # warm the regex caches and imports
    rates, ratios = [], []
    for _ in range(args.runs):
        start = time.perf_counter()
        for page in pages:
            split_page(page)
        seconds = time.perf_counter() - start
        rates.append(len(pages) / seconds * 60)
        ratios.append(seconds / max(_baseline(pages), 1e-9))
    median = statistics.median(rates)
    chars = sum(len(p.text) for p in pages) // len(pages)
    name = f"corpus {args.corpus}" if args.corpus else SEED.name
    print(f"pages: {name} ({chars} chars on average, {articles} articles in the first)")
    print(f"{args.pages} pages x {args.runs} runs")
    print(f"{'metric':<34}{'median':>12}{'min':>12}{'max':>12}")
    print(f"{'split pages/min':<34}{median:>12,.0f}{min(rates):>12,.0f}{max(rates):>12,.0f}")
    print(
        f"{'ms per page':<34}{60_000 / median:>12.2f}{60_000 / max(rates):>12.2f}{60_000 / min(rates):>12.2f}"
    )
    print(f"{'split time / read-lines baseline':<34}{statistics.median(ratios):>12.1f}x")
    ok = median >= args.floor
    print(f"floor {args.floor:,.0f} pages/min: {'ok' if ok else 'FAILED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
