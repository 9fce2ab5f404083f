"""The share of unfaithful and of on-point summaries, before and after: two runs over the same articles.

    cd tests/data/faithfulness && python ../../../bench/faithfulness_share.py --part check \\
        --before summaries.jsonl --before-labels labels_check.jsonl \\
        --after summaries_after.jsonl --after-labels labels_after.jsonl
    ... --pairs labels_pairs.jsonl   # also: the changed ones, both sides labelled by one labeller
    python bench/faithfulness_share.py --smoke                  # built-in rows, no files

A label judges one summary text of one article. An after summary word for word the before one keeps the
before label; a changed one needs a label of its own (``--after-labels``). Only articles with a label on
both sides are counted, so the two shares are over the same articles. Also printed: the after run's
guard states and, per guard state, how many after summaries were unfaithful (what a reader flagging
``fallback``/``unsure`` would catch).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

SMOKE_BEFORE = [
    {"id": "a", "part": "smoke", "summary": "航天员乘组进入空间站。", "guard": "ok"},
    {"id": "b", "part": "smoke", "summary": "价格不高。", "guard": "ok"},
]
SMOKE_AFTER = [
    {"id": "a", "part": "smoke", "summary": "航天员乘组将进入空间站。", "guard": "retried"},
    {"id": "b", "part": "smoke", "summary": "价格不高。", "guard": "ok"},
]
SMOKE_BEFORE_LABELS = [
    {"id": "a", "faithful": False, "on_point": True},
    {"id": "b", "faithful": True, "on_point": True},
]
SMOKE_AFTER_LABELS = [{"id": "a", "faithful": True, "on_point": True}]


def _read(path: str) -> list[dict]:
    return [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]


def judged(
    before: list[dict], before_labels: list[dict], after: list[dict], after_labels: list[dict], part: str
) -> list[tuple[dict, dict, dict]]:
    """(after summary, its label, the before label) for every article labelled on both sides."""
    was = {r["id"]: r for r in before if r["part"] == part}
    was_label = {r["id"]: r for r in before_labels}
    now_label = {r["id"]: r for r in after_labels}
    rows = []
    for row in after:
        old = was.get(row["id"])
        if row["part"] != part or old is None or row["id"] not in was_label:
            continue
        label = was_label[row["id"]] if row["summary"] == old["summary"] else now_label.get(row["id"])
        if label is not None:
            rows.append((row, label, was_label[row["id"]]))
    return rows


def _share(n: int, of: int) -> str:
    return f"{100 * n / of:.1f} % ({n}/{of})" if of else "–"


def report(rows: list[tuple[dict, dict, dict]], changed: int) -> str:
    n = len(rows)
    lines = [
        f"articles labelled before and after: {n} ({changed} after summaries differ from before)",
        f"unfaithful before  {_share(sum(not b['faithful'] for _, _, b in rows), n)}",
        f"unfaithful after   {_share(sum(not a['faithful'] for _, a, _ in rows), n)}",
        f"on point before    {_share(sum(b['on_point'] for _, _, b in rows), n)}",
        f"on point after     {_share(sum(a['on_point'] for _, a, _ in rows), n)}",
    ]
    states = Counter(r["guard"] for r, _, _ in rows)
    bad = Counter(r["guard"] for r, a, _ in rows if not a["faithful"])
    lines.append(
        "after, by guard state: " + ", ".join(f"{g} {states[g]} ({bad[g]} unfaithful)" for g in states)
    )
    return "\n".join(lines)


def paired(pairs: list[dict]) -> str:
    """The changed articles with both summaries labelled side by side by one labeller (``summary_of``
    names the side: ``before`` or the other run's)."""
    sides: dict[str, dict[str, dict]] = {}
    for row in pairs:
        sides.setdefault(row["id"], {})["before" if row["summary_of"] == "before" else "after"] = row
    both = [s for s in sides.values() if len(s) == 2]
    n = len(both)
    unfaithful = [sum(not s[k]["faithful"] for s in both) for k in ("before", "after")]
    on_point = [sum(s[k]["on_point"] for s in both) for k in ("before", "after")]
    return (
        f"changed, one labeller both sides ({n}): unfaithful {unfaithful[0]} -> {unfaithful[1]}, "
        f"on point {on_point[0]} -> {on_point[1]}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    for name in ("before", "before-labels", "after", "after-labels"):
        parser.add_argument(f"--{name}")
    parser.add_argument("--part", default="check")
    parser.add_argument("--pairs", help="labels of before and after side by side (labels_pairs.jsonl)")
    parser.add_argument("--smoke", action="store_true")
    args = parser.parse_args()
    if args.smoke:
        sides = (SMOKE_BEFORE, SMOKE_BEFORE_LABELS, SMOKE_AFTER, SMOKE_AFTER_LABELS)
        args.part = "smoke"
    else:
        paths = (args.before, args.before_labels, args.after, args.after_labels)
        if not all(paths):
            sys.exit("faithfulness_share: --before, --before-labels, --after and --after-labels are needed")
        sides = tuple(_read(p) for p in paths)
    rows = judged(*sides, part=args.part)
    old = {r["id"]: r["summary"] for r in sides[0]}
    changed = sum(r["summary"] != old[r["id"]] for r, _, _ in rows)
    print(report(rows, changed))
    if args.pairs:
        print(paired(_read(args.pairs)))


if __name__ == "__main__":
    main()
