"""Page → articles: the splitter's entry point.

``read_page`` reads a page's lines (``lines``), learns the page's own conventions (``conventions``),
finds its header blocks (``headers``) and cuts it into drafts (``boundaries``); ``split_page`` builds
one clean article per draft (``articles``); ``explain_page`` lists every line with its class and rule.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from zhaiyao.documents import Article, Page
from zhaiyao.split import boundaries, confidence, conventions, headers
from zhaiyao.split.articles import build_article, page_wide
from zhaiyao.split.boundaries import Draft
from zhaiyao.split.conventions import Conventions
from zhaiyao.split.lines import Line, read_lines


def read_page(page: Page) -> tuple[list[Line], list[Draft]]:
    """The page's lines as classified, and its drafts (one per article), by the page's layout:
    markdown headings; an e-paper layout of flush headers over indented paragraphs; or plain lines
    whose titles are found by the shape rules (and the page's own start marks)."""
    lines, drafts, _ = _read(page)
    return lines, drafts


def _read(page: Page) -> tuple[list[Line], list[Draft], Conventions]:
    lines = read_lines(page.text)
    if page.kind == "article":
        lines = [replace(ln, kind="heading") if ln.kind == "title" else ln for ln in lines]
        return lines, [Draft(page.title, lines)], conventions.NONE
    if boundaries.has_markdown(lines):
        lines = boundaries.rule_page_header(lines)
        drafts = boundaries.rule_contents_box(boundaries.rule_untitled_articles(lines))
        return lines, drafts, conventions.NONE
    lines = headers.masthead(lines)
    contrast = headers.indent_contrast(lines)
    conv = conventions.learn(lines, flush_headlines=contrast)
    lines = conventions.lift_marks(lines, conv)
    if contrast:
        lines = boundaries.rule_page_header(headers.header_blocks(lines, conv))
        drafts = boundaries.rule_untitled_articles(lines, cut_untitled=False)
        return lines, boundaries.rule_contents_box(drafts), conv
    lines = boundaries.rule_section_heads(headers.tab_headers(lines))
    if conv.start_shapes:
        lines = headers.marked_blocks(lines, conv)
    lines = boundaries.rule_short_items(boundaries.rule_plain_titles(lines, conv), conv)
    lines = boundaries.rule_page_header(lines)
    return lines, boundaries.rule_contents_box(boundaries.rule_untitled_articles(lines)), conv


def _sure(drafts: list[Draft], conv: Conventions, page: Page) -> list[confidence.Confidence | None]:
    if page.kind == "article":
        return [None] * len(drafts)
    return [confidence.of_draft(d, conv, first=k == 0) for k, d in enumerate(drafts)]


def split_page(page: Page) -> list[Article]:
    """Split a page into clean articles, in page order (index from 1), each with how sure its start
    and its title are (``boundary_confidence``, ``title_confidence``).

    A ``kind="article"`` page (a JSONL/CSV row, an HTML article) is one article: it is cleaned and
    its header read, but never cut. Drafts that end up with neither title nor text are not returned
    as articles; their lines are kept in the following article's header. A page whose source delimited
    its articles (``page.parts``: a feed, an e-paper's links) is not split: its parts are its articles.
    """
    if page.parts:
        return [replace(a, page=page.source, index=i) for i, a in enumerate(page.parts, start=1)]
    _, drafts, conv = _read(page)
    articles: list[Article] = []
    for draft, sure in zip(drafts, _sure(drafts, conv, page), strict=True):
        article = build_article(draft, page, len(articles) + 1)
        if article.title is None and not article.text and not article.sidebars and page.kind != "article":
            continue
        if sure is not None:
            article = replace(article, boundary_confidence=sure.boundary, title_confidence=sure.title)
        articles.append(article)
    if page.fields:
        articles = [with_row_fields(a, dict(page.fields)) for a in articles]
    return page_wide(articles)


# A row's fields (zhaiyao.sources.files.ROW_FIELDS) and the article fields they fill: what the row
# says is taken over what the cleaner read from its text.
_ROW_TO_ARTICLE = {
    "id": "source_id",
    "paper": "newspaper",
    "date": "issue_date",
    "page": "page_number",
    "kicker": "kicker",
    "subtitle": "subtitle",
}


_NUMBERED_PAGE = re.compile(r"^\s*([A-Za-z]?\d+)\s*版\s*[：:]?\s*(.*)$")


def with_row_fields(article: Article, fields: dict[str, str]) -> Article:
    changes = {_ROW_TO_ARTICLE[k]: v for k, v in fields.items() if k in _ROW_TO_ARTICLE}
    numbered = _NUMBERED_PAGE.match(changes.get("page_number", ""))
    if numbered:  # "01版：要闻" as the feeds print it: 版次 and 版名
        changes["page_number"] = numbered.group(1)
        if numbered.group(2):
            changes["page_name"] = numbered.group(2)
    return replace(article, **changes)


@dataclass(frozen=True)
class Explanation:
    number: int  # 1-based line number in the page
    kind: str
    rule: str
    text: str
    confidence: str = ""  # on the line that starts an article: how sure its boundary and title are


def _start_notes(drafts: list[Draft], conv: Conventions, page: Page) -> dict[int, str]:
    notes: dict[int, str] = {}
    for draft, sure in zip(drafts, _sure(drafts, conv, page), strict=True):
        first = draft.header or next(iter(draft.lines), None)
        if sure is None or first is None:
            continue
        title = "none" if sure.title is None else f"{sure.title:.2f}"
        why = ", ".join(sure.signals) or "page top"
        notes[first.number] = f"article starts: boundary {sure.boundary:.2f} ({why}); title {title}"
    return notes


def explain_page(page: Page) -> list[Explanation]:
    """Each non-blank line of the page with the class it got and the rule that decided it; the line
    where an article starts also says how sure its boundary and title are."""
    lines, drafts, conv = _read(page)
    notes = _start_notes(drafts, conv, page)
    out: list[Explanation] = []
    for line in lines:
        note = notes.get(line.number, "")
        if line.absorbed:
            out += [
                Explanation(n, kind, rule, text, note if kind == "title" else "")
                for n, text, kind, rule in line.absorbed
            ]
            continue
        rule = line.rule
        lifted = [f.rule for f in line.furniture if f.rule not in rule]
        if lifted:
            rule = f"{rule}: lifted {', '.join(lifted)}"
        out.append(Explanation(line.number, line.kind, rule, line.text, note))
    order = {"kicker": 0, "title": 1, "subtitle": 2, "byline": 3}
    return sorted(out, key=lambda e: (e.number, order.get(e.kind, 4)))
