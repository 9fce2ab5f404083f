"""One article page (a news site's article URL, or a link a feed or a 版面 page points to) → an Article.

人民日报's e-paper article markup is read by its elements (引题, 标题, 副题, byline, body: see
``zhaiyao.sources.items``); any other page goes through trafilatura (title, date, author, main text),
and its text through the splitter's one-article path like every other article.
"""

from __future__ import annotations

from zhaiyao.documents import Article, Page
from zhaiyao.errors import InputError
from zhaiyao.sources.items import Banmian, article_from_html, article_from_lines, html_lines, squash

_EPAPER_MARKS = ('id="ozoom"', "id='ozoom'")


def extract_article(
    url: str, html: str, *, title: str | None = None, banmian: Banmian | None = None
) -> Article:
    """The article on the page at ``url``; ``title`` and ``banmian`` are what the linking page said."""
    if any(mark in html for mark in _EPAPER_MARKS) and 'class="article"' in html:
        return article_from_html(html, title, banmian=banmian, source=url)
    import trafilatura

    doc = trafilatura.bare_extraction(
        html, url=url, with_metadata=True, include_comments=False, include_tables=True, favor_recall=True
    )
    if doc is None:
        raise InputError(url, "no article text found on the page")
    data = doc if isinstance(doc, dict) else doc.as_dict()
    text = (data.get("text") or "").strip()
    if not text:
        raise InputError(url, "no article text found on the page")
    found_title = squash(data.get("title") or "") or None
    lines = _indent(text.splitlines())
    return article_from_lines(
        lines,
        found_title or title,
        banmian=banmian,
        date=(data.get("date") or None),
        author=(data.get("author") or None),
        source=url,
    )


def _indent(lines: list[str]) -> list[str]:
    # trafilatura drops the first-line indents; every line it gives is a paragraph of the body, and
    # the splitter reads an indented line as body text rather than as a possible header.
    return ["\u3000\u3000" + ln.strip() for ln in lines if ln.strip()]


def read_article(url: str, html: str) -> Page:
    """An article URL as a page of one article."""
    article = extract_article(url, html)
    return Page(
        source=url, text=article.text, format="url", kind="article", title=article.title, parts=(article,)
    )


def page_text_chars(html: str) -> int:
    """How much running text a page holds in its paragraphs (a 版面 page holds little)."""
    import lxml.html

    try:
        root = lxml.html.fromstring(html)
    except (ValueError, lxml.etree.ParserError):
        return 0
    return sum(len(line) for p in root.xpath("//p") for line in html_lines(p) if len(line) > 40)
