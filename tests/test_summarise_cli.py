"""``zhaiyao summarise`` end to end on the seed page."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from zhaiyao.cli import main
from zhaiyao.config import SAMPLE_PAGE


def test_summarise_prints_every_article_with_its_summary_as_jsonl() -> None:
    result = CliRunner().invoke(
        main,
        ["summarise", str(SAMPLE_PAGE), "--backend", "extractive", "--format", "jsonl", "--max-chars", "60"],
    )
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["index"] for r in rows] == list(range(1, len(rows) + 1))
    assert len(rows) == 10
    for row in rows:
        assert row["status"] == "done"
        assert 0 < len(row["summary"]["text"]) <= 60
        assert row["summary"]["backend"] == "extractive"
    untitled = [r for r in rows if not r["title"]]
    assert untitled and all(r["summary"]["title_generated"] for r in untitled)
    assert "summarised 10/10" in result.stderr


def test_summarise_markdown_with_the_tiny_model(tiny_model_dir: Path, tmp_path: Path) -> None:
    page = tmp_path / "page.txt"
    page.write_text(
        "## 株洲开行首趟旅游专列\n\n株洲开行首趟旅游专列。300余名游客前往炎陵。\n", encoding="utf-8"
    )
    result = CliRunner().invoke(
        main,
        ["summarise", str(page), "--model", str(tiny_model_dir), "--style", "headline", "--batch-size", "1"],
    )
    assert result.exit_code == 0, result.output
    assert "## 1. 株洲开行首趟旅游专列" in result.stdout
    assert "headline, llm" in result.stdout and "关键词：" in result.stdout


def test_missing_input_is_a_one_line_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["summarise", str(tmp_path / "nope.txt"), "--backend", "extractive"])
    assert result.exit_code != 0
    assert result.stderr.startswith("error: ") and "nope.txt" in result.stderr
    assert "Traceback" not in result.output


def test_one_article_failing_is_printed_as_failed_and_the_rest_go_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from zhaiyao.summarise import registry
    from zhaiyao.summarise.extractive import ExtractiveSummariser

    class Breaks(ExtractiveSummariser):
        def generate(self, requests):
            if any("坏稿" in r.text for r in requests):
                raise ValueError("cannot read this one")
            return super().generate(requests)

    extractive = dataclasses.replace(registry.describe("extractive"), create=lambda s, p: Breaks())
    monkeypatch.setitem(registry._BACKENDS, "extractive", extractive)
    rows = tmp_path / "rows.jsonl"
    texts = [
        "株洲开行首趟旅游专列。300余名游客前往炎陵。",
        "坏稿。这一篇读不了。",
        "长株潭三市签署合作协议。",
    ]
    rows.write_text(
        "".join(
            json.dumps({"title": f"稿{i}", "text": t}, ensure_ascii=False) + "\n" for i, t in enumerate(texts)
        ),
        encoding="utf-8",
    )
    result = CliRunner().invoke(
        main, ["summarise", str(rows), "--backend", "extractive", "--format", "jsonl"]
    )
    assert result.exit_code == 1, result.output
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["status"] for r in out] == ["done", "failed", "done"]
    assert "cannot read this one" in out[1]["error"]
    assert "1 of 3 article(s) failed" in result.stderr
