"""Header blocks: which lines of a headline's block are 引题, 标题, 副题 and author.

E-paper copies and crawls print an article's header lines (引题, 标题, 副题, byline) flush left and its
paragraphs indented (two full-width spaces, or spaces). When a page shows that contrast, every run
of flush, short, unpunctuated lines is a header block: its lines are told apart by their marks
(a 引题 ends in ——, a 副题 starts with ——, 引题/标题/副题 may share one tab-separated line, a short
name after the title is the author), and by the order papers print them (引题 above 标题). Indented
lines are body text, including the section headings and bylines of a feature's profiles, so they
never cut an article. A flush block inside a body that lacks the page's per-article start mark
(``conventions``) is a section heading (小标题), not a header. Pages without that contrast are left to
the shape rules in ``zhaiyao.split.boundaries``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from zhaiyao.split import clean
from zhaiyao.split.conventions import NONE, Conventions
from zhaiyao.split.furniture import Furniture, parse_date_line
from zhaiyao.split.lines import (
    DASHES,
    HAN,
    HEADLINE_MAX,
    TAG_END,
    TITLE_MAX,
    Line,
    starts_with_bullet,
    title_shape,
)

_PADDED_NAME = re.compile(rf"^[{HAN}](?:[ \u3000]{{1,2}}[{HAN}]){{1,3}}$")


_PAPER_NAME = re.compile(rf"^[{HAN}]{{2,10}}(?:日报|晚报|早报|报)$")


# A line opening with an adverb that needs a subject (已累计… / 需防范… / 同比增长…) cannot stand as a
# headline: it continues the line above, so it is that title's 副题, not a title under an 引题.
_CONTINUES = re.compile(r"^(?:已|需|仍|均|同比|环比|将)")


_SENTENCE_MIN = 15  # a line this long ending in 。 is body text for the indentation census
_DATE_NOTE = re.compile(r"^[（(]\s*\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日\s*[）)]$")  # （2025年10月29日）
# An 引题 that reports who spoke: what was said, the title, may take more than one line.
_SPEECH_END = re.compile(r"(?:强调|表示|指出|要求|寄语|致信|致辞|讲话)$")
_PIECE_MAX = 8  # a line this short, three or more in a row: one headline broken over lines
_ASKS = re.compile(r"[？?][”’」』）)]*$")


def _name_like(text: str) -> bool:
    return bool(_PADDED_NAME.match(text)) or clean.is_lone_name(text)


def indent_contrast(lines: list[Line]) -> bool:
    """Body paragraphs indented, header lines flush left: the e-paper layout ``header_blocks`` reads."""
    sentences = [
        ln
        for ln in lines
        if ln.kind == "text" and len(ln.text) >= _SENTENCE_MIN and clean.ends_sentence(ln.text)
    ]
    if len(sentences) < 2:
        return False
    indented = sum(ln.indented for ln in sentences)
    heads = [ln for ln in lines if ln.kind == "text" and title_shape(ln.text) is not None]
    flush = sum(not ln.indented for ln in heads)
    # One flush headline over indented paragraphs and headings is as telling as several.
    return indented >= 0.8 * len(sentences) and (flush >= 2 or (flush == 1 and len(heads) == 1))


def masthead(lines: list[Line]) -> list[Line]:
    """The paper's name and the date on lines of their own at the top of the page are its masthead."""
    out = list(lines)
    for i, line in enumerate(lines[:4]):
        if line.kind == "furniture":
            continue
        if line.kind != "text":
            break
        found = parse_date_line(line.text)
        if found is None and _PAPER_NAME.match(line.text):
            found = Furniture("masthead", line.text, {"newspaper": line.text})
        if found is None:
            break
        out[i] = replace(line, kind="furniture", rule=f"masthead ({found.rule})", furniture=(found,))
    return out


def _is_candidate(line: Line, conv: Conventions = NONE) -> bool:
    if line.kind != "text" or line.indented:
        return False
    # A headline right above the page's per-article start mark may run past the usual length.
    limit = HEADLINE_MAX if line.number in conv.headlines else TITLE_MAX
    return title_shape(line.text, limit) is not None


def _in_body(out: list[Line]) -> bool:
    """The lines read so far end inside an article's body (not at the page's top or under a header)."""
    for line in reversed(out):
        if line.kind in ("furniture", "caption"):
            continue
        return line.kind in ("text", "heading")
    return False


def _marked(others: list[Line], after: Line | None, conv: Conventions) -> bool:
    """The block carries the page's start mark, or a dateline opens the text under it."""
    if any(conv.marks_start(o) for o in others) or (after is not None and conv.marks_start(after)):
        return True
    return after is not None and after.kind == "text" and clean.parse_dateline(after.text) is not None


def _headings(parts: list[tuple[int, str]], others: list[Line]) -> list[Line]:
    why = "header_block: 小标题 (inside a body, without the page's per-article start mark)"
    return [Line("heading", t, rule=why, number=n) for n, t in parts] + others


# How sure each reading of a block's unmarked lines is (title_confidence): one line cannot be misread;
# a cue (a column tag, a subjectless 已/将…, a question, a speaker) mostly decides; two bare lines are
# the known ambiguity (引题 + 标题 or 标题 + 副题: papers differ, and some mix both).
_SURE = {"one": 0.9, "tag": 0.8, "continues": 0.75, "asks": 0.75, "speaker": 0.7, "order": 0.55}


def _title_span(rest: list[tuple[int, str]], plain: bool = False) -> tuple[int, int, str, float]:
    """Which of a block's unmarked lines make the title: (first, end, why, confidence). E-papers print
    引题 above 标题; plain dumps (``plain``: no layout contrast) print 标题 above 副题."""
    if len(rest) == 1:
        return 0, 1, "header_block: the block's one unmarked line", _SURE["one"]
    if TAG_END.search(rest[0][1]) and not TAG_END.search(rest[-1][1]):
        why = "header_block: first line carries the column tag （…）, the next is its 副题"
        return 0, 1, why, _SURE["tag"]
    if len(rest) == 2 and _CONTINUES.match(rest[1][1]):
        why = "header_block: the next line opens with 已/需/将/同比…, so it continues the title (副题)"
        return 0, 1, why, _SURE["continues"]
    if _ASKS.search(rest[0][1]):
        why = "header_block: the first line asks, so it is the headline and the next its 副题"
        return 0, 1, why, _SURE["asks"]
    if len(rest) >= 3 and all(len(t) <= _PIECE_MAX for _, t in rest):
        return 0, len(rest), "header_block: three or more very short lines are one headline, broken", 0.6
    if len(rest) >= 3 and _SPEECH_END.search(rest[0][1]):
        why = "header_block: the 引题 says who spoke (…强调); the lines under it are the title"
        return 1, len(rest), why, _SURE["speaker"]
    if plain:
        why = "header_block: first unmarked line (plain dumps print 标题 above 副题)"
        return 0, 1, why, _SURE["order"]
    return 1, 2, "header_block: second unmarked line (引题 is printed above 标题)", _SURE["order"]


@dataclass(frozen=True)
class _Roles:
    title: str
    kicker: str | None
    subtitle: str | None
    author: str | None
    decisions: list[tuple[int, str, str, str]]  # (number, text, kind, why) per line, for --explain
    sure: float  # title_confidence

    def head(self, rule: str) -> Line:
        """The block as one title line carrying its 引题, 副题 and decisions."""
        number = next(d[0] for d in self.decisions if d[2] == "title")
        return Line(
            "title", self.title, rule=rule, number=number, kicker=self.kicker, subtitle=self.subtitle,
            absorbed=tuple(self.decisions), confidence=self.sure,
        )  # fmt: skip


def _roles(parts: list[tuple[int, str]], plain: bool = False) -> _Roles:
    """Title, kicker, subtitle, author and the decisions for the texts of one header block, in order."""
    decisions: list[tuple[int, str, str, str]] = []
    author = None
    if len(parts) >= 2 and _name_like(parts[-1][1]):
        number, author = parts.pop()
        decisions.append((number, author, "byline", "header_block: short name after the title"))
    subs = [(n, t) for n, t in parts if t.startswith(DASHES) or _DATE_NOTE.match(t)]
    kicks = [(n, t) for n, t in parts if t.endswith(DASHES) and (n, t) not in subs]
    rest = [(n, t) for n, t in parts if (n, t) not in subs and (n, t) not in kicks]
    for n, t in subs:
        decisions.append((n, t, "subtitle", "header_block: starts with —— or is a bracketed date"))
    for n, t in kicks:
        decisions.append((n, t, "kicker", "header_block: ends with ——"))
    sure_marked = None
    if not rest:  # only marked lines: the last 引题 is really the title
        rest = [kicks.pop()] if kicks else [subs.pop(0)]
        sure_marked = 0.7
        decisions = [d for d in decisions if d[0] != rest[0][0] or d[1] != rest[0][1]]
    first, end, why, sure = _title_span(rest, plain)
    pieces = [t for _, t in rest[first:end]]
    title = "".join(pieces) if all(len(t) <= _PIECE_MAX for t in pieces) else " ".join(pieces)
    for k, (n, t) in enumerate(rest):
        if k < first:
            kicks.append((n, t))
            decisions.append((n, t, "kicker", "header_block: unmarked line above the title"))
        elif k >= end:
            subs.append((n, t))
            decisions.append((n, t, "subtitle", "header_block: unmarked line under the title"))
        else:
            decisions.append((n, t, "title", why))
    kicker = " ".join(t for _, t in kicks) or None
    subtitle = " ".join(t for _, t in subs) or None
    return _Roles(title, kicker, subtitle, author, decisions, sure_marked or sure)


def header_blocks(lines: list[Line], conv: Conventions = NONE) -> list[Line]:
    """Turn each run of flush header lines into one title line carrying its 引题 and 副题.

    A run is flush text lines of title shape, with furniture (page stamps, source lines) and bylines
    in between; it ends at the first body line. The title line replaces the run's text lines; the
    furniture and byline lines follow it, so the article's header rules read them as before. On a
    page whose articles carry a start mark (``conv``), a run inside a body without one is 小标题.
    """
    out: list[Line] = []
    i = 0
    while i < len(lines):
        if not _is_candidate(lines[i], conv):
            out.append(lines[i])
            i += 1
            continue
        parts: list[tuple[int, str]] = []
        others: list[Line] = []
        j = i
        while j < len(lines):
            line = lines[j]
            if _is_candidate(line, conv):
                if others and not (_name_like(line.text) and not any(o.kind == "byline" for o in others)):
                    break  # a new header line after this block's stamp or byline starts the next block
                pieces = [p.strip() for p in line.text.split("\t") if p.strip()]
                parts += [(line.number, p) for p in pieces]
            elif line.kind in ("furniture", "byline") and not line.indented:
                others.append(line)
            else:
                break
            j += 1
        after = lines[j] if j < len(lines) else None
        if conv.start_shapes and _in_body(out) and not _marked(others, after, conv):
            out += _headings(parts, others)
            i = j
            continue
        roles = _roles(parts)
        out.append(roles.head("header_block"))
        author = roles.author
        if author is not None:
            number = next(d[0] for d in roles.decisions if d[2] == "byline")
            credit = clean.parse_credit(author) or clean.Credit(reporters=[re.sub(r"[ \u3000]", "", author)])
            out.append(Line("byline", author, credit=credit, rule="header_block_author", number=number))
        out += others
        i = j
    return out


_NOTE = re.compile(r"^[（(〔【\[].*[）)〕】\]]$")  # （李吉莲） / （作者系…）: a body's closing note
_BLOCK_MAX = 4  # header lines above a start mark: 引题, a title over two lines, 副题


def _block_above(lines: list[Line], mark: int) -> list[int]:
    """Indexes of the header lines right above the start mark at ``mark`` (up to the body above)."""
    found: list[int] = []
    i = mark - 1
    while i >= 0 and len(found) < _BLOCK_MAX:
        line = lines[i]
        if line.kind != "text" or (_NOTE.match(line.text) and not _DATE_NOTE.match(line.text)):
            break
        if starts_with_bullet(line.text):  # ■ 环卫工人刘师傅：… heads a profile inside a feature
            break
        if title_shape(line.text, HEADLINE_MAX) is None and not line.text.startswith(DASHES):
            break
        found.insert(0, i)
        i -= 1
    return found


def marked_blocks(lines: list[Line], conv: Conventions) -> list[Line]:
    """Pages without layout contrast whose articles carry a start mark: the short lines right above
    each mark are that article's header block (引题, 标题, 副题), read as on an e-paper page."""
    out = list(lines)
    for m, line in enumerate(lines):
        if not conv.marks_start(line) or (m and conv.marks_start(lines[m - 1])):
            continue
        k = m - 1
        while k >= 0 and lines[k].kind == "byline":  # 标题 / 作者 / 字数 line: the author is header too
            k -= 1
        block = _block_above(lines, k + 1)
        if not block:
            continue
        roles = _roles([(lines[i].number, lines[i].text) for i in block], plain=True)
        out[block[0]] = roles.head("header_block (above the page's start mark)")
        for i in block[1:]:
            out[i] = replace(lines[i], kind="absorbed")
    return [line for line in out if line.kind != "absorbed"]


def tab_headers(lines: list[Line]) -> list[Line]:
    """引题<TAB>标题<TAB>副题 on one line is a header block whatever the page's layout."""
    out = []
    for line in lines:
        pieces = [p.strip() for p in line.text.split("\t") if p.strip()] if "\t" in line.text else []
        if line.kind == "text" and len(pieces) >= 2 and all(title_shape(p) for p in pieces):
            line = _roles([(line.number, p) for p in pieces]).head("header_block")
        out.append(line)
    return out


_KICKER_MAX = 60


_KICKER_FORBIDDEN = re.compile(r"[。！？!?；;：:]")


def is_kicker(text: str) -> bool:
    if len(text) > _KICKER_MAX or clean.parse_dateline(text):
        return False
    if text.startswith(("——", "—")):  # ——访全国人大代表：张三 may carry a colon
        return not re.search(r"[。！？!?]", text)
    return not _KICKER_FORBIDDEN.search(text)
