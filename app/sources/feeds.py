"""RSS 2.0, RSS 1.0 and Atom feeds → pages of articles, one article per item, grouped by 版面.

Feeds are parsed with defusedxml: a document that declares entities (the "billion laughs" bomb) or
points at external ones is refused, never expanded. Each item is one article (the source says where
it begins, so the splitter does not guess); items that name a 版面 (``[01版：要闻] 标题`` as the
public e-paper crawls write them, or a category) are grouped into one page per 版面, pages and
articles in feed order. An item with only a teaser has its link fetched when ``Follow`` carries a
fetcher (``--follow-links``); without one the feed says so in one note.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any

from zhaiyao.config import Settings
from zhaiyao.documents import Article, Page
from zhaiyao.errors import InputError
from zhaiyao.sources.charset import decode_declared
from zhaiyao.sources.items import (
    Banmian,
    article_from_html,
    furniture_note,
    parse_banmian,
    split_banmian,
    squash,
    without_furniture,
)

# A description shorter than this (as text) is a teaser, not the article.
FULL_TEXT_CHARS = 200
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>")


@dataclass(frozen=True)
class FeedItem:
    title: str
    link: str | None
    html: str  # content:encoded / Atom content, else the description / summary
    full: bool  # whether ``html`` is the article itself rather than a teaser
    date: str | None  # YYYY-MM-DD
    categories: tuple[str, ...] = ()


@dataclass(frozen=True)
class Feed:
    kind: str  # rss | atom
    title: str | None
    items: list[FeedItem]


@dataclass(frozen=True)
class Follow:
    """How a feed's teaser-only items are handled: ``fetcher`` set: their links are read."""

    fetcher: Any = None  # zhaiyao.sources.fetch.Fetcher
    on_note: Callable[[str], None] | None = None


def looks_like_feed(text: str) -> bool:
    """An RSS/Atom root, or an XML document with a DTD (to be refused by the parser, not read as HTML)."""
    head = _XML_DECL.sub("", text.lstrip("\ufeff \t\r\n"), count=1).lstrip()[:500].lower()
    if head.startswith("<!doctype") and not head.startswith("<!doctype html"):
        return True
    return head.startswith(("<rss", "<feed", "<rdf:rdf"))


def _local(tag: Any) -> str:
    return tag.rsplit("}", 1)[-1].lower() if isinstance(tag, str) else ""


def _child(el: Any, *names: str) -> Any:
    for child in el:
        if _local(child.tag) in names:
            return child
    return None


def _text(el: Any) -> str:
    return "".join(el.itertext()).strip() if el is not None else ""


def parse_feed(name: str, data: bytes, content_type: str | None = None) -> Feed:
    """The feed in ``data``; an InputError for malformed XML, entities, HTML or any other XML."""
    from xml.etree.ElementTree import ParseError

    import defusedxml
    from defusedxml import ElementTree as SafeET

    text, _ = decode_declared(name, data, content_type)
    head = text.lstrip("\ufeff \t\r\n")[:1000].lower()
    if head.startswith(("<!doctype html", "<html")) or re.match(r"^(<\?xml[^>]*>\s*)?<html", head):
        raise InputError(name, "an HTML page, not an RSS or Atom feed")
    try:
        # The text is decoded already; its declaration would name the encoding of bytes no longer there.
        root = SafeET.fromstring(_XML_DECL.sub("", text.lstrip("\ufeff"), count=1))
    except defusedxml.EntitiesForbidden:
        raise InputError(name, "the feed declares XML entities; refused (entity expansion)") from None
    except (defusedxml.ExternalReferenceForbidden, defusedxml.DTDForbidden):
        raise InputError(name, "the feed refers to external entities or a DTD; refused") from None
    except ParseError as exc:
        line = exc.position[0] if getattr(exc, "position", None) else None
        raise InputError(name, f"malformed XML: {exc.msg if hasattr(exc, 'msg') else exc}", line) from None
    root_name = _local(root.tag)
    if root_name == "rss" or root_name == "rdf":
        channel = _child(root, "channel")
        holder = root if root_name == "rdf" else channel
        if holder is None:
            raise InputError(name, "an RSS document without a <channel>")
        items = [_rss_item(el) for el in holder if _local(el.tag) == "item"]
        return Feed("rss", _text(_child(channel, "title")) or None if channel is not None else None, items)
    if root_name == "feed":
        items = [_atom_item(el) for el in root if _local(el.tag) == "entry"]
        return Feed("atom", _text(_child(root, "title")) or None, items)
    if root_name == "html":
        raise InputError(name, "an HTML page, not an RSS or Atom feed")
    raise InputError(name, f"not an RSS or Atom feed (its root element is <{root_name}>)")


def _date(raw: str) -> str | None:
    raw = raw.strip()
    if not raw:
        return None
    if re.match(r"\d{4}-\d{2}-\d{2}", raw):
        return raw[:10]
    try:
        return parsedate_to_datetime(raw).date().isoformat()
    except (TypeError, ValueError, IndexError):
        return None


def _is_full(html: str) -> bool:
    return len(squash(re.sub(r"<[^>]+>", " ", html))) >= FULL_TEXT_CHARS


def _rss_item(el: Any) -> FeedItem:
    content = _text(_child(el, "encoded"))
    description = _text(_child(el, "description"))
    html = content or description
    link = _text(_child(el, "link")) or None
    categories = tuple(_text(c) for c in el if _local(c.tag) == "category" and _text(c))
    date = _date(_text(_child(el, "pubdate", "date")))
    return FeedItem(squash(_text(_child(el, "title"))), link, html, _is_full(html), date, categories)


def _atom_item(el: Any) -> FeedItem:
    content = _text(_child(el, "content"))
    html = content or _text(_child(el, "summary"))
    links = [c for c in el if _local(c.tag) == "link"]
    alternate = next((c for c in links if c.get("rel", "alternate") == "alternate"), None)
    link = alternate if alternate is not None else links[0] if links else None
    categories = tuple(c.get("term") or "" for c in el if _local(c.tag) == "category" and c.get("term"))
    date = _date(_text(_child(el, "published")) or _text(_child(el, "updated")))
    href = link.get("href") if link is not None else None
    return FeedItem(squash(_text(_child(el, "title"))), href, html, _is_full(html), date, categories)


def _paper(feed_title: str | None) -> str | None:
    """The paper a crawl's feed is of: 《人民日报》 - 每日全文订阅 / 新华每日电讯 - 20260503 → the name."""
    if not feed_title:
        return None
    head = re.split(r"\s+[-–—|]\s+", feed_title, maxsplit=1)[0].strip(" 《》")
    return head if 2 <= len(head) <= 14 and re.search(r"报|电讯|时报|周刊|新闻", head) else None


def item_banmian(item: FeedItem) -> tuple[Banmian | None, str]:
    """The item's 版面 (from its title's ``[01版：要闻]``, else its first category) and its bare title."""
    found, title = split_banmian(item.title)
    if found is None and item.categories:
        found = parse_banmian(item.categories[0]) or Banmian(None, squash(item.categories[0])[:20])
    return found, title


def feed_pages(
    name: str,
    data: bytes,
    settings: Settings | None = None,
    on_error: Callable[[InputError], None] | None = None,
    *,
    content_type: str | None = None,
    follow: Follow | None = None,
) -> list[Page]:
    """The pages of a feed: one per 版面 (or one for the feed when its items name none)."""
    feed = parse_feed(name, data, content_type)
    if not feed.items:
        raise InputError(name, f"the {feed.kind} feed has no items")
    follow = follow or Follow()
    teasers = [i for i, item in enumerate(feed.items) if not item.full and item.link]
    fetched = _follow_links(name, feed, teasers, follow, on_error)
    groups: dict[str, tuple[Banmian | None, list[Article]]] = {}
    paper = _paper(feed.title)
    for i, item in enumerate(feed.items):
        banmian, title = item_banmian(item)
        article = fetched.get(i) or article_from_html(
            item.html, title or None, banmian=banmian, date=item.date, newspaper=paper, source=name
        )
        groups.setdefault(banmian.label if banmian else "", (banmian, []))[1].append(article)
    furniture: list[str] = []
    pages = []
    for label, (_, items) in groups.items():
        articles = without_furniture(items, furniture)
        source = f"{name}#{label}" if label else name
        pages.append(
            Page(
                source=source,
                text="\n\n".join(a.text for a in articles),
                format=feed.kind,
                kind="layout",
                title=label or feed.title,
                parts=tuple(articles),
            )
        )
    if furniture and follow.on_note:
        follow.on_note(furniture_note(name, furniture))
    return pages


def _follow_links(
    name: str,
    feed: Feed,
    teasers: list[int],
    follow: Follow,
    on_error: Callable[[InputError], None] | None,
) -> dict[int, Article]:
    """The articles behind teaser-only items' links, when asked; else the one note saying so."""
    if not teasers:
        return {}
    if follow.fetcher is None:
        if follow.on_note:
            follow.on_note(
                f"{name}: {len(teasers)} of {len(feed.items)} items carry only a summary; "
                "--follow-links reads their articles"
            )
        return {}
    from zhaiyao.sources.article import extract_article

    links = [feed.items[i].link or "" for i in teasers]
    out: dict[int, Article] = {}
    for i, response in zip(teasers, follow.fetcher.get_many(links), strict=True):
        banmian, title = item_banmian(feed.items[i])
        try:
            if isinstance(response, InputError):
                raise response
            html, _ = response.text()
            out[i] = extract_article(response.url, html, title=title or None, banmian=banmian)
        except InputError as exc:
            # The item keeps its teaser; the link that failed is named.
            if on_error is None:
                raise
            on_error(exc)
    return out
