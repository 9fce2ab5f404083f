"""A local news site on 127.0.0.1 for the source tests: the public crawls' feeds, e-paper 版面 pages
and article pages built from them, and every kind of bad answer. Nothing leaves the machine.

Data: tests/data/feeds/rmrb_2026-05-06.xml.gz is ifyuls/rmrb-rss@55223c5:history/rmrb_2026-05-06.xml
(人民日报 of 2026-05-06, 104 items); mrdx_2026-05-03.xml.gz is
ifyuls/xhmrdx-rss@068a745:history/mrdx_2026-05-03.xml (新华每日电讯 of 2026-05-03, 13 items).

The e-paper pages: no public crawl keeps paper.people.com.cn's 版面 (layout) pages, so they are
WRITTEN HERE in that site's markup as the public crawlers read it (rmrb-rss's scraper: the day's
版面 are the ``a#pageLink`` links of ``div.swiper-container``, named "01版：要闻"; a 版面's articles
are the links of ``ul.news-list``, relative ``../../../content/YYYYMM/DD/content_N.html``). The
article pages carry the crawl's real ``div.article`` markup (the feed's item HTML is that element as
the site serves it). The 新华每日电讯 pages stand for "any other e-paper" (the generic reading): its
article pages are the crawl's real ones (the feed keeps each page's HTML), its 版面 pages written
here in a plain table layout.
"""

from __future__ import annotations

import gzip
import re
import threading
import time
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

FEEDS = Path(__file__).parent / "data" / "feeds"
RMRB = FEEDS / "rmrb_2026-05-06.xml.gz"
MRDX = FEEDS / "mrdx_2026-05-03.xml.gz"


@dataclass
class Item:
    title: str  # as the feed has it: "[01版：要闻] 标题"
    link: str
    html: str


def feed_items(path: Path) -> list[Item]:
    """The items of a crawl's feed, read with the standard parser (trusted test data)."""
    root = ET.fromstring(gzip.decompress(path.read_bytes()))
    return [
        Item(el.findtext("title") or "", el.findtext("link") or "", el.findtext("description") or "")
        for el in root.iter("item")
    ]


def banmian_of(title: str) -> tuple[str, str, str]:
    m = re.match(r"^\[(\d+)版：([^\]]*)\]\s*(.*)$", title)
    assert m, title
    return m.group(1), m.group(2), m.group(3)


Route = tuple[int, dict[str, str], bytes]


@dataclass
class NewsSite:
    """The routes and what the server saw: hits per path, the most requests in flight at once."""

    routes: dict[str, Any] = field(default_factory=dict)
    hits: Counter = field(default_factory=Counter)
    headers: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    in_flight: int = 0
    max_in_flight: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    port: int = 0

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    @property
    def total(self) -> int:
        return sum(self.hits.values())


def _handler(site: NewsSite) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:  # quiet
            pass

        def do_GET(self) -> None:
            path = self.path.split("?")[0]
            with site.lock:
                site.hits[path] += 1
                site.headers.setdefault(path, []).append(dict(self.headers))
                site.in_flight += 1
                site.max_in_flight = max(site.max_in_flight, site.in_flight)
            try:
                route = site.routes.get(path)
                if route is None:
                    status, headers, body = 404, {"Content-Type": "text/html"}, b"<h1>404 Not Found</h1>"
                elif callable(route):
                    status, headers, body = route(self)
                else:
                    status, headers, body = route
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                # "Connection: close" without a length: the body runs to the end of the connection.
                if "Content-Length" not in headers and headers.get("Connection") != "close":
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass
            finally:
                with site.lock:
                    site.in_flight -= 1

    return Handler


def serve(site: NewsSite, host: str = "127.0.0.1") -> ThreadingHTTPServer:
    server = ThreadingHTTPServer((host, site.port), _handler(site))
    server.daemon_threads = True
    site.port = server.server_address[1]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


# ----------------------------------------------------------------------------------------------
# The e-paper pages


def _people_layout(day: str, pages: list[tuple[str, str]], number: str, links: list[tuple[str, str]]) -> str:
    nav = "\n".join(
        f'<div class="swiper-slide"><a id="pageLink" href="node_{no}.html">{no}版：{name}</a></div>'
        for no, name in pages
    )
    items = "\n".join(
        f'<li><a href="../../../content/{day}/{href}">{title}</a></li>' for href, title in links
    )
    name = dict(pages)[number]
    return f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>人民日报</title></head>
<body>
<div class="main w1000">
  <div class="left paper-box">
    <div class="paper"><img src="../../../images/{day}/{number}/rmrb{number}.jpg" usemap="#PagePicMap"></div>
    <div class="paper-bot"><p class="left ban">{number}版：{name}</p></div>
  </div>
  <div class="right right-main">
    <div class="swiper-box"><div class="swiper-container"><div class="swiper-wrapper">
{nav}
    </div></div></div>
    <div class="news"><ul class="news-list">
{items}
    </ul></div>
  </div>
</div>
</body></html>"""


def _people_article(html: str) -> str:
    return (
        '<!DOCTYPE html><html><head><meta charset="utf-8"><title>人民日报</title></head><body>'
        f'<div class="main w1000"><div class="right right-main">{html}</div></div></body></html>'
    )


def add_rmrb_epaper(site: NewsSite, items: list[Item], numbers: tuple[str, ...] = ("01", "02")) -> dict:
    """The 版面 pages ``numbers`` of 人民日报 2026-05-06 and their article pages; returns
    {number: [item, ...]} in page order."""
    day = "202605/06"
    by_page: dict[str, list[Item]] = {}
    names: dict[str, str] = {}
    for item in items:
        no, name, _ = banmian_of(item.title)
        by_page.setdefault(no, []).append(item)
        names[no] = name
    pages = [(no, names[no]) for no in numbers]
    for no in numbers:
        links = []
        for item in by_page[no]:
            href = item.link.rsplit("/", 1)[1]
            links.append((href, banmian_of(item.title)[2]))
            site.routes[f"/rmrb/pc/content/{day}/{href}"] = (
                200,
                {"Content-Type": "text/html; charset=utf-8"},
                _people_article(item.html).encode("utf-8"),
            )
        layout = _people_layout(day, pages, no, links)
        site.routes[f"/rmrb/pc/layout/{day}/node_{no}.html"] = (
            200,
            {"Content-Type": "text/html; charset=utf-8"},
            layout.encode("utf-8"),
        )
    return {no: by_page[no] for no in numbers}


def add_generic_epaper(site: NewsSite, items: list[Item]) -> dict:
    """新华每日电讯 2026-05-03 as a site in no known template: 版面 pages written here in a plain table
    layout, the crawl's own article pages."""
    by_page: dict[str, list[Item]] = {}
    names: dict[str, str] = {}
    for item in items:
        no, name, _ = banmian_of(item.title)
        by_page.setdefault(no, []).append(item)
        names[no] = name
    nav = "".join(f'<td><a href="Page{no}BC.htm">第{no}版：{names[no]}</a></td>' for no in by_page)
    for no, page_items in by_page.items():
        rows = []
        for item in page_items:
            href = item.link.rsplit("/", 1)[1]
            rows.append(f'<tr><td><a href="{href}">{banmian_of(item.title)[2]}</a></td></tr>')
            site.routes[f"/mrdx/content/20260503/{href}"] = (
                200,
                {"Content-Type": "text/html; charset=utf-8"},
                item.html.encode("utf-8"),
            )
        layout = (
            '<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">'
            f"<title>新华每日电讯 第{no}版：{names[no]}</title></head><body>"
            f'<table class="nav"><tr>{nav}</tr></table><table class="list">{"".join(rows)}</table>'
            "</body></html>"
        )
        site.routes[f"/mrdx/content/20260503/Page{no}BC.htm"] = (
            200,
            {"Content-Type": "text/html; charset=utf-8"},
            layout.encode("utf-8"),
        )
    return by_page


NEWS_ARTICLE = """<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8">
<title>城市书房夜间开放延至22点_本地新闻_晚报网</title>
<meta property="og:title" content="城市书房夜间开放延至22点">
<meta property="article:published_time" content="2026-05-04T08:30:00+08:00">
<meta name="author" content="李明">
</head><body>
<header><nav><a href="/">首页</a> <a href="/local/">本地</a> <a href="/sports/">体育</a></nav></header>
<main><article>
<h1>城市书房夜间开放延至22点</h1>
<p class="meta">2026-05-04 08:30 来源：晚报 作者：李明</p>
<p>记者从市图书馆获悉，自5月6日起，全市28家城市书房的夜间开放时间由20点延长至22点，周末及节假日照常开放。</p>
<p>市图书馆负责人介绍，延长开放时间是根据读者问卷调查作出的调整。问卷显示，超过六成读者希望在下班后有更多时间到书房阅读和自习。</p>
<p>为保障夜间服务，各城市书房将增配管理人员，并开通自助借还和预约座位功能。读者可通过图书馆公众号查询各书房的开放时间和座位情况。</p>
</article></main>
<footer><p>版权所有 晚报网</p></footer>
</body></html>"""


def slow(seconds: float) -> Any:
    def route(_handler: BaseHTTPRequestHandler) -> Route:
        time.sleep(seconds)
        return 200, {"Content-Type": "text/html"}, b"<p>late</p>"

    return route


def gzip_bomb(inflated_mb: int) -> Route:
    body = gzip.compress(b"\0" * (inflated_mb * 1024 * 1024), compresslevel=9)
    return 200, {"Content-Type": "application/rss+xml", "Content-Encoding": "gzip"}, body


XML_BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<rss version="2.0"><channel><title>&lol9;</title>
<item><title>&lol9;</title><description>&lol9;</description></item></channel></rss>
"""

MALFORMED = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel><title>坏的</title>\n'
    "<item><title>[01版：要闻] 一</title><description>正文<p>未闭合</description></item>\n"
    "</channel></rss>\n"
).encode()

HTML_PAGE = (
    "<!DOCTYPE html><html><head><title>不是订阅源</title></head><body><p>这是一张网页。</p></body></html>"
).encode()


def teaser_feed(site: NewsSite) -> bytes:
    """A summary-only RSS feed whose items link to full article pages on the site."""
    items = []
    for i, (title, body) in enumerate(
        [
            ("城市书房夜间开放延至22点", NEWS_ARTICLE),
            (
                "公交新开三条夜班线路",
                NEWS_ARTICLE.replace("城市书房夜间开放延至22点", "公交新开三条夜班线路")
                .replace("全市28家城市书房的夜间开放时间由20点延长至22点", "公交集团新开三条夜班线路")
                .replace("市图书馆", "公交集团"),
            ),
        ],
        start=1,
    ):
        path = f"/local/2026/05/04/story{i}.html"
        site.routes[path] = (200, {"Content-Type": "text/html; charset=utf-8"}, body.encode("utf-8"))
        items.append(
            f"<item><title>{title}</title><link>{site.url(path)}</link>"
            f"<description>{title}。详见正文。</description>"
            "<pubDate>Mon, 04 May 2026 08:30:00 +0800</pubDate><category>本地</category></item>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>晚报网 本地新闻</title>'
        + "".join(items)
        + "</channel></rss>"
    ).encode("utf-8")
