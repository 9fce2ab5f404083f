"""How sure the splitter is of each article's start (boundary) and of its title, from 0 to 1.

A boundary is as sure as the independent signals that agree on it: the page's own per-article start
mark under the headline (``conventions``), a byline, a dateline opening the body, a page stamp or
source line, a header block read from the layout (flush over indented) or a Markdown heading, and a
headline much shorter than the page's body lines. Each signal alone leaves some doubt; together they
combine as independent evidence (1 − Π(1 − wᵢ)). A boundary found by the 简讯 guess alone stays low.

A title's confidence comes from how its header was read (``headers``: one unmarked line cannot be
misread; two bare lines, 引题 + 标题 or 标题 + 副题, are the known ambiguity) or from the rule that found it.
"""

from __future__ import annotations

from dataclasses import dataclass

from zhaiyao.split import clean
from zhaiyao.split.boundaries import Draft
from zhaiyao.split.conventions import Conventions
from zhaiyao.split.lines import Line

# Weight of each signal: the chance it alone gets a boundary right, roughly, on the real-page corpus.
WEIGHTS = {
    "start mark": 0.6,  # the page's own repeated shape under the headline
    "stamp": 0.4,  # page stamp, 稿件来源 or 字数 line
    "byline": 0.35,
    "dateline": 0.35,
    "markdown heading": 0.8,
    "header block": 0.3,  # flush header lines over an indented body
    "plain title rule": 0.25,  # a short line with a header under it, on a plain page
    "short items guess": 0.3,
    "length contrast": 0.15,  # headline under a third of the page's typical body line
}
_STAMPS = ("page_stamp", "source_line", "word_count", "start_mark")
# Title confidence by the rule that found a title outside a header block.
_TITLE_RULES = (
    ("rule_markdown_heading", 0.95),
    ("rule_plain_titles: a byline", 0.8),
    ("rule_plain_titles", 0.7),
    ("rule_short_items", 0.5),
)


@dataclass(frozen=True)
class Confidence:
    boundary: float
    title: float | None
    signals: tuple[str, ...]  # the boundary signals found, for --explain


def _header_lines(draft: Draft) -> list[Line]:
    """The draft's lines up to and including the first body line (its header and body opening)."""
    out = []
    for line in draft.lines:
        out.append(line)
        if line.kind == "text":
            break
    return out


def _signals(draft: Draft, conv: Conventions) -> list[str]:
    found: list[str] = []
    head, lines = draft.header, _header_lines(draft)
    if (head is not None and conv.marks_start(head)) or any(conv.marks_start(ln) for ln in lines):
        found.append("start mark")
    if any(f.rule in _STAMPS for ln in lines for f in ln.furniture):
        found.append("stamp")
    if any(ln.kind == "byline" for ln in lines):
        found.append("byline")
    if any(ln.kind == "text" and clean.parse_dateline(ln.text) for ln in lines):
        found.append("dateline")
    rule = head.rule if head is not None else ""
    for prefix, name in (
        ("rule_markdown_heading", "markdown heading"),
        ("header_block", "header block"),
        ("rule_plain_titles", "plain title rule"),
        ("rule_short_items", "short items guess"),
    ):
        if rule.startswith(prefix):
            found.append(name)
    if draft.title and conv.body_chars and len(draft.title) * 3 <= conv.body_chars:
        found.append("length contrast")
    return found


def combine(signals: list[str]) -> float:
    doubt = 1.0
    for name in signals:
        doubt *= 1.0 - WEIGHTS[name]
    return round(1.0 - doubt, 2)


def title_confidence(draft: Draft) -> float | None:
    """None for an article printed without a title; else how sure its title reading is."""
    head = draft.header
    if draft.title is None:
        return None
    if head is not None and head.confidence is not None:
        return head.confidence
    rule = head.rule if head is not None else ""
    return next((sure for prefix, sure in _TITLE_RULES if rule.startswith(prefix)), 0.6)


def of_draft(draft: Draft, conv: Conventions, first: bool) -> Confidence:
    """The draft's boundary and title confidence; the page's first article starts at the page's top."""
    signals = _signals(draft, conv)
    boundary = 1.0 if first else combine(signals)
    return Confidence(boundary, title_confidence(draft), tuple(signals))
