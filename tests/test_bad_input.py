"""What bad input gets (issue 15): one line naming the file and the problem, never a traceback, and
nothing already done is lost. One test (or a few) per defect the hardening pass fixed, numbered as in
the issue; each drives the real command in a subprocess where the defect lived at the process edge
(stdin, stdout, signals, memory), through the real SQLite store, spreadsheet and Markdown readers.
"""

from __future__ import annotations

import contextlib
import csv
import json
import os
import random
import re
import resource
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "examples" / "zhuzhou_front_page.txt"
GOOD_PAGE = "## 标题\n\n株洲日报讯 今天，株洲举行活动。参加者达到300人。\n"
ERROR_LINE = re.compile(r"^error: \S.*$")


def zhaiyao(
    *args: str,
    stdin: object = subprocess.DEVNULL,
    stdout: object = subprocess.PIPE,
    timeout: float = 60,
    memory_gb: float | None = None,
    close_stdin: bool = False,
    env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess:
    """The real command in its own process (PYTHONPATH: this checkout), as a user runs it: for stdin,
    stdout, memory limits, hangs and signals."""

    def limits() -> None:
        if memory_gb:
            size = int(memory_gb * 1024**3)
            resource.setrlimit(resource.RLIMIT_AS, (size, size))
        if close_stdin:
            os.close(0)

    full_env = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "zhaiyao", *args],
        stdin=stdin,
        stdout=stdout,
        stderr=subprocess.PIPE,
        text=True,
        timeout=timeout,
        env=full_env,
        preexec_fn=limits,
    )


def cli(*args: str, env: dict[str, str] | None = None) -> SimpleNamespace:
    """The command in this process (faster), for defects that do not live at the process edge.
    Exceptions propagate, so a traceback the user would see fails the test."""
    from click.testing import CliRunner
    from zhaiyao.cli import main

    result = CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)
    return SimpleNamespace(returncode=result.exit_code, stdout=result.stdout, stderr=result.stderr)


def assert_clean_errors(stderr: str) -> list[str]:
    """No traceback; every error line is one `error: …` line. Returns the error lines."""
    assert "Traceback" not in stderr, stderr
    errors = [ln for ln in stderr.splitlines() if ln.lower().startswith("error")]
    assert all(ERROR_LINE.match(ln) for ln in errors), errors
    return errors


def store_runs(db: Path) -> list[tuple[int, str]]:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return list(conn.execute("SELECT id, status FROM runs ORDER BY id"))
    finally:
        conn.close()


def jsonl(path: Path, rows: list[object]) -> Path:
    lines = [r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) for r in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


GOOD_ROWS = [
    {"title": "株洲举办工业旅游节", "text": "株洲日报讯 今天，株洲举办工业旅游节。游客达到3000人。"},
    {"title": "湘江水质保持优良", "text": "株洲日报讯 今年湘江株洲段水质保持优良。优良率91.4%。"},
]
DEEP = "[" * 100_000


# -- 1. an output that is one of the inputs; outputs written whole ------------------------------------


def test_1_split_refuses_to_write_over_its_own_input(isolated_env: Path) -> None:
    page = isolated_env / "page.txt"
    page.write_text(SEED.read_text(encoding="utf-8"), encoding="utf-8")
    before = page.read_bytes()
    result = cli("split", "page.txt", "-o", "page.txt")
    assert result.returncode == 2
    assert assert_clean_errors(result.stderr) == [
        "error: page.txt: the output file is also an input; choose another -o"
    ]
    assert page.read_bytes() == before
    # The same through a folder input, and for batch and export (whose input is the store).
    assert cli("split", ".", "-o", "page.txt").returncode == 2
    assert page.read_bytes() == before
    rows = jsonl(isolated_env / "rows.jsonl", GOOD_ROWS)
    rows_before = rows.read_bytes()
    batch = cli("batch", "rows.jsonl", "--backend", "extractive", "-o", "rows.jsonl")
    assert batch.returncode == 2 and "also an input" in batch.stderr
    assert rows.read_bytes() == rows_before
    assert cli("batch", "page.txt", "--backend", "extractive", "-q").returncode == 0
    db = Path(os.environ["ZHAIYAO_DB"])
    stored = db.read_bytes()
    export = cli("export", "-o", str(db), "--format", "jsonl")
    assert export.returncode == 2 and "also an input" in export.stderr
    assert db.read_bytes() == stored


def test_1_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    from zhaiyao.errors import ConfigError
    from zhaiyao.export.files import atomic_text

    target = tmp_path / "out.jsonl"
    target.write_text("the previous results\n", encoding="utf-8")
    with pytest.raises(RuntimeError), atomic_text(target) as fh:
        fh.write("half of the new")
        raise RuntimeError("the run failed mid-write")
    assert target.read_text(encoding="utf-8") == "the previous results\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.jsonl"]
    with pytest.raises(ConfigError, match="cannot write the output file"), atomic_text(tmp_path):
        pass


def test_1_split_keeps_an_existing_output_when_nothing_could_be_read(isolated_env: Path) -> None:
    (isolated_env / "out.jsonl").write_text("earlier\n", encoding="utf-8")
    result = cli("split", "missing.txt", "-o", "out.jsonl")
    assert result.returncode == 2
    assert (isolated_env / "out.jsonl").read_text(encoding="utf-8") == "earlier\n"


# -- 2. stdin is read only up to the size limit --------------------------------------------------------


def test_2_endless_stdin_stops_at_the_size_limit() -> None:
    with open("/dev/zero", "rb") as zero:
        result = zhaiyao("split", "-", stdin=zero, memory_gb=3, env={"ZHAIYAO_MAX_FILE_MB": "5"})
    assert result.returncode == 2
    errors = assert_clean_errors(result.stderr)
    assert errors == ["error: -: more than the 5 MB limit (max_file_mb); stopped reading"]


def test_2_a_file_is_read_only_up_to_the_limit(tmp_path: Path) -> None:
    import io

    from zhaiyao.config import Settings
    from zhaiyao.errors import InputError
    from zhaiyao.sources.files import read_limited

    settings = Settings(max_file_mb=1)
    assert read_limited("x", io.BytesIO(b"a" * 1024), settings) == b"a" * 1024
    with pytest.raises(InputError, match="more than the 1 MB limit"):
        read_limited("x", io.BytesIO(b"a" * (1024 * 1024 + 1)), settings)


# -- 3. extractive ranking in bounded time and memory --------------------------------------------------


def _long_article(chars: int) -> str:
    from zhaiyao.summarise.extractive import _terminated
    from zhaiyao.text.sentences import split_sentences

    pool = [_terminated(s) for s in split_sentences(SEED.read_text(encoding="utf-8")) if len(s) >= 8]
    rng = random.Random(15)
    paragraphs, size = [], 0
    while size < chars:
        paragraph = "".join(rng.choice(pool) for _ in range(6))
        paragraphs.append(paragraph)
        size += len(paragraph) + 1
    return "## 一篇两百万字的文章\n\n" + "\n".join(paragraphs)


def test_3_a_two_million_character_article_summarises_in_bounded_memory(isolated_env: Path) -> None:
    # One JSONL row is one article, whatever its text looks like (no layout splitting).
    jsonl(isolated_env / "long.jsonl", [{"title": "一篇两百万字的文章", "text": _long_article(2_200_000)}])
    began = time.monotonic()
    result = zhaiyao(
        "summarise", "long.jsonl", "--backend", "extractive", "--format", "jsonl", memory_gb=3, timeout=120
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert_clean_errors(result.stderr)
    row = json.loads(result.stdout)
    assert row["chars"] >= 2_000_000
    assert 0 < len(row["summary"]["text"]) <= 100
    assert time.monotonic() - began < 90


def test_3_the_banded_graph_is_the_full_graph_when_the_band_covers_it() -> None:
    import numpy as np
    from zhaiyao.summarise import extractive

    segs = extractive.segment(_long_article(8_000))
    bags = [{w for w in words if len(w) >= 2} for _, words in segs]
    assert len(bags) > 100
    full = extractive._full_graph_scores(bags)
    banded = extractive._band_graph_scores(bags, len(bags))
    assert np.allclose(full, banded, rtol=1e-12, atol=0)
    narrow = extractive._band_graph_scores(bags, 5)
    assert len(narrow) == len(bags) and np.isfinite(narrow).all() and (narrow > 0).all()


# -- 4. deeply nested JSON -----------------------------------------------------------------------------


def test_4_deep_json_is_one_bad_row_and_the_good_rows_are_kept(isolated_env: Path) -> None:
    (isolated_env / "deep.json").write_text(DEEP, encoding="utf-8")
    jsonl(isolated_env / "rows.jsonl", [GOOD_ROWS[0], DEEP, '{"n": ' + "9" * 5000 + "}", GOOD_ROWS[1]])
    result = cli("split", "deep.json", "rows.jsonl")
    assert result.returncode == 1
    errors = assert_clean_errors(result.stderr)
    assert errors == [
        "error: deep.json: malformed JSON: nested too deeply",
        "error: rows.jsonl:2: malformed JSON: nested too deeply",
        "error: rows.jsonl:3: malformed JSON: Exceeds the limit (4300 digits) for integer string "
        "conversion: value has 5000 digits; use sys.set_int_max_str_digits() to increase the limit",
    ]
    titles = [json.loads(line)["title"] for line in result.stdout.splitlines()]
    assert titles == ["株洲举办工业旅游节", "湘江水质保持优良"]


def test_4_batch_keeps_the_other_files_and_rows(isolated_env: Path) -> None:
    jsonl(isolated_env / "rows.jsonl", [GOOD_ROWS[0], DEEP, GOOD_ROWS[1]])
    (isolated_env / "page.txt").write_text(GOOD_PAGE, encoding="utf-8")
    result = cli("batch", "rows.jsonl", "page.txt", "--backend", "extractive", "-q")
    assert_clean_errors(result.stderr)
    assert "skipped: rows.jsonl:2: malformed JSON: nested too deeply" in result.stderr
    assert "3/3 articles done" in result.stdout


def test_4_eval_names_the_deep_row(isolated_env: Path) -> None:
    row = {"id": "a", "text": "株洲举办工业旅游节。", "summary": "株洲举办旅游节"}
    jsonl(isolated_env / "dev.jsonl", [row, DEEP])
    result = cli("eval", "dev.jsonl", "--backend", "extractive")
    assert result.returncode == 2
    assert assert_clean_errors(result.stderr) == ["error: dev.jsonl:2: malformed JSON: nested too deeply"]


def test_4_and_11_a_viewer_upload_keeps_its_good_rows(monkeypatch: pytest.MonkeyPatch) -> None:
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("ZHAIYAO_BACKEND", "extractive")
    at = AppTest.from_file(str(ROOT / "app" / "viewer" / "page.py"), default_timeout=120)
    at.run()
    rows = [GOOD_ROWS[0], DEEP, "{not json", GOOD_ROWS[1]]
    data = "\n".join(r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) for r in rows)
    at.file_uploader(key="upload").upload("rows.jsonl", data.encode(), "application/json")
    at.run()
    at.button(key="go_upload").click().run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    warnings = [w.value for w in at.warning]
    assert any("rows.jsonl:2: malformed JSON: nested too deeply" in w for w in warnings), warnings
    assert any("rows.jsonl:3: malformed JSON" in w for w in warnings), warnings
    # Each good row is a page of the upload: the first is open, the other one click away.
    cards = [h.proto.body for h in at.get("html") if h.proto.body.startswith('<div class="zy-card"')]
    assert len(cards) == 1 and "株洲举办工业旅游节" in cards[0]
    editions = [b.key for b in at.button if b.key and b.key.startswith("ed_rows.jsonl")]
    assert len(editions) == 2
    at.button(key=editions[1]).click().run()
    cards = [h.proto.body for h in at.get("html") if h.proto.body.startswith('<div class="zy-card"')]
    assert len(cards) == 1 and "湘江水质保持优良" in cards[0]
    page_text = " ".join(str(getattr(e, "value", "")) for e in at.get("markdown"))
    assert "Traceback" not in page_text and "RecursionError" not in page_text


# -- 5. CSV formula injection, checked with a real spreadsheet reader ----------------------------------

FORMULAS = ['=HYPERLINK("http://evil.example","点这里")', "+1+2", "-3+4", "@SUM(A1:A2)", "\t=1+1", "\r=1+1"]


def test_5_csv_cells_never_become_formulas_in_a_spreadsheet(isolated_env: Path) -> None:
    import openpyxl
    import pandas as pd

    rows = [
        {"title": f, "text": f"{f}。株洲日报讯 今天，株洲举办工业旅游节{i}。"} for i, f in enumerate(FORMULAS)
    ]
    jsonl(isolated_env / "rows.jsonl", rows)
    result = cli("batch", "rows.jsonl", "--backend", "extractive", "-q", "-o", "out.csv")
    assert result.returncode == 0, result.stderr
    # pandas reads the CSV as a spreadsheet user's tool would and openpyxl writes it as a workbook:
    # openpyxl, like Excel, stores a text cell starting with "=" as a formula.
    frame = pd.read_csv(isolated_env / "out.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False)
    frame.to_excel(isolated_env / "out.xlsx", index=False, engine="openpyxl")
    sheet = openpyxl.load_workbook(isolated_env / "out.xlsx").active
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    titles = [c.value for c in next(sheet.iter_cols(min_col=4, max_col=4, min_row=2))]
    assert sorted(titles) == sorted("'" + f.strip() for f in FORMULAS)  # shown as the text it was
    with open(isolated_env / "out.csv", encoding="utf-8-sig", newline="") as fh:
        for record in csv.DictReader(fh):
            for value in record.values():
                assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), value


# -- 6. Ray --address to a port where nothing listens ---------------------------------------------------


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_6_an_unreachable_ray_cluster_fails_fast_and_the_run_is_failed(isolated_env: Path) -> None:
    port = _closed_port()
    (isolated_env / "page.txt").write_text(GOOD_PAGE, encoding="utf-8")
    began = time.monotonic()
    result = zhaiyao(
        "batch", "page.txt", "--backend", "extractive", "--engine", "ray", "--address", f"127.0.0.1:{port}"
    )
    assert time.monotonic() - began < 30
    assert result.returncode == 2
    errors = assert_clean_errors(result.stderr)
    assert len(errors) == 1 and errors[0].startswith(
        f"error: cannot reach the Ray cluster at 127.0.0.1:{port}: "
    )
    assert store_runs(Path(os.environ["ZHAIYAO_DB"])) == [(1, "failed")]
    runs = cli("runs", "1")
    assert "run #1: failed" in runs.stdout and "cannot reach the Ray cluster" in runs.stdout


# -- 7. numeric options in range, everywhere -------------------------------------------------------------


def test_7_huge_max_chars_is_a_usage_error_before_any_run(isolated_env: Path) -> None:
    (isolated_env / "page.txt").write_text(GOOD_PAGE, encoding="utf-8")
    result = cli("batch", "page.txt", "--backend", "extractive", "--max-chars", str(10**20))
    assert result.returncode == 2
    errors = assert_clean_errors(result.stderr)
    assert len(errors) == 1 and "--max-chars" in errors[0] and "8<=x<=2000" in errors[0]
    assert not Path(os.environ["ZHAIYAO_DB"]).exists()  # no run was started, so none is left interrupted
    export = cli("export", "--run", str(10**30))
    assert export.returncode == 2 and len(assert_clean_errors(export.stderr)) == 1


@pytest.mark.parametrize(
    ("toml", "problem"),
    [
        ("threads = 0", "setting threads: 0 is not valid: out of range (from 1 to 256)"),
        ("threads = -1", "setting threads: -1 is not valid: out of range"),
        ("threads = 2.5", "setting threads: 2.5 is not valid: not a whole number"),
        ("batch_size = true", "setting batch_size: True is not valid"),
        ("max_chars = 1e20", "setting max_chars: 1e+20 is not valid: out of range"),
        ("max_file_mb = 0", "setting max_file_mb: 0 is not valid: out of range"),
        ("max_file_mb = nan", "setting max_file_mb: nan is not valid: out of range"),
    ],
)
def test_7_out_of_range_settings_in_zhaiyao_toml_are_refused(
    isolated_env: Path, toml: str, problem: str
) -> None:
    from zhaiyao.config import load_settings
    from zhaiyao.errors import ConfigError

    (isolated_env / "zhaiyao.toml").write_text(toml + "\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_settings()
    assert problem in str(caught.value)


def test_7_environment_and_missing_config_file_are_errors(isolated_env: Path) -> None:
    from zhaiyao.config import load_settings
    from zhaiyao.errors import ConfigError

    with pytest.raises(ConfigError, match="out of range"):
        load_settings(environ={"ZHAIYAO_BATCH_SIZE": "100000"})
    with pytest.raises(ConfigError, match=r"nope\.toml: configuration file not found \(ZHAIYAO_CONFIG\)"):
        load_settings(environ={"ZHAIYAO_CONFIG": str(isolated_env / "nope.toml")})
    result = cli("info", env={"ZHAIYAO_CONFIG": "nope.toml"})
    assert result.returncode == 2
    assert assert_clean_errors(result.stderr) == [
        "error: nope.toml: configuration file not found (ZHAIYAO_CONFIG)"
    ]
    (isolated_env / "page.txt").write_text(GOOD_PAGE, encoding="utf-8")
    timeout = cli("batch", "page.txt", "--backend", "extractive", env={"ZHAIYAO_DB_TIMEOUT": "inf"})
    assert timeout.returncode == 2 and len(assert_clean_errors(timeout.stderr)) == 1


# -- 8. -o into a folder that does not exist yet ------------------------------------------------------------


def test_8_every_command_creates_the_output_folder(isolated_env: Path) -> None:
    (isolated_env / "page.txt").write_text(GOOD_PAGE, encoding="utf-8")
    split = cli("split", "page.txt", "-o", "new/a/articles.jsonl")
    assert split.returncode == 0, split.stderr
    assert json.loads((isolated_env / "new/a/articles.jsonl").read_text(encoding="utf-8"))["title"] == "标题"
    row = {"id": "a", "text": "株洲举办工业旅游节。游客达到3000人。", "summary": "株洲举办旅游节"}
    jsonl(isolated_env / "dev.jsonl", [row])
    evaluated = cli("eval", "dev.jsonl", "--backend", "extractive", "-o", "reports/new/r.json")
    assert evaluated.returncode == 0, evaluated.stderr
    assert json.loads((isolated_env / "reports/new/r.json").read_text(encoding="utf-8"))["rows"] == 1
    batch = cli("batch", "page.txt", "--backend", "extractive", "-q", "-o", "b/out.md")
    assert batch.returncode == 0 and (isolated_env / "b/out.md").is_file()


def test_8_an_unwritable_output_is_refused_before_scoring(isolated_env: Path) -> None:
    (isolated_env / "blocker").write_text("a file, not a folder", encoding="utf-8")
    row = {"id": "a", "text": "株洲举办工业旅游节。", "summary": "株洲举办旅游节"}
    jsonl(isolated_env / "dev.jsonl", [row])
    result = cli("eval", "dev.jsonl", "--backend", "extractive", "-o", "blocker/r.json")
    assert result.returncode == 2
    errors = assert_clean_errors(result.stderr)
    assert errors == ["error: blocker/r.json: cannot write the output file: blocker is a file, not a folder"]
    assert "summarising" not in result.stderr  # refused before any row was scored


# -- 9. closed stdin, full stdout ---------------------------------------------------------------------------


def test_9_closed_stdin_is_one_line() -> None:
    result = zhaiyao("split", "-", close_stdin=True)
    assert result.returncode == 2
    assert assert_clean_errors(result.stderr) == ["error: -: stdin is closed; nothing to read"]


@pytest.mark.parametrize(
    "args",
    [
        ("split", str(SEED)),
        ("summarise", str(SEED), "--backend", "extractive"),
    ],
)
def test_9_a_full_stdout_is_one_line(args: tuple[str, ...]) -> None:
    with open("/dev/full", "w") as full:
        result = zhaiyao(*args, stdout=full)
    assert result.returncode == 2
    errors = assert_clean_errors(result.stderr)
    assert errors == ["error: cannot write to stdout: No space left on device"]
    assert "Exception ignored" not in result.stderr


# -- 10. control characters and markup from the input ----------------------------------------------

HOSTILE = (
    "## 标题\x1b]0;pwned\x07\x1b[2J\n\n"
    "株洲日报讯 今天，株洲举行活动\x1b[31m红色\x1b[0m。<script>alert(1)</script>参加者达到300人。\n\n"
    '<img src=x onerror="alert(2)">图片说明。[点这里](javascript:alert(3))看详情。\u009b31m结束。\n'
)


def test_10_a_file_name_cannot_forge_an_error_line(isolated_env: Path) -> None:
    name = "e\nerror: forged\x1b[31m.txt"
    (isolated_env / name).write_text("", encoding="utf-8")
    result = cli("split", name)
    errors = assert_clean_errors(result.stderr)
    assert errors == ["error: e\\nerror: forged\\u001b[31m.txt: empty file"]


def _rendered(markdown: str) -> str:
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": True}).render(markdown)


def _assert_inert(markdown: str) -> None:
    assert "\x1b" not in markdown and "\x07" not in markdown and "\u009b" not in markdown
    html = _rendered(markdown)
    assert "<script" not in html and "<img" not in html and 'href="javascript:' not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # shown as text, not dropped


def test_10_markdown_and_terminal_output_carry_no_control_or_markup(isolated_env: Path) -> None:
    (isolated_env / "hostile.md").write_text(HOSTILE, encoding="utf-8")
    split = cli("split", "hostile.md", "--format", "md")
    assert split.returncode == 0, split.stderr
    _assert_inert(split.stdout)
    summary = cli("summarise", "hostile.md", "--backend", "extractive", "--format", "md")
    assert summary.returncode == 0, summary.stderr
    _assert_inert(summary.stdout)
    assert cli("batch", "hostile.md", "--backend", "extractive", "-q", "-o", "digest.md").returncode == 0
    _assert_inert((isolated_env / "digest.md").read_text(encoding="utf-8"))
    start = cli("start", "hostile.md", "--backend", "extractive", "--no-view")
    assert start.returncode == 0 and "标题" in start.stdout
    assert "\x1b" not in start.stdout and "\x07" not in start.stdout
    # JSON keeps the data exact, with every control character escaped.
    lines = cli("split", "hostile.md").stdout
    assert "\x1b" not in lines and "\u009b" not in lines
    assert "\x1b[31m红色" in json.loads(lines.splitlines()[0])["text"]


# -- 11. viewer and store odds ------------------------------------------------------------------------


def test_11_sigterm_stops_the_viewer_server_too(isolated_env: Path) -> None:
    port = _closed_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "zhaiyao", "view", "--port", str(port), "--no-browser"],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        line = proc.stdout.readline()
        assert line.startswith("viewer: "), line
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) != 0
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", port)) != 0:
                    break
            time.sleep(0.2)
        else:
            pytest.fail(f"the viewer server still listens on port {port} after SIGTERM")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        _kill_orphaned_server(port)


def _kill_orphaned_server(port: int) -> None:
    # When the test fails, the server it started may be left behind: find it by its port and end it.
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        with contextlib.suppress(OSError):
            args = cmdline.read_bytes().split(b"\0")
            if b"streamlit" in b" ".join(args) and str(port).encode() in args:
                os.kill(int(cmdline.parent.name), signal.SIGKILL)


@contextlib.contextmanager
def _read_only(*paths: Path):
    """Make ``paths`` unwritable even for root (the immutable attribute), else by mode bits."""
    if os.geteuid() != 0:
        modes = [p.stat().st_mode for p in paths]
        for p in paths:
            p.chmod(0o555 if p.is_dir() else 0o444)
        try:
            yield
        finally:
            for p, mode in zip(paths, modes, strict=True):
                p.chmod(mode)
        return
    done = []
    try:
        for p in paths:
            if subprocess.run(["chattr", "+i", str(p)], capture_output=True).returncode != 0:
                pytest.skip("cannot make a file read-only for root here (no chattr +i)")
            done.append(p)
        yield
    finally:
        for p in done:
            subprocess.run(["chattr", "-i", str(p)], check=True)


def test_11_a_read_only_store_can_still_be_read(tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    db = folder / "store.db"
    (tmp_path / "page.txt").write_text(GOOD_PAGE, encoding="utf-8")
    env = {"ZHAIYAO_DB": str(db)}
    assert cli("batch", str(tmp_path / "page.txt"), "--backend", "extractive", "-q", env=env).returncode == 0
    with _read_only(db, folder):
        for command in (["info"], ["runs"], ["export", "--format", "csv"]):
            result = cli(*command, env=env)
            assert result.returncode == 0, (command, result.stderr)
            assert_clean_errors(result.stderr)
        assert "标题" in cli("export", env=env).stdout
        # Writing is still refused with one line.
        write = cli("batch", str(tmp_path / "page.txt"), "--backend", "lead", "-q", env=env)
        assert write.returncode == 2 and len(assert_clean_errors(write.stderr)) == 1


def test_11_a_foreign_sqlite_database_is_refused_untouched(isolated_env: Path) -> None:
    foreign = isolated_env / "contacts.db"
    conn = sqlite3.connect(foreign)
    conn.execute("CREATE TABLE people (name TEXT)")
    conn.execute("INSERT INTO people VALUES ('王')")
    conn.commit()
    conn.close()
    before = foreign.read_bytes()
    (isolated_env / "page.txt").write_text(GOOD_PAGE, encoding="utf-8")
    for command in (["batch", "page.txt", "--backend", "extractive"], ["info"], ["export"]):
        result = cli(*command, "--db", str(foreign))
        assert result.returncode == 2, (command, result.stdout, result.stderr)
        errors = assert_clean_errors(result.stderr)
        assert errors == [
            f"error: {foreign}: a SQLite database that is not a Zhaiyao store (its tables: people); "
            "point --db / ZHAIYAO_DB at another file"
        ]
    assert foreign.read_bytes() == before


def test_11_the_upload_limit_named_is_streamlits_own(monkeypatch: pytest.MonkeyPatch) -> None:
    from streamlit.testing.v1 import AppTest
    from zhaiyao.viewer.server import server_command

    monkeypatch.setenv("ZHAIYAO_MAX_FILE_MB", "20")
    at = AppTest.from_file(str(ROOT / "app" / "viewer" / "page.py"), default_timeout=60)
    at.run()
    uploader = at.file_uploader(key="upload")
    assert "up to 20 MB" in uploader.label
    assert uploader.proto.max_upload_size_mb == 20
    command = server_command(8501, max_upload_mb=20)
    assert command[command.index("--server.maxUploadSize") + 1] == "20"


def test_11_csv_with_a_broken_quote_or_extra_fields_names_the_line(isolated_env: Path) -> None:
    (isolated_env / "rows.csv").write_text(
        "title,text\n"
        "好的,株洲日报讯 今天，株洲举行活动。\n"
        "多了,株洲日报讯 今天。,多出来的字段\n"
        "也好,株洲日报讯 今年湘江水质优良。\n"
        '坏的,"没有结束的引号\n'
        "被吞掉,这一行在引号里\n",
        encoding="utf-8",
    )
    result = cli("split", "rows.csv")
    assert result.returncode == 1
    errors = assert_clean_errors(result.stderr)
    assert errors == [
        "error: rows.csv:3: 3 fields where the header has 2",
        "error: rows.csv:5: malformed CSV: unclosed quote: the field runs to the end of the file",
    ]
    assert [json.loads(ln)["title"] for ln in result.stdout.splitlines()] == ["好的", "也好"]
