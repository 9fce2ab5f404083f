"""Reading inputs into Pages: paths, directories, globs and stdin; text, HTML and row formats.

Every problem with an input becomes an ``InputError`` naming the file (and the line for row formats)
and what is wrong with it. In a run over many inputs the caller passes ``on_error`` so that a bad
file (or a bad row) is reported and skipped while the rest is read; without it the first problem
is raised.
"""

from __future__ import annotations

import csv
import glob
import io
import json
import os
import re
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, BinaryIO

from zhaiyao.config import Settings
from zhaiyao.documents import Page
from zhaiyao.errors import InputError
from zhaiyao.sources.charset import decode
from zhaiyao.split.html import epaper_text
from zhaiyao.text.safe import shown_name

TEXT_SUFFIXES = {".txt": "txt", ".md": "md", ".markdown": "md"}
HTML_SUFFIXES = {".html": "html", ".htm": "html"}
ROW_SUFFIXES = {".jsonl": "jsonl", ".json": "json", ".csv": "csv"}
FEED_SUFFIXES = {".xml": "feed", ".rss": "feed", ".atom": "feed"}
FORMATS = {**TEXT_SUFFIXES, **HTML_SUFFIXES, **ROW_SUFFIXES, **FEED_SUFFIXES}

_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")

ErrorHandler = Callable[[InputError], None]


def read_inputs(paths: Sequence[str], settings: Settings, on_error: ErrorHandler | None = None) -> list[Page]:
    """All pages from ``paths`` (files, directories searched recursively, globs, ``-`` for stdin)."""
    return list(iter_inputs(paths, settings, on_error))


def iter_inputs(
    paths: Sequence[str], settings: Settings, on_error: ErrorHandler | None = None, follow: Any = None
) -> Iterator[Page]:
    """Like ``read_inputs`` but yields pages as each file is read, for long runs. ``follow`` (a
    ``zhaiyao.sources.feeds.Follow``) says how a feed's teaser-only items are read."""
    for spec in paths:
        try:
            files = list(_expand(spec))
        except InputError as exc:
            _report(exc, on_error)
            continue
        for name, path in files:
            try:
                data = _read_stdin(settings) if path is None else _read_file(path, settings)
                yield from read_bytes(name, data, settings, on_error, follow)
            except InputError as exc:
                _report(exc, on_error)


def read_bytes(
    name: str, data: bytes, settings: Settings, on_error: ErrorHandler | None = None, follow: Any = None
) -> list[Page]:
    """Pages from the bytes of one input called ``name`` (an upload, stdin, a file's contents).

    The format follows the name's suffix; a name without a known suffix is sniffed (an RSS/Atom
    feed, HTML, JSON lines, else a text page). Bad rows of a JSONL/CSV input go to ``on_error`` when
    given; a bad input as a whole always raises.
    """
    limit = settings.max_file_mb * 1024 * 1024
    if len(data) > limit:
        raise _too_big(name, len(data), settings)
    if not data.strip(b" \t\r\n\x0b\x0c") or data in (b"\xef\xbb\xbf", *_UTF16_BOMS):
        raise InputError(name, "empty file")
    fmt = FORMATS.get(Path(name).suffix.lower())
    text, encoding = decode(name, data)
    if not text.strip():
        raise InputError(name, "empty file")
    if fmt is None:
        fmt = _sniff(text)
    if fmt == "feed":
        from zhaiyao.sources.feeds import feed_pages

        return feed_pages(name, data, settings, on_error, follow=follow)
    if fmt in ("txt", "md"):
        return [Page(source=name, text=text, encoding=encoding, format=fmt, kind="layout")]
    if fmt == "html":
        return [_html_page(name, text, encoding)]
    rows = {"jsonl": _jsonl_rows, "json": _json_rows, "csv": _csv_rows}[fmt](name, text, settings, on_error)
    pages = [
        Page(source=src, text=body, encoding=encoding, format=fmt, kind="article", title=title, fields=kept)
        for src, title, body, kept in rows
    ]
    if not pages:
        raise InputError(name, "no readable rows")
    return pages


# ----------------------------------------------------------------------------------------------
# Paths


def input_files(paths: Sequence[str]) -> list[Path]:
    """The files ``paths`` name (as ``read_inputs`` would read them); bad paths are left out, not raised."""
    out: list[Path] = []
    for spec in paths:
        try:
            out.extend(path for _, path in _expand(spec) if path is not None)
        except InputError:
            continue
    return out


def expand(spec: str) -> Iterator[tuple[str, Path | None]]:
    """The (name, path) of each file ``spec`` names (``None`` for stdin); an InputError if none."""
    return _expand(spec)


def _expand(spec: str) -> Iterator[tuple[str, Path | None]]:
    if spec == "-":
        yield "-", None
        return
    path = Path(spec).expanduser()
    if path.is_dir():
        try:
            os.scandir(path).close()  # rglob() would skip a folder it may not list, silently
        except PermissionError as exc:
            raise InputError(spec, "permission denied: cannot list this folder") from exc
        found = sorted(
            p
            for p in path.rglob("*")
            if p.is_file()
            and p.suffix.lower() in FORMATS
            and not any(part.startswith(".") for part in p.relative_to(path).parts)
        )
        if not found:
            known = " ".join(sorted(FORMATS))
            raise InputError(spec, f"directory has no readable files ({known})")
        for p in found:
            yield shown_name(str(p)), p
        return
    if path.exists():
        if not path.is_file():
            raise InputError(spec, "not a regular file")
        yield shown_name(spec), path
        return
    if any(ch in spec for ch in "*?["):
        matches = sorted(m for m in glob.glob(os.path.expanduser(spec), recursive=True) if Path(m).is_file())
        if not matches:
            raise InputError(spec, "no files match this pattern")
        for m in matches:
            yield shown_name(m), Path(m)
        return
    raise InputError(spec, "no such file or directory")


def _read_file(path: Path, settings: Settings) -> bytes:
    # Check the size before reading, so a huge file is refused without loading it.
    try:
        size = path.stat().st_size
        limit = settings.max_file_mb * 1024 * 1024
        if size > limit:
            raise _too_big(str(path), size, settings)
        with path.open("rb") as fh:  # bounded too: the file may grow after stat()
            return read_limited(str(path), fh, settings)
    except PermissionError as exc:
        raise InputError(str(path), "permission denied") from exc
    except OSError as exc:
        raise InputError(str(path), f"cannot read: {exc.strerror or exc}") from exc


def _too_big(name: str, size: float, settings: Settings) -> InputError:
    return InputError(name, size_problem(int(size), settings.max_file_mb, "limit", "max_file_mb"))


def size_problem(size: int, max_mb: float, limit: str = "limit", setting: str = "") -> str:
    """``file is 25.3 MB, over the 20 MB limit``; in bytes when MB would not show the difference
    (``file is 2,048 bytes, over the 0.001 MB limit (1,048 bytes)``, not ``0.0 MB, over 0.001 MB``)."""
    mb = size / 1048576
    notes = [setting] if setting else []
    if size < 1048576 or f"{mb:.1f}" == f"{max_mb:.1f}":
        shown = f"{size:,} bytes"
        notes.insert(0, f"{int(max_mb * 1048576):,} bytes")
    else:
        shown = f"{mb:.1f} MB"
    return f"file is {shown}, over the {max_mb:g} MB {limit}" + (f" ({'; '.join(notes)})" if notes else "")


def read_limited(name: str, stream: BinaryIO, settings: Settings) -> bytes:
    """All of ``stream``, refused as soon as it passes ``max_file_mb`` (a pipe from /dev/zero must not
    fill the memory before the size is checked)."""
    limit = int(settings.max_file_mb * 1024 * 1024)
    chunks: list[bytes] = []
    size = 0
    try:
        while chunk := stream.read(min(1 << 20, limit + 1 - size)):
            chunks.append(chunk)
            size += len(chunk)
            if size > limit:
                raise InputError(
                    name, f"more than the {settings.max_file_mb:g} MB limit (max_file_mb); stopped reading"
                )
    except OSError as exc:
        raise InputError(name, f"cannot read: {exc.strerror or exc}") from exc
    return b"".join(chunks)


def _read_stdin(settings: Settings) -> bytes:
    if sys.stdin is None:  # started with stdin closed (`<&-`)
        raise InputError("-", "stdin is closed; nothing to read")
    return read_limited("-", sys.stdin.buffer, settings)


def _report(exc: InputError, on_error: ErrorHandler | None) -> None:
    if on_error is None:
        raise exc
    on_error(exc)


# ----------------------------------------------------------------------------------------------
# Bytes → text


def _sniff(text: str) -> str:
    from zhaiyao.sources.feeds import looks_like_feed

    if looks_like_feed(text):
        return "feed"
    head = text.lstrip()[:2000].lower()
    if head.startswith(("<!doctype html", "<html")) or ("<body" in head and "</" in head):
        return "html"
    if head.startswith("{"):
        return "jsonl"
    if head.startswith("["):
        return "json"
    return "txt"


# ----------------------------------------------------------------------------------------------
# HTML


def _html_page(name: str, html: str, encoding: str) -> Page:
    """The main text of an HTML page, with its headings kept as markdown so the splitter sees them.

    One article per HTML page, unless the page clearly holds several (two or more <article>
    elements, or two or more titles in the extracted main text): then it is a layout page to split.
    """
    # Characters XML cannot hold (C0 controls, U+FFFE/U+FFFF, lone surrogates) are errors in HTML too;
    # lxml refuses to build text with them (a ValueError deep in trafilatura), so they go first.
    html = _NOT_XML.sub("", html)
    several = _article_elements(html)
    if several is None:
        several = epaper_text(html)  # a site's own repeated article containers (tables, <br> bodies)
    if several is not None:
        return Page(source=name, text=several, encoding=encoding, format="html", kind="layout")
    import trafilatura

    markdown = trafilatura.extract(
        _html_tree(html),
        output_format="markdown",
        include_comments=False,
        include_tables=True,
        favor_recall=True,
    )
    if not markdown or not markdown.strip():
        raise InputError(name, "HTML page has no main text")
    lines = [_plain_markdown(ln) for ln in markdown.splitlines()]
    titles = [ln.lstrip("#").strip() for ln in lines if ln.startswith(("# ", "## "))]
    if len(titles) >= 2:
        # Every article title becomes a "##" title for the splitter, whatever its HTML level.
        text = "\n".join(
            "## " + ln.lstrip("#").strip() if ln.startswith(("# ", "## ")) else ln for ln in lines
        )
        return Page(source=name, text=text, encoding=encoding, format="html", kind="layout")
    meta = trafilatura.extract_metadata(_html_tree(html))
    title = titles[0] if titles else (meta.title if meta and meta.title else None)
    body = [ln for ln in lines if not (ln.startswith(("# ", "## ")) and ln.lstrip("#").strip() == title)]
    text = "\n".join(body).strip()
    return Page(source=name, text=text, encoding=encoding, format="html", kind="article", title=title)


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _html_tree(html: str) -> Any:
    """``html`` parsed without libxml2's 255-level depth limit (``huge_tree``): past it the parser drops
    everything deeper, and a page whose text sits in 300 nested <div>s (page builders make such pages)
    read as having no text. Unparseable markup is left to trafilatura as text."""
    import lxml.etree
    import lxml.html

    try:
        return lxml.html.fromstring(html, parser=lxml.html.HTMLParser(huge_tree=True))
    except (ValueError, lxml.etree.ParserError):
        return html


_MD_EMPHASIS = re.compile(r"\*\*|__|(?<![\w*])\*(?=\S)|(?<=\S)\*(?![\w*])")
_MD_LIST = re.compile(r"^(?:[-*+]\s+|>\s*)")


def _plain_markdown(line: str) -> str:
    """Drop the markdown emphasis, list and quote marks trafilatura adds; keep headings for the splitter."""
    line = line.strip()
    if line.startswith("#"):
        return line
    return _MD_EMPHASIS.sub("", _MD_LIST.sub("", line))


_HTML_BLOCKS = {"h1", "h2", "h3", "h4", "h5", "h6", "p", "li", "blockquote", "figcaption", "pre", "td"}


def _article_elements(html: str) -> str | None:
    """A page of several <article> elements as a markdown page dump, or None for anything else.

    trafilatura picks one main block and flattens the rest, which would merge the articles; here each
    <article> keeps its own heading and paragraphs.
    """
    lowered = html.lower()
    epaper = lowered.count('class="article"') >= 2
    if lowered.count("<article") < 2 and not epaper:
        return None
    root = _html_tree(html)
    if isinstance(root, str):
        return None
    articles = root.xpath("//article[not(ancestor::article)]")
    if len(articles) < 2 and epaper:
        return _epaper_blocks(root.xpath(f"//div[{_CLASS_ARTICLE}][not(ancestor::div[{_CLASS_ARTICLE}])]"))
    if len(articles) < 2:
        return None
    out: list[str] = []
    for article in articles:
        for el in article.iter():
            tag = el.tag if isinstance(el.tag, str) else ""
            if tag not in _HTML_BLOCKS or any(a.tag in _HTML_BLOCKS for a in el.iterancestors()):
                continue
            text = " ".join(el.text_content().split())
            if not text:
                continue
            if tag in ("h1", "h2"):
                out.append(f"## {text}")
            elif tag.startswith("h"):
                out.append(f"### {text}")
            else:
                out.append(text)
    return "\n\n".join(out) if out else None


_BODY_BOX = re.compile(r"ozoom|content|zoom|text", re.I)
_CLASS_ARTICLE = "contains(concat(' ', normalize-space(@class), ' '), ' article ')"


def _epaper_blocks(blocks: list) -> str | None:
    """An e-paper page's ``div.article`` blocks (人民日报's template and its kind) as the plain text a
    browser copy gives: headings (引题 h3, 标题 h1, 副题 h2) and the byline flush left, paragraphs
    indented, so the splitter reads each block's header from the layout as on a copied page."""
    if len(blocks) < 2:
        return None
    out: list[str] = []
    for block in blocks:
        for el in block.iter():
            tag = el.tag if isinstance(el.tag, str) else ""
            if tag not in _HTML_BLOCKS or any(a.tag in _HTML_BLOCKS for a in el.iterancestors()):
                continue
            raw = el.text_content()
            text = " ".join(raw.split())
            if not text:
                continue
            # The source's own indent, or a place in the body container, marks a paragraph (HTML
            # parsers move a <p> out of the <h3> it was printed in, so the tag alone does not tell).
            indented = raw.lstrip(" \t\r\n").startswith(("\u3000", "\u00a0\u00a0")) or any(
                _BODY_BOX.search(f"{a.get('id') or ''} {a.get('class') or ''}") for a in el.iterancestors()
            )
            out.append("\u3000\u3000" + text if indented and not tag.startswith("h") else text)
    return "\n\n".join(out) if out else None


# ----------------------------------------------------------------------------------------------
# Row formats: one article per row

Row = tuple[str, str | None, str, tuple[tuple[str, str], ...]]  # (source, title, text, row fields kept)

_LONE_SURROGATE = re.compile("[\ud800-\udfff]")

# Fields of a row kept on its article besides the title and the text (the rows of
# ../shared/eval/stories/build_articles.py and the like): the row's own id and where it was printed.
ROW_FIELDS = ("id", "paper", "date", "page", "kicker", "subtitle")


def _kept_fields(record: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    kept = []
    for name in ROW_FIELDS:
        value = record.get(name)
        if isinstance(value, int | float) and not isinstance(value, bool):
            value = str(value)
        if isinstance(value, str) and value.strip() and not _LONE_SURROGATE.search(value):
            kept.append((name, value.strip()))
    return tuple(kept)


def _row(
    name: str, where: str, line: int | None, record: Any, settings: Settings, on_error: ErrorHandler | None
) -> Row | None:
    try:
        if not isinstance(record, dict):
            raise InputError(name, f"expected an object with a {settings.text_field!r} field", line)
        if settings.text_field not in record:
            fields = ", ".join(map(str, record)) or "none"
            raise InputError(name, f"required field {settings.text_field!r} missing (fields: {fields})", line)
        text = record[settings.text_field]
        if text is None:  # a CSV row shorter than its header
            text = ""
        if not isinstance(text, str):
            raise InputError(name, f"field {settings.text_field!r} is not a string", line)
        if not text.strip():
            raise InputError(name, f"field {settings.text_field!r} is empty", line)
        title = record.get(settings.title_field)
        if title is not None and not isinstance(title, str):
            title = str(title)
        for field, value in ((settings.title_field, title), (settings.text_field, text)):
            if value and (bad := _LONE_SURROGATE.search(value)):
                # Valid JSON (an escape) but not Unicode: nothing could store or print it, so the row is
                # refused as undecodable bytes are, and the rest of the file is kept.
                escape = f"\\u{ord(bad.group()):04x}"
                problem = f"field {field!r} holds a lone surrogate ({escape}), not valid Unicode"
                raise InputError(name, problem, line)
        return f"{name}#{where}", (title.strip() or None) if title else None, text, _kept_fields(record)
    except InputError as exc:
        _report(exc, on_error)
        return None


def json_problem(exc: ValueError | RecursionError) -> str:
    """What is wrong with a text ``json.loads`` refused. Besides malformed JSON it raises RecursionError
    for deep nesting (``[`` × 100,000) and ValueError for a number of more than 4,300 digits."""
    if isinstance(exc, json.JSONDecodeError):
        return f"malformed JSON: {exc.msg} (column {exc.colno})"
    if isinstance(exc, RecursionError):
        return "malformed JSON: nested too deeply"
    return f"malformed JSON: {exc}"


def _jsonl_rows(name: str, text: str, settings: Settings, on_error: ErrorHandler | None) -> list[Row]:
    rows: list[Row] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            record = json.loads(raw)
        except (ValueError, RecursionError) as exc:
            _report(InputError(name, json_problem(exc), number), on_error)
            continue
        row = _row(name, f"L{number}", number, record, settings, on_error)
        if row:
            rows.append(row)
    return rows


def _json_rows(name: str, text: str, settings: Settings, on_error: ErrorHandler | None) -> list[Row]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        # A .json file that is really JSON lines is common enough to accept.
        if exc.msg == "Extra data" and text.lstrip().startswith("{"):
            return _jsonl_rows(name, text, settings, on_error)
        raise InputError(name, json_problem(exc), exc.lineno) from exc
    except (ValueError, RecursionError) as exc:
        raise InputError(name, json_problem(exc)) from None
    if isinstance(data, dict):
        # {"articles": [...]} or a single article object.
        lists = [v for v in data.values() if isinstance(v, list) and v and isinstance(v[0], dict)]
        data = lists[0] if settings.text_field not in data and len(lists) == 1 else [data]
    if not isinstance(data, list):
        raise InputError(name, "expected a JSON array of articles or an article object")
    rows: list[Row] = []
    for number, record in enumerate(data, start=1):
        row = _row(name, str(number), None, record, settings, on_error)
        if row:
            rows.append(row)
    return rows


def _csv_rows(name: str, text: str, settings: Settings, on_error: ErrorHandler | None) -> list[Row]:
    # strict: an unclosed quote or a stray one is an error to report, not a field that silently
    # swallows the rest of the file.
    reader = csv.DictReader(io.StringIO(text, newline=""), strict=True)
    try:
        columns = [c.strip() for c in (reader.fieldnames or [])]
    except csv.Error as exc:
        raise InputError(name, f"malformed CSV header: {exc}", 1) from exc
    if settings.text_field not in columns:
        raise InputError(
            name,
            f"required column {settings.text_field!r} missing (columns: {', '.join(columns) or 'none'})",
            1,
        )
    reader.fieldnames = columns
    rows: list[Row] = []
    while True:
        start = reader.line_num + 1
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            # The reader cannot resume inside a broken quote: the rows before it are kept.
            problem = (
                "unclosed quote: the field runs to the end of the file" if "end of data" in str(exc) else exc
            )
            _report(InputError(name, f"malformed CSV: {problem}", start), on_error)
            break
        line = reader.line_num
        if None in record:
            extra = len(record[None])
            _report(
                InputError(name, f"{len(columns) + extra} fields where the header has {len(columns)}", line),
                on_error,
            )
            continue
        row = _row(name, f"L{line}", line, record, settings, on_error)
        if row:
            rows.append(row)
    return rows
