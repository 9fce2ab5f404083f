"""``zhaiyao split`` end to end through click: output formats, stdin, bad inputs and exit codes."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner
from zhaiyao.cli import main

SEED = Path(__file__).parents[1] / "examples" / "zhuzhou_front_page.txt"
INPUTS = Path(__file__).parent / "data" / "inputs"
FIELDS = {
    "page", "index", "title", "subtitle", "dateline", "reporters", "correspondents", "photographers",
    "captions", "sidebars", "continued_on", "text", "chars", "key",
}  # fmt: skip


def _run(*args: str, stdin: bytes | None = None):
    return CliRunner().invoke(main, ["split", *args], input=stdin)


def test_jsonl_is_one_article_object_per_line() -> None:
    result = _run(str(SEED))
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(rows) == 10
    assert all(set(row) >= FIELDS for row in rows)
    assert rows[8]["title"] is None
    assert rows[8]["sidebars"][0]["title"] == "相关链接 我市首批工业旅游接待点"
    assert rows[5]["continued_on"] == "A2版①"
    assert rows[0]["chars"] == len(rows[0]["text"])
    assert result.stderr == ""


def test_json_and_markdown_formats() -> None:
    result = _run("--format", "json", str(INPUTS / "benbao_page.md"))
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert [a["index"] for a in data] == [1, 2, 3]
    result = _run("--format", "md", str(SEED))
    assert result.exit_code == 0
    assert result.stdout.count("\n## ") + result.stdout.startswith("## ") == 10
    assert "## (无标题)" in result.stdout
    assert "- 下转: A2版①" in result.stdout


def test_output_file(tmp_path: Path) -> None:
    out = tmp_path / "articles.jsonl"
    result = _run(str(SEED), "-o", str(out))
    assert result.exit_code == 0 and result.stdout == ""
    assert len(out.read_text(encoding="utf-8").splitlines()) == 10


def test_stdin() -> None:
    result = _run("-", stdin=(INPUTS / "xinhua_page.txt").read_bytes())
    assert result.exit_code == 0
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["page"] for r in rows] == ["-", "-"]
    assert rows[0]["reporters"] == ["张华", "刘洋"]


def test_bad_inputs_are_reported_skipped_and_counted(tmp_path: Path) -> None:
    shutil.copy(SEED, tmp_path / "good.txt")
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "rows.jsonl").write_text('{"text": "正文。"}\n{oops\n', encoding="utf-8")
    result = _run(str(tmp_path), str(tmp_path / "missing.txt"))
    assert result.exit_code == 1
    errors = result.stderr.splitlines()
    assert f"error: {tmp_path / 'empty.txt'}: empty file" in errors
    assert f"error: {tmp_path / 'missing.txt'}: no such file or directory" in errors
    assert any(e.startswith(f"error: {tmp_path / 'rows.jsonl'}:2: malformed JSON") for e in errors)
    assert errors[-1] == "11 articles from 2 pages; skipped 3 bad inputs"
    assert len(result.stdout.splitlines()) == 11  # the good page and the good row were still written


def test_nothing_readable_exits_2(tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_bytes(b"")
    result = _run(str(tmp_path / "empty.txt"), str(tmp_path / "nope.md"))
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.splitlines()[-1] == "0 articles from 0 pages; skipped 2 bad inputs"


def test_installed_command_prints_no_traceback(tmp_path: Path) -> None:
    (tmp_path / "bin.txt").write_bytes(b"\x00\x01\x02")
    proc = subprocess.run(
        [sys.executable, "-m", "zhaiyao", "split", str(tmp_path / "bin.txt")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert proc.stderr.splitlines()[0] == f"error: {tmp_path / 'bin.txt'}: binary file, not text"
