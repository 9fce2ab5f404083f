#!/usr/bin/env python3
"""Join the rows of the faithfulness set with the summaries `zhaiyao summarise --format jsonl` wrote for them.

usage: merge_summaries.py ROWS.jsonl OUT_DIR SETTINGS.json CHUNKS.json > summaries.jsonl
  OUT_DIR holds one output file per chunk (see ../README.md): pages_*.jsonl were made from the
  pages_real .txt pages (the article is page_NN-<index>), feed_*.jsonl from chunk files of rows
  (the article's `page` is `<dir>/feed_NN.jsonl#L<line>`; CHUNKS.json lists each chunk's ids in order).
`text` is the article body exactly as the summariser saw it (after Zhaiyao's cleaning), with the
`subtitle` and `dateline` the cleaner lifted out of it; the guard checks against all of them.
"""

from __future__ import annotations

import glob
import json
import os
import re
import sys
from pathlib import Path


def article_id(art: dict, chunks: dict[str, list[str]]) -> str:
    page = art["page"]
    m = re.fullmatch(r".*/(page_\d\d)\.txt", page)
    if m:
        return f"{m.group(1)}-{art['index']:02d}"
    m = re.fullmatch(r"(?:.*/)?(feed_\d+)\.jsonl#L(\d+)", page)
    if not m:
        raise ValueError(f"cannot place article from {page!r}")
    return chunks[m.group(1)][int(m.group(2)) - 1]


def summary_row(row: dict, art: dict, settings: dict) -> dict:
    """One line of summaries.jsonl: the set's row, the article as the summariser saw it, its summary and
    the run's settings with the summary's own."""
    s = art["summary"]
    return {
        "id": row["id"],
        "part": row["part"],
        "source": row["source"],
        "paper": row["paper"],
        "date": row["date"],
        "page": row["page"],
        "title": art["title"],
        "subtitle": art["subtitle"],
        "dateline": art["dateline"],
        "text": art["text"],
        "summary": s["text"],
        "guard": s["guard"],
        "guard_reasons": list(s["guard_reasons"]),
        "condensed": s["condensed"],
        "model": s["model"],
        "settings": dict(
            settings,
            style=s["style"],
            max_chars=s["max_chars"],
            backend=s["backend"],
            prompt_version=s["prompt_version"],
        ),
    }


def main() -> None:
    rows_path, out_dir, settings_path, chunks_path = sys.argv[1:5]
    chunks = json.loads(Path(chunks_path).read_text(encoding="utf-8"))["feed"]
    rows = {}
    for line in Path(rows_path).read_text(encoding="utf-8").split("\n"):
        if not line.strip():
            continue
        r = json.loads(line)
        rows[r["id"]] = r
    settings = json.loads(Path(settings_path).read_text(encoding="utf-8"))
    got: dict[str, dict] = {}
    for path in sorted(glob.glob(os.path.join(out_dir, "*.jsonl"))):
        for line in Path(path).read_text(encoding="utf-8").split("\n"):
            if not line.strip():
                continue
            art = json.loads(line)
            rid = article_id(art, chunks)
            row = rows[rid]
            if (art["title"] or None) != (row["title"] or None) and rid.startswith("page_"):
                raise SystemExit(f"{rid}: title {art['title']!r} != row's {row['title']!r}")
            s = art["summary"]
            if art["status"] != "done" or s is None:
                raise SystemExit(f"{rid}: not summarised ({art['status']}: {art['error']})")
            if rid in got:
                raise SystemExit(f"{rid}: summarised twice")
            got[rid] = summary_row(row, art, settings)
    # In the rows' order, so both parts read in paper/page order.
    for rid in rows:
        if rid in got:
            print(json.dumps(got[rid], ensure_ascii=False))
    missing = [rid for rid in rows if rid not in got]
    print(f"{len(got)} summaries, {len(missing)} rows not summarised yet", file=sys.stderr)


if __name__ == "__main__":
    main()
