"""Page → articles: the splitter's entry point.

``read_page`` reads a page's lines (``lines``), learns the page's own conventions (``conventions``),
finds its header blocks (``headers``) and cuts it into drafts (``boundaries``); ``split_page`` builds
one clean article per draft (``articles``); ``explain_page`` lists every line with its class and rule.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from zhaiyao.documents import Article, Page
from zhaiyao.split import boundaries, conventions, headers
from zhaiyao.split.articles import build_article, page_wide
from zhaiyao.split.boundaries import Draft
from zhaiyao.split.lines import Line, read_lines


def read_page(page: Page) -> tuple[list[Line], list[Draft]]:
    """The page's lines as classified, and its drafts (one per article), by the page's layout:
    markdown headings; an e-paper layout of flush headers over indented paragraphs; or plain lines
    whose titles are found by the shape rules (and the page's own start marks)."""
    lines = read_lines(page.text)
    if page.kind == "article":
        lines = [replace(ln, kind="heading") if ln.kind == "title" else ln for ln in lines]
        return lines, [Draft(page.title, lines)]
    if boundaries.has_markdown(lines):
        lines = boundaries.rule_page_header(lines)
        return lines, boundaries.rule_contents_box(boundaries.rule_untitled_articles(lines))
    lines = headers.masthead(lines)
    contrast = headers.indent_contrast(lines)
    conv = conventions.learn(lines, flush_headlines=contrast)
    lines = conventions.lift_marks(lines, conv)
    if contrast:
        lines = boundaries.rule_page_header(headers.header_blocks(lines, conv))
        drafts = boundaries.rule_untitled_articles(lines, cut_untitled=False)
        return lines, boundaries.rule_contents_box(drafts)
    lines = boundaries.rule_section_heads(headers.tab_headers(lines))
    if conv.start_shapes:
        lines = headers.marked_blocks(lines, conv)
    lines = boundaries.rule_short_items(boundaries.rule_plain_titles(lines, conv), conv)
    lines = boundaries.rule_page_header(lines)
    return lines, boundaries.rule_contents_box(boundaries.rule_untitled_articles(lines))


def split_page(page: Page) -> list[Article]:
    """Split a page into clean articles, in page order (index from 1).

    A ``kind="article"`` page (a JSONL/CSV row, an HTML article) is one article: it is cleaned and
    its header read, but never cut. Drafts that end up with neither title nor text are not returned
    as articles; their lines are kept in the following article's header.
    """
    _, drafts = read_page(page)
    articles: list[Article] = []
    for draft in drafts:
        article = build_article(draft, page, len(articles) + 1)
        if article.title is None and not article.text and not article.sidebars and page.kind != "article":
            continue
        articles.append(article)
    return page_wide(articles)


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
