"""The faithfulness set (tests/data/faithfulness): its split follows the stated rule, it holds no kept-out
paper or date, every summary belongs to a row, and the label checker enforces the guide's rules."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data" / "faithfulness"
CHECK_DAYS = {("新华每日电讯", "2026-04-29"), ("人民日报", "2026-05-03"), ("人民日报", "2026-07-08")}


def _load(name: str):
    spec = importlib.util.spec_from_file_location(name, DATA / "tools" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _rows(name: str) -> list[dict]:
    return [json.loads(line) for line in (DATA / name).read_text(encoding="utf-8").split("\n") if line]


ROWS = _rows("rows.jsonl")


def test_rows_are_unique_and_split_by_paper_and_date():
    assert len({r["id"] for r in ROWS}) == len(ROWS) >= 320
    for r in ROWS:
        on_check_day = (r["paper"], r["date"]) in CHECK_DAYS and not r["id"].startswith("page_")
        want = "check" if on_check_day else "tune"
        assert r["part"] == want, r["id"]
    check = sum(r["part"] == "check" for r in ROWS)
    assert 0.40 <= check / len(ROWS) <= 0.50


def test_no_kept_out_paper_or_date():
    kept_out = _load("build_rows").kept_out
    assert kept_out("人民日报", "2026-05-12") and kept_out("光明日报", "2026-05-02")
    assert kept_out("人民日报", "2023-01-01") and not kept_out("人民日报", "2026-05-03")
    assert not [r["id"] for r in ROWS if kept_out(r["paper"], r["date"]) or "都市快报" in r["paper"]]


@pytest.mark.skipif(not (DATA / "summaries.jsonl").exists(), reason="summaries not made yet")
def test_every_summary_belongs_to_its_row():
    rows = {r["id"]: r for r in ROWS}
    summaries = _rows("summaries.jsonl")
    assert len({s["id"] for s in summaries}) == len(summaries)
    for s in summaries:
        row = rows[s["id"]]
        fields = ("part", "paper", "date", "page")
        assert [s[k] for k in fields] == [row[k] for k in fields]
        assert s["text"].strip() and s["summary"].strip() and s["guard"] in ("ok", "retried", "fallback")
        assert s["model"].startswith("qwen2.5-coder-1.5b-instruct") and s["settings"]["style"] == "brief"


def test_label_checker_enforces_the_guide():
    problems = _load("check_labels").problems
    ids = {"a"}
    good = {"id": "a", "faithful": False, "errors": ["actor"], "on_point": True, "note": "x", "labeller": "h"}
    assert problems(good, ids) == []
    assert problems({**good, "faithful": True, "note": ""}, ids)  # errors listed but faithful
    assert problems({**good, "errors": []}, ids)  # unfaithful with no kind
    assert problems({**good, "errors": ["misquote"]}, ids)  # not a kind of the guide
    assert problems({**good, "note": ""}, ids)  # unfaithful needs a note
    assert problems({**good, "id": "b"}, ids)  # not of this part
    fine = {**good, "faithful": True, "errors": [], "note": ""}
    assert problems(fine, ids) == []
    assert problems({**fine, "on_point": False}, ids)  # off point needs a note


def test_after_summaries_and_their_labels_hold_together():
    """The after run covers labelled check articles only; a label of it exists exactly for each after
    summary that differs from the before one, and every label (after, pairs) follows the guide."""
    problems = _load("check_labels").problems
    before = {s["id"]: s for s in _rows("summaries.jsonl")}
    checked = {r["id"] for r in _rows("labels_check.jsonl")}
    after = _rows("summaries_after.jsonl")
    assert {s["id"] for s in after} <= checked and all(s["part"] == "check" for s in after)
    changed = {s["id"] for s in after if s["summary"] != before[s["id"]]["summary"]}
    labels = _rows("labels_after.jsonl")
    assert {r["id"] for r in labels} == changed and len(labels) == len(changed)
    assert not [r["id"] for r in labels if problems(r, changed)]
    pairs = _rows("labels_pairs.jsonl")
    assert sorted((r["id"], r["summary_of"]) for r in pairs) == sorted(
        (i, side) for i in changed for side in ("before", "after")
    )
    assert not [
        r["id"]
        for r in pairs
        if problems({k: v for k, v in r.items() if k not in ("summary_of", "shown_as")}, changed)
    ]


def test_prompt_experiment_files_hold_together():
    """The news-first prompt was tried on tune articles only; its changed summaries are labelled, both
    sides side by side, by the guide's rules."""
    problems = _load("check_labels").problems
    before = {s["id"]: s for s in _rows("summaries.jsonl")}
    tried = _rows("summaries_prompt_tune.jsonl")
    assert tried and all(s["part"] == "tune" for s in tried)
    changed = {s["id"] for s in tried if s["summary"] != before[s["id"]]["summary"]}
    assert {r["id"] for r in _rows("labels_prompt_tune.jsonl")} == changed
    pairs = _rows("labels_prompt_pairs.jsonl")
    assert sorted((r["id"], r["summary_of"]) for r in pairs) == sorted(
        (i, side) for i in changed for side in ("before", "new")
    )
    label_fields = ("id", "faithful", "errors", "on_point", "note", "labeller")
    assert not [r["id"] for r in pairs if problems({k: r[k] for k in label_fields}, changed)]


def test_second_after_run_is_labelled_side_by_side():
    """The run with the news-first prompt: every changed summary labelled, both sides by one labeller."""
    problems = _load("check_labels").problems
    before = {s["id"]: s for s in _rows("summaries.jsonl")}
    after = _rows("summaries_after2.jsonl")
    assert {s["id"] for s in after} <= {r["id"] for r in _rows("labels_check.jsonl")}
    changed = {s["id"] for s in after if s["summary"] != before[s["id"]]["summary"]}
    assert {r["id"] for r in _rows("labels_after2.jsonl")} == changed
    pairs = _rows("labels_pairs2.jsonl")
    assert sorted((r["id"], r["summary_of"]) for r in pairs) == sorted(
        (i, side) for i in changed for side in ("before", "after")
    )
    label_fields = ("id", "faithful", "errors", "on_point", "note", "labeller")
    assert not [r["id"] for r in pairs if problems({k: r[k] for k in label_fields}, changed)]
