"""Boundaries: where one article ends and the next begins, decided from the page as a whole.

Pages with Markdown headings are cut at them. Plain pages (every line alike) get their titles from
shape rules: a short unpunctuated line is a title when an article's header follows it (a byline, a
dateline, an author, a page stamp, or the page's own per-article start mark from ``conventions``),
after a 下转 marker, under a column name, or between short news items (简讯); a profile's bullet
heading never is. Then the page is cut into drafts, one per article, at titles and where a byline or
dateline follows a finished body (an article printed without a heading).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from zhaiyao.split import clean
from zhaiyao.split.conventions import NONE, Conventions
from zhaiyao.split.furniture import Furniture
from zhaiyao.split.headers import is_kicker
from zhaiyao.split.lines import HEADLINE_MAX, Line, starts_with_bullet, title_shape

_TITLE_MAX = 60


@dataclass
class Draft:
    title: str | None
    lines: list[Line] = field(default_factory=list)
    body_started: bool = False
    header: Line | None = None  # the title line, carrying a header block's 引题/副题

    def add(self, line: Line) -> None:
        # Under a title, kicker and author lines still belong to the header; any other text (or a
        # dateline) starts the body. The header rules in ``rule_header`` make the same call.
        if not self.body_started and line.kind == "text":
            header_like = self.title is not None and (is_kicker(line.text) or clean.is_lone_name(line.text))
            self.body_started = not header_like or clean.parse_dateline(line.text) is not None
        self.lines.append(line)

    def has_body(self) -> bool:
        return self.body_started


def has_markdown(lines: list[Line]) -> bool:
    return any(line.rule == "rule_markdown_heading" and line.kind != "text" for line in lines)


_BRACKETED = re.compile(r"^[（(〔【\[].*[）)〕】\]]$")


def _looks_like_title(text: str, limit: int = _TITLE_MAX) -> bool:
    # A colon makes a label (举报电话:0731-…) as often as a headline, so it needs the e-paper layout.
    # A line wholly in brackets is a note (（作者系…） under a body, （2025年10月29日） under a title).
    return (
        4 <= len(text) <= limit
        and not _BRACKETED.match(text)
        and ":" not in text
        and "：" not in text
        and title_shape(text, limit) is not None
    )


def _ends_with_onward_marker(line: Line) -> bool:
    if line.marker is not None:
        return line.marker[0] in ("下转", "转")
    return line.kind == "text" and clean.split_continuation(line.text)[1] in ("下转", "转")


def _opens_header(line: Line, conv: Conventions = NONE) -> bool:
    if conv.marks_start(line):
        return True
    if line.kind == "furniture":
        return any(f.rule in ("page_stamp", "source_line", "word_count") for f in line.furniture)
    return line.kind == "byline" or (
        line.kind == "text" and (clean.parse_dateline(line.text) is not None or clean.is_lone_name(line.text))
    )


def rule_plain_titles(lines: list[Line], conv: Conventions = NONE) -> list[Line]:
    """Pages without markdown headings: a short unpunctuated line is a title when an article's header
    follows it (past captions and at most one kicker line: a byline, a dateline paragraph or an
    author's name), or when it comes right after the 下转 marker that ended the previous article."""
    if has_markdown(lines):
        return lines
    out = list(lines)
    i = 0
    while i < len(lines):
        line = lines[i]
        limit = HEADLINE_MAX if line.number in conv.headlines else _TITLE_MAX
        if line.kind != "text" or not _looks_like_title(line.text, limit):
            i += 1
            continue
        j = i + 1
        while j < len(lines) and lines[j].kind == "caption":
            j += 1
        if j < len(lines) and not _opens_header(lines[j], conv) and _is_plain_kicker(lines[j]):
            j += 1
        if j < len(lines) and _opens_header(lines[j], conv):
            out[i] = replace(
                line, kind="title", rule="rule_plain_titles: a byline, dateline or author follows"
            )
            i = j  # the kicker in between is not a title of its own
            continue
        if i > 0 and _ends_with_onward_marker(lines[i - 1]):
            out[i] = replace(line, kind="title", rule="rule_plain_titles: right after a 下转 marker")
        elif i > 0 and _is_column(lines[i - 1]):
            out[i] = replace(line, kind="title", rule="rule_plain_titles: right under a column name")
        i += 1
    return out


_SHORT_ITEM = 2  # paragraphs


_SHORT_CHARS = 160


def _short_run(lines: list[Line], start: int, step: int) -> bool:
    """From ``start`` in direction ``step``: at most two short paragraphs up to a title (or, going
    forward, a line that may be the next item's title) or the page's edge."""
    paragraphs = 0
    i = start
    while 0 <= i < len(lines):
        line = lines[i]
        if line.kind == "title" or (
            step > 0 and i > start and _looks_like_title(line.text) and line.kind == "text"
        ):
            return True
        if line.kind == "text":
            paragraphs += 1
            if paragraphs > _SHORT_ITEM or len(line.text) > _SHORT_CHARS:
                return False
        i += step
    return True


def rule_short_items(lines: list[Line], conv: Conventions = NONE) -> list[Line]:
    """Pages of short news (简讯) without markdown: a short unpunctuated line between two finished
    paragraphs is the next item's title when the items on both sides are short (one or two short
    paragraphs each); a section heading inside a long report never is, nor a line led by a bullet.
    A page whose articles carry a start mark (``conv``) needs no guess: an unmarked line is 小标题."""
    if has_markdown(lines) or conv.start_shapes:
        return lines
    out = list(lines)
    for i in range(1, len(lines) - 1):
        line, before, after = lines[i], out[i - 1], lines[i + 1]
        if line.kind != "text" or not _looks_like_title(line.text) or starts_with_bullet(line.text):
            continue
        if not (before.kind == "text" and clean.ends_sentence(before.text)) or after.kind != "text":
            continue
        if clean.continues(line.text, after.text):  # half a sentence cut by a column break
            continue
        if _short_run(out, i - 1, -1) and _short_run(lines, i + 1, 1):
            out[i] = replace(line, kind="title", rule="rule_short_items: short items on both sides")
    return out


_SECTION_HEAD = re.compile(rf"^[{clean.HAN}A-Za-z0-9“”·]{{2,14}}[：:](?=.{{4,}})[^。；;0-9]+$")


def _is_section_head(line: Line) -> bool:
    if line.kind != "text" or len(line.text) > 40 or clean.ends_sentence(line.text):
        return False
    return starts_with_bullet(line.text) or bool(_SECTION_HEAD.match(line.text))


def rule_section_heads(lines: list[Line]) -> list[Line]:
    """Pages without markdown: a feature's profiles are headed by lines led by a bullet (■ 环卫工人
    刘师傅：…) or by a series of "who：what" lines (电力抢修工李强：哪里停电就去哪里). Such a line, with
    another like it under the same title, is a section heading inside the article, and the byline
    under it is the profile's, not a new article's."""
    if has_markdown(lines):
        return lines
    out = list(lines)
    heads = [i for i, line in enumerate(lines) if _is_section_head(line)]
    for i in heads:
        bullet = starts_with_bullet(lines[i].text)
        sibling = any(j != i and abs(j - i) <= 8 for j in heads)
        if bullet or sibling:
            out[i] = replace(lines[i], kind="heading", rule="rule_section_heads: a profile's heading")
    return out


def _is_plain_kicker(line: Line) -> bool:
    return line.kind == "text" and is_kicker(line.text) and not clean.is_date_only(line.text)


def rule_page_header(lines: list[Line]) -> list[Line]:
    """Short unpunctuated lines above the first title (株洲日报 2020年9月28日 A1 要闻) are the page's
    masthead, not an article; they are recorded on the first article as removed."""
    first = next((i for i, line in enumerate(lines) if line.kind == "title"), 0)
    head = lines[:first]
    if head and all(
        line.kind == "furniture" or (
            line.kind == "text" and len(line.text) <= 40 and not clean.ends_sentence(line.text)
            and not re.search(r"[。！？!?，,]", line.text) and clean.parse_dateline(line.text) is None
        )
        for line in head
    ):  # fmt: skip
        return [
            line if line.kind == "furniture" else replace(line, kind="furniture", rule="rule_page_header")
            for line in head
        ] + lines[first:]
    return lines


def _is_column(line: Line) -> bool:
    return any(f.rule == "column" for f in line.furniture)


def _starts_article(lines: list[Line], i: int) -> bool:
    """A byline block or a dateline paragraph opens an article when body text follows it."""
    line = lines[i]
    if line.kind == "text":
        return clean.parse_dateline(line.text) is not None
    if line.kind != "byline":
        return False
    for nxt in lines[i + 1 :]:
        if nxt.kind in ("byline", "caption"):
            continue
        return nxt.kind == "text"
    return False


def rule_untitled_articles(
    lines: list[Line], page_title: str | None = None, cut_untitled: bool = True
) -> list[Draft]:
    """Cut at titles, and (``cut_untitled``) where a byline block or dateline follows a finished body:
    there a new article without a heading begins (its title stays None). E-paper pages whose header
    blocks were read from the layout pass ``cut_untitled=False``: there an indented byline inside a
    body is a feature's profile, not a new article."""
    drafts = [Draft(page_title)]
    for i, line in enumerate(lines):
        current = drafts[-1]
        if line.kind == "title":
            if current.title is not None and line.text.startswith("—") and not current.body_started:
                # ## ——记… right under a title is its subtitle (副题), not a new article.
                current.add(Line("heading", line.text))
            else:
                # Two titles in a row stay two articles (the first then has no text, and says so
                # downstream): in page dumps each headline gets its own line, so an empty one is a
                # story whose text is elsewhere (a photo, a pointer to another page), not a kicker.
                # A column name (栏目) printed just above the title belongs to the article it heads.
                column: list[Line] = []
                while (
                    current.lines and current.lines[-1].kind == "furniture" and _is_column(current.lines[-1])
                ):
                    column.insert(0, current.lines.pop())
                drafts.append(Draft(line.text, lines=column, header=line))
        elif (
            cut_untitled
            and current.has_body()
            and _starts_article(lines, i)
            and lines[i - 1].kind != "heading"
        ):
            # Photos printed just above the byline belong to the article that starts there.
            moved: list[Line] = []
            while current.lines and current.lines[-1].kind == "caption":
                moved.insert(0, current.lines.pop())
            drafts.append(Draft(None))
            for moved_line in [*moved, line]:
                drafts[-1].add(moved_line)
        else:
            current.add(line)
    # Leading matter with neither heading nor body (a caption above the first title) belongs to the
    # article below it, so it is not lost.
    merged: list[Draft] = []
    carry: list[Line] = []
    for draft in drafts:
        if draft.title is None and not any(line.kind == "text" for line in draft.lines):
            carry.extend(draft.lines)
            continue
        draft.lines[:0] = carry
        carry = []
        merged.append(draft)
    if carry and merged:
        merged[-1].lines.extend(carry)
    elif carry:
        merged.append(Draft(None, carry, body_started=True))
    return merged


_CONTENTS = re.compile(r"^[【\[（(]?\s*(?:本期|今日|本版|本刊)?(?:导读|要目|目录)\s*[】\]）)]?$")


def rule_contents_box(drafts: list[Draft]) -> list[Draft]:
    """A 导读 / 本期导读 box lists what is on other pages: not an article. Its lines become furniture
    of the article before it (or after it, at the page's top), recorded as removed."""
    out: list[Draft] = []
    pending: list[Line] = []
    for draft in drafts:
        if draft.title is not None and _CONTENTS.match(draft.title.strip()):
            head = [draft.header or Line("title", draft.title)]
            pending += [
                replace(
                    ln,
                    kind="furniture",
                    rule="rule_contents_box",
                    furniture=(Furniture("contents_box", ln.text),),
                )
                for ln in head + draft.lines
            ]
            continue
        if pending and out:
            out[-1].lines.extend(pending)
        elif pending:
            draft.lines[:0] = pending
        pending = []
        out.append(draft)
    if pending and out:
        out[-1].lines.extend(pending)
    return out if out else drafts
