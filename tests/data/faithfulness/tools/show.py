#!/usr/bin/env python3
"""Print rows of the faithfulness set for labelling: the article and its summary, without the guard's verdict.

usage: show.py PART [--from ID] [--count N] [--unlabelled]
  PART: tune | check. --unlabelled skips ids already in labels_PART.jsonl. The guard fields are left
  out on purpose (docs/faithfulness-labelling.md: label before you see them).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("part", choices=["tune", "check"])
    ap.add_argument("--from", dest="start", default=None)
    ap.add_argument("--count", type=int, default=5)
    ap.add_argument("--unlabelled", action="store_true")
    args = ap.parse_args()
    text = (HERE / "summaries.jsonl").read_text(encoding="utf-8")
    rows = [json.loads(line) for line in text.split("\n") if line]
    rows = [r for r in rows if r["part"] == args.part]
    if args.start:
        rows = rows[[r["id"] for r in rows].index(args.start) :]
    labels = HERE / f"labels_{args.part}.jsonl"
    if args.unlabelled and labels.exists():
        done = {json.loads(line)["id"] for line in labels.read_text(encoding="utf-8").split("\n") if line}
        rows = [r for r in rows if r["id"] not in done]
    for r in rows[: args.count]:
        print(f"===== {r['id']}  {r['paper']} {r['date']} {r['page']}")
        for field in ("title", "subtitle", "dateline"):
            if r.get(field):
                print(f"[{field}] {r[field]}")
        if r.get("condensed"):
            print("[the model saw a condensed text; judge against the whole article]")
        print(r["text"])
        print(f"----- summary ({len(r['summary'])} 字)\n{r['summary']}\n")


if __name__ == "__main__":
    main()
