"""``zhaiyao batch`` / ``export`` / ``runs`` / ``info`` from the outside: exit codes, files, kill -9."""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from click.testing import CliRunner
from zhaiyao.cli import main
from zhaiyao.cli.batch_cmd import ProgressView
from zhaiyao.run.pipeline import Progress

ROOT = Path(__file__).parents[1]
SEED = ROOT / "examples" / "zhuzhou_front_page.txt"


def make_rows(path: Path, n: int, start: int = 0) -> Path:
    """``n`` one-article JSONL rows cut from the seed page's long paragraphs (distinct texts)."""
    paragraphs = [p.strip() for p in SEED.read_text(encoding="utf-8").splitlines() if len(p.strip()) > 60]
    rows = [
        {
            "title": f"第{start + i + 1}篇",
            "text": paragraphs[(start + i) % len(paragraphs)] + f"（编号{start + i}）",
        }
        for i in range(n)
    ]
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def run_cli(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def db_count(db: Path, sql: str) -> int:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return conn.execute(sql).fetchone()[0]
    finally:
        conn.close()


def test_batch_writes_every_article_and_exits_0(isolated_env: Path) -> None:
    code, out, err = run_cli("batch", str(SEED), "--backend", "extractive", "-o", "out.jsonl")
    assert code == 0, err
    lines = [json.loads(x) for x in (isolated_env / "out.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [r["index"] for r in lines] == list(range(1, 11))
    assert all(r["status"] == "done" and r["summary"]["text"] for r in lines)
    assert lines[0]["title"] == "切实转变职能 扎实做好生态环保工作"
    assert "run #1: 10/10 articles done with extractive" in out
    assert "progress: 10/10 articles" in err  # not a terminal: plain lines
    # The rerun is answered from the store.
    code, out, _ = run_cli("batch", str(SEED), "--backend", "extractive")
    assert code == 0
    assert "(0 summarised, 10 from the store)" in out


def test_a_failed_article_exits_1_and_says_how_to_list_it(isolated_env: Path, monkeypatch) -> None:
    from zhaiyao.errors import ModelError
    from zhaiyao.summarise.extractive import ExtractiveSummariser

    real = ExtractiveSummariser.generate

    def generate(self, requests):  # the real backend, failing on one marked article
        if any("无法处理" in r.text for r in requests):
            raise ModelError("model output was empty")
        return real(self, requests)

    monkeypatch.setattr(ExtractiveSummariser, "generate", generate)
    rows = make_rows(isolated_env / "rows.jsonl", 3)
    with rows.open("a", encoding="utf-8") as fh:
        fh.write(json.dumps({"title": "坏文章", "text": "这篇文章无法处理。" * 5}, ensure_ascii=False) + "\n")
    code, out, err = run_cli("batch", str(rows), "--backend", "extractive", "--batch-size", "2")
    assert code == 1
    last = out.strip().splitlines()[-1]
    assert last == "1 article(s) failed; list them with: zhaiyao runs 1"
    assert "failed: " in err and "#L4" in err and "model output was empty" in err
    code, out, _ = run_cli("runs", "1")
    assert code == 0
    assert "failed: " in out and "坏文章: model output was empty" in out
    code, out, _ = run_cli("export", "--run", "1", "--status", "failed", "--format", "jsonl")
    [row] = [json.loads(x) for x in out.splitlines()]
    assert (row["title"], row["status"], row["error"]) == ("坏文章", "failed", "model output was empty")


def test_usage_and_input_errors_exit_2(isolated_env: Path) -> None:
    code, _, err = run_cli("batch", str(SEED), "--backend", "extractive", "-o", "out.xlsx")
    assert code == 2 and "out.xlsx" in err and ".jsonl, .csv or .md" in err
    code, _, err = run_cli("batch", "nothing-here.txt", "--backend", "extractive")
    assert code == 2 and "nothing-here.txt" in err and "no readable input" in err
    code, _, err = run_cli("batch", str(SEED), "--backend", "extractive", "--max-chars", "3")
    assert code == 2 and "'--max-chars': 3 is not in the range 8<=x<=2000" in err  # as summarise says
    code, _, err = run_cli("batch", str(SEED), "--engine", "local", "--address", "auto")
    assert code == 2 and "--address needs --engine ray" in err
    # A bad file among good ones: reported, skipped, the rest processed, exit 2.
    (isolated_env / "empty.txt").write_text("", encoding="utf-8")
    code, out, err = run_cli("batch", str(SEED), "empty.txt", "--backend", "extractive", "-o", "out.csv")
    assert code == 2
    assert "skipped: " in err and "empty.txt" in err
    assert "10/10 articles done" in out
    assert out.strip().splitlines()[-1].startswith("1 input(s) skipped")
    assert (isolated_env / "out.csv").is_file()


def test_a_locked_store_is_a_clear_error(isolated_env: Path, monkeypatch) -> None:
    db = isolated_env / "store.db"
    assert run_cli("batch", str(SEED), "--backend", "extractive")[0] == 0
    monkeypatch.setenv("ZHAIYAO_DB_TIMEOUT", "0.2")
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        code, _, err = run_cli("batch", str(SEED), "--backend", "extractive", "--style", "headline")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert code == 2
    assert err.strip() == f"error: {db}: the store is locked by another process (waited 0.2s); " + (
        "wait for it to finish or use another --db"
    )
    assert db_count(db, "SELECT count(*) FROM summaries") == 10  # the committed run is intact


def test_a_corrupt_store_is_a_clear_error(isolated_env: Path) -> None:
    bad = isolated_env / "bad.db"
    bad.write_bytes(b"PK\x03\x04 definitely a zip file, not SQLite" * 100)
    code, _, err = run_cli("batch", str(SEED), "--backend", "extractive", "--db", str(bad))
    assert code == 2
    assert err.startswith(f"error: {bad}: the store file is corrupt or not a Zhaiyao store")
    assert len(err.strip().splitlines()) == 1  # one line, no traceback


def test_export_formats(isolated_env: Path) -> None:
    assert run_cli("batch", str(SEED), "--backend", "extractive", "--style", "bullets")[0] == 0
    code, _, err = run_cli("export", "--format", "csv", "-o", "digest.csv")
    assert code == 0 and "wrote 10 article(s)" in err
    raw = (isolated_env / "digest.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs to read UTF-8
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert len(rows) == 10
    assert rows[0]["title"] == "切实转变职能 扎实做好生态环保工作"
    assert rows[0]["reporters"] == "罗欣" and rows[0]["status"] == "done" and rows[0]["summary"]
    assert rows[8]["title"] == "" or rows[8]["title_generated"] == "yes"  # the untitled article

    code, _, _ = run_cli("export", "--page", "zhuzhou_front_page.txt", "-o", "digest.md")
    md = (isolated_env / "digest.md").read_text(encoding="utf-8")
    assert md.startswith(f"# {SEED}\n")
    assert "\n## 1. 切实转变职能 扎实做好生态环保工作\n" in md
    assert "\n*记者 罗欣 · 株洲日报讯 9月27日 · " in md
    assert md.count("\n## ") == 10 and md.count("关键词：") == 10
    assert "\n- " in md  # bullets style reads as a list

    code, out, _ = run_cli("export", "--run", "1")
    assert code == 0 and len(out.splitlines()) == 10
    code, _, err = run_cli("export", "--run", "99")
    assert code == 2 and "no run with id 99" in err
    code, _, err = run_cli("export", "--page", "nope.txt")
    assert code == 2 and "no such page" in err


def test_info_says_where_the_store_is_and_why(isolated_env: Path) -> None:
    code, out, _ = run_cli("info")
    assert code == 0
    assert f"store:      {isolated_env / 'store.db'}" in out and "decided by: ZHAIYAO_DB" in out
    other = isolated_env / "other.db"
    run_cli("batch", str(SEED), "--backend", "extractive", "--db", str(other))
    code, out, _ = run_cli("info", "--db", str(other))
    assert "decided by: --db" in out and "10 summaries" in out and "last run:   #1 finished" in out


def test_progress_bar_on_a_terminal() -> None:
    stream = io.StringIO()
    view = ProgressView(stream, tty=True)
    view(Progress(total=40, done=10, failed=0, cached=4, elapsed=6.0))
    view.end()
    text = stream.getvalue()
    assert text.startswith("\r[")
    assert "10/40 articles (4 cached), 60.0 articles/min, ETA 30s" in text


# The CLI with the real extractive backend registered slowed down (registry.register is the plugin
# hook), so that a run can be killed while articles are in flight; its summaries are the real ones.
SLOW_EXTRACTIVE_CLI = """
import sys, time
from zhaiyao.summarise import register
from zhaiyao.summarise.extractive import ExtractiveSummariser

class Slow(ExtractiveSummariser):
    def generate(self, requests):
        time.sleep(0.4 * len(requests))
        return super().generate(requests)

register("extractive")(lambda settings, progress: Slow())
from zhaiyao.cli import main
main(sys.argv[1:], prog_name="zhaiyao")
"""


def test_kill_9_mid_run_then_rerun_summarises_every_article_exactly_once(isolated_env: Path) -> None:
    rows = make_rows(isolated_env / "rows.jsonl", 12)
    db = isolated_env / "store.db"
    out = isolated_env / "out.jsonl"
    args = ["batch", str(SEED), str(rows), "--backend", "extractive", "--batch-size", "1", "-o", str(out)]
    env = {**os.environ, "ZHAIYAO_DB": str(db)}
    slow = [sys.executable, "-c", SLOW_EXTRACTIVE_CLI, *args]
    proc = subprocess.Popen(slow, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    killed_at = 0
    while time.monotonic() < deadline and proc.poll() is None:
        if db.exists():
            try:
                killed_at = db_count(db, "SELECT count(*) FROM summaries")
            except sqlite3.OperationalError:  # tables not created yet
                killed_at = 0
            if killed_at >= 5:
                proc.send_signal(signal.SIGKILL)
                break
        time.sleep(0.05)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL, proc.stderr.read().decode()
    done_before = db_count(db, "SELECT count(*) FROM summaries")
    assert 5 <= done_before < 22
    assert db_count(db, "SELECT status FROM runs WHERE id = 1") == "running"  # it never got to finish
    assert not out.exists()  # the output is written whole at the end, never half

    cmd = [sys.executable, "-m", "zhaiyao", *args]
    rerun = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert rerun.returncode == 0, rerun.stderr
    assert f"({22 - done_before} summarised, {done_before} from the store)" in rerun.stdout

    # The killed run is recognised as interrupted once its process is known to be gone.
    assert db_count(db, "SELECT status FROM runs WHERE id = 1") == "interrupted"
    # Store: one summary per article, none made twice, the first run's kept as they were.
    assert db_count(db, "SELECT count(*) FROM summaries") == 22
    assert db_count(db, "SELECT count(DISTINCT article_key) FROM summaries") == 22
    assert db_count(db, "SELECT count(*) FROM summaries WHERE run_id = 1") == done_before
    assert db_count(db, "PRAGMA integrity_check") == "ok"
    # Output file: every article exactly once.
    lines = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert len(lines) == 22
    assert len({(r["page"], r["index"]) for r in lines}) == 22
    assert len({r["key"] for r in lines}) == 22
    assert all(r["status"] == "done" for r in lines)


def test_markdown_digest_groups_one_article_rows_under_their_file(isolated_env: Path) -> None:
    rows = make_rows(isolated_env / "rows.jsonl", 2)
    assert run_cli("batch", str(rows), "--backend", "extractive", "-o", "digest.md")[0] == 0
    md = (isolated_env / "digest.md").read_text(encoding="utf-8")
    assert md.count(f"# {rows}\n") == 1
    assert "\n## L1 · 第1篇\n" in md and "\n## L2 · 第2篇\n" in md
