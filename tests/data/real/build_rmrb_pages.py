"""Rebuild the ``check2`` 人民日报 pages (``rmrb_19`` …) from a git mirror of the public crawl.

    python tests/data/real/build_rmrb_pages.py GIT_DIR

GIT_DIR is a (bare) git mirror of ``ifyuls/rmrb-rss``; every file is read at the pinned commit
below, so two runs give byte-identical files. A page (版面) is the day's RSS items whose
``[NN版：版名]`` equals that 版面, in feed order; ``.txt`` is an innerText rendering of their
``<description>`` HTML joined by newlines, the gold list comes from the e-paper markup (``h3`` 引题,
``h1`` 标题, ``h2`` 副题, ``p.sec`` byline, ``#ozoom`` body). This is the same rendering and the same
gold fields as the shared set's ``rebuild.sh`` (which built ``rmrb_01``–``18``), so all 人民日报
pages of the corpus are rendered alike. The script refuses the held-out dates and papers, checks
that each page's content ids are contiguous and that every gold title and first_words string occurs
in the page text in gold order.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = "ifyuls/rmrb-rss"
COMMIT = "55223c56882b2723e67b90eef30cd8b465aff262"
PART = "check2"
FORMAT = "html (RSS <description> per article, concatenated in feed order); .txt = innerText rendering"
FIRST = 19  # rmrb_01–18 come from the shared set

# (edition date, 版面 as the feed names it, a note on what the page holds)
PAGES = [
    (
        "2026-05-03",
        "03版：要闻",
        "Holiday-edition news page (要闻, diplomacy): item 1 has a kicker ending in ——; item 2 is a "
        "guest column (国际论坛) by two authors; item 4 an interview with a ——访 subtitle; "
        "items 5-10 are short datelined dispatches (本报…电 / 新华社…电), item 9 with a kicker without ——. "
        "No 责编 item.",
    ),
    (
        "2026-05-14",
        "10版：各地传真",
        "Regional round-up page (各地传真): column tags (神州看点, 四海听音); item 3 八方速递 "
        "is ONE source item bundling short provincial items, each with its own heading line; bylines from "
        "provincial papers (安徽日报记者, 北京日报记者, 文汇报记者 …) and 新华社记者; 本版责编 credit last.",
    ),
    (
        "2026-05-19",
        "05版：评论",
        "Commentary page (评论): columns with tags in parentheses (现场评论, 微观, 纵横, 暖闻热评) "
        "and bare author-name bylines; a 图片报道 caption (kind=photo); item 6 opens with a 【关键词】 line; "
        "本版责编 credit.",
    ),
    (
        "2026-05-19",
        "14版：社会",
        "Society page (社会): short kickers without —— above titles, one-paragraph dispatches "
        "(本报…电), a 图片报道 caption, column tags (民生一线, 援手); 本版责编 credit.",
    ),
    (
        "2026-06-01",
        "07版：读者来信",
        "Letters page (读者来信): place kickers ending in ——, column tags after the titles, "
        "letters without byline, the 征 集 call (kind=notice). No 责编 item.",
    ),
    (
        "2026-06-01",
        "14版：体育",
        "Sports page: column tags (“六一”特别策划, 体谈, 链接), kickers without —— (a sport, a "
        "result), a result dispatch; 本版责编 credit.",
    ),
    (
        "2026-06-29",
        "20版：副刊",
        "Literary supplement (副刊): item 1 is the page's theme piece without byline; six essays "
        "of one series share the column tag（大地风华·初心的模样）with bare author bylines; "
        "item 7 opens with numbered heads (一、…); item 8 is a painting note; 本版责编 credit.",
    ),
    (
        "2026-07-08",
        "11版：文化",
        "Culture page (文化): kickers with and without ——, column tags, a first-person account "
        "without byline (item 2), short datelined items; 本版责编 credit.",
    ),
    (
        "2026-07-19",
        "06版：国防",
        "Defence page (国防): long kickers ending in ——, column tags, a two-author byline "
        "without 本报记者; 本版责编 credit.",
    ),
    (
        "2026-08-05",
        "10版：政治",
        "Politics page (政治): a package (item 1 with a long kicker, its 编辑手记, a 延伸阅读 "
        "sidebar by 人民网记者), a 一线行走 column, a 图片报道 caption, a datelined dispatch with kicker; "
        "本版责编 credit.",
    ),
    (
        "2026-08-05",
        "07版：经济",
        "Economy page (经济): a 读数 column, reports with long kickers without ——, a 图片报道 "
        "caption, item 6 with a subtitle that has no ——; 本版责编 credit.",
    ),
    (
        "2026-08-17",
        "14版：国际",
        "International page (国际): item 1 has a very long kicker and no byline, item 3 a short "
        "kicker (中国使馆——), datelined dispatches (本报…电, 新华社…电, 据新华社…电); 本版责编 credit.",
    ),
]

HELD_OUT_PAPERS = {"新华每日电讯", "学习时报"}
HELD_OUT_DATES = {"2026-05-12", "2026-04-28", "2026-05-08"}


def held_out(date: str) -> bool:
    return date in HELD_OUT_DATES or date.startswith(("2017", "2023"))


# ------------------------------------------------------------------------------ tiny DOM + innerText
VOID = {"br", "img", "meta", "link", "hr", "input", "area", "base", "col", "embed"}
VOID |= {"param", "source", "track", "wbr", "!doctype"}
SKIP = {"style", "script", "head", "title", "noscript", "template"}
BLOCK1 = {"div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "table", "tbody", "thead"}
BLOCK1 |= {"tfoot", "tr", "hr", "blockquote", "section", "article", "header", "footer", "center"}
BLOCK1 |= {"form", "dl", "dt", "dd", "pre", "address", "figure", "figcaption", "nav", "main"}
BLOCK1 |= {"aside", "html", "body", "caption"}


class Node:
    __slots__ = ("attrs", "children", "parent", "tag")

    def __init__(self, tag: str, attrs=None, parent: Node | None = None) -> None:
        self.tag, self.attrs, self.children, self.parent = tag, dict(attrs or {}), [], parent

    def find(self, pred) -> Node | None:
        for c in self.children:
            if isinstance(c, Node):
                if pred(c):
                    return c
                found = c.find(pred)
                if found is not None:
                    return found
        return None


class TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#root")
        self.cur = self.root

    def handle_starttag(self, tag, attrs):
        n = Node(tag, attrs, self.cur)
        self.cur.children.append(n)
        if tag not in VOID:
            self.cur = n

    def handle_startendtag(self, tag, attrs):
        self.cur.children.append(Node(tag, attrs, self.cur))

    def handle_endtag(self, tag):
        n = self.cur
        while n is not None and n.tag != tag:
            n = n.parent
        if n is not None and n.parent is not None:
            self.cur = n.parent

    def handle_data(self, data):
        self.cur.children.append(data)


def parse_html(s: str) -> Node:
    tb = TreeBuilder()
    tb.feed(s)
    tb.close()
    return tb.root


def _pieces(node: Node | str, items: list) -> None:
    """Text runs and required line breaks (1 for block boxes, 2 for <p>) in document order."""
    if isinstance(node, str):
        items.append(re.sub(r"[ \t\n\r\f]+", " ", node))
        return
    if node.tag in SKIP:
        return
    if node.tag == "br":
        items.append("\n")
        return
    req = 2 if node.tag == "p" else (1 if node.tag in BLOCK1 else 0)
    if node.tag in ("td", "th") and node.parent is not None:
        cells = [c for c in node.parent.children if isinstance(c, Node) and c.tag in ("td", "th")]
        if cells and cells[0] is not node:
            items.append("\t")
    if req:
        items.append(req)
    for c in node.children:
        _pieces(c, items)
    if req:
        items.append(req)


def inner_text(node: Node) -> str:
    """The HTML innerText algorithm, approximately (what a browser copy gives): collapsible
    whitespace to one space, <br> to a newline, block boxes to one line break, <p> to two;
    comments and images give no text; U+3000 and U+00A0 are kept."""
    items: list = []
    _pieces(node, items)
    out: list[str] = []
    pend, space = None, False
    for it in items:
        if isinstance(it, int):
            pend = it if pend is None else max(pend, it)
            space = False
            continue
        if it == "":
            continue
        if it.strip(" ") == "":
            # collapsible space: kept only between two pieces of inline content
            if pend is None and out and not out[-1].endswith("\n"):
                space = True
            continue
        if pend is not None:
            if out:
                out.append("\n" * pend)
            pend = None
            it = it.lstrip(" ")
        elif space and not it.startswith(" "):
            out.append(" ")
        space = False
        if it:
            out.append(it)
    text = re.sub(r" {2,}", " ", "".join(out))
    text = "\n".join(line.strip(" ") for line in text.split("\n"))
    return text.strip("\n")


def norm(s: str | None) -> str:
    return re.sub(r"\s+", " ", s or "").strip()


def cls(n: Node) -> str:
    return n.attrs.get("class") or ""


# ------------------------------------------------------------------------------ the crawl
def rss_items(git_dir: str, date: str) -> list[dict[str, str]]:
    path = f"history/rmrb_{date}.xml"
    r = subprocess.run(["git", "--git-dir", git_dir, "show", f"{COMMIT}:{path}"], capture_output=True)
    if r.returncode:
        sys.exit(f"{git_dir}: cannot read {COMMIT}:{path}: {r.stderr.decode().strip()}")
    out = []
    for it in ET.fromstring(r.stdout).find("channel").findall("item"):
        m = re.match(r"\[([^\]]+)\]\s*(.*)$", it.find("title").text or "", re.S)
        out.append(
            {
                "page": m.group(1),
                "rss_title": m.group(2),
                "url": it.find("link").text,
                "html": it.find("description").text or "",
            }
        )
    return out


def kind_of(title: str) -> str:
    t = re.sub(r"\s+", "", title or "")
    if re.match(r"^(本版|[一二三四五六七八九十\d]+版)?责编", t):
        return "editor_credit"
    if t in ("导读", "本期导读"):
        return "toc"
    if t == "广告":
        return "ad"
    if t.startswith("图片报道"):
        return "photo"
    if t in ("欢迎赐稿", "征集"):
        return "notice"
    return "article"


def article_fields(html: str) -> dict[str, str]:
    art = parse_html(html).find(lambda n: n.tag == "div" and "article" in cls(n).split())
    h3, h1, h2 = (art.find(lambda n, t=t: n.tag == t) for t in ("h3", "h1", "h2"))
    sec = art.find(lambda n: n.tag == "p" and cls(n) == "sec")
    oz = art.find(lambda n: n.attrs.get("id") == "ozoom")
    byline = ""
    if sec is not None:
        tmp = Node("p")
        tmp.children = [c for c in sec.children if not (isinstance(c, Node) and "date" in cls(c))]
        byline = inner_text(tmp)
    return {
        "kicker": inner_text(h3) if h3 else "",
        "title": inner_text(h1) if h1 else "",
        "subtitle": inner_text(h2) if h2 else "",
        "byline": byline,
        "body": inner_text(oz) if oz else "",
    }


def content_id(url: str) -> int:
    return int(re.search(r"content_(\d+)", url).group(1))


def _opt(s: str) -> str | None:
    return norm(s) or None


def build_page(day: list[dict[str, str]], date: str, page: str, note: str) -> tuple[str, str, dict]:
    items = [it for it in day if it["page"] == page]
    if not items:
        sys.exit(f"{date}: no 版面 {page} in the feed")
    ids = sorted(content_id(it["url"]) for it in items)
    if ids != list(range(ids[0], ids[-1] + 1)):
        sys.exit(f"{date} {page}: content ids not contiguous: {ids}")
    html = "\n".join(it["html"] for it in items) + "\n"
    text = inner_text(parse_html(html)) + "\n"
    fields: dict[str, list] = {k: [] for k in ("titles", "first_words", "kinds", "kickers", "subtitles")}
    fields |= {"bylines": [], "refs": []}
    extras = []
    for pos, it in enumerate(items):
        a = article_fields(it["html"])
        kind = kind_of(a["title"] or it["rss_title"])
        if kind in ("editor_credit", "toc"):
            extras.append({"position": pos, "kind": kind, "text": norm(a["title"]) or norm(a["body"])[:40]})
            extras[-1]["ref"] = it["url"]
            continue
        if kind == "ad":
            sys.exit(f"{date} {page}: advertising item {it['url']}")
        fields["titles"].append(_opt(a["title"]))
        fields["first_words"].append(norm(a["body"])[:12] or None)
        fields["kinds"].append(kind)
        fields["kickers"].append(_opt(a["kicker"]))
        fields["subtitles"].append(_opt(a["subtitle"]))
        fields["bylines"].append(_opt(a["byline"]))
        fields["refs"].append(it["url"])
    gold = {
        "newspaper": "人民日报",
        "source": f"{REPO}@{COMMIT}:history/rmrb_{date}.xml",
        "date": date,
        "page": page,
        "part": PART,
        "format": FORMAT,
        **fields,
        "non_article_items": extras,
        "notes": f"{note} Checks: content_ids {ids[0]}-{ids[-1]} contiguous.",
    }
    _check_order(text, gold, f"{date} {page}")
    return text, html, gold


def _check_order(text: str, gold: dict, where: str) -> None:
    flat, pos = norm(text), 0
    for title, first in zip(gold["titles"], gold["first_words"], strict=True):
        for s in (title, first):
            if not s:
                continue
            q = flat.find(norm(s), pos)
            if q < 0:
                sys.exit(f"{where}: gold string {s!r} not in the page text in gold order")
            pos = q + 1


def main(git_dir: str) -> None:
    days: dict[str, list] = {}
    for n, (date, page, note) in enumerate(PAGES, FIRST):
        if held_out(date):
            sys.exit(f"{date} is reserved for the held-out set")
        day = days.setdefault(date, rss_items(git_dir, date))
        text, html, gold = build_page(day, date, page, note)
        assert gold["newspaper"] not in HELD_OUT_PAPERS
        stem = f"rmrb_{n:02d}"
        (HERE / f"{stem}.txt").write_text(text, encoding="utf-8", newline="")
        (HERE / "html" / f"{stem}.html").write_text(html, encoding="utf-8", newline="")
        dump = json.dumps(gold, ensure_ascii=False, indent=1) + "\n"
        (HERE / f"{stem}.gold.json").write_text(dump, encoding="utf-8")
        print(
            f"{stem}  {date} {page:<10} items={len(gold['titles'])} extras={len(gold['non_article_items'])}"
        )


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: build_rmrb_pages.py GIT_DIR  (a git mirror of ifyuls/rmrb-rss)")
    main(sys.argv[1])
