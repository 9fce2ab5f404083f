"""What bad input gets, second pass (issue 30): the probes that broke after the first hardening pass.

Numbered as in the issue; the "dubious" items are named after what they fix. Each test drives the
real command (in this process, or in a subprocess where the defect lives at the process edge) and
asserts what a user sees: one ``error:`` line, nothing else lost, the store and the output intact.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
from pathlib import Path

import pytest
from test_bad_input import (
    GOOD_PAGE,
    GOOD_ROWS,
    ROOT,
    _kill_orphaned_server,
    assert_clean_errors,
    cli,
    jsonl,
    zhaiyao,
)

# A lone surrogate is valid JSON (an escape) but no valid Unicode: no UTF-8 encoder takes it.
LONE = '{"title": "t\\ud800", "text": "株洲日报讯 今天，株洲举行活动。参加者达到300人。"}'


def _titles(db: Path) -> list[str]:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return [t for (t,) in conn.execute("SELECT title FROM articles ORDER BY title")]
    finally:
        conn.close()


# -- 1. lone surrogates and unencodable names -----------------------------------------------------------


def test_1_a_lone_surrogate_is_that_row_only_in_split_and_summarise(isolated_env: Path) -> None:
    jsonl(isolated_env / "bad.jsonl", [GOOD_ROWS[0], LONE, GOOD_ROWS[1]])
    line = "error: bad.jsonl:2: field 'title' holds a lone surrogate (\\ud800), not valid Unicode"
    split = cli("split", "bad.jsonl")
    assert split.returncode == 1, split.stderr
    assert assert_clean_errors(split.stderr) == [line]
    assert len(split.stdout.splitlines()) == 2
    # summarise stops at a bad input, as it does for any (its output is one answer, not a run).
    summary = cli("summarise", "--backend", "extractive", "bad.jsonl")
    assert summary.returncode == 2 and assert_clean_errors(summary.stderr) == [line]


def test_1_batch_stores_the_page_beside_a_row_with_a_lone_surrogate(isolated_env: Path) -> None:
    (isolated_env / "page.txt").write_text(GOOD_PAGE, encoding="utf-8")
    jsonl(isolated_env / "bad.jsonl", [LONE, GOOD_ROWS[0]])
    result = zhaiyao("batch", "page.txt", "bad.jsonl", "--backend", "extractive", "-q")
    assert_clean_errors(result.stderr)
    assert "skipped: bad.jsonl:1: field 'title' holds a lone surrogate" in result.stderr
    assert "2/2 articles done" in result.stdout
    db = Path(os.environ["ZHAIYAO_DB"])
    assert _titles(db) == sorted(["标题", GOOD_ROWS[0]["title"]])
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    assert [s for (s,) in conn.execute("SELECT status FROM runs")] == ["finished"]
    conn.close()


def test_1_a_file_name_that_is_not_utf8_is_shown_escaped_and_read(isolated_env: Path) -> None:
    name = os.fsdecode(b"p\xffage.txt")  # the surrogate-escaped name Python gives such a file
    (isolated_env / name).write_text(GOOD_PAGE, encoding="utf-8")
    split = zhaiyao("split", ".")
    assert split.returncode == 0, split.stderr
    assert json.loads(split.stdout)["page"].endswith("p\\xffage.txt")
    batch = zhaiyao("batch", name, "--backend", "extractive", "-q", "-o", "out.csv")
    assert batch.returncode == 0, batch.stderr
    assert _titles(Path(os.environ["ZHAIYAO_DB"])) == ["标题"]
    assert "p\\xffage.txt" in (isolated_env / "out.csv").read_text(encoding="utf-8-sig")


def test_1_a_viewer_upload_with_a_lone_surrogate_keeps_the_good_rows(monkeypatch: pytest.MonkeyPatch) -> None:
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("ZHAIYAO_BACKEND", "extractive")
    at = AppTest.from_file(str(ROOT / "app" / "viewer" / "page.py"), default_timeout=120)
    at.run()
    data = "\n".join([json.dumps(GOOD_ROWS[0], ensure_ascii=False), LONE])
    at.file_uploader(key="upload").upload("rows.jsonl", data.encode(), "application/json")
    at.run()
    at.button(key="go_upload").click().run()
    assert not at.exception, at.exception
    warnings = [w.value for w in at.warning]
    assert any("rows.jsonl:2: field 'title' holds a lone surrogate" in w for w in warnings), warnings
    cards = [h.proto.body for h in at.get("html") if h.proto.body.startswith('<div class="zy-card"')]
    assert len(cards) == 1 and GOOD_ROWS[0]["title"] in cards[0]


def test_1_the_viewer_action_survives_an_unexpected_exception(monkeypatch: pytest.MonkeyPatch) -> None:
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("ZHAIYAO_BACKEND", "extractive")
    # The run itself fails with a non-project error (a bug, a library's own exception): the reader
    # gets one line, the app stays up. (AppTest runs the page in this process; monkeypatch undoes it.)
    import zhaiyao.run.pipeline as pipeline

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("broken on purpose")

    monkeypatch.setattr(pipeline, "run_pages", broken)
    at = AppTest.from_file(str(ROOT / "app" / "viewer" / "page.py"), default_timeout=120)
    at.run()
    at.file_uploader(key="upload").upload("page.txt", GOOD_PAGE.encode(), "text/plain")
    at.run()
    at.button(key="go_upload").click().run()
    assert not at.exception, at.exception
    errors = [e.value for e in at.error]
    assert len(errors) == 1 and "RuntimeError: broken on purpose" in errors[0], errors
    assert "\n" not in errors[0]


# -- 2. -o onto a device, a fifo, a link or a folder -------------------------------------------------------


def _stored(isolated_env: Path) -> None:
    (isolated_env / "page.txt").write_text(GOOD_PAGE, encoding="utf-8")
    assert cli("batch", "page.txt", "--backend", "extractive", "-q").returncode == 0


def _device(path: Path, minor: int) -> Path:
    """A copy of /dev/null (minor 3) or /dev/full (minor 7): the real ones must survive a failing test."""
    import stat

    if os.geteuid() != 0:
        pytest.skip("making a device node needs root")
    os.mknod(path, 0o666 | stat.S_IFCHR, os.makedev(1, minor))
    return path


def test_2_o_onto_a_device_writes_to_it_and_a_full_one_fails(isolated_env: Path) -> None:
    import stat

    _stored(isolated_env)
    null = _device(isolated_env / "null", 3)
    result = cli("export", "--format", "csv", "-o", str(null))
    assert result.returncode == 0, result.stderr
    assert stat.S_ISCHR(null.lstat().st_mode)
    full = _device(isolated_env / "full", 7)
    result = cli("export", "--format", "csv", "-o", str(full))
    assert result.returncode == 2
    assert assert_clean_errors(result.stderr) == [
        f"error: {full}: cannot write the output file: No space left on device"
    ]
    assert "wrote" not in result.stdout
    assert stat.S_ISCHR(full.lstat().st_mode)
    assert sorted(p.name for p in isolated_env.iterdir() if p.name.startswith(".")) == []  # no temporary


def test_2_o_onto_a_fifo_writes_into_it(isolated_env: Path) -> None:
    import stat
    import threading

    _stored(isolated_env)
    fifo = isolated_env / "pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()), daemon=True)
    reader.start()
    result = cli("export", "--format", "jsonl", "-o", str(fifo))
    reader.join(timeout=30)
    assert result.returncode == 0, result.stderr
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
    assert json.loads(got[0].decode().splitlines()[0])["title"] == "标题"


def test_2_o_onto_a_symlink_writes_its_target_and_keeps_the_link(isolated_env: Path) -> None:
    _stored(isolated_env)
    (isolated_env / "real").mkdir()
    target = isolated_env / "real" / "out.jsonl"
    target.write_text("old\n", encoding="utf-8")
    link = isolated_env / "link.jsonl"
    link.symlink_to(target)
    result = cli("export", "--format", "jsonl", "-o", "link.jsonl")
    assert result.returncode == 0, result.stderr
    assert link.is_symlink() and link.readlink() == target
    assert json.loads(target.read_text(encoding="utf-8").splitlines()[0])["title"] == "标题"
    # A link to this process's own stdout: the rows reach stdout, and the link stays a link.
    stdout_link = isolated_env / "stdout.csv"
    stdout_link.symlink_to("/proc/self/fd/1")
    shown = zhaiyao("export", "--format", "jsonl", "-o", str(stdout_link))
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout.splitlines()[0])["title"] == "标题"
    assert stdout_link.is_symlink()


def test_2_o_onto_a_folder_is_one_line_and_the_folder_is_kept(isolated_env: Path) -> None:
    _stored(isolated_env)
    (isolated_env / "out").mkdir()
    (isolated_env / "out" / "keep.txt").write_text("x", encoding="utf-8")
    result = cli("export", "--format", "csv", "-o", "out")
    assert result.returncode == 2
    errors = assert_clean_errors(result.stderr)
    assert len(errors) == 1 and "out" in errors[0] and "directory" in errors[0], errors
    assert (isolated_env / "out" / "keep.txt").read_text(encoding="utf-8") == "x"


# -- 3. a read-only store after kill -9: its write-ahead log is read, or the store is refused -----------

SECOND_PAGE = "## 第二篇\n\n株洲日报讯 今年湘江株洲段水质保持优良。优良率91.4%。\n"
HOLD_READ = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN")
conn.execute("SELECT count(*) FROM runs").fetchall()  # a read snapshot: no checkpoint may pass it
print("ready", flush=True)
sys.stdin.read()
"""


def _store_killed_with_a_wal(folder: Path) -> Path:
    """A store whose last run's rows are committed in its WAL only, left as ``kill -9`` leaves it."""
    import signal
    import subprocess
    import sys

    db = folder / "store.db"
    env = {"ZHAIYAO_DB": str(db)}
    (folder / "one.txt").write_text(GOOD_PAGE, encoding="utf-8")
    (folder / "two.txt").write_text(SECOND_PAGE, encoding="utf-8")
    assert cli("batch", str(folder / "one.txt"), "--backend", "extractive", "-q", env=env).returncode == 0
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_READ, str(db)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout.readline().strip() == "ready"
        assert cli("batch", str(folder / "two.txt"), "--backend", "extractive", "-q", env=env).returncode == 0
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait()
    assert (folder / "store.db-wal").stat().st_size > 0
    (folder / "store.db-shm").unlink()  # as on a copy or a mount that kept only the database and its log
    return db


def test_3_a_read_only_store_with_a_wal_reads_its_committed_rows(tmp_path: Path) -> None:
    from test_bad_input import _read_only

    folder = tmp_path / "ro"
    folder.mkdir()
    db = _store_killed_with_a_wal(folder)
    env = {"ZHAIYAO_DB": str(db)}
    with _read_only(db, db.with_name("store.db-wal"), folder):
        export = cli("export", "--format", "jsonl", env=env)
        assert export.returncode == 0, export.stderr
        # The latest run is the one committed in the log only.
        assert [json.loads(ln)["title"] for ln in export.stdout.splitlines()] == ["第二篇"]
        runs = cli("runs", env=env)
        assert runs.returncode == 0 and "#2" in runs.stdout, runs.stdout
        first = cli("export", "--run", "1", "--format", "jsonl", env=env)
        assert [json.loads(ln)["title"] for ln in first.stdout.splitlines()] == ["标题"]
    assert sorted(p.name for p in folder.iterdir()) == ["one.txt", "store.db", "store.db-wal", "two.txt"]


LOCK = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("PRAGMA locking_mode = EXCLUSIVE")  # WAL in exclusive mode: no reader gets in
conn.execute("BEGIN IMMEDIATE")
conn.execute("UPDATE runs SET status = status")
conn.execute("COMMIT")
print("ready", flush=True)
sys.stdin.read()
"""


def test_3_a_locked_store_is_reported_not_read_around_the_lock(isolated_env: Path) -> None:
    import subprocess
    import sys

    _stored(isolated_env)
    db = Path(os.environ["ZHAIYAO_DB"])
    holder = subprocess.Popen(
        [sys.executable, "-c", LOCK, str(db)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout.readline().strip() == "ready"
        result = cli("export", "--format", "jsonl", env={"ZHAIYAO_DB_TIMEOUT": "1"})
    finally:
        holder.kill()
        holder.wait()
    assert result.returncode == 2
    errors = assert_clean_errors(result.stderr)
    assert len(errors) == 1 and "locked by another process" in errors[0], errors


# -- 4. settings from the environment and zhaiyao.toml are checked like options ---------------------------


@pytest.mark.parametrize(
    ("env", "toml", "problem"),
    [
        ({"ZHAIYAO_DEVICE": "tpu"}, "", "setting device: 'tpu' is not valid: not one of auto, cpu, cuda"),
        ({"ZHAIYAO_QUANTIZE": "int3"}, "", "setting quantize: 'int3' is not valid: not one of int8, none"),
        ({"ZHAIYAO_INT8_KERNEL": "fast"}, "", "setting int8_kernel: 'fast' is not valid: not one of onednn"),
        ({}, 'device = "gpu"\n', "setting device: 'gpu' is not valid: not one of auto"),
        (
            {"ZHAIYAO_GENERATION": "repetiton_penalty=1.1"},
            "",
            "unknown generation option 'repetiton_penalty' (did you mean repetition_penalty?)",
        ),
        ({}, "[generation]\nrepetition_penalty = 99\n", "repetition_penalty = 99 is out of range (0.5–3)"),
        ({}, "[generation]\nnum_beams = 2.5\n", "num_beams = 2.5 is not a valid int"),
        ({}, 'devise = "cpu"\n', "unknown setting 'devise' (did you mean device?)"),
    ],
)
def test_4_bad_settings_from_env_or_config_stop_every_command_before_work(
    isolated_env: Path, env: dict[str, str], toml: str, problem: str
) -> None:
    if toml:
        (isolated_env / "zhaiyao.toml").write_text(toml, encoding="utf-8")
    (isolated_env / "page.txt").write_text(GOOD_PAGE, encoding="utf-8")
    result = zhaiyao("batch", "page.txt", "--backend", "extractive", "-q", env=env)
    assert result.returncode == 2, (result.stdout, result.stderr)
    errors = assert_clean_errors(result.stderr)
    assert len(errors) == 1 and problem in errors[0], errors
    assert not Path(os.environ["ZHAIYAO_DB"]).exists()  # refused before any run was recorded


# -- dubious items that a user would call a bug ------------------------------------------------------------


def test_sigterm_on_batch_marks_its_run_interrupted(isolated_env: Path) -> None:
    import signal
    import subprocess
    import sys
    import time

    text = "株洲日报讯 今天，株洲举行第{0}次活动。参加者达到{0}人。" * 20
    rows = [{"title": f"第{i}篇", "text": text.format(i)} for i in range(4000)]
    jsonl(isolated_env / "many.jsonl", rows)
    db = Path(os.environ["ZHAIYAO_DB"])
    proc = subprocess.Popen(
        [sys.executable, "-m", "zhaiyao", "batch", "many.jsonl", "--backend", "extractive", "-q"],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if db.exists() and _done(db) > 0:
                break
            time.sleep(0.2)
        proc.send_signal(signal.SIGTERM)
        _, stderr = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 128 + signal.SIGTERM, stderr
    assert "Traceback" not in stderr
    assert "terminated; finished work is kept" in stderr
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    assert [s for (s,) in conn.execute("SELECT status FROM runs")] == ["interrupted"]
    conn.close()


def _done(db: Path) -> int:
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1)
        try:
            return conn.execute("SELECT count(*) FROM summaries").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.Error:
        return 0


def test_utf16_without_a_byte_order_mark_is_read(isolated_env: Path) -> None:
    for encoding in ("utf-16-le", "utf-16-be"):
        (isolated_env / f"{encoding}.txt").write_bytes(GOOD_PAGE.encode(encoding))
        result = cli("split", f"{encoding}.txt")
        assert result.returncode == 0, result.stderr
        assert json.loads(result.stdout)["title"] == "标题"
    # Binary bytes with NULs are still binary.
    (isolated_env / "blob.txt").write_bytes(bytes(range(256)) * 8)
    assert assert_clean_errors(cli("split", "blob.txt").stderr) == ["error: blob.txt: binary file, not text"]


def test_an_unreadable_folder_says_permission_denied(
    isolated_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    locked = isolated_env / "locked"
    locked.mkdir()
    (locked / "page.txt").write_text(GOOD_PAGE, encoding="utf-8")
    if os.geteuid() == 0:
        # root lists any folder: make this one refuse as it would anyone else (EACCES from scandir,
        # which pathlib's rglob also uses).
        real = os.scandir

        def scandir(path: object = ".") -> object:
            if Path(os.fspath(path)).resolve() == locked.resolve():
                raise PermissionError(13, "Permission denied", os.fspath(path))
            return real(path)

        monkeypatch.setattr(os, "scandir", scandir)
    else:
        locked.chmod(0)
    try:
        result = cli("split", "locked")
    finally:
        locked.chmod(0o755)
    assert result.returncode == 2
    assert assert_clean_errors(result.stderr) == ["error: locked: permission denied: cannot list this folder"]


def test_the_size_error_shows_sizes_that_differ(isolated_env: Path) -> None:
    (isolated_env / "page.txt").write_text(GOOD_PAGE * 30, encoding="utf-8")
    size = (isolated_env / "page.txt").stat().st_size
    result = cli("split", "page.txt", env={"ZHAIYAO_MAX_FILE_MB": "0.001"})
    assert assert_clean_errors(result.stderr) == [
        f"error: page.txt: file is {size:,} bytes, over the 0.001 MB limit (1,048 bytes; max_file_mb)"
    ]


HOSTILE_TITLE = "\x1b]0;pwned\x07标题\u202etxt.exe\x1b[2J"


def test_csv_cells_show_terminal_and_bidi_controls_as_escapes(isolated_env: Path) -> None:
    jsonl(isolated_env / "rows.jsonl", [{"title": HOSTILE_TITLE, "text": GOOD_ROWS[0]["text"] + "\x07"}])
    result = cli("batch", "rows.jsonl", "--backend", "extractive", "-q", "-o", "out.csv")
    assert result.returncode == 0, result.stderr
    data = (isolated_env / "out.csv").read_text(encoding="utf-8-sig")
    assert not any(ch in data for ch in "\x1b\x07\u202e")
    assert "\\u001b]0;pwned\\u0007标题\\u202etxt.exe" in data


def test_viewer_labels_show_controls_as_escapes_and_rows_are_no_newspaper() -> None:
    from zhaiyao.store import PageInfo, SummaryKey, SummarySet
    from zhaiyao.viewer import data as vd
    from zhaiyao.viewer import naming

    datelines = ("株洲\x07日报讯 9月27日",)
    info = PageInfo("p\x1b[31m/a\u202e.txt", None, "txt", "utf-8", 10, 3, 2, None, "2026-12-01", datelines)
    label = naming.page_name(info).title
    key = SummaryKey.of("llm", "m\x1b[2Jodel", "brief", None, "v\u202e1")
    labels = [label, vd.set_label(SummarySet(key, 1, "2026-12-01"), 1), vd.label("株洲\x1b日报")]
    for text in labels:
        assert not any(ch in text for ch in "\x1b\x07\u202e"), text
    assert "\\u202e" in label
    # One JSONL row is one page: its title is the article's, not a newspaper's.
    row = PageInfo("rows.jsonl#L1", "株洲举办工业旅游节", "jsonl", "utf-8", 10, 1, 1, None, "2026-12-01", ())
    assert naming.page_name(row).newspaper == ""


@pytest.mark.parametrize("kind", ["missing", "empty"])
def test_view_refuses_a_mistyped_or_empty_db_without_creating_anything(isolated_env: Path, kind: str) -> None:
    db = isolated_env / "typo" / "store.db"
    if kind == "empty":
        db.parent.mkdir()
        db.write_bytes(b"")
    before = sorted(p.relative_to(isolated_env) for p in isolated_env.rglob("*"))
    try:
        result = zhaiyao("view", "--db", str(db), "--no-browser", "--port", "1", timeout=30)
    finally:
        _kill_orphaned_server(1)
    assert result.returncode == 2, result.stdout
    errors = assert_clean_errors(result.stderr)
    assert len(errors) == 1 and str(db) in errors[0], errors
    assert "viewer:" not in result.stdout
    assert sorted(p.relative_to(isolated_env) for p in isolated_env.rglob("*")) == before
    if kind == "empty":
        assert db.read_bytes() == b""


def test_uploads_take_json_and_csv_as_the_cli_does(monkeypatch: pytest.MonkeyPatch) -> None:
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("ZHAIYAO_BACKEND", "extractive")
    at = AppTest.from_file(str(ROOT / "app" / "viewer" / "page.py"), default_timeout=120)
    at.run()
    data = json.dumps(GOOD_ROWS, ensure_ascii=False).encode()
    at.file_uploader(key="upload").upload("rows.json", data, "application/json")
    at.run()
    at.button(key="go_upload").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    # Each row is a page of the upload, listed as its 版次; the first is open.
    cards = [h.proto.body for h in at.get("html") if h.proto.body.startswith('<div class="zy-card"')]
    assert len(cards) == 1
    assert len([b for b in at.button if b.key and b.key.startswith("ed_rows.json")]) == 2


def test_text_nested_in_300_divs_is_read(isolated_env: Path) -> None:
    body = "<p>株洲日报讯 今天，株洲举行活动。参加者达到300人。这是一篇很长的文章，内容丰富，值得一读。</p>"
    deep = "<html><body>" + "<div>" * 300 + body + "</div>" * 300 + "</body></html>"
    (isolated_env / "deep.html").write_text(deep, encoding="utf-8")
    result = cli("split", "deep.html")
    assert result.returncode == 0, result.stderr
    assert "参加者达到300人" in json.loads(result.stdout)["text"]
    articles = "".join(f"<article><h1>标题{i}</h1>{body}</article>" for i in range(2))
    (isolated_env / "two.html").write_text(
        "<html><body>" + "<div>" * 300 + articles + "</div>" * 300 + "</body></html>", encoding="utf-8"
    )
    two = cli("split", "two.html")
    assert [json.loads(ln)["title"] for ln in two.stdout.splitlines()] == ["标题0", "标题1"], two.stderr
    # Characters XML cannot hold (U+FFFE, a C0 control) must not break the parsed tree's extraction.
    odd = "<html><body>" + "<div>" * 300 + body.replace("今天", "今天\ufffe\x17") + "</div>" * 300
    (isolated_env / "odd.html").write_text(odd + "</body></html>", encoding="utf-8")
    read = cli("split", "odd.html")
    assert read.returncode == 0 and "参加者达到300人" in json.loads(read.stdout)["text"], read.stderr


# -- the first `make demo` ----------------------------------------------------------------------------------


def _tree(pid: int) -> list[int]:
    """``pid`` and every process under it."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        for task in Path(f"/proc/{current}/task").glob("*/children"):
            todo.extend(int(c) for c in task.read_text().split())
    return found


def _rss_and_torch(pid: int) -> tuple[int, bool]:
    status = Path(f"/proc/{pid}/status").read_text()
    rss = next(int(ln.split()[1]) * 1024 for ln in status.splitlines() if ln.startswith("VmRSS:"))
    return rss, "libtorch" in Path(f"/proc/{pid}/maps").read_text()


def test_start_serves_the_viewer_without_the_model_in_memory(
    isolated_env: Path, tiny_model_dir: Path
) -> None:
    import signal
    import subprocess
    import sys
    import time

    (isolated_env / "page.txt").write_text(GOOD_PAGE, encoding="utf-8")
    port = _free_port()
    cmd = [
        sys.executable,
        "-m",
        "zhaiyao",
        "start",
        "page.txt",
        "--backend",
        "llm",
        "--model",
        str(tiny_model_dir),
    ]
    cmd += ["--max-chars", "40", "--no-browser", "--port", str(port)]
    proc = subprocess.Popen(
        cmd,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        deadline = time.monotonic() + 180
        line = ""
        while time.monotonic() < deadline and not line.startswith("viewer: "):
            line = proc.stdout.readline()
            assert line or proc.poll() is None, "start ended before serving"
        assert line.startswith("viewer: "), line
        time.sleep(2)
        measured = [_rss_and_torch(pid) for pid in _tree(proc.pid)]
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
        _kill_orphaned_server(port)
    assert len(measured) >= 2  # the command and its Streamlit server
    assert not any(torch for _, torch in measured), "a serving process still holds torch (the model)"
    assert sum(rss for rss, _ in measured) < 1024**3, measured


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


OWN_LINE = re.compile(
    r"^(summarising with .* …|model [\w-]+: .*|\d+/\d+ articles .*|skipped: .*|libraries: .*)$"
)


def test_start_prints_only_its_own_lines_and_logs_the_libraries(
    isolated_env: Path, tiny_model_dir: Path
) -> None:
    (isolated_env / "page.txt").write_text(GOOD_PAGE, encoding="utf-8")
    db = isolated_env / "store" / "store.db"
    args = ["start", "page.txt", "--backend", "llm", "--model", str(tiny_model_dir), "--max-chars", "40"]
    result = zhaiyao(*args, "--no-view", "--db", str(db), timeout=300)
    assert result.returncode == 0, result.stderr
    lines = [ln for ln in result.stderr.splitlines() if ln.strip()]
    assert lines and all(OWN_LINE.match(ln) for ln in lines), lines
    log = (db.parent / "libraries.log").read_text(encoding="utf-8")
    assert "Building prefix dict" in log  # jieba's banner, kept where a curious reader can find it
    assert f"libraries: {db.parent / 'libraries.log'}" in lines[-1]


# -- 5. one Ray worker killed mid-run ------------------------------------------------------------------------


def _actor_pids() -> list[int]:
    pids = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            if cmdline.read_bytes().startswith(b"ray::SummariserActor"):
                pids.append(int(cmdline.parent.name))
        except OSError:
            continue
    return pids


def _statuses(db: Path) -> dict[str, int]:
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1)
        try:
            return dict(conn.execute("SELECT status, count(*) FROM run_articles GROUP BY status"))
        finally:
            conn.close()
    except sqlite3.Error:
        return {}


@pytest.mark.ray
def test_5_a_killed_ray_worker_is_restarted_and_every_article_done_once(isolated_env: Path) -> None:
    import signal
    import subprocess
    import sys
    import time

    count = 300
    body = "株洲日报讯 今天，株洲举行第{0}次活动。参加者达到{0}人，活动持续了一整天。" * 40
    jsonl(isolated_env / "many.jsonl", [{"title": f"第{i}篇", "text": body.format(i)} for i in range(count)])
    db = Path(os.environ["ZHAIYAO_DB"])
    cmd = [sys.executable, "-m", "zhaiyao", "batch", "many.jsonl", "--backend", "extractive", "-q"]
    cmd += ["--engine", "ray", "--workers", "1", "--batch-size", "2"]
    proc = subprocess.Popen(
        cmd,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    killed = None
    try:
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline and proc.poll() is None and killed is None:
            done = _statuses(db).get("done", 0)
            pids = _actor_pids()
            if 20 <= done < count - 60 and pids:
                killed = pids[0]
                os.kill(killed, signal.SIGKILL)
            time.sleep(0.1)
        stdout, stderr = proc.communicate(timeout=300)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert killed is not None, "the run ended before a worker could be killed"
    assert proc.returncode == 0, stderr[-3000:]
    assert (
        f"{count}/{count} articles done" in stdout
        and f"({count} summarised, 0 from the store), 0 failed" in stdout
    )
    assert _statuses(db) == {"done": count}
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    assert conn.execute("SELECT count(*) FROM summaries").fetchone()[0] == count
    assert [s for (s,) in conn.execute("SELECT status FROM runs")] == ["finished"]
    conn.close()


def test_a_summarys_seconds_are_that_articles_own_time() -> None:
    import time

    from zhaiyao.documents import Article
    from zhaiyao.summarise.extractive import ExtractiveSummariser
    from zhaiyao.summarise.policy import summarise_articles

    class Slow(ExtractiveSummariser):
        """Each batch of two takes 0.3 s, as a model's would; six articles queue for three batches."""

        def generate(self, requests):  # type: ignore[no-untyped-def]
            time.sleep(0.3)
            return super().generate(requests)

    body = "株洲日报讯 今天，株洲举行第{0}次活动。参加者达到{0}人。"
    articles = [Article("p", i, f"第{i}篇", body.format(i)) for i in range(6)]
    summarise_articles(articles[:1], ExtractiveSummariser())  # jieba's dictionaries load once, first
    began = time.perf_counter()
    summaries = summarise_articles(articles, Slow(batch_size=2), style="brief")
    total = time.perf_counter() - began
    seconds = [s.seconds for s in summaries]
    # Each article took its batch's 0.3 s: not ~0 for the second of a batch finished together, and
    # not the time it waited in the queue behind the batches before it.
    assert all(0.25 <= s <= 0.6 for s in seconds), seconds
    assert total >= 0.85 and max(seconds) < total / 1.4


def test_llm_seconds_start_when_the_article_joins_the_batch(tiny_model_dir: Path) -> None:
    import time

    from zhaiyao.config import Settings
    from zhaiyao.documents import Article
    from zhaiyao.summarise import load_summariser
    from zhaiyao.summarise.policy import summarise_articles

    settings = Settings(backend="llm", model=str(tiny_model_dir), batch_size=2, quantize="none")
    summariser = load_summariser(settings)
    body = "株洲日报讯 今天，株洲举行第{0}次活动。参加者达到{0}人。"
    articles = [Article("p", i, f"第{i}篇", body.format(i)) for i in range(4)]
    summarise_articles(articles[:1], summariser, max_chars=40)  # warm: jieba, the prompt prefix
    began = time.perf_counter()
    summaries = summarise_articles(articles, summariser, max_chars=40)
    total = time.perf_counter() - began
    seconds = sorted(s.seconds for s in summaries)
    # Two decode together (batch size 2): each article's own time overlaps its partner's, so they add
    # up to more than the run's (time since the previous summary would add up to exactly the run's).
    assert all(s > 0 for s in seconds), seconds
    assert sum(seconds) > 1.3 * total, (seconds, total)
    assert seconds[-1] <= total + 0.01
