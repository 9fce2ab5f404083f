"""One article from its draft: header fields read, furniture lifted, body cleaned.

A draft (``boundaries``) holds an article's lines. Its header (subtitle, kicker, author, bylines,
captions, dateline) is read into fields, e-paper furniture is lifted into fields (``furniture``), the
body's sidebars are boxed, and the paragraphs are cleaned by the rules in ``clean`` (dedupe, rejoin
column breaks, width). Everything taken out of a body is kept in ``Article.removed`` with its rule.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from zhaiyao.documents import Article, Page, Removal, Sidebar
from zhaiyao.split import clean, furniture
from zhaiyao.split.boundaries import Draft
from zhaiyao.split.headers import is_kicker
from zhaiyao.split.lines import Line

_METADATA = ("byline", "caption", "marker", "furniture")


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


def _header_follows(lines: list[Line], i: int) -> bool:
    """The line after a kicker candidate belongs to the header (byline, caption, dateline, author)."""
    if i + 1 >= len(lines):
        return False
    nxt = lines[i + 1]
    if nxt.kind in ("byline", "caption", "heading"):
        return True
    return nxt.kind == "text" and (
        clean.parse_dateline(nxt.text) is not None or clean.is_lone_name(nxt.text) or is_kicker(nxt.text)
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
            elif art.title is not None and is_kicker(line.text) and _header_follows(lines, i):
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


def build_article(draft: Draft, page: Page, index: int) -> Article:
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


def page_wide(articles: list[Article]) -> list[Article]:
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
