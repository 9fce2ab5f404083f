#!/usr/bin/env python3
"""Build the article rows of the faithfulness set (see ../README.md): real pages split by Zhaiyao and a
sample of the 人民日报 / 新华每日电讯 full-text feeds, each row tagged with its part (tune | check).

usage: build_rows.py SPLIT_DIR FEED.jsonl [FEED.jsonl...] > rows.jsonl
  SPLIT_DIR holds split_page_NN.jsonl (`zhaiyao split --format jsonl page_NN.txt`) for
  /work/shared/eval/pages_real; FEED files are build_articles.py outputs.

The part is decided by (paper, date) alone, before anything is summarised (the README states the rule).
"""

from __future__ import annotations

import glob
import json
import os
import random
import sys
from collections import defaultdict
from pathlib import Path

PAGES_REAL = "/work/shared/eval/pages_real"
# (paper, date) -> part; feed days not listed here are not used.
FEED_DAYS = {
    ("人民日报", "2026-05-01"): "tune",
    ("新华每日电讯", "2026-05-01"): "tune",
    ("新华每日电讯", "2026-05-03"): "tune",
    ("新华每日电讯", "2026-04-29"): "check",
    ("人民日报", "2026-05-03"): "check",
    ("人民日报", "2026-07-08"): "check",
}
# Never in any of our data (notes/common.md); asserted, not just avoided.
KEPT_OUT = {("新华每日电讯", "2026-04-28"), ("学习时报", "2026-05-08"), ("人民日报", "2026-05-12")}
KEPT_OUT_DATES = {"2026-04-30", "2026-05-02"}
MIN_CHARS = 150  # feed items shorter than this are captions, notices and briefs
CAP_PER_PAGE = 6  # no 版面 dominates
SEED = 20261207


def kept_out(paper: str, date: str) -> bool:
    return (paper, date) in KEPT_OUT or date in KEPT_OUT_DATES or date[:4] in ("2017", "2023")


def page_rows(split_dir: str) -> list[dict]:
    rows = []
    for path in sorted(glob.glob(os.path.join(split_dir, "split_page_*.jsonl"))):
        name = os.path.basename(path)[len("split_") : -len(".jsonl")]
        gold = json.loads(Path(os.path.join(PAGES_REAL, name + ".gold.json")).read_text(encoding="utf-8"))
        assert not kept_out(gold["newspaper"], gold["date"]), name
        for line in Path(path).read_text(encoding="utf-8").split("\n"):
            if not line.strip():
                continue
            art = json.loads(line)
            if not art["text"].strip():
                continue
            rows.append(
                {
                    "id": f"{name}-{art['index']:02d}",
                    "source": f"{gold['source']} (pages_real/{name}.txt, zhaiyao split)",
                    "paper": gold["newspaper"],
                    "date": gold["date"],
                    "page": gold["page"],
                    "title": art["title"],
                    "text": art["text"],
                    "part": "tune",
                }
            )
    return rows


def feed_rows(paths: list[str]) -> list[dict]:
    by_page: dict[tuple[str, str, str], list[dict]] = defaultdict(list)
    seen = set()
    for path in paths:
        for line in Path(path).read_text(encoding="utf-8").split("\n"):
            if not line.strip():
                continue
            r = json.loads(line)
            key = (r["paper"], r["date"])
            if key not in FEED_DAYS or r["id"] in seen:
                continue
            assert not kept_out(*key), r["id"]
            seen.add(r["id"])
            if len(r["text"]) >= MIN_CHARS:
                by_page[(r["paper"], r["date"], r["page"])].append(r)
    rng = random.Random(SEED)
    rows = []
    for key in sorted(by_page):
        items = by_page[key]
        picked = items if len(items) <= CAP_PER_PAGE else rng.sample(items, CAP_PER_PAGE)
        for r in sorted(picked, key=items.index):
            rows.append(
                {
                    "id": r["id"],
                    "source": r["source"],
                    "paper": r["paper"],
                    "date": r["date"],
                    "page": r["page"],
                    "title": r["title"],
                    "text": r["text"],
                    "part": FEED_DAYS[(r["paper"], r["date"])],
                }
            )
    return rows


def main() -> None:
    rows = page_rows(sys.argv[1]) + feed_rows(sys.argv[2:])
    for r in rows:
        print(json.dumps(r, ensure_ascii=False))


if __name__ == "__main__":
    main()
