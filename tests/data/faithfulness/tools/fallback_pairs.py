#!/usr/bin/env python3
"""The extractive fallback's brief summaries with and without the leans-on-neighbour penalty, side by
side in a seeded random A/B order, for a labeller who is not told which is which.

usage: fallback_pairs.py PART OUT_DIR   (PART: tune | check)
Writes OUT_DIR/pairs_PART.jsonl ({id, title, subtitle, dateline, article, A, B}: every article of the
part whose fallback summary changes) and OUT_DIR/key_PART.json (id -> {A: before|after, B: ...}).
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

import zhaiyao.summarise.extractive as extractive
from zhaiyao.summarise.base import STYLES

HERE = Path(__file__).resolve().parent.parent


def main(part: str, out: Path) -> None:
    rows = [json.loads(line) for line in (HERE / "summaries.jsonl").open(encoding="utf-8")]
    brief = STYLES["brief"]
    penalty = extractive.LEANS_ON_NEIGHBOUR
    rng = random.Random(20261207)
    pairs, key = [], {}
    for row in (r for r in rows if r["part"] == part):
        extractive.LEANS_ON_NEIGHBOUR = 1.0  # as before the penalty
        before = extractive.extract(row["text"], brief, brief.max_chars)
        extractive.LEANS_ON_NEIGHBOUR = penalty
        after = extractive.extract(row["text"], brief, brief.max_chars)
        if before == after:
            continue
        flip = rng.random() < 0.5
        shown = {"A": after, "B": before} if flip else {"A": before, "B": after}
        key[row["id"]] = {k: ("after" if v is after else "before") for k, v in shown.items()}
        fields = {f: row.get(f) for f in ("id", "title", "subtitle", "dateline")}
        pairs.append({**fields, "article": row["text"], **shown})
    out.mkdir(parents=True, exist_ok=True)
    with (out / f"pairs_{part}.jsonl").open("w", encoding="utf-8") as f:
        f.writelines(json.dumps(p, ensure_ascii=False) + "\n" for p in pairs)
    (out / f"key_{part}.json").write_text(
        json.dumps(key, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    print(f"{part}: {len(pairs)} fallback summaries change")


if __name__ == "__main__":
    main(sys.argv[1], Path(sys.argv[2]))
