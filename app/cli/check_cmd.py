"""``zhaiyao check ROWS.jsonl``: the summariser's faithfulness check on anyone's summaries.

Each row is ``{id, text, summary}`` (``title``, ``subtitle`` and ``dateline`` too when the summary may
draw on them); one row comes out per row in: ``{id, ok, reasons}``. A bad row is one ``error:`` line
naming FILE:LINE (and its row out says so) while the other rows are still checked. No model is loaded.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import click
from zhaiyao.cli import settings_from
from zhaiyao.cli.output import check_output, echo, echo_error, open_output
from zhaiyao.errors import InputError

SOURCE_FIELDS = ("title", "subtitle", "dateline", "text")  # what the summary must be faithful to


@dataclass(frozen=True)
class Row:
    line: int
    id: object
    article: str = ""
    summary: str = ""
    error: str = ""


def read_rows(name: str, text: str) -> Iterator[Row]:
    """The rows of a JSONL text; a bad one carries its error (FILE:LINE: problem) instead."""
    from zhaiyao.sources.files import json_problem

    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            record = json.loads(raw)
        except (ValueError, RecursionError) as exc:
            yield Row(number, None, error=str(InputError(name, json_problem(exc), number)))
            continue
        problem = _problem(record)
        ident = record.get("id", f"L{number}") if isinstance(record, dict) else None
        if problem:
            yield Row(number, ident, error=str(InputError(name, problem, number)))
            continue
        article = "\n".join(str(record[f]) for f in SOURCE_FIELDS if isinstance(record.get(f), str))
        yield Row(number, ident, article, record["summary"])


def _problem(record: object) -> str | None:
    if not isinstance(record, dict):
        return f"a row must be a JSON object, not {type(record).__name__}"
    for field in ("text", "summary"):
        if field not in record:
            return f"no {field!r} field"
        if not isinstance(record[field], str):
            return f"{field!r} must be a string, not {type(record[field]).__name__}"
    if not record["text"].strip():
        return "'text' is empty: nothing to check the summary against"
    if isinstance(record.get("id"), dict | list):
        return "'id' must be a string or a number"
    return None


def _load(path: str, ctx: click.Context) -> tuple[str, str]:
    from zhaiyao.sources.files import decode, read_limited

    settings = settings_from(ctx)
    if path == "-":
        if sys.stdin is None:
            raise InputError("-", "stdin is closed; nothing to read")
        return "-", decode("-", read_limited("-", sys.stdin.buffer, settings))[0]
    try:
        with Path(path).open("rb") as fh:
            return path, decode(path, read_limited(path, fh, settings))[0]
    except FileNotFoundError as exc:
        raise InputError(path, "no such file") from exc
    except IsADirectoryError as exc:
        raise InputError(path, "is a folder, not a JSONL file") from exc
    except PermissionError as exc:
        raise InputError(path, "permission denied") from exc


def _text_line(row: Row, ok: bool | None, reasons: list[str]) -> str:
    from zhaiyao.text.safe import one_line

    verdict = "error" if ok is None else ("ok" if ok else "FAIL")
    # A row's id and reasons quote its text: shown as one line, control characters escaped.
    ident = f"L{row.line}" if row.id is None else str(row.id)
    return "\t".join([one_line(ident), verdict, one_line("; ".join(reasons) or row.error)])


@click.command("check")
@click.argument("rows_path", metavar="ROWS.jsonl")
@click.option("--format", "fmt", type=click.Choice(["jsonl", "text"]), default="jsonl", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="write here instead of stdout")
@click.pass_context
def check(ctx: click.Context, rows_path: str, fmt: str, output: str | None) -> None:
    """Check each row's summary against its article: {id, ok, reasons} per row (no model is loaded).

    Rows are {id, text, summary} (title, subtitle, dateline optional); - reads stdin. Exit 1 when a
    summary fails, 2 when a row could not be read (the others are still checked)."""
    import jieba
    from zhaiyao.summarise.faithful import check as check_summary

    jieba.setLogLevel(logging.WARNING)  # its dictionary-loading chatter
    check_output(output, [rows_path] if rows_path != "-" else [])
    name, text = _load(rows_path, ctx)
    counts = {"ok": 0, "failed": 0, "bad": 0}
    began = time.perf_counter()
    with open_output(output, [rows_path] if rows_path != "-" else []) as out:
        for row in read_rows(name, text):
            if row.error:
                echo_error(row.error)
                ok, reasons, counts["bad"] = None, [], counts["bad"] + 1
            else:
                verdict = check_summary(row.summary, row.article)
                ok, reasons = verdict.ok, list(verdict.reasons)
                counts["ok" if ok else "failed"] += 1
            if fmt == "jsonl":
                record = {"id": row.id, "ok": ok, "reasons": reasons}
                if row.error:
                    record["error"] = row.error
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
            else:
                out.write(_text_line(row, ok, reasons) + "\n")
    seconds = time.perf_counter() - began
    echo(
        f"{counts['ok']} ok, {counts['failed']} failed, {counts['bad']} unreadable row(s) in {seconds:.1f}s",
        err=True,
    )
    if not any(counts.values()):
        raise InputError(name, "no rows")
    if counts["bad"]:
        sys.exit(2)
    if counts["failed"]:
        sys.exit(1)


COMMANDS = [check]
