"""``zhaiyao check ROWS.jsonl``: one row out per row in, bad rows reported with FILE:LINE while the
others are still checked, the same verdict the summariser's check gives."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from zhaiyao.cli import main
from zhaiyao.summarise.faithful import check

ARTICLE = "神舟二十号航天员乘组将进入空间站，开展为期6个月的驻留。"


def _rows(tmp_path: Path, *lines: str) -> Path:
    path = tmp_path / "rows.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _row(**fields: object) -> str:
    return json.dumps(fields, ensure_ascii=False)


def test_one_row_out_per_row_in_with_the_summarisers_verdict(tmp_path: Path) -> None:
    bad, good = "航天员乘组进入空间站。", "航天员乘组将进入空间站，驻留6个月。"
    path = _rows(
        tmp_path,
        _row(id="a", text=ARTICLE, summary=bad),
        _row(id=2, text=ARTICLE, summary=good),
        _row(id="c", title="国务院办公厅印发意见", text="意见提出，推进绿色发展。", summary="国务院印发意见"),
    )
    result = CliRunner().invoke(main, ["check", str(path)])
    assert result.exit_code == 1, result.output  # a summary failed
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["id"] for r in out] == ["a", 2, "c"]
    assert [r["ok"] for r in out] == [False, True, False]
    assert out[0]["reasons"] == list(check(bad, ARTICLE).reasons)
    assert out[0]["reasons"][0].startswith("modality:")
    assert out[2]["reasons"][0].startswith("organisation:")  # the title is part of the article
    assert "1 ok, 2 failed" in result.stderr


def test_bad_rows_are_one_line_errors_and_the_rest_is_checked(tmp_path: Path) -> None:
    path = _rows(
        tmp_path,
        "not json",
        _row(id="no-text", summary="x"),
        "",
        _row(id="ok", text=ARTICLE, summary="航天员乘组将进入空间站。"),
        _row(id="n", text=ARTICLE, summary=3),
    )
    result = CliRunner().invoke(main, ["check", str(path), "--format", "jsonl"])
    assert result.exit_code == 2
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert errors == [
        f"error: {path}:1: malformed JSON: Expecting value (column 1)",
        f"error: {path}:2: no 'text' field",
        f"error: {path}:5: 'summary' must be a string, not int",
    ]
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(r["id"], r["ok"]) for r in out] == [(None, None), ("no-text", None), ("ok", True), ("n", None)]


def test_text_format_to_a_file(tmp_path: Path) -> None:
    path = _rows(tmp_path, _row(id="a", text=ARTICLE, summary="航天员乘组进入空间站。"))
    target = tmp_path / "out" / "checked.txt"
    result = CliRunner().invoke(main, ["check", str(path), "--format", "text", "-o", str(target)])
    assert result.exit_code == 1
    assert result.stdout == ""
    (line,) = target.read_text(encoding="utf-8").splitlines()
    ident, verdict, reasons = line.split("\t")
    assert (ident, verdict) == ("a", "FAIL") and reasons.startswith("modality:")


def test_a_missing_file_is_one_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["check", str(tmp_path / "none.jsonl")])
    assert result.exit_code == 2
    assert result.stderr.strip() == f"error: {tmp_path / 'none.jsonl'}: no such file"
