"""The faithfulness check against labelled summaries: recall on unfaithful ones, false alarms on faithful.

    python bench/faithfulness_eval.py --summaries S.jsonl --labels labels_tune.jsonl --part tune
    python bench/faithfulness_eval.py ... --part check --json report.json   # blind: figures only
    python bench/faithfulness_eval.py ... --part tune --ids-prefix page_,mrdx-   # some sources only
    python bench/faithfulness_eval.py ... --part tune --by-source               # one line per source
    python bench/faithfulness_eval.py --smoke                               # built-in rows, no files

``S.jsonl`` rows are the faithfulness set's ``{id, part, title, subtitle, dateline, text, summary}``
(tests/data/faithfulness/README.md); labels ``{id, faithful, errors, on_point, ...}`` as
docs/faithfulness-labelling.md writes them. Only rows of ``--part`` with a label are scored. The check is
the summariser's own (``zhaiyao.summarise.faithful.check``), on the same text the summariser holds a
summary to: title, subtitle, dateline and body.

Reported: recall (unfaithful summaries the check fails) and false-alarm rate (faithful summaries it
fails), both also counting *unsure* findings as flags; recall per labelled error kind; for each rule
how often it fired on unfaithful and on faithful summaries; the check's speed (checks/s, the CPU named).
``--ids-prefix`` keeps the rows whose id starts with one of the given prefixes, and ``--by-source``
adds recall and false alarms per source (pages_real ``page_``, each feed paper-day ``rmrb-20260501``):
tune a rule while reading two sources' rows, then score it on the third, so that a rule fitted to rows
shows up as a drop on the source it never saw.
Per-row misses and false alarms are listed only with ``--show`` (never use it on the check part: its
rows are read once, to measure).
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from collections import Counter
from pathlib import Path

SMOKE_ROWS = [
    {"id": "s1", "part": "smoke", "text": "航天员乘组将进入空间站。", "summary": "航天员乘组进入空间站。"},
    {"id": "s2", "part": "smoke", "text": "航天员乘组将进入空间站。", "summary": "航天员乘组将进入空间站。"},
    {"id": "s3", "part": "smoke", "text": "价格不高，游客很多。", "summary": "价格不高。"},
]
SMOKE_LABELS = {
    "s1": {"faithful": False, "errors": ["modality_time"]},
    "s2": {"faithful": True, "errors": []},
    "s3": {"faithful": True, "errors": []},
}


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def source_text(row: dict) -> str:
    """What the summary is held to, as the summariser builds it (policy._source)."""
    return "\n".join(str(row[f]) for f in ("title", "subtitle", "dateline", "text") if row.get(f))


def rule_of(reason: str) -> str:
    """A reason's rule: its first word (attribution, modality, number, person ...)."""
    unsure = reason.startswith("unsure: ")
    kind = reason.removeprefix("unsure: ").split(" ", 1)[0].rstrip(":")
    return f"{kind} (unsure)" if unsure else kind


def evaluate(rows: list[dict], labels: dict[str, dict]) -> dict:
    import logging

    import jieba
    from zhaiyao.summarise.faithful import check

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    scored = []
    began = time.perf_counter()
    for row in rows:
        verdict = check(row["summary"], source_text(row))
        scored.append((row, labels[row["id"]], verdict))
    seconds = time.perf_counter() - began
    return summarise(scored, seconds)


def _rate(hits: int, total: int) -> dict:
    return {"hits": hits, "of": total, "rate": round(hits / total, 4) if total else None}


def summarise(scored: list, seconds: float) -> dict:
    bad = [(r, lab, v) for r, lab, v in scored if not lab["faithful"]]
    good = [(r, lab, v) for r, lab, v in scored if lab["faithful"]]
    kinds = Counter(k for _, lab, _ in bad for k in lab["errors"])
    per_kind = {
        kind: _rate(sum(1 for _, lab, v in bad if kind in lab["errors"] and not v.ok), n)
        for kind, n in kinds.most_common()
    }
    fired_bad = Counter(rule for _, _, v in bad for rule in {rule_of(r) for r in v.reasons})
    fired_good = Counter(rule for _, _, v in good for rule in {rule_of(r) for r in v.reasons})
    return {
        "rows": len(scored),
        "unfaithful": len(bad),
        "faithful": len(good),
        "recall": _rate(sum(1 for *_, v in bad if not v.ok), len(bad)),
        "false_alarms": _rate(sum(1 for *_, v in good if not v.ok), len(good)),
        "recall_with_unsure": _rate(sum(1 for *_, v in bad if v.reasons), len(bad)),
        "false_alarms_with_unsure": _rate(sum(1 for *_, v in good if v.reasons), len(good)),
        "recall_by_kind": per_kind,
        "rules_on_unfaithful": dict(fired_bad.most_common()),
        "rules_on_faithful": dict(fired_good.most_common()),
        "checks_per_s": round(len(scored) / seconds, 1) if seconds else None,
        "cpu": _cpu(),
        "_scored": scored,
    }


def source_of_id(row_id: str) -> str:
    """The row's source: ``page`` for pages_real rows, else the feed's paper and date (rmrb-20260501)."""
    return "page" if row_id.startswith("page_") else "-".join(row_id.split("-")[:2])


def by_source(scored: list) -> dict[str, dict]:
    """Recall and false alarms of each source's rows."""
    groups: dict[str, list] = {}
    for item in scored:
        groups.setdefault(source_of_id(item[0]["id"]), []).append(item)
    out = {}
    for name, items in sorted(groups.items()):
        bad = [v for _, lab, v in items if not lab["faithful"]]
        good = [v for _, lab, v in items if lab["faithful"]]
        out[name] = {
            "recall": _rate(sum(1 for v in bad if not v.ok), len(bad)),
            "false_alarms": _rate(sum(1 for v in good if not v.ok), len(good)),
        }
    return out


def _cpu() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _pct(rate: dict) -> str:
    return "n/a" if rate["rate"] is None else f"{rate['rate']:.1%} ({rate['hits']}/{rate['of']})"


def _join(items: dict, show=str) -> str:
    return ", ".join(f"{k} {show(v)}" for k, v in items.items())


def print_report(report: dict, part: str, show: bool) -> None:
    print(f"part {part}: {report['rows']} labelled summaries, {report['unfaithful']} unfaithful")
    for name, key in (("recall on unfaithful    ", "recall"), ("false alarms on faithful", "false_alarms")):
        print(f"{name}  {_pct(report[key])}   (with unsure: {_pct(report[key + '_with_unsure'])})")
    print("recall by labelled kind:  " + _join(report["recall_by_kind"], _pct))
    print("rules on unfaithful:      " + _join(report["rules_on_unfaithful"]))
    print("rules on faithful:        " + _join(report["rules_on_faithful"]))
    print(f"speed: {report['checks_per_s']} checks/s on {report['cpu']} (one process)")
    for name, rates in report.get("by_source", {}).items():
        print(f"  {name:14} recall {_pct(rates['recall'])}   false alarms {_pct(rates['false_alarms'])}")
    if not show:
        return
    for row, label, verdict in report["_scored"]:
        if label["faithful"] != verdict.ok:
            what = "MISS" if verdict.ok else "FALSE ALARM"
            print(f"\n{what} {row['id']} {label.get('errors')} {label.get('note', '')}")
            print(f"  summary: {row['summary']}")
            print(f"  reasons: {list(verdict.reasons)}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--summaries", type=Path)
    parser.add_argument("--labels", type=Path)
    parser.add_argument("--part", default="tune")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--show", action="store_true", help="list misses and false alarms (tune only)")
    parser.add_argument("--smoke", action="store_true", help="three built-in rows, no files")
    parser.add_argument("--ids-prefix", default="", help="comma-separated id prefixes: only those rows")
    parser.add_argument("--by-source", action="store_true", help="recall and false alarms per source")
    args = parser.parse_args(argv)
    if args.smoke:
        rows, labels, args.part = SMOKE_ROWS, SMOKE_LABELS, "smoke"
    else:
        if not args.summaries or not args.labels:
            parser.error("--summaries and --labels are needed (or --smoke)")
        rows, labels = read_jsonl(args.summaries), {r["id"]: r for r in read_jsonl(args.labels)}
    rows = [r for r in rows if r.get("part") == args.part and r["id"] in labels]
    prefixes = tuple(p for p in args.ids_prefix.split(",") if p)
    if prefixes:
        rows = [r for r in rows if r["id"].startswith(prefixes)]
    if not rows:
        print(f"no labelled rows of part {args.part!r}", file=sys.stderr)
        return 2
    report = evaluate(rows, labels)
    if args.by_source:
        report["by_source"] = by_source(report["_scored"])
    print_report(report, args.part, args.show)
    if args.json:
        figures = {k: v for k, v in report.items() if not k.startswith("_")}
        args.json.write_text(json.dumps({"part": args.part, **figures}, ensure_ascii=False, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
