"""Reading an e-paper's HTML page: its article containers rendered as the text a browser copy gives.

An e-paper page's HTML repeats one container per article (``div.article``, ``div.contenttext`` or
whatever the site calls it), laid out with tables, ``<font>`` sizes and ``<br>`` bodies. Which
element that is differs by site, so it is found from the page itself: the class or id that marks
two or more non-nested elements which between them hold most of the page's text. Each container is
rendered the way a browser's innerText does (a block element or ``<br>`` ends a line, table cells
stand on lines of their own, leading full-width spaces kept), so the splitter reads the header
blocks, stamps and indented paragraphs exactly as on a copied page.
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

_BLOCKS = {
    "address", "article", "aside", "blockquote", "body", "dd", "div", "dl", "dt", "figcaption",
    "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "html", "li",
    "main", "nav", "ol", "p", "pre", "section", "table", "tbody", "td", "tfoot", "th", "thead",
    "tr", "ul",
}  # fmt: skip
_SKIP = {"head", "script", "style", "title", "noscript", "template", "meta", "link"}
_CONTAINERS = ("div", "article", "section", "td", "li")
_SPACES = re.compile(r"[ \t\r\n\f]+")
_MIN_CHARS = 80  # two containers at least hold this much: articles, not links or captions
_MIN_SHARE = 0.5  # the containers together hold at least this share of the page's text


def _text_len(el: Any) -> int:
    return len("".join("".join(el.itertext()).split()))


def containers(root: Any) -> list[Any] | None:
    """The page's repeated article containers, in page order, or None when it has none."""
    groups: dict[tuple[str, str, str], list[Any]] = defaultdict(list)
    for el in root.iter(*_CONTAINERS):
        cls, ident = (el.get("class") or "").strip(), (el.get("id") or "").strip()
        if cls or ident:
            groups[(el.tag, cls, ident)].append(el)
    total = _text_len(root) or 1
    best: list[Any] | None = None
    for els in groups.values():
        tops = [el for el in els if not any(a in els for a in el.iterancestors())]
        if sum(_text_len(el) >= _MIN_CHARS for el in tops) < 2:  # a short box may sit among them
            continue
        if sum(_text_len(el) for el in tops) < _MIN_SHARE * total:
            continue
        if best is None or len(tops) > len(best):
            best = tops
    return best


def inner_text(el: Any) -> str:
    """The element's text as a browser renders it: one line per block, ``<br>`` a line break."""
    out: list[str] = []
    _walk(el, out)
    # As a browser does: ASCII whitespace runs (source newlines too) are one space, and a line's
    # leading and trailing ones go; full-width spaces (an indent) and no-break spaces stay.
    lines = [ln.strip(" ") for ln in "".join(out).split("\n")]
    return "\n".join(ln for ln in lines if ln.strip())


def _walk(el: Any, out: list[str]) -> None:
    tag = el.tag if isinstance(el.tag, str) else ""
    if tag in _SKIP or not tag:  # not tag: a comment or processing instruction, whose text is hidden
        if el.tail:
            out.append(_SPACES.sub(" ", el.tail))
        return
    block = tag in _BLOCKS
    if block or tag == "br":
        out.append("\n")
    if el.text:
        out.append(_SPACES.sub(" ", el.text))
    for child in el:
        _walk(child, out)
    if block:
        out.append("\n")
    if el.tail:
        out.append(_SPACES.sub(" ", el.tail))


def epaper_text(html: str) -> str | None:
    """The page's article containers as plain text (a blank line between them), or None when the
    page has no repeated containers (then it is one article, or a layout another reader handles)."""
    import lxml.html

    try:
        root = lxml.html.fromstring(html)
    except (ValueError, lxml.etree.ParserError):
        return None
    found = containers(root)
    if not found:
        return None
    return "\n\n".join(inner_text(el) for el in found)
