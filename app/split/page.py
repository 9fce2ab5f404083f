"""Page → articles: newspaper layout rules, one named function per rule.

A page dump is a sequence of lines. Each line is first classified (title, subheading, sidebar
heading, byline, caption, continuation marker, text); then the page is cut into articles at titles
and at a byline or dateline that follows a finished article body (an article printed without a
heading); then each article's header (subtitle, kicker, author, bylines, captions, dateline) is read
into fields and its body cleaned by the rules in ``zhaiyao.split.clean``. Everything taken out of a body is
kept in ``Article.removed`` with the rule that took it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from zhaiyao.documents import Article, Page, Removal, Sidebar
from zhaiyao.split import clean, furniture
from zhaiyao.split import plain as split_plain
from zhaiyao.split.plain import Line

_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_TITLE_MAX = 60
_KICKER_MAX = 60
_KICKER_FORBIDDEN = re.compile(r"[。！？!?；;：:]")
_METADATA = ("byline", "caption", "marker", "furniture")


@dataclass
class _Draft:
    title: str | None
    lines: list[Line] = field(default_factory=list)
    body_started: bool = False
    header: Line | None = None  # the title line, carrying a header block's 引题/副题

    def add(self, line: Line) -> None:
        # Under a title, kicker and author lines still belong to the header; any other text (or a
        # dateline) starts the body. The header rules in ``rule_header`` make the same call.
        if not self.body_started and line.kind == "text":
            header_like = self.title is not None and (_is_kicker(line.text) or clean.is_lone_name(line.text))
            self.body_started = not header_like or clean.parse_dateline(line.text) is not None
        self.lines.append(line)

    def has_body(self) -> bool:
        return self.body_started


@dataclass
class _Builder:
    """Mutable state while one article is put together; frozen into an Article at the end."""

    title: str | None
    subtitles: list[str] = field(default_factory=list)
    dateline: str | None = None
    credit: clean.Credit = field(default_factory=clean.Credit)
    captions: list[str] = field(default_factory=list)
    sidebars: list[Sidebar] = field(default_factory=list)
    continued_on: str | None = None
    paragraphs: list[str] = field(default_factory=list)
    headings: set[int] = field(default_factory=set)  # indexes of in-body section headings
    resumes: set[int] = field(default_factory=set)  # paragraphs that finish a sentence a box cut off
    removed: list[Removal] = field(default_factory=list)
    kicker: str | None = None
    meta: dict[str, str | int] = field(default_factory=dict)  # furniture fields, first seen wins
    credits: list[str] = field(default_factory=list)

    def remove(self, rule: str, text: str) -> None:
        self.removed.append(Removal(rule, text))

    def lift(self, items: tuple[furniture.Furniture, ...]) -> None:
        """Record furniture taken off a line and keep what it says in the article's fields."""
        for item in items:
            self.remove(item.rule, item.text)
            for name, value in item.fields.items():
                if name == "credit":
                    self.credits.append(str(value))
                elif name != "byline":
                    self.meta.setdefault(name, value)


# ----------------------------------------------------------------------------------------------
# Line rules: what a single line is, judged on its own.


def rule_markdown_heading(raw: str) -> Line | None:
    """``# T`` / ``## T`` is an article title; ``###`` and deeper a subheading or a sidebar heading."""
    m = _HEADING.match(raw)
    if not m:
        return None
    text = m.group(2).strip()
    if not text:
        return Line("text", "")
    if clean.is_sidebar_heading(text):
        return Line("sidebar", text)
    return Line("title" if len(m.group(1)) <= 2 else "heading", text)


def rule_continuation_line(raw: str) -> Line | None:
    """A line that is only a continuation marker (>>> 下转 A2版② / （上接第1版））."""
    rest, direction, where = clean.split_continuation(raw)
    if direction and where and not rest.strip():
        return Line("marker", raw, marker=(direction, where))
    return None


def rule_byline(raw: str) -> Line | None:
    """株洲日报记者 X / 通讯员/X Y / ■记者 X / （记者 X 通讯员 Y） / 文/X 图/Y."""
    credit = clean.parse_credit(raw)
    return Line("byline", raw, credit=credit) if credit else None


def rule_caption(raw: str) -> Line | None:
    """Photo captions: text ending in 记者 X 摄 / 图/X, or led by 图为 / ▲."""
    found = clean.parse_caption(raw)
    if found is None:
        return None
    caption, credit = found
    return Line("caption", raw, credit=credit, caption=caption)


def rule_plain_sidebar(raw: str) -> Line | None:
    """A short un-marked line such as 【相关链接】 opening a boxed sidebar."""
    if len(raw) <= 30 and clean.is_sidebar_heading(raw) and not clean.ends_sentence(raw):
        return Line("sidebar", raw.strip("【】[] "))
    return None


def _credit_or_name(text: str) -> clean.Credit:
    found = clean.parse_credit(text)
    return found if found else clean.Credit(reporters=[re.sub(r"[ \u3000]", "", text)])


def rule_furniture_line(raw: str) -> Line | None:
    """A whole line of e-paper furniture: （ 2024-03-08 ） 稿件来源：… / 本版责编：… / 第04版：要闻 /
    作者：X　字数：N (that one also names the author, so it is a byline carrying furniture)."""
    found = furniture.parse_line(raw)
    if found is None:
        return None
    byline = found.fields.get("byline")
    if byline:
        return Line("byline", str(byline), credit=_credit_or_name(str(byline)), furniture=(found,))
    return Line("furniture", raw, furniture=(found,))


def rule_page_stamp(raw: str) -> Line | None:
    """《人民日报》（2024年03月08日 第 04 版）: alone, after a byline, or (rarely) after a paragraph."""
    rest, found = furniture.strip_stamp(raw)
    if found is None:
        return None
    if not rest:
        return Line("furniture", raw, furniture=(found,))
    if len(rest) > 40 or clean.ends_sentence(rest):
        return Line("text", rest, furniture=(found,))
    return Line("byline", rest, credit=_credit_or_name(rest), furniture=(found,))


def rule_column(raw: str) -> Line | None:
    """【南方评论】 / ■科技观察 on a line of its own: the article's column (栏目)."""
    found = furniture.parse_column(raw)
    return Line("furniture", raw, furniture=(found,)) if found else None


_LINE_RULES: tuple[Callable[[str], Line | None], ...] = (
    rule_markdown_heading,
    rule_furniture_line,
    rule_page_stamp,
    rule_continuation_line,
    rule_byline,
    rule_caption,
    rule_plain_sidebar,
    rule_column,
)
_INDENT = (" ", "\u3000", "\t", "\u00a0")


def classify(raw: str) -> Line:
    for rule in _LINE_RULES:
        line = rule(raw)
        if line is not None:
            return replace(line, rule=rule.__name__)
    return Line("text", raw, rule="text")


def _lines(text: str) -> list[Line]:
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    out = []
    for number, raw in enumerate(text.split("\n"), 1):
        stripped = raw.strip()
        if stripped:
            line = classify(stripped)
            if line.text:
                out.append(replace(line, number=number, indented=raw.startswith(_INDENT)))
    return out


# ----------------------------------------------------------------------------------------------
# Page rules: where one article ends and the next begins.


def _has_markdown(lines: list[Line]) -> bool:
    return any(line.rule == "rule_markdown_heading" and line.kind != "text" for line in lines)


def _looks_like_title(text: str) -> bool:
    # A colon makes a label (举报电话:0731-…) as often as a headline, so it needs the e-paper layout.
    return (
        4 <= len(text) <= _TITLE_MAX
        and ":" not in text
        and "：" not in text
        and split_plain.title_shape(text, _TITLE_MAX) is not None
    )


def _ends_with_onward_marker(line: Line) -> bool:
    if line.marker is not None:
        return line.marker[0] in ("下转", "转")
    return line.kind == "text" and clean.split_continuation(line.text)[1] in ("下转", "转")


def _opens_header(line: Line) -> bool:
    if line.kind == "furniture":
        return any(f.rule in ("page_stamp", "source_line", "word_count") for f in line.furniture)
    return line.kind == "byline" or (
        line.kind == "text" and (clean.parse_dateline(line.text) is not None or clean.is_lone_name(line.text))
    )


def rule_plain_titles(lines: list[Line]) -> list[Line]:
    """Pages without markdown headings: a short unpunctuated line is a title when an article's header
    follows it (past captions and at most one kicker line: a byline, a dateline paragraph or an
    author's name), or when it comes right after the 下转 marker that ended the previous article."""
    if _has_markdown(lines):
        return lines
    out = list(lines)
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.kind != "text" or not _looks_like_title(line.text):
            i += 1
            continue
        j = i + 1
        while j < len(lines) and lines[j].kind == "caption":
            j += 1
        if j < len(lines) and not _opens_header(lines[j]) and _is_plain_kicker(lines[j]):
            j += 1
        if j < len(lines) and _opens_header(lines[j]):
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


def rule_short_items(lines: list[Line]) -> list[Line]:
    """Pages of short news (简讯) without markdown: a short unpunctuated line between two finished
    paragraphs is the next item's title when the items on both sides are short (one or two short
    paragraphs each); a section heading inside a long report never is, nor a line led by a bullet."""
    if _has_markdown(lines):
        return lines
    out = list(lines)
    for i in range(1, len(lines) - 1):
        line, before, after = lines[i], out[i - 1], lines[i + 1]
        if (
            line.kind != "text"
            or not _looks_like_title(line.text)
            or split_plain.starts_with_bullet(line.text)
        ):
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
    return split_plain.starts_with_bullet(line.text) or bool(_SECTION_HEAD.match(line.text))


def rule_section_heads(lines: list[Line]) -> list[Line]:
    """Pages without markdown: a feature's profiles are headed by lines led by a bullet (■ 环卫工人
    刘师傅：…) or by a series of "who：what" lines (电力抢修工李强：哪里停电就去哪里). Such a line, with
    another like it under the same title, is a section heading inside the article, and the byline
    under it is the profile's, not a new article's."""
    if _has_markdown(lines):
        return lines
    out = list(lines)
    heads = [i for i, line in enumerate(lines) if _is_section_head(line)]
    for i in heads:
        bullet = split_plain.starts_with_bullet(lines[i].text)
        sibling = any(j != i and abs(j - i) <= 8 for j in heads)
        if bullet or sibling:
            out[i] = replace(lines[i], kind="heading", rule="rule_section_heads: a profile's heading")
    return out


def _is_plain_kicker(line: Line) -> bool:
    return line.kind == "text" and _is_kicker(line.text) and not clean.is_date_only(line.text)


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
) -> list[_Draft]:
    """Cut at titles, and (``cut_untitled``) where a byline block or dateline follows a finished body:
    there a new article without a heading begins (its title stays None). E-paper pages whose header
    blocks were read from the layout pass ``cut_untitled=False``: there an indented byline inside a
    body is a feature's profile, not a new article."""
    drafts = [_Draft(page_title)]
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
                drafts.append(_Draft(line.text, lines=column, header=line))
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
            drafts.append(_Draft(None))
            for moved_line in [*moved, line]:
                drafts[-1].add(moved_line)
        else:
            current.add(line)
    # Leading matter with neither heading nor body (a caption above the first title) belongs to the
    # article below it, so it is not lost.
    merged: list[_Draft] = []
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
        merged.append(_Draft(None, carry, body_started=True))
    return merged


# ----------------------------------------------------------------------------------------------
# Article rules: the header fields and the body of one article.


def _is_kicker(text: str) -> bool:
    if len(text) > _KICKER_MAX or clean.parse_dateline(text):
        return False
    if text.startswith(("——", "—")):  # ——访全国人大代表：张三 may carry a colon
        return not re.search(r"[。！？!?]", text)
    return not _KICKER_FORBIDDEN.search(text)


def _header_follows(lines: list[Line], i: int) -> bool:
    """The line after a kicker candidate belongs to the header (byline, caption, dateline, author)."""
    if i + 1 >= len(lines):
        return False
    nxt = lines[i + 1]
    if nxt.kind in ("byline", "caption", "heading"):
        return True
    return nxt.kind == "text" and (
        clean.parse_dateline(nxt.text) is not None or clean.is_lone_name(nxt.text) or _is_kicker(nxt.text)
    )


def rule_header(lines: list[Line], art: _Builder, guess: bool = True) -> int:
    """Read subtitle, kicker, author, bylines, captions and dateline; return where the body starts.

    With ``guess=False`` (a header block read from the layout already named them) the text lines
    under the title are never taken for an author or a subtitle: they are the body."""
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.kind == "heading" and art.title is not None:
            art.subtitles.append(line.text)
            art.remove("subtitle", line.text)
        elif line.kind in _METADATA:
            rule_metadata_line(line, art)
        elif line.kind == "text":
            dl = clean.parse_dateline(line.text)
            if dl is not None:
                art.dateline = dl.dateline
                art.remove("dateline", dl.removed)
                if dl.credit:
                    art.credit.merge(dl.credit)
                return i + 1 if not dl.rest else _replace_first(lines, i, dl.rest)
            if not guess:
                return i
            if art.title is not None and clean.is_lone_name(line.text) and not art.credit.reporters:
                art.credit.reporters.append(line.text.replace("\u3000", "").replace(" ", ""))
                art.remove("author", line.text)
            elif art.title is not None and _is_kicker(line.text) and _header_follows(lines, i):
                art.subtitles.append(line.text)
                art.remove("subtitle", line.text)
            else:
                return i
        else:
            return i
        i += 1
    return i


def _replace_first(lines: list[Line], i: int, text: str) -> int:
    lines[i] = Line("text", text)
    return i


def rule_metadata_line(line: Line, art: _Builder) -> None:
    """Bylines and credits to their role lists, captions to captions, markers to continued_on."""
    if line.kind == "furniture":
        if line.furniture:
            art.lift(line.furniture)
        else:
            art.remove("page_header", line.text)
        return
    art.lift(line.furniture)
    if line.marker is not None:
        direction, where = line.marker
        if direction in ("下转", "转") and art.continued_on is None:
            art.continued_on = where
        art.remove("continuation", line.text)
        return
    if line.credit:
        art.credit.merge(line.credit)
    if line.kind == "caption":
        if line.caption:
            art.captions.append(clean.normalise_width(line.caption))
        art.remove("caption", line.text)
    else:
        art.remove("byline", line.text)


def rule_sidebar(lines: list[Line], i: int, art: _Builder) -> int:
    """Lift a boxed sidebar (### 相关链接 …) out of the body; return the index after it.

    When the body was cut mid-sentence to make room for the box, the box ends at its own first
    unfinished paragraph (it was cut by the same column break) and the body sentence resumes after
    it; otherwise the box runs to the next heading or the article's end.
    """
    heading = lines[i].text
    last = len(art.paragraphs) - 1
    interrupted = last >= 0 and last not in art.headings and not clean.ends_sentence(art.paragraphs[last])
    body: list[str] = []
    after_first = None
    j = i + 1
    while j < len(lines) and lines[j].kind in ("text", "caption"):
        if lines[j].kind == "caption":
            rule_metadata_line(lines[j], art)
            j += 1
            continue
        body.append(lines[j].text)
        j += 1
        after_first = after_first or j
        if interrupted and not clean.ends_sentence(body[-1]):
            break
    else:
        if interrupted and len(body) > 1 and after_first is not None:
            # The box never broke off: take its first paragraph only, so the body sentence resumes.
            j = after_first
            body = body[:1]
    if interrupted and j < len(lines) and lines[j].kind == "text":
        # Whatever its length, the sentence the box interrupted resumes in the next paragraph.
        art.resumes.add(len(art.paragraphs))
    text = "\n".join(clean.normalise_width(p) for p in body)
    art.sidebars.append(Sidebar(clean.normalise_width(heading), text))
    art.remove("sidebar", "\n".join([heading, *body]))
    return j


def rule_body(lines: list[Line], art: _Builder) -> None:
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.kind == "sidebar":
            i = rule_sidebar(lines, i, art)
            continue
        if line.kind in _METADATA:
            rule_metadata_line(line, art)
        elif line.kind in ("heading", "title"):
            # A section heading inside an article (### “@贷”,改变…) stays in the body as a paragraph
            # of its own; it never absorbs the next paragraph.
            art.headings.add(len(art.paragraphs))
            art.paragraphs.append(line.text)
        else:
            art.lift(line.furniture)
            text, marker = clean.split_leading_continuation(line.text)
            if marker:
                art.remove("continuation", marker)
            rest, direction, where = clean.split_continuation(text)
            if direction:
                if direction in ("下转", "转") and art.continued_on is None:
                    art.continued_on = where
                art.remove("continuation", text[len(rest) :].strip())
            if rest:
                art.paragraphs.append(rest)
        i += 1


def rule_clean_body(art: _Builder) -> list[str]:
    """Dedupe verbatim repeats, rejoin column breaks, then width-normalise punctuation."""
    headings = {art.paragraphs[i] for i in art.headings}
    paragraphs: list[str] = []
    for i, para in enumerate(art.paragraphs):
        if i in art.resumes and paragraphs:
            paragraphs[-1] += para
        else:
            paragraphs.append(para)
    kept, dropped = clean.dedupe_paragraphs(paragraphs)
    for para in dropped:
        art.remove("duplicate_paragraph", para)
    fixed = {i for i, p in enumerate(kept) if p in headings}
    joined = clean.rejoin_column_breaks(kept, fixed)
    return [clean.normalise_width(p) for p in joined]


def _tidy_heading(text: str) -> str:
    return clean.normalise_width(" ".join(text.split()))


def _build(draft: _Draft, page: Page, index: int) -> Article:
    art = _Builder(title=draft.title)
    head = draft.header
    if head is not None and head.kicker:
        art.kicker = head.kicker
        art.remove("kicker", head.kicker)
    if head is not None and head.subtitle:
        art.subtitles.append(head.subtitle)
        art.remove("subtitle", head.subtitle)
    lines = list(draft.lines)
    start = rule_header(lines, art, guess=head is None or head.rule != "header_block")
    rule_body(lines[start:], art)
    paragraphs = rule_clean_body(art)
    if not paragraphs and art.captions:
        # A photo story: the captions are all the text there is, so they are also its body.
        paragraphs = list(art.captions)
    credit = art.credit
    for name in credit.editors:
        art.remove("editor", name)
    return Article(
        page=page.source,
        index=index,
        title=_tidy_heading(art.title) if art.title else None,
        text="\n".join(paragraphs),
        subtitle=_tidy_heading(" ".join(art.subtitles)) if art.subtitles else None,
        dateline=art.dateline,
        reporters=tuple(credit.reporters),
        correspondents=tuple(credit.correspondents),
        photographers=tuple(credit.photographers),
        captions=tuple(art.captions),
        sidebars=tuple(art.sidebars),
        continued_on=art.continued_on,
        removed=tuple(art.removed),
        kicker=_tidy_heading(art.kicker) if art.kicker else None,
        column=_meta_str(art.meta, "column"),
        word_count=int(art.meta["word_count"]) if "word_count" in art.meta else None,
        credits=tuple(art.credits),
        **{name: _meta_str(art.meta, name) for name in _PAGE_FIELDS},
    )


_PAGE_FIELDS = ("newspaper", "issue_date", "page_number", "page_name")


def _meta_str(meta: dict[str, str | int], name: str) -> str | None:
    return str(meta[name]) if name in meta else None


def _page_wide(articles: list[Article]) -> list[Article]:
    """What the page's furniture says about the whole page (paper, date, 版, credits) goes on every
    article of it; each removal stays recorded on the article whose text it was taken from."""
    found: dict[str, str] = {}
    for article in articles:
        for name in _PAGE_FIELDS:
            value = getattr(article, name)
            if value is not None:
                found.setdefault(name, value)
    credits = tuple(c for a in articles for c in a.credits)
    if not found and not credits:
        return articles
    return [
        replace(
            a,
            credits=credits,
            **{name: getattr(a, name) or found.get(name) for name in _PAGE_FIELDS},
        )
        for a in articles
    ]


def read_page(page: Page) -> tuple[list[Line], list[_Draft]]:
    """The page's lines as classified, and its drafts (one per article), by the page's layout:
    markdown headings; an e-paper layout of flush headers over indented paragraphs; or plain lines
    whose titles are found by the shape rules."""
    lines = _lines(page.text)
    if page.kind == "article":
        lines = [replace(ln, kind="heading") if ln.kind == "title" else ln for ln in lines]
        return lines, [_Draft(page.title, lines)]
    if _has_markdown(lines):
        lines = rule_page_header(lines)
        return lines, rule_untitled_articles(lines)
    lines = split_plain.masthead(lines)
    if split_plain.indent_contrast(lines):
        lines = rule_page_header(split_plain.header_blocks(lines))
        return lines, rule_untitled_articles(lines, cut_untitled=False)
    lines = rule_section_heads(split_plain.tab_headers(lines))
    lines = rule_page_header(rule_short_items(rule_plain_titles(lines)))
    return lines, rule_untitled_articles(lines)


def split_page(page: Page) -> list[Article]:
    """Split a page into clean articles, in page order (index from 1).

    A ``kind="article"`` page (a JSONL/CSV row, an HTML article) is one article: it is cleaned and
    its header read, but never cut. Drafts that end up with neither title nor text are not returned
    as articles; their lines are kept in the following article's header. A page whose source delimited
    its articles (``page.parts``: a feed, an e-paper's links) is not split: its parts are its articles.
    """
    if page.parts:
        return [replace(a, page=page.source, index=i) for i, a in enumerate(page.parts, start=1)]
    _, drafts = read_page(page)
    articles: list[Article] = []
    for draft in drafts:
        article = _build(draft, page, len(articles) + 1)
        if article.title is None and not article.text and not article.sidebars and page.kind != "article":
            continue
        articles.append(article)
    return _page_wide(articles)


@dataclass(frozen=True)
class Explanation:
    number: int  # 1-based line number in the page
    kind: str
    rule: str
    text: str


def explain_page(page: Page) -> list[Explanation]:
    """Each non-blank line of the page with the class it got and the rule that decided it."""
    lines, _ = read_page(page)
    out: list[Explanation] = []
    for line in lines:
        if line.absorbed:
            out += [Explanation(n, kind, rule, text) for n, text, kind, rule in line.absorbed]
            continue
        rule = line.rule
        lifted = [f.rule for f in line.furniture if f.rule not in rule]
        if lifted:
            rule = f"{rule}: lifted {', '.join(lifted)}"
        out.append(Explanation(line.number, line.kind, rule, line.text))
    order = {"kicker": 0, "title": 1, "subtitle": 2, "byline": 3}
    return sorted(out, key=lambda e: (e.number, order.get(e.kind, 4)))
