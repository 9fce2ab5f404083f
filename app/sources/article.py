"""One article page (a news site's article URL, or a link a feed or a 版面 page points to) → an Article.

人民日报's e-paper article markup is read by its elements (引题, 标题, 副题, byline, body: see
``zhaiyao.sources.items``); any other page goes through trafilatura (title, date, author, main text),
and its text through the splitter's one-article path like every other article.
"""

from __future__ import annotations

from zhaiyao.documents import Article, Page
from zhaiyao.errors import InputError
from zhaiyao.sources.items import (
    Banmian,
    article_from_html,
    article_from_lines,
    header_from_lines,
    html_lines,
    page_lines,
    squash,
)

_EPAPER_MARKS = ('id="ozoom"', "id='ozoom'")


def extract_article(
    url: str, html: str, *, title: str | None = None, banmian: Banmian | None = None
) -> Article:
    """The article on the page at ``url``; ``title`` and ``banmian`` are what the linking page said."""
    if any(mark in html for mark in _EPAPER_MARKS) and 'class="article"' in html:
        return article_from_html(html, title, banmian=banmian, source=url)
    data = _extract(url, html)
    text = (data.get("text") or "").strip()
    if not text:
        raise InputError(url, "no article text found on the page")
    # The linking page's title (an e-paper's list, a feed) is the paper's own; a page's <title> often
    # carries the site's name as well.
    title = title or squash(data.get("title") or "") or None
    kicker, marked, subtitle = _header(html, title)
    title = marked or title
    body = [squash(ln) for ln in text.splitlines() if ln.strip()]
    # trafilatura keeps the header lines in the text on some pages; they are fields, not body.
    while body and title and body[0].replace(" ", "") in _header_keys(title, subtitle, kicker):
        body = body[1:]
    return article_from_lines(
        _indent(body),
        title,
        kicker=kicker,
        subtitle=subtitle,
        banmian=banmian,
        date=(data.get("date") or None),
        author=(data.get("author") or None),
        source=url,
    )


def _extract(url: str, html: str) -> dict:
    import trafilatura

    # Precision first: on short pages the recall mode runs paragraphs together into one line.
    for mode in ({"favor_precision": True}, {"favor_recall": True}):
        doc = trafilatura.bare_extraction(
            html, url=url, with_metadata=True, include_comments=False, include_tables=False, **mode
        )
        data = {} if doc is None else doc if isinstance(doc, dict) else doc.as_dict()
        if (data.get("text") or "").strip():
            return data
    return {}


def _header(html: str, title: str | None) -> tuple[str | None, str | None, str | None]:
    """(引题, 标题, 副题) where the page prints the title (trafilatura keeps neither 引题 nor 副题)."""
    if not title:
        return None, None, None
    lines = page_lines(html)
    keys = _header_keys(title, None, None)
    at = next((i for i, ln in enumerate(lines) if ln.replace(" ", "") in keys), None)
    if at is None:
        return None, None, None
    kicker, marked, subtitle, _ = header_from_lines(lines[max(0, at - 1) :], title)
    return kicker, squash(marked) if marked else None, subtitle


def _header_keys(title: str, subtitle: str | None, kicker: str | None) -> set[str]:
    main = title.partition("——")[0]
    keys = {squash(t).replace(" ", "") for t in (title, main, subtitle, kicker) if t}
    if subtitle:
        keys.add("——" + squash(subtitle).replace(" ", ""))
    return keys


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
