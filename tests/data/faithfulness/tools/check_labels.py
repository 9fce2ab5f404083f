#!/usr/bin/env python3
"""Check a labels file of the faithfulness set against docs/faithfulness-labelling.md and print its counts.

usage: check_labels.py PART [LABELS.jsonl]   (PART: tune | check; default file labels_PART.jsonl)
Exit 1 when a row breaks a rule or an id of the part has no label.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
KINDS = {
    "attribution",
    "modality_time",
    "actor",
    "polarity",
    "number",
    "invented",
    "unsupported_link",
    "other",
}
FIELDS = {"id", "faithful", "errors", "on_point", "note", "labeller"}


def problems(row: dict, ids: set[str]) -> list[str]:
    out = []
    if set(row) != FIELDS:
        out.append(f"fields {sorted(row)} (want {sorted(FIELDS)})")
    if row.get("id") not in ids:
        out.append("id not in this part")
    if not isinstance(row.get("faithful"), bool) or not isinstance(row.get("on_point"), bool):
        out.append("faithful and on_point must be true/false")
    errors = row.get("errors")
    if not isinstance(errors, list) or not set(errors) <= KINDS or len(set(errors)) != len(errors or []):
        out.append(f"errors must be a list of distinct kinds from {sorted(KINDS)}")
    elif bool(errors) == bool(row.get("faithful")):
        out.append("errors must be empty exactly when faithful is true")
    note = row.get("note")
    if not isinstance(note, str) or "\n" in note:
        out.append("note must be one line of text")
    elif (row.get("faithful") is False or row.get("on_point") is False) and not note.strip():
        out.append("a note is needed when not faithful or not on point")
    if not isinstance(row.get("labeller"), str) or not row.get("labeller", "").strip():
        out.append("labeller missing")
    return out


def main() -> int:
    part = sys.argv[1]
    path = Path(sys.argv[2]) if len(sys.argv) > 2 else HERE / f"labels_{part}.jsonl"
    text = (HERE / "summaries.jsonl").read_text(encoding="utf-8")
    rows = [json.loads(line) for line in text.split("\n") if line]
    ids = {r["id"] for r in rows if r["part"] == part}
    seen: Counter[str] = Counter()
    bad = 0
    labels = []
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").split("\n"), start=1):
        if not line.strip():
            continue
        row = json.loads(line)
        labels.append(row)
        seen[row.get("id")] += 1
        for problem in problems(row, ids):
            print(f"{path.name}:{number}: {row.get('id')}: {problem}")
            bad += 1
    for dup in sorted(i for i, n in seen.items() if n > 1):
        print(f"{dup}: labelled {seen[dup]} times")
        bad += 1
    missing = sorted(ids - set(seen))
    if missing:
        print(f"{len(missing)} of {len(ids)} ids have no label yet, e.g. {missing[:3]}")
    n = len(labels)
    unfaithful = sum(1 for r in labels if r.get("faithful") is False)
    off = sum(1 for r in labels if r.get("on_point") is False)
    kinds = Counter(k for r in labels for k in r.get("errors") or [])
    print(
        f"{n} labels: {unfaithful} unfaithful ({unfaithful / max(n, 1):.1%}), {off} off point "
        f"({off / max(n, 1):.1%}); kinds {dict(kinds.most_common())}"
    )
    return 1 if bad or missing else 0


if __name__ == "__main__":
    sys.exit(main())
