"""Text that is safe to show: no control characters a terminal would obey, no markup a renderer would run.

Article text, titles and file names come from whoever wrote the input. An ANSI/OSC escape sequence in
them would recolour or retitle the reader's terminal, a newline in a file name could forge a second
``error:`` line, and ``<script>`` or ``[x](javascript:…)`` in a Markdown export would run in whatever
renders it. These helpers neutralise that where text leaves the program; stored data stays exact.
"""

from __future__ import annotations

import html
import json
import re
from typing import Any

# C0 (except tab and newline), DEL, C1 (U+0080–U+009F, which includes the 8-bit CSI), the line and
# paragraph separators, and the bidirectional overrides and isolates that can make text read
# differently from how it is stored; and lone surrogates (a name that is not UTF-8, an escape in JSON),
# which no encoder takes, so one of them would end the whole output with a UnicodeEncodeError.
_CONTROLS = "\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff"
_CONTROL_RE = re.compile(f"[{_CONTROLS}]")
_LINE_CONTROL_RE = re.compile(f"[{_CONTROLS}\t\n]")
_JSON_UNSAFE_RE = re.compile("[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_MD_SPECIAL_RE = re.compile(r"([\\`\[\]])")


def _visible(match: re.Match[str]) -> str:
    ch = match.group(0)
    return {"\n": "\\n", "\r": "\\r", "\t": "\\t"}.get(ch) or f"\\u{ord(ch):04x}"


def one_line(text: str) -> str:
    """``text`` as a single terminal line: every control character (newlines too) shown as an escape."""
    return _LINE_CONTROL_RE.sub(_visible, text)


def strip_controls(text: str) -> str:
    """``text`` for a terminal or a text file: lines and tabs kept, every other control character shown
    as an escape (so nothing is silently lost and nothing is obeyed)."""
    return _CONTROL_RE.sub(_visible, text)


def json_text(value: Any, **kwargs: Any) -> str:
    """``json.dumps(value, ensure_ascii=False)``, but with DEL, C1 and bidirectional controls escaped too
    (json escapes only C0): the same data, and safe to print."""
    text = json.dumps(value, ensure_ascii=False, **kwargs)
    return _JSON_UNSAFE_RE.sub(lambda m: f"\\u{ord(m.group(0)):04x}", text)


def markdown_text(text: str, inline: bool = False) -> str:
    """``text`` as literal Markdown: HTML tags and entities escaped, link and code syntax backslashed,
    control characters shown as escapes. Renders as the text itself, never as markup. ``inline``:
    line breaks become spaces, for a heading or a list item."""
    if inline:
        text = " ".join(text.splitlines())
    return _MD_SPECIAL_RE.sub(r"\\\1", html.escape(strip_controls(text), quote=False))


def shown_name(name: str) -> str:
    """A file name as text every output can carry: the bytes of a name that is not UTF-8 (which Python
    holds as lone surrogates, and no encoder takes) shown as ``\\xff`` escapes. The file itself is still
    opened by its real path."""
    try:
        return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:  # a surrogate no file system byte maps to
        return name.encode("utf-8", "backslashreplace").decode("utf-8")
