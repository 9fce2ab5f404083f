"""What this page does once per article: its own conventions, learnt from the page, not from the paper.

Papers differ in what they print between a headline and its body (a page stamp, a 稿件来源 line, a
byline with a word count, a bare date), but a page is consistent with itself: whatever marks an
article's start comes back once per article, right under each headline. ``learn`` finds the line
shapes that repeat that way (a line's shape is its kind and furniture, or its text with the digits
masked), and the page's body statistics (how long its body lines run, whether they are indented).
The boundary rules then trust a headline that carries the page's start shape, and read a short line
that lacks it inside a long body as a section heading (小标题), not a new article.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, replace

from zhaiyao.split import clean
from zhaiyao.split.furniture import Furniture
from zhaiyao.split.lines import HEADLINE_MAX, Line, title_shape

_DIGITS = re.compile(r"[0-9０-９]+")
_SPACES = re.compile(r"[\s\u3000]+")
# Furniture that an e-paper prints per article (not per page: credits and 版 lines are per page).
_PER_ARTICLE = ("page_stamp", "source_line", "word_count")
_META = ("furniture", "byline", "caption")
_MIN_REPEATS = 2
_SHARE_IN_HEADER = 0.6


@dataclass(frozen=True)
class Conventions:
    start_shapes: frozenset[str]  # shapes that come once per article, under its headline
    starts: frozenset[int]  # line numbers carrying one of them
    headlines: frozenset[int]  # line numbers of the headline lines right above a start
    body_chars: int  # median length of the page's sentence lines (0 when it has none)

    def marks_start(self, line: Line) -> bool:
        return line.number in self.starts


NONE = Conventions(frozenset(), frozenset(), frozenset(), 0)


def shape(line: Line) -> str | None:
    """What a line looks like with its particulars masked, or None when it could not mark a start."""
    rules = sorted({f.rule for f in line.furniture if f.rule in _PER_ARTICLE})
    if rules:
        return "furniture:" + "+".join(rules)
    if line.kind == "byline":
        return "byline"
    if line.kind == "text" and len(line.text) <= 30 and not clean.ends_sentence(line.text):
        masked = _SPACES.sub("", _DIGITS.sub("0", line.text))
        # Only a line whose digits were masked can repeat without being the same words: a date, a
        # number. Plain words repeated are a series of headings, not a per-article mark.
        return f"text:{masked}" if masked != _SPACES.sub("", line.text) else None
    return None


def _headline_above(lines: list[Line], i: int, flush: bool) -> int | None:
    """The index of the headline-shaped line above line ``i``, past other header furniture and bylines
    (``flush``: on a page whose body is indented, only a flush line can be a headline)."""
    j = i - 1
    while j >= 0 and lines[j].kind in _META:
        j -= 1
    if j < 0 or (flush and lines[j].indented):
        return None
    above = lines[j]
    if above.kind == "title" or (above.kind == "text" and title_shape(above.text, HEADLINE_MAX) is not None):
        return j
    return None


def _body_below(lines: list[Line], i: int) -> bool:
    for line in lines[i + 1 :]:
        if line.kind in _META:
            continue
        return line.kind == "text"
    return False


def learn(lines: list[Line], flush_headlines: bool = False) -> Conventions:
    """The page's start shapes (repeating under headlines, above bodies) and its body statistics.

    ``flush_headlines``: the page indents its body and not its headlines (an e-paper layout), so a
    byline under an indented heading is a feature's profile, not an article's start."""
    shapes = [shape(line) for line in lines]
    counts = Counter(s for s in shapes if s)
    placed: Counter[str] = Counter()
    above: dict[int, int] = {}
    for i, s in enumerate(shapes):
        if not s or counts[s] < _MIN_REPEATS or not _body_below(lines, i):
            continue
        j = _headline_above(lines, i, flush_headlines)
        if j is not None:
            placed[s] += 1
            above[i] = j
    start_shapes = frozenset(
        s for s, n in placed.items() if n >= _MIN_REPEATS and n >= _SHARE_IN_HEADER * counts[s]
    )
    marked = [i for i, s in enumerate(shapes) if s in start_shapes]
    headlines = frozenset(lines[above[i]].number for i in marked if i in above)
    sentences = sorted(len(ln.text) for ln in lines if ln.kind == "text" and clean.ends_sentence(ln.text))
    return Conventions(
        start_shapes,
        frozenset(lines[i].number for i in marked),
        headlines,
        sentences[len(sentences) // 2] if sentences else 0,
    )


def lift_marks(lines: list[Line], conv: Conventions) -> list[Line]:
    """Text lines that are the page's start mark (a bare date under each headline) are furniture of
    the article they open, not the first line of its body."""
    out = []
    for line in lines:
        if line.kind == "text" and conv.marks_start(line):
            mark = Furniture("start_mark", line.text)
            line = replace(line, kind="furniture", rule="conventions: the page's per-article start mark",
                           furniture=(mark,))  # fmt: skip
        out.append(line)
    return out
