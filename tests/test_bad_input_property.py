"""Random bad input never gets a traceback (issue 15), as properties over real subprocesses.

Hypothesis throws random bytes, random JSON / JSONL / CSV structures, odd file names and random
option values at ``split``, ``summarise --backend extractive`` and ``batch --backend extractive``,
each run as a user runs it, and checks: the exit code is 0, 1 or 2; stderr holds no traceback; every
error line is one ``error: …`` line; the store passes ``PRAGMA integrity_check``.

Each example is one process over several generated files, so a handful of examples covers many
inputs; the count is small by default so CI stays fast (``ZHAIYAO_PROPERTY_EXAMPLES`` raises it).
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import sqlite3
import stat
import subprocess
import sys
import tempfile
from datetime import timedelta
from pathlib import Path

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = int(os.environ.get("ZHAIYAO_PROPERTY_EXAMPLES", "8"))
ERROR_LINE = re.compile(r"^error: \S.*$")
PROPERTY = settings(
    max_examples=EXAMPLES,
    deadline=timedelta(seconds=45),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize=os.environ.get("CI") is not None,  # CI: the same examples on every run
    database=None,  # no example store left in the checkout
    # No shrinking: each step would be another process, and a failure is reported as found, with
    # its inputs, within the same bounded time.
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
)

# -- what goes into the files ---------------------------------------------------------------------------

# Lone surrogates too: written into a file they become a JSON escape (``\\ud800``, valid JSON, no valid
# Unicode) or a literal backslash in a page (the files are encoded with errors="backslashreplace").
_text = st.text(st.characters() | st.sampled_from(["\ud800", "\udfff", "\ufffe", "\U0010ffff"]), max_size=60)
_news = st.sampled_from(
    [
        "株洲日报讯 今天，株洲举行活动。参加者达到300人。",
        "## 标题\n\n本报讯 会议召开。",
        "=1+1",
        "<script>x</script>",
        "",
    ]
)
_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | _text | _news,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.sampled_from(["title", "text", "x"]) | _text, inner, max_size=4)
    ),
    max_leaves=12,
)
_row = st.one_of(
    st.fixed_dictionaries({"text": _news | _text}, optional={"title": _json}),
    _json,
)


def _deep(depth: int) -> str:
    return "[" * depth + "]" * (depth if depth % 2 else 0)


_jsonl = st.lists(
    st.one_of(
        _row.map(lambda r: json.dumps(r, ensure_ascii=False)),
        _text,
        st.integers(1, 200_000).map(_deep),
    ),
    max_size=6,
).map("\n".join)
_json_file = st.one_of(
    st.lists(_row, max_size=5).map(lambda rows: json.dumps(rows, ensure_ascii=False)),
    _json.map(lambda v: json.dumps(v, ensure_ascii=False)),
    st.integers(1, 200_000).map(_deep),
    _text,
)


def _csv_text(header: list[str], rows: list[list[str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


_csv_file = st.one_of(
    st.builds(
        _csv_text,
        st.sampled_from([["title", "text"], ["text"], ["a", "b"], []]),
        st.lists(st.lists(_news | _text, max_size=4), max_size=5),
    ),
    st.lists(st.sampled_from(['"', ",", "\n", "title,text", "x", "\r", '""']), max_size=20).map("".join),
)
_encoded = st.sampled_from(["utf-8", "utf-8-sig", "gb18030", "utf-16"])


@st.composite
def input_files(draw: st.DrawFn) -> list[tuple[str, bytes]]:
    """A few files: random bytes, JSON, JSONL, CSV and text pages, under random names."""
    files = []
    for _ in range(draw(st.integers(1, 4))):
        suffix = draw(st.sampled_from([".txt", ".md", ".html", ".json", ".jsonl", ".csv", ""]))
        kind = draw(st.sampled_from(["bytes", "json", "jsonl", "csv", "page"]))
        if kind == "bytes":
            data = draw(st.binary(max_size=3000))
        else:
            text = {
                "json": _json_file,
                "jsonl": _jsonl,
                "csv": _csv_file,
                "page": st.lists(_news | _text, max_size=5).map("\n\n".join),
            }[kind]
            data = draw(text).encode(draw(_encoded), errors="backslashreplace")
        stem = draw(
            st.text(
                # and bytes that are not UTF-8 (Python names them with surrogates U+DC80-U+DCFF)
                st.characters(blacklist_categories=("Cs",), blacklist_characters="/\0")
                | st.characters(min_codepoint=0xDC80, max_codepoint=0xDCFF),
                min_size=1,
                max_size=12,
            ).filter(lambda s: s not in (".", "..") and len(os.fsencode(s)) < 100)
        )
        files.append((f"{len(files)}-{stem}{suffix}", data))
    return files


_number = st.one_of(
    st.integers(-3, 3000), st.integers(10**15, 10**25), st.sampled_from(["x", "1e20", "nan", ""])
)


@st.composite
def options(draw: st.DrawFn, command: str) -> list[str]:
    out: list[str] = []
    if command == "split" and draw(st.booleans()):
        out += ["--format", draw(st.sampled_from(["jsonl", "json", "md", "xml"]))]
    if command in ("summarise", "batch"):
        out += ["--backend", "extractive"]
        if draw(st.booleans()):
            out += ["--style", draw(st.sampled_from(["headline", "brief", "bullets", "poem"]))]
        for name in ("--max-chars", "--batch-size"):
            if draw(st.booleans()):
                out += [name, str(draw(_number))]
    if command in ("split", "batch") and draw(st.booleans()):
        out += ["-o", draw(st.sampled_from(OUTPUT_TARGETS) | _output_file)]
    return out


_output_file = st.sampled_from([".jsonl", ".csv", ".md", ".txt", ""]).map(lambda s: "out/results" + s)
# -o targets that are not a plain new file, made by _special_targets in each example's folder: a
# folder, a symlink (to a file, dangling), copies of /dev/null and /dev/full (as root). Whatever the
# command does with them, each must still be what it was afterwards.
OUTPUT_TARGETS = ["a-folder", "link.jsonl", "dangling.csv", "null.jsonl", "full.csv"]


def _special_targets(folder: Path) -> dict[str, int]:
    """Make the -o targets; returns each one's file type (``stat.S_IFMT``) to compare after the run."""
    (folder / "a-folder").mkdir()
    (folder / "real.jsonl").write_text("old\n", encoding="utf-8")
    (folder / "link.jsonl").symlink_to(folder / "real.jsonl")
    (folder / "dangling.csv").symlink_to(folder / "gone" / "x.csv")
    if os.geteuid() == 0:
        os.mknod(folder / "null.jsonl", 0o666 | stat.S_IFCHR, os.makedev(1, 3))
        os.mknod(folder / "full.csv", 0o666 | stat.S_IFCHR, os.makedev(1, 7))
    made = [name for name in OUTPUT_TARGETS if os.path.lexists(folder / name)]
    return {name: stat.S_IFMT((folder / name).lstat().st_mode) for name in made}


# -- the property -----------------------------------------------------------------------------------------


def _check(command: str, files: list[tuple[str, bytes]], opts: list[str], stdin: bytes | None) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for name, data in files:
            (folder / name).write_bytes(data)
        targets = _special_targets(folder)
        db = folder / "store.db"
        paths = [name for name, _ in files] + (["-"] if stdin is not None else [])
        result = subprocess.run(
            [sys.executable, "-m", "zhaiyao", command, *paths, *opts],
            cwd=folder,
            input=stdin if stdin is not None else b"",
            capture_output=True,
            timeout=120,
            env={**os.environ, "PYTHONPATH": str(ROOT), "ZHAIYAO_DB": str(db)},
        )
        stderr = result.stderr.decode("utf-8", "replace")
        assert result.returncode in (0, 1, 2), (result.returncode, stderr[-3000:])
        assert "Traceback" not in stderr, stderr[-3000:]
        bad = [
            ln for ln in stderr.splitlines() if ln.lower().startswith("error") and not ERROR_LINE.match(ln)
        ]
        assert not bad, bad
        after = {name: stat.S_IFMT((folder / name).lstat().st_mode) for name in targets}
        assert after == targets, (opts, stderr[-3000:])
        if db.exists():
            conn = sqlite3.connect(db)
            try:
                assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            finally:
                conn.close()


_stdin = st.none() | st.binary(max_size=500) | _jsonl.map(lambda t: t.encode("utf-8", "backslashreplace"))


@PROPERTY
@given(files=input_files(), opts=options("split"), stdin=_stdin)
def test_split_never_tracebacks(files: list[tuple[str, bytes]], opts: list[str], stdin: bytes | None) -> None:
    _check("split", files, opts, stdin)


@PROPERTY
@given(files=input_files(), opts=options("summarise"))
def test_summarise_extractive_never_tracebacks(files: list[tuple[str, bytes]], opts: list[str]) -> None:
    _check("summarise", files, opts, None)


@PROPERTY
@given(files=input_files(), opts=options("batch"))
def test_batch_extractive_never_tracebacks_and_keeps_the_store_whole(
    files: list[tuple[str, bytes]], opts: list[str]
) -> None:
    _check("batch", files, opts, None)
