"""Results out of the store: JSONL (every field), CSV (opens in Excel) and Markdown (a digest to read).

Files are written to a temporary name beside the target and renamed into place, so a reader (or an
interrupted run) never sees half a file, and rewriting the output after a resumed run cannot leave
duplicate rows behind.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TextIO

from zhaiyao.documents import ArticleResult, Summary
from zhaiyao.errors import ConfigError
from zhaiyao.export.files import atomic_text
from zhaiyao.text.byline import byline_parts
from zhaiyao.text.safe import json_text, markdown_text, strip_controls

FORMATS = ("jsonl", "csv", "md")
_SUFFIXES = {".jsonl": "jsonl", ".json": "jsonl", ".csv": "csv", ".md": "md", ".markdown": "md"}

CSV_COLUMNS = [
    "page",
    "index",
    "status",
    "title",
    "title_generated",
    "subtitle",
    "dateline",
    "reporters",
    "correspondents",
    "photographers",
    "summary",
    "keywords",
    "guard",
    "guard_reasons",
    "backend",
    "model",
    "style",
    "chars",
    "error",
    "key",
]


def format_for_path(path: Path | str, explicit: str | None = None) -> str:
    """The export format: ``explicit`` if given, else from the file's suffix."""
    if explicit:
        if explicit not in FORMATS:
            raise ConfigError(f"unknown export format {explicit!r} (known: {', '.join(FORMATS)})")
        return explicit
    suffix = Path(path).suffix.lower()
    if suffix not in _SUFFIXES:
        raise ConfigError(
            f"{path}: cannot tell the output format from {suffix or 'no suffix'!r}; use .jsonl, .csv or .md"
        )
    return _SUFFIXES[suffix]


def write_jsonl(results: Iterable[ArticleResult], out: TextIO) -> int:
    n = 0
    for result in results:
        out.write(json_text(result.as_dict()) + "\n")
        n += 1
    return n


def _title(result: ArticleResult) -> tuple[str, bool]:
    if result.article.title:
        return result.article.title, False
    if result.summary and result.summary.generated_title:
        return result.summary.generated_title, True
    return "", False


# A spreadsheet reads a cell that starts with one of these as a formula (=HYPERLINK(…), +cmd|…, @SUM):
# an article's text must never run as one. OWASP's remedy: prefix the cell with a single quote,
# which spreadsheets take as "this is text" and do not show.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: object) -> object:
    """``value`` as a CSV cell that a spreadsheet shows as text, never evaluates; control characters
    (ESC, BEL, the bidirectional overrides) shown as escapes, as in every other output, so ``cat`` or a
    spreadsheet shows the text as stored instead of obeying it."""
    if not isinstance(value, str):
        return value
    if value.startswith(FORMULA_STARTS):
        value = "'" + value
    return strip_controls(value)


def write_csv(results: Iterable[ArticleResult], out: TextIO) -> int:
    """CSV for spreadsheets: the caller opens ``out`` with ``utf-8-sig`` so Excel reads it as UTF-8."""
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    n = 0
    for r in results:
        a, s = r.article, r.summary
        title, generated = _title(r)
        row = (
            a.page,
            a.index,
            r.status,
            title,
            "yes" if generated else "",
            a.subtitle or "",
            a.dateline or "",
            "、".join(a.reporters),
            "、".join(a.correspondents),
            "、".join(a.photographers),
            s.text if s else "",
            "、".join(s.keywords) if s else "",
            s.guard if s else "",
            "; ".join(s.guard_reasons) if s else "",
            s.backend if s else "",
            s.model if s else "",
            s.style if s else "",
            a.chars,
            r.error or "",
            a.key,
        )
        writer.writerow([csv_cell(v) for v in row])
        n += 1
    return n


def _meta_line(result: ArticleResult) -> str:
    a = result.article
    parts = [*byline_parts(a), f"{a.chars}字"]
    if a.continued_on:
        parts.append(f"下转 {a.continued_on}")
    return " · ".join(parts)


def _guard_note(summary: Summary) -> str:
    """What a reader must know about the summary's check: a fallback, or what the check was unsure of."""
    if summary.guard == "fallback":
        return "\n> 生成的摘要未通过核对，此处为原文摘句。\n"
    if summary.guard == "unsure":
        return f"\n> 核对存疑，请对照原文：{markdown_text('; '.join(summary.guard_reasons), inline=True)}\n"
    return ""


def write_markdown(results: Iterable[ArticleResult], out: TextIO) -> int:
    """A digest: one section per page, each article as title, metadata line, summary, keywords."""
    n = 0
    page = None
    for r in results:
        a, s = r.article, r.summary
        # Rows of a JSONL/CSV file ("file#L12") are one article each: one section for the file.
        source, _, row = a.page.partition("#")
        if source != page:
            page = source
            out.write(("\n" if n else "") + f"# {markdown_text(page, inline=True)}\n")
        title, generated = _title(r)
        heading = markdown_text(title, inline=True) or "（无标题）"
        if generated:
            heading += "（标题为生成）"
        out.write(f"\n## {markdown_text(row) + ' · ' if row else f'{a.index}. '}{heading}\n\n")
        if a.subtitle:
            out.write(f"**{markdown_text(a.subtitle, inline=True)}**\n\n")
        out.write(f"*{markdown_text(_meta_line(r), inline=True)}*\n\n")
        if s is not None:
            if s.style == "bullets":
                for line in s.text.splitlines():
                    if line.strip():
                        out.write(f"- {markdown_text(line.strip().lstrip('-•· ').strip())}\n")
            else:
                out.write(markdown_text(s.text.strip()) + "\n")
            if s.keywords:
                out.write(f"\n关键词：{markdown_text('、'.join(s.keywords), inline=True)}\n")
            out.write(_guard_note(s))
        elif r.status == "failed":
            out.write(f"> 未能生成摘要：{markdown_text(r.error or '', inline=True)}\n")
        else:
            out.write("> 尚未生成摘要。\n")
        n += 1
    return n


def render(results: Sequence[ArticleResult], fmt: str) -> str:
    buffer = io.StringIO()
    {"jsonl": write_jsonl, "csv": write_csv, "md": write_markdown}[fmt](results, buffer)
    return buffer.getvalue()


def encoding_for(fmt: str) -> str:
    """CSV carries a BOM so that Excel reads the Chinese text as UTF-8; everything else is plain UTF-8."""
    return "utf-8-sig" if fmt == "csv" else "utf-8"


def render_bytes(results: Sequence[ArticleResult], fmt: str) -> bytes:
    """``render``'s text, encoded for a file or a download."""
    return render(results, fmt).encode(encoding_for(fmt))


def export_results(results: Sequence[ArticleResult], path: Path | str, fmt: str | None = None) -> int:
    """Write ``results`` to ``path`` atomically, in ``fmt`` (else from the suffix). Returns the row count."""
    path = Path(path)
    fmt = format_for_path(path, fmt)
    text = render(results, fmt)
    with atomic_text(path, encoding_for(fmt)) as fh:
        fh.write(text)
    return len(results)
