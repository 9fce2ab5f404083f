"""An e-paper 版面 page (the layout page listing its articles) → a page of those articles, in order.

Two readings of a 版面 page:
- 人民日报's e-paper (paper.people.com.cn/rmrb/pc/layout/YYYYMM/DD/node_NN.html, the site the public
  rmrb-rss crawl reads): the articles are the links of ``ul.news-list``, the issue's 版面 the
  ``a#pageLink`` links of the ``swiper-container`` navigation, named like ``01版：要闻``;
- any other e-paper (the generic fallback): the article links are the largest group of same-site
  links that share one URL template (digits aside: Articel01001NR.htm, Articel01002NR.htm …), the
  issue's other 版面 the links shaped like the page's own URL.
Links are followed only on the page's own host, at most ``MAX_LINKS`` per 版面 and ``MAX_PAGES`` 版面
per issue; an article that cannot be read is reported and the page is assembled from the rest.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urldefrag, urljoin, urlsplit

from zhaiyao.documents import Article, Page
from zhaiyao.errors import InputError
from zhaiyao.sources.article import extract_article, page_text_chars
from zhaiyao.sources.items import Banmian, furniture_note, parse_banmian, squash, without_furniture

MAX_LINKS = 80
MAX_PAGES = 40
_CLASS = "contains(concat(' ', normalize-space(@class), ' '), ' {} ')"


@dataclass(frozen=True)
class Layout:
    banmian: Banmian | None
    articles: list[tuple[str, str]]  # (url, title as linked) in page order
    issue: list[tuple[str, Banmian | None]]  # every 版面 of the day, in order (this one included)


def _root(html: str) -> Any:
    import lxml.html

    try:
        return lxml.html.fromstring(html)
    except (ValueError, lxml.etree.ParserError):
        return None


def _links(base: str, anchors: list[Any]) -> list[tuple[str, str]]:
    host = urlsplit(base).hostname
    out: dict[str, str] = {}
    for a in anchors:
        href = (a.get("href") or "").strip()
        if not href or href.startswith(("javascript:", "mailto:", "#")):
            continue
        url = urldefrag(urljoin(base, href))[0]
        if urlsplit(url).scheme in ("http", "https") and urlsplit(url).hostname == host:
            out.setdefault(url, squash(a.text_content()))
    return list(out.items())


def _shape(url: str) -> str:
    return re.sub(r"\d+", "#", urlsplit(url).path)


def _this_banmian(url: str, issue: list[tuple[str, Banmian | None]], root: Any) -> Banmian | None:
    for link, banmian in issue:
        if link == url and banmian:
            return banmian
    for xpath in ("//*[" + _CLASS.format("paper-bot") + "]//p", "//title"):
        for el in root.xpath(xpath):
            found = parse_banmian(squash(el.text_content()).split(" ")[0]) if el is not None else None
            if found:
                return found
    return None


def people_layout(url: str, root: Any) -> Layout | None:
    """人民日报's e-paper 版面 page, or None when the page is not in that template."""
    lists = root.xpath("//ul[" + _CLASS.format("news-list") + "]")
    if not lists:
        return None
    articles = _links(url, [a for ul in lists for a in ul.xpath(".//a[@href]")])
    nav = root.xpath("//div[" + _CLASS.format("swiper-container") + "]//a[@id='pageLink'][@href]")
    issue = [(link, parse_banmian(text)) for link, text in _links(url, nav)]
    return Layout(_this_banmian(url, issue, root), articles, issue)


def generic_layout(url: str, root: Any, html: str, shape: str | None = None) -> Layout | None:
    """Any e-paper's 版面 page: three or more same-site links of one URL template on a page with
    little running text of its own (an article page with a list of related links has plenty). With
    ``shape`` (the article template found on another 版面 of the issue) one such link is enough."""
    links = _links(url, root.xpath("//a[@href]"))
    own = _shape(url)
    groups: dict[str, list[tuple[str, str]]] = {}
    for link, text in links:
        if link != url and _shape(link) != own and 4 <= len(text) <= 80:
            groups.setdefault(_shape(link), []).append((link, text))
    if shape is not None:
        best = groups.get(shape, [])
        if not best:
            return None
    else:
        best = max(groups.values(), key=len, default=[])
        if len(best) < 3 or page_text_chars(html) > 600:
            return None
    issue = [(link, parse_banmian(text)) for link, text in links if _shape(link) == own]
    if url not in [link for link, _ in issue]:
        issue.insert(0, (url, None))
    return Layout(_this_banmian(url, issue, root), best, issue)


def parse_layout(url: str, html: str, shape: str | None = None) -> Layout | None:
    """The 版面 page at ``url``, or None when the page is not one (an article, say). ``shape``: the
    article URL template of the issue's first 版面 (a 版面 of one article is one then)."""
    root = _root(html)
    if root is None:
        return None
    return people_layout(url, root) or generic_layout(url, root, html, shape)


Report = Callable[[InputError], None]


def read_epaper(
    url: str,
    html: str,
    fetcher: Any,
    *,
    whole_issue: bool = False,
    on_error: Report | None = None,
    on_note: Callable[[str], None] | None = None,
) -> list[Page] | None:
    """The 版面 page at ``url`` (and with ``whole_issue`` the day's other 版面) assembled from its
    article links; None when ``html`` is not a 版面 page. Bodyless 本版责编 and advert links are the
    版面's furniture (``items.without_furniture``), named in one ``on_note`` line."""
    layout = parse_layout(url, html)
    if layout is None:
        return None
    report = on_error or _raise
    layouts = [(url, layout)]
    if whole_issue:
        others = [link for link, _ in layout.issue if link != url][:MAX_PAGES]
        shape = _shape(layout.articles[0][0]) if layout.articles else None
        for link, response in zip(others, fetcher.get_many(others), strict=True):
            try:
                if isinstance(response, InputError):
                    raise response
                other = parse_layout(response.url, response.text()[0], shape)
                if other is None:
                    raise InputError(link, "not a 版面 page (no article links found)")
                layouts.append((link, other))
            except InputError as exc:
                report(exc)
        order = {link: i for i, (link, _) in enumerate(layout.issue)}
        layouts.sort(key=lambda item: order.get(item[0], -1))
    pages = []
    furniture: list[str] = []
    for link, lay in layouts:
        try:
            pages.append(_assemble(link, lay, fetcher, report, furniture))
        except InputError as exc:
            report(exc)
    if furniture and on_note:
        on_note(furniture_note(url, furniture))
    return pages


def _raise(exc: InputError) -> None:
    raise exc


def _assemble(url: str, layout: Layout, fetcher: Any, report: Report, furniture: list[str]) -> Page:
    links = layout.articles[:MAX_LINKS]
    articles: list[Article] = []
    for (link, title), response in zip(links, fetcher.get_many([u for u, _ in links]), strict=True):
        try:
            if isinstance(response, InputError):
                raise response
            html, _ = response.text()
            articles.append(extract_article(link, html, title=title or None, banmian=layout.banmian))
        except InputError as exc:
            report(exc)
    if not articles:
        raise InputError(url, f"none of the {len(links)} article links of the 版面 page could be read")
    articles = without_furniture(articles, furniture)
    return Page(
        source=url,
        text="\n\n".join(a.text for a in articles),
        format="epaper",
        kind="layout",
        title=layout.banmian.label if layout.banmian else None,
        parts=tuple(articles),
    )
