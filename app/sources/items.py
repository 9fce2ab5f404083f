"""One article from the HTML a source gives for it (a feed item's content, an e-paper article page).

The source already says where the article begins and ends, so nothing here splits: the HTML becomes
lines, the header the markup marks (引题 h3, 标题 h1, 副题 h2 in 人民日报's e-paper template; a title
and a ——副题 line elsewhere) is taken from the markup, and the rest goes through the splitter's own
one-article path (``split_page`` of a ``kind="article"`` page), which reads the byline, the dateline
and the e-paper furniture (page stamp, source line, credits) into fields as for any page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from zhaiyao.documents import Article, Page, Removal
from zhaiyao.split import furniture

_BLOCKS = {
    "p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "td", "th", "tr", "blockquote", "figcaption",
    "pre", "section", "article", "table", "tbody", "ul", "ol", "dd", "dt", "center", "hr", "br",
}  # fmt: skip
_DROP = {"script", "style", "noscript", "iframe", "form", "button", "select", "template", "svg", "head"}
# [01版：要闻] 标题 / [第01版:要闻]标题 / 【A3版·国际】标题: the 版面 a crawl puts before a title.
_BANMIAN = re.compile(
    r"^\s*[\[【]\s*第?\s*(?P<no>[A-Za-z]?\s*[0-9０-９]{1,3})\s*版\s*[：:·\s]?\s*(?P<name>[^\]】]{0,12}?)\s*[\]】]\s*"
)
_CLASS_ARTICLE = "contains(concat(' ', normalize-space(@class), ' '), ' article ')"
_SPACES = re.compile(r"[ \t\r\n\xa0\u3000]+")
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))
# 新华社记者 / 本报记者 on a line of their own, the names printed at the article's end.
_LONE_BYLINE = re.compile(r"^(?:新华社|本报|人民日报|中新社)?(?:特约)?(?:记者|通讯员)$")


@dataclass(frozen=True)
class Banmian:
    """A 版面: its number as the paper prints it (01, A3) and its name (要闻), either may be missing."""

    number: str | None
    name: str | None

    @property
    def label(self) -> str:
        if self.number and self.name:
            return f"{self.number}版：{self.name}"
        return f"{self.number}版" if self.number else (self.name or "")


def _page_no(raw: str) -> str:
    digits = re.sub(r"\s+", "", raw).translate(str.maketrans("０１２３４５６７８９", "0123456789"))
    head, num = re.match(r"([A-Za-z]?)(\d+)", digits).groups()  # type: ignore[union-attr]
    return f"{head.upper()}{int(num)}" if head else f"{int(num):02d}"


def split_banmian(title: str) -> tuple[Banmian | None, str]:
    """``[01版：要闻] 标题`` → (Banmian("01", "要闻"), "标题"); a title without one is returned as is."""
    m = _BANMIAN.match(title)
    if not m:
        return None, title.strip()
    return Banmian(_page_no(m.group("no")), m.group("name").strip() or None), title[m.end() :].strip()


def parse_banmian(text: str) -> Banmian | None:
    """A 版面 named on its own: ``01版：要闻``, ``第01版``, ``A3版·国际``; None for anything else."""
    found, rest = split_banmian(f"[{text.strip()}]")
    return found if found and not rest else None


def squash(text: str) -> str:
    return _SPACES.sub(" ", text.translate(_INVISIBLE)).strip()


def _fragment(html: str):  # -> lxml element
    import lxml.html

    try:
        root = lxml.html.fragment_fromstring(html, create_parent="div")
    except (ValueError, lxml.etree.ParserError):
        root = lxml.html.fragment_fromstring("<p></p>", create_parent="div")
    for bad in root.xpath("|".join(f"//{tag}" for tag in _DROP)):
        bad.drop_tree()
    # Comments hold old template text (人民日报's <!-- <span class="date">(2020年…)</span> -->).
    for comment in root.xpath("//comment()"):
        comment.drop_tree()
    return root


_PAGE_CHROME = ("nav", "header", "footer", "aside", "title")


def page_lines(html: str) -> list[str]:
    """The lines of a whole HTML page without its head, scripts and navigation chrome."""
    root = _fragment(html)
    for el in root.xpath("|".join(f"//{tag}" for tag in _PAGE_CHROME)):
        el.drop_tree()
    return html_lines(root)


def html_lines(element) -> list[str]:
    """The text of ``element`` as lines: a line per block element and per ``<br>``, spaces squashed,
    the first-line indent (全角空格) kept so the splitter can tell paragraphs from headers."""
    lines: list[str] = []
    current: list[str] = []

    def flush() -> None:
        text = "".join(current).translate(_INVISIBLE)
        current.clear()
        stripped = squash(text)
        if stripped:
            indent = "\u3000\u3000" if text.lstrip(" \t\r\n").startswith("\u3000") else ""
            lines.append(indent + stripped)

    def walk(el) -> None:
        tag = el.tag if isinstance(el.tag, str) else ""
        block = tag in _BLOCKS
        if block:
            flush()
        if el.text and tag != "br":
            current.append(el.text)
        for child in el:
            walk(child)
            if child.tail:
                current.append(child.tail)
        if block:
            flush()

    walk(element)
    flush()
    return lines


def _first_text(root, xpath: str) -> str | None:
    found = root.xpath(xpath)
    text = squash(found[0].text_content()) if found else ""
    return text or None


def _epaper_parts(root) -> tuple[str | None, str | None, str | None, list[str]] | None:
    """人民日报's e-paper article markup: ``div.article`` with h3 引题, h1 标题, h2 副题, ``p.sec``
    (byline and stamp) and the body in ``#ozoom``. None when the markup is not that one."""
    article = root.xpath(f"descendant-or-self::div[{_CLASS_ARTICLE}]")
    if not article:
        return None
    box = article[0]
    body = box.xpath(".//*[@id='ozoom']")
    if not body:
        return None
    head = [line for el in box.xpath(".//p[contains(@class, 'sec')]") for line in html_lines(el)]
    return (
        _first_text(box, ".//h3"),
        _first_text(box, ".//h1"),
        _first_text(box, ".//h2"),
        head + html_lines(body[0]),
    )


def header_from_lines(
    lines: list[str], title: str | None
) -> tuple[str | None, str | None, str | None, list[str]]:
    """(引题, 标题, 副题, the rest) of an article's lines: the line equal to the title (or to its part
    before a ——) is the title, a ——line right after it the 副题, a short line right before it the 引题.
    Nothing is taken when the title is not among the first lines."""
    if not title:
        return None, None, None, lines
    main, _, sub = (part.strip() for part in title.partition("——"))
    keys = {squash(title).replace(" ", ""), main.replace(" ", "")}
    at = next((i for i, ln in enumerate(lines[:8]) if squash(ln).replace(" ", "") in keys), None)
    if at is None:
        return None, None, None, lines
    kicker = None
    if at == 1 and len(lines[0]) <= 40 and not lines[0].startswith("\u3000"):
        kicker = squash(lines[0])
    subtitle = None
    rest = lines[at + 1 :]
    if rest and squash(rest[0]).startswith(("——", "—— ", "--")):
        subtitle = squash(rest[0]).lstrip("—- ").strip()
        rest = rest[1:]
    elif sub and squash(lines[at]).replace(" ", "") == main.replace(" ", ""):
        subtitle = sub  # the feed's title carries the 副题 the page prints nowhere else
    return kicker, lines[at], subtitle, rest


def article_from_html(
    html: str,
    title: str | None,
    *,
    banmian: Banmian | None = None,
    date: str | None = None,
    author: str | None = None,
    newspaper: str | None = None,
    source: str = "",
) -> Article:
    """One article from its HTML and what the feed or link says about it (title, 版面, date, author).

    The header the markup gives wins over what the splitter would guess; the byline, dateline and
    furniture lines go through the splitter's one-article path; the 版面 and date fill the page
    fields the text itself did not give.
    """
    root = _fragment(html)
    parts = _epaper_parts(root) or header_from_lines(html_lines(root), title)
    kicker, marked_title, subtitle, lines = parts
    title = squash(marked_title or title or "") or None
    return article_from_lines(
        lines,
        title,
        kicker=kicker,
        subtitle=subtitle,
        banmian=banmian,
        date=date,
        author=author,
        newspaper=newspaper,
        source=source,
    )


def article_from_lines(
    lines: list[str],
    title: str | None,
    *,
    kicker: str | None = None,
    subtitle: str | None = None,
    banmian: Banmian | None = None,
    date: str | None = None,
    author: str | None = None,
    newspaper: str | None = None,
    source: str = "",
) -> Article:
    """The splitter's one-article reading of ``lines`` under ``title``, with the fields the source gave."""
    from zhaiyao.split.page import split_page

    removed = []
    lone = next((i for i, ln in enumerate(lines[:4]) if _LONE_BYLINE.match(squash(ln))), None)
    if lone is not None:
        removed.append(Removal("byline", squash(lines[lone])))
        lines = lines[:lone] + lines[lone + 1 :]
    page = Page(source=source, text="\n".join(lines), format="html", kind="article", title=title)
    article = split_page(page)[0]
    fields: dict[str, object] = {}
    if removed:
        fields["removed"] = (*removed, *article.removed)
    if newspaper and not article.newspaper:
        fields["newspaper"] = newspaper
    if title and not article.text:
        # An e-paper lists its 本版责编 line as an item of its own (its body at most more credits):
        # the title read as the credit it is (without_furniture below makes such items furniture).
        credit = furniture.parse_line(title)
        if credit is not None and credit.rule == "editor_credit" and title not in article.credits:
            fields["credits"] = (title, *article.credits)
    if kicker:
        fields["kicker"] = kicker
    if subtitle:
        fields["subtitle"] = subtitle
    if banmian and banmian.number and not article.page_number:
        fields["page_number"] = banmian.number
    if banmian and banmian.name and not article.page_name:
        fields["page_name"] = banmian.name
    if date and not article.issue_date:
        fields["issue_date"] = date
    if author and not (article.reporters or article.correspondents):
        fields["reporters"] = tuple(a.strip() for a in re.split(r"[;；,，、]", author) if a.strip())
    return replace(article, **fields) if fields else article


def without_furniture(articles: list[Article], found: list[str]) -> list[Article]:
    """A 版面's articles less the e-paper's own bodyless items (its 本版责编 line, an advertisement slot),
    whose credits go on every article of the 版面 as the splitter puts a printed page's; each item
    left out is named in ``found``. A 版面 of nothing else keeps them (a page is never left empty)."""

    def is_furniture(a: Article) -> bool:
        return not a.text.strip() and bool(a.credits or (a.title or "") == "广告")

    left_out = [a for a in articles if is_furniture(a)]
    kept = [a for a in articles if not is_furniture(a)]
    if not left_out or not kept:
        return articles
    found.extend(a.title or "" for a in left_out)
    credits = tuple(c for a in left_out for c in a.credits)
    return [replace(a, credits=(*a.credits, *credits)) if credits else a for a in kept]


def furniture_note(source: str, found: list[str], shown: int = 3, chars: int = 16) -> str:
    """One line naming the items ``without_furniture`` left out of ``source``."""
    names = [t if len(t) <= chars else t[:chars] + "…" for t in found[:shown]]
    more = " …" if len(found) > shown else ""
    return (
        f"{source}: {len(found)} item(s) without text read as their 版面's furniture, not as articles: "
        + ("; ".join(names) + more)
    )
