#!/usr/bin/env python3
"""Join the faithfulness set's rows with a later run's summaries (the "after" set: the check in the loop).

usage: merge_after.py ROWS.jsonl SETTINGS.json OUT.jsonl [OUT.jsonl ...] > summaries_after.jsonl
  Each OUT.jsonl is `zhaiyao summarise ROWS --format jsonl` output of rows `{id, title, text}`; its
  articles name their row in `source_id`. Rows are written in ROWS.jsonl's order, in the format of
  summaries.jsonl (../README.md), with SETTINGS.json's run settings and each summary's own.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from merge_summaries import summary_row


def _lines(path: str) -> list[dict]:
    return [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]


def main() -> None:
    rows_path, settings_path, *outs = sys.argv[1:]
    settings = json.loads(Path(settings_path).read_text(encoding="utf-8"))
    got: dict[str, dict] = {}
    for out in outs:
        for art in _lines(out):
            rid, s = art["source_id"], art["summary"]
            if art["status"] != "done" or s is None:
                raise SystemExit(f"{out}: {rid}: not summarised ({art['status']}: {art['error']})")
            if rid in got:
                raise SystemExit(f"{out}: {rid}: summarised twice")
            got[rid] = art
    for row in _lines(rows_path):
        art = got.pop(row["id"], None)
        if art is None:
            continue
        print(json.dumps(summary_row(row, art, settings), ensure_ascii=False))
    if got:
        raise SystemExit(f"{len(got)} summarised articles name no row of {rows_path}: {sorted(got)[:3]}")


if __name__ == "__main__":
    main()
