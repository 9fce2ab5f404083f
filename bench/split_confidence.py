"""Are the splitter's confidences meaningful? Boundary and title confidence against the gold pages.

    python bench/split_confidence.py [--html] [--smoke]

For every article split from the real-page corpus: was its start right (its body starts with a gold
item's first words) and its title exact? Prints, per confidence band, how many articles fall there
and how many of them were right, for boundaries and for titles. ``--smoke`` reads one page per paper
through the same path (CI keeps the script working; its bands are not the corpus's).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from split_papers import corpus_pages  # bench/, this script's folder, is on sys.path
from zhaiyao.config import Settings
from zhaiyao.sources.files import read_inputs
from zhaiyao.split.page import split_page
from zhaiyao.split.score import _norm, gold_title_finder

BANDS = ((0.0, 0.5), (0.5, 0.7), (0.7, 0.9), (0.9, 1.01))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--html", action="store_true")
    parser.add_argument("--smoke", action="store_true", help="one page per paper, the same path (CI)")
    args = parser.parse_args()
    bounds: list[tuple[float, bool]] = []
    titles: list[tuple[float, bool]] = []
    pages = 0
    for _gold_path, page, gold in corpus_pages(args.html, args.smoke):
        pages += 1
        gold_title = gold_title_finder(gold)
        for a in (a for p in read_inputs([str(page)], Settings()) for a in split_page(p)):
            hit = gold_title(a)
            if a.boundary_confidence is not None:
                bounds.append((a.boundary_confidence, hit is not None))
            if a.title_confidence is not None and hit is not None:
                titles.append((a.title_confidence, _norm(a.title) == hit))
    if args.smoke:
        print(f"smoke run: one page per paper, {pages} pages (not the corpus's figures)")
    for name, rows in (("boundary", bounds), ("title", titles)):
        print(f"{name}: {len(rows)} articles")
        for lo, hi in BANDS:
            band = [ok for c, ok in rows if lo <= c < hi]
            if band:
                right = sum(band) / len(band)
                print(f"  [{lo:.1f}, {min(hi, 1.0):.1f}]  {len(band):>4} articles  {right:6.1%} right")
    return 0


if __name__ == "__main__":
    sys.exit(main())
