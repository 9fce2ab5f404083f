"""Results out of the store: JSONL (every field), CSV (opens in Excel) and Markdown (a digest to read).

Files are written to a temporary name beside the target and renamed into place, so a reader (or an
interrupted run) never sees half a file, and rewriting the output after a resumed run cannot leave
duplicate rows behind.
"""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TextIO

from app.documents import ArticleResult
from app.errors import ConfigError

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
        out.write(json.dumps(result.as_dict(), ensure_ascii=False) + "\n")
        n += 1
    return n


def _title(result: ArticleResult) -> tuple[str, bool]:
    if result.article.title:
        return result.article.title, False
    if result.summary and result.summary.generated_title:
        return result.summary.generated_title, True
    return "", False


def write_csv(results: Iterable[ArticleResult], out: TextIO) -> int:
    """CSV for spreadsheets: the caller opens ``out`` with ``utf-8-sig`` so Excel reads it as UTF-8."""
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    n = 0
    for r in results:
        a, s = r.article, r.summary
        title, generated = _title(r)
        writer.writerow(
            [
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
                s.backend if s else "",
                s.model if s else "",
                s.style if s else "",
                a.chars,
                r.error or "",
                a.key,
            ]
        )
        n += 1
    return n


def _meta_line(result: ArticleResult) -> str:
    a = result.article
    parts = []
    if a.reporters:
        parts.append("记者 " + "、".join(a.reporters))
    if a.correspondents:
        parts.append("通讯员 " + "、".join(a.correspondents))
    if a.photographers:
        parts.append("摄影 " + "、".join(a.photographers))
    if a.dateline:
        parts.append(a.dateline.rstrip("，,： "))
    parts.append(f"{a.chars}字")
    if a.continued_on:
        parts.append(f"下转 {a.continued_on}")
    return " · ".join(parts)


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
            out.write(("\n" if n else "") + f"# {page}\n")
        title, generated = _title(r)
        heading = title or "（无标题）"
        if generated:
            heading += "（标题为生成）"
        out.write(f"\n## {row + ' · ' if row else f'{a.index}. '}{heading}\n\n")
        if a.subtitle:
            out.write(f"**{a.subtitle}**\n\n")
        out.write(f"*{_meta_line(r)}*\n\n")
        if s is not None:
            if s.style == "bullets":
                for line in s.text.splitlines():
                    if line.strip():
                        out.write(f"- {line.strip().lstrip('-•· ').strip()}\n")
            else:
                out.write(s.text.strip() + "\n")
            if s.keywords:
                out.write(f"\n关键词：{'、'.join(s.keywords)}\n")
            if s.guard == "fallback":
                out.write("\n> 生成的摘要未通过核对，此处为原文摘句。\n")
        elif r.status == "failed":
            out.write(f"> 未能生成摘要：{r.error}\n")
        else:
            out.write("> 尚未生成摘要。\n")
        n += 1
    return n


def render(results: Sequence[ArticleResult], fmt: str) -> str:
    buffer = io.StringIO()
    {"jsonl": write_jsonl, "csv": write_csv, "md": write_markdown}[fmt](results, buffer)
    return buffer.getvalue()


def export_results(results: Sequence[ArticleResult], path: Path | str, fmt: str | None = None) -> int:
    """Write ``results`` to ``path`` atomically, in ``fmt`` (else from the suffix). Returns the row count."""
    path = Path(path)
    fmt = format_for_path(path, fmt)
    text = render(results, fmt)
    encoding = "utf-8-sig" if fmt == "csv" else "utf-8"
    folder = path.parent if str(path.parent) else Path(".")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=folder)
        try:
            with os.fdopen(fd, "w", encoding=encoding, newline="") as fh:
                fh.write(text)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise ConfigError(f"{path}: cannot write the output file: {exc.strerror or exc}") from exc
    return len(results)
