"""Per-paper splitter scores on the real-page corpus, for the leave-one-paper-out table.

    python bench/split_papers.py [--html] [--misses PAPER] [--pages] [--smoke]

Groups the gold pages of ``tests/data/real`` by paper (the hand-written pages of eight papers form one
group, ``hand-written``) and prints article F1, exact titles and furniture lines per group, for the
``.txt`` copies and (``--html``) the e-paper HTML copies in ``html/``. ``--misses PAPER`` lists that
paper's missed items, to look at while it is a tuning paper, never while it is held out. ``--smoke``
scores one page per paper (the first by name) through the same path, so CI keeps the script working;
its figures are not the corpus's.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from zhaiyao.config import Settings
from zhaiyao.sources.files import read_inputs
from zhaiyao.split.page import split_page
from zhaiyao.split.score import Totals, score_page

REAL = Path(__file__).resolve().parents[1] / "tests" / "data" / "real"


def paper_of(gold_path: Path, gold: dict) -> str:
    return "hand-written" if gold_path.name.startswith("hw_") else str(gold["newspaper"])


def corpus_pages(html: bool, smoke: bool = False) -> Iterator[tuple[Path, Path, dict]]:
    """(gold file, page file, gold) for every corpus page with a ``.txt`` (or ``html/``) copy.

    ``smoke``: only the first such page of each paper, so a smoke run still meets every paper's layout.
    """
    seen: set[str] = set()
    for gold_path in sorted(REAL.glob("*.gold.json")):
        stem = gold_path.name[: -len(".gold.json")]
        page = REAL / "html" / f"{stem}.html" if html else REAL / f"{stem}.txt"
        if not page.exists():
            continue
        gold = json.loads(gold_path.read_text(encoding="utf-8"))
        if smoke and paper_of(gold_path, gold) in seen:
            continue
        seen.add(paper_of(gold_path, gold))
        yield gold_path, page, gold


def score(html: bool, smoke: bool = False) -> dict[str, Totals]:
    settings = Settings()
    out: dict[str, Totals] = {}
    for gold_path, page, gold in corpus_pages(html, smoke):
        articles = [a for p in read_inputs([str(page)], settings) for a in split_page(p)]
        s = score_page(page.name, articles, gold)
        for key in (paper_of(gold_path, gold), f"{paper_of(gold_path, gold)}/{gold['part']}", "all"):
            out.setdefault(key, Totals()).add(s)
    return out


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--html", action="store_true")
    parser.add_argument("--misses", default=None)
    parser.add_argument("--pages", action="store_true")
    parser.add_argument("--smoke", action="store_true", help="one page per paper, the same path (CI)")
    args = parser.parse_args()
    totals = score(args.html, args.smoke)
    if args.smoke:
        print(f"smoke run: one page per paper, {totals['all'].pages} pages (not the corpus's figures)")
    print(f"{'group':<24}{'pages':>6}{'gold':>6}{'split':>7}{'match':>7}{'F1':>8}{'titles':>9}{'furn':>6}")
    for name, t in sorted(totals.items()):
        print(
            f"{name:<24}{t.pages:>6}{t.gold:>6}{t.split:>7}{t.matched:>7}{t.f1:>8.3f}"
            f"{t.title_rate:>9.1%}{t.furniture_left:>6}"
        )
    if args.misses:
        for s in totals[args.misses].scores:
            if args.pages or s.misses or s.furniture_left:
                print(f"\n{s.name}: gold {s.gold} split {s.split} matched {s.matched}", end="")
                print(f" furn {s.furniture_left}")
                for m in s.misses:
                    print("   ", m)
    return 0


if __name__ == "__main__":
    sys.exit(main())
