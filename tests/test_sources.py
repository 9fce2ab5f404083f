"""Feeds, e-paper 版面 pages and article URLs as inputs, served from 127.0.0.1 (see news_server.py):
every item one article with its title, 版面 and order; a careful fetcher; safe parsing."""

from __future__ import annotations

import gzip
import re
import time
from pathlib import Path

import pytest
from news_server import (
    HTML_PAGE,
    MALFORMED,
    MRDX,
    NEWS_ARTICLE,
    RMRB,
    XML_BOMB,
    NewsSite,
    add_generic_epaper,
    add_rmrb_epaper,
    banmian_of,
    feed_items,
    gzip_bomb,
    serve,
    slow,
    teaser_feed,
)
from zhaiyao.config import Settings
from zhaiyao.errors import InputError
from zhaiyao.sources.feeds import Follow, feed_pages
from zhaiyao.sources.fetch import Fetcher, FetchPolicy, MemoryCache
from zhaiyao.sources.inputs import SourceOptions, Sources, read_viewer_url
from zhaiyao.split.page import split_page

FAST = FetchPolicy(timeout=2.0, retries=2, backoff=0.05, delay=0.0)


@pytest.fixture
def site():
    site = NewsSite()
    server = serve(site)
    yield site
    server.shutdown()
    server.server_close()


def _squash(text: str) -> str:
    return re.sub(r"[\s\u200b-\u200d\ufeff]+", "", text)  # the zero-width joiners a title may carry


def _is_furniture_item(item) -> bool:
    title = banmian_of(item.title)[2]
    return bool(re.match(r"^(?:本版|[一二三四五六七八九十]+版)责编：|^广告$", title))


def _sources(site: NewsSite, **options) -> Sources:
    return Sources(Settings(), SourceOptions(**options), fetcher=Fetcher(FAST, MemoryCache()))


@pytest.mark.parametrize("path", [RMRB, MRDX], ids=["人民日报 2026-05-06", "新华每日电讯 2026-05-03"])
def test_a_day_of_a_crawled_feed_is_one_article_per_item_in_order_under_its_banmian(path: Path) -> None:
    items = feed_items(path)
    notes: list[str] = []
    pages = feed_pages(
        path.name, gzip.decompress(path.read_bytes()), Settings(), follow=Follow(on_note=notes.append)
    )
    articles = [a for page in pages for a in split_page(page)]
    # The e-paper's own bodyless items (本版责编 lines, an advertisement slot) are its 版面's furniture:
    # named in one note, their credits on the 版面's articles; every other item is one article.
    # Two such items stay: 12版's advert is its 版面's only item (a page is never left empty) and 20版's
    # 本版责编 item carries a call for submissions as text.
    furniture = [i for i in items if _is_furniture_item(i) and banmian_of(i.title)[0] not in ("12", "20")]
    assert len(furniture) == (11 if path == RMRB else 0)
    assert bool(notes) == bool(furniture)
    if furniture:
        assert notes[0].startswith(f"{path.name}: 11 item(s) without text read as their 版面's furniture")
    items = [i for i in items if i not in furniture]
    assert len(articles) == len(items) >= 13  # nothing else dropped, nothing merged
    expected_pages = list(
        dict.fromkeys(f"{no}版：{name}" for no, name, _ in map(banmian_of, (i.title for i in items)))
    )
    assert [p.title for p in pages] == expected_pages
    assert all(p.source == f"{path.name}#{p.title}" and p.format == "rss" for p in pages)
    for article, item in zip(articles, items, strict=True):
        number, name, title = banmian_of(item.title)
        assert (article.page_number, article.page_name) == (number, name), item.title
        # The item's title is the 标题 (with the 副题 after a —— where the crawl joins them).
        assert _squash(title).startswith(_squash(article.title or "")), (article.title, title)
        # The one item left without a body is a photo page.
        assert article.text.strip() or "<img" in item.html, title
    for page in pages:  # a 版面's printed credit is on each of its articles
        printed = {
            _squash(banmian_of(i.title)[2]) for i in furniture if page.title in i.title and "责编" in i.title
        }
        assert all(printed <= {_squash(c) for c in a.credits} for a in page.parts), page.title
    for page in pages:  # each page's articles numbered from 1 in feed order
        assert [a.index for a in split_page(page)] == list(range(1, len(page.parts) + 1))
    if path == RMRB:
        assert len(items) + len(furniture) == 104 and len(pages) == 20
        first = articles[0]
        assert first.title == "内蒙古大力发展绿色能源"
        assert first.reporters == ("冯春梅", "张枨")  # the byline in p.sec, read by the splitter
        assert (first.newspaper, first.issue_date) == ("人民日报", "2026-05-06")  # the page stamp
        assert not any("《人民日报》" in a.text for a in articles)  # stamps lifted, not left in bodies
    else:
        youth = articles[0]
        assert youth.title == "“用青春的智慧和汗水打拼出一个更加美好的中国”"
        assert youth.subtitle == "习近平总书记关于青年工作的重要思想引领青年志愿者挺膺担当、矢志奋斗"
        assert youth.newspaper == "新华每日电讯" and youth.issue_date == "2026-05-03"
        assert not any(a.text.startswith("新华社记者") for a in articles)


def test_a_people_daily_banmian_page_is_assembled_from_its_links_in_order(site: NewsSite) -> None:
    by_page = add_rmrb_epaper(site, feed_items(RMRB))
    url = site.url("/rmrb/pc/layout/202605/06/node_01.html")
    with _sources(site) as sources:
        pages = sources.read([url])
    assert [p.source for p in pages] == [url]
    page = pages[0]
    assert (page.title, page.format) == ("01版：要闻", "epaper")
    articles = split_page(page)
    assert [_squash(a.title or "") for a in articles] == [
        _squash(banmian_of(i.title)[2]) for i in by_page["01"]
    ]
    assert all((a.page_number, a.page_name) == ("01", "要闻") for a in articles)
    assert articles[0].reporters == ("冯春梅", "张枨")
    # --whole-issue: the day's other 版面 from the navigation, in the paper's order.
    with _sources(site, whole_issue=True) as sources:
        pages = sources.read([site.url("/rmrb/pc/layout/202605/06/node_02.html")])
    assert [p.title for p in pages] == ["01版：要闻", "02版：要闻"]
    assert [len(p.parts) for p in pages] == [len(by_page["01"]), len(by_page["02"])]


def test_an_e_paper_banmian_s_editor_credit_link_is_its_furniture_not_an_article(site: NewsSite) -> None:
    by_page = add_rmrb_epaper(site, feed_items(RMRB), numbers=("06",))
    credit = by_page["06"][-1]
    assert banmian_of(credit.title)[2].startswith("本版责编")
    notes: list[str] = []
    url = site.url("/rmrb/pc/layout/202605/06/node_06.html")
    with Sources(
        Settings(), SourceOptions(), fetcher=Fetcher(FAST, MemoryCache()), on_note=notes.append
    ) as src:
        (page,) = src.read([url])
    articles = split_page(page)
    assert [_squash(a.title or "") for a in articles] == [
        _squash(banmian_of(i.title)[2]) for i in by_page["06"][:-1]
    ]
    assert all(_squash(banmian_of(credit.title)[2]) in map(_squash, a.credits) for a in articles)
    note = f"{url}: 1 item(s) without text read as their 版面's furniture, not as articles: "
    assert notes == [note + "本版责编：康 岩 刘涓溪 王 博"]


def test_another_e_paper_is_read_by_the_generic_fallback(site: NewsSite) -> None:
    by_page = add_generic_epaper(site, feed_items(MRDX))
    errors: list[InputError] = []
    with _sources(site, whole_issue=True) as sources:
        pages = sources.read([site.url("/mrdx/content/20260503/Page01BC.htm")], errors.append)
    assert not errors
    assert [p.title for p in pages] == ["01版：要闻", "02版：成风化人", "03版：国际", "04版：综合"]
    for page, (number, items) in zip(pages, by_page.items(), strict=True):
        titles = [_squash(banmian_of(i.title)[2]) for i in items]
        got = [a for a in split_page(page)]
        assert len(got) == len(items)
        assert all(t.startswith(_squash(a.title or "")) for a, t in zip(got, titles, strict=True))
        assert all(a.page_number == number and len(a.text) > 200 for a in got)
    assert pages[2].parts[0].title == "历史的判决不容翻案"
    assert pages[2].parts[0].subtitle == "写在东京审判开庭80周年之际"


def test_a_news_article_url_is_extracted_with_its_title_and_date(site: NewsSite) -> None:
    site.routes["/local/story.html"] = (
        200,
        {"Content-Type": "text/html; charset=utf-8"},
        NEWS_ARTICLE.encode(),
    )
    with _sources(site) as sources:
        (page,) = sources.read([site.url("/local/story.html")])
    (article,) = split_page(page)
    assert article.title == "城市书房夜间开放延至22点"
    assert article.issue_date == "2026-05-04"
    assert article.text.startswith("记者从市图书馆获悉") and "版权所有" not in article.text
    assert article.kicker is None and len(article.text.split("\n")) == 3


def test_summary_only_feed_says_so_in_one_line_or_follows_its_links(site: NewsSite) -> None:
    site.routes["/teasers.xml"] = (200, {"Content-Type": "application/rss+xml"}, teaser_feed(site))
    notes: list[str] = []
    sources = Sources(Settings(), fetcher=Fetcher(FAST, MemoryCache()), on_note=notes.append)
    (page,) = sources.read([site.url("/teasers.xml")])
    assert len(notes) == 1 and "2 of 2 items carry only a summary; --follow-links" in notes[0]
    assert [a.text for a in page.parts] == [
        "城市书房夜间开放延至22点。详见正文。",
        "公交新开三条夜班线路。详见正文。",
    ]
    assert site.hits["/local/2026/05/04/story1.html"] == 0
    sources = Sources(
        Settings(),
        SourceOptions(follow_links=True),
        fetcher=Fetcher(FAST, MemoryCache()),
        on_note=notes.append,
    )
    (page,) = sources.read([site.url("/teasers.xml")])
    assert len(notes) == 1
    assert [a.title for a in page.parts] == ["城市书房夜间开放延至22点", "公交新开三条夜班线路"]
    assert page.parts[0].text.startswith("记者从市图书馆获悉") and page.parts[1].text.startswith(
        "记者从公交集团获悉"
    )
    assert page.parts[0].page_name == "本地"  # the category is the 版面


# ----------------------------------------------------------------------------------------------
# The careful client


def test_retries_with_backoff_on_5xx_and_never_on_404(site: NewsSite) -> None:
    site.routes["/broken"] = (500, {}, b"oops")
    fetcher = Fetcher(FAST, MemoryCache())
    with pytest.raises(InputError, match=r"HTTP 500 .*gave up after 3 tries"):
        fetcher.get(site.url("/broken"))
    assert site.hits["/broken"] == 3
    with pytest.raises(InputError, match="HTTP 404"):
        fetcher.get(site.url("/nothing-here"))
    assert site.hits["/nothing-here"] == 1


def test_a_timeout_is_retried_then_reported(site: NewsSite) -> None:
    site.routes["/slow"] = slow(1.5)
    fetcher = Fetcher(FetchPolicy(timeout=0.3, retries=1, backoff=0.05, delay=0.0), MemoryCache())
    began = time.monotonic()
    with pytest.raises(InputError, match=r"timed out after 0.3s \(gave up after 2 tries\)"):
        fetcher.get(site.url("/slow"))
    assert time.monotonic() - began < 1.5
    assert site.hits["/slow"] == 2


def test_redirects_are_followed_bounded_and_a_loop_is_named(site: NewsSite) -> None:
    body = NEWS_ARTICLE.encode()
    site.routes["/old"] = (301, {"Location": "/new"}, b"")
    site.routes["/new"] = (200, {"Content-Type": "text/html; charset=utf-8"}, body)
    site.routes["/a"] = (302, {"Location": "/b"}, b"")
    site.routes["/b"] = (302, {"Location": site.url("/a")}, b"")
    for i in range(8):
        site.routes[f"/hop{i}"] = (302, {"Location": f"/hop{i + 1}"}, b"")
    fetcher = Fetcher(FAST, MemoryCache())
    got = fetcher.get(site.url("/old"))
    assert got.final_url == site.url("/new") and got.body == body
    with pytest.raises(InputError, match="redirect loop"):
        fetcher.get(site.url("/a"))
    with pytest.raises(InputError, match=r"too many redirects \(more than 5\)"):
        fetcher.get(site.url("/hop0"))
    assert site.hits["/hop6"] == 0


def test_size_cap_holds_over_the_wire_and_after_inflating(site: NewsSite) -> None:
    site.routes["/big"] = (200, {"Content-Type": "text/html"}, b"<p>" + b"x" * 300_000 + b"</p>")
    site.routes["/unsized"] = (200, {"Content-Type": "text/html", "Connection": "close"}, b"y" * 300_000)
    site.routes["/bomb"] = gzip_bomb(inflated_mb=64)
    site.routes["/small.gz"] = (
        200,
        {"Content-Type": "text/html; charset=utf-8", "Content-Encoding": "gzip"},
        gzip.compress(NEWS_ARTICLE.encode()),
    )
    fetcher = Fetcher(FetchPolicy(max_bytes=200_000, retries=0, delay=0.0), MemoryCache())
    with pytest.raises(InputError, match=r"over the 0\.2 MB limit"):
        fetcher.get(site.url("/big"))  # refused on its Content-Length
    with pytest.raises(InputError, match=r"over the 0\.2 MB limit \(max_file_mb\); stopped reading"):
        fetcher.get(site.url("/unsized"))  # no length said: stopped as the cap is passed
    assert len(site.routes["/bomb"][2]) < 200_000  # the compressed bomb passes the wire cap …
    with pytest.raises(InputError, match=r"inflates to more than the 0\.2 MB limit"):
        fetcher.get(site.url("/bomb"))  # … and is stopped while inflating, not after
    assert fetcher.get(site.url("/small.gz")).body == NEWS_ARTICLE.encode()
    headers = site.headers["/small.gz"][0]
    assert "gzip" in headers["Accept-Encoding"] and headers["User-Agent"].startswith("Zhaiyao/")


def test_per_host_limit_and_delay(site: NewsSite) -> None:
    site.routes.update({f"/p{i}": slow(0.2) for i in range(6)})
    policy = FetchPolicy(per_host=2, delay=0.05, retries=0)
    fetcher = Fetcher(policy, MemoryCache())
    results = fetcher.get_many([site.url(f"/p{i}") for i in range(6)], workers=6)
    assert all(not isinstance(r, InputError) for r in results)
    assert site.max_in_flight == 2


def test_revalidation_with_etag_and_a_second_read_without_a_request(site: NewsSite) -> None:
    def feed(handler) -> tuple:
        if handler.headers.get("If-None-Match") == '"v1"':
            return 304, {"ETag": '"v1"'}, b""
        return (
            200,
            {"Content-Type": "application/rss+xml", "ETag": '"v1"'},
            gzip.decompress(MRDX.read_bytes()),
        )

    site.routes["/mrdx.xml"] = feed
    cache = MemoryCache()
    first = Fetcher(FAST, cache).get(site.url("/mrdx.xml"))
    again = Fetcher(FAST, cache).get(site.url("/mrdx.xml"))  # fresh: no request
    assert site.hits["/mrdx.xml"] == 1 and again.from_cache and again.body == first.body
    stale = Fetcher(FetchPolicy(max_age=0, delay=0.0), cache).get(site.url("/mrdx.xml"))
    assert site.hits["/mrdx.xml"] == 2 and stale.body == first.body  # 304: the cached body
    assert site.headers["/mrdx.xml"][1]["If-None-Match"] == '"v1"'
    offline = Fetcher(FetchPolicy(offline=True), cache)
    assert offline.get(site.url("/mrdx.xml")).body == first.body
    with pytest.raises(InputError, match="not in the URL cache"):
        offline.get(site.url("/never-fetched.xml"))
    assert site.total == 2


def test_wrong_charset_declarations_do_not_garble_the_text(site: NewsSite) -> None:
    raw = gzip.decompress(MRDX.read_bytes())
    as_gbk = raw.decode("utf-8").encode("gb18030")  # the XML declaration still says UTF-8
    site.routes["/utf8-said-gbk.xml"] = (200, {"Content-Type": "application/rss+xml; charset=gbk"}, raw)
    site.routes["/gbk-said-utf8.xml"] = (200, {"Content-Type": "application/rss+xml; charset=utf-8"}, as_gbk)
    page = NEWS_ARTICLE.replace('charset="utf-8"', 'charset="iso-8859-1"')
    site.routes["/latin1.html"] = (200, {"Content-Type": "text/html"}, page.encode("gb18030"))
    with _sources(site) as sources:
        for path in ("/utf8-said-gbk.xml", "/gbk-said-utf8.xml"):
            pages = sources.read([site.url(path)])
            assert pages[0].parts[0].title == "“用青春的智慧和汗水打拼出一个更加美好的中国”", path
        (article_page,) = sources.read([site.url("/latin1.html")])
    assert article_page.parts[0].title == "城市书房夜间开放延至22点"


# ----------------------------------------------------------------------------------------------
# Safe parsing


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (XML_BOMB, "declares XML entities; refused"),
        (MALFORMED, "malformed XML"),
        (HTML_PAGE, "an HTML page, not an RSS or Atom feed"),
        (b'<?xml version="1.0"?><catalog><book/></catalog>', "not an RSS or Atom feed"),
        (
            b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><rss><channel>'
            b"<item><title>&x;</title></item></channel></rss>",
            "refused",
        ),
    ],
    ids=["entity bomb", "malformed", "html", "other xml", "external entity"],
)
def test_bad_feed_files_are_one_clear_error(tmp_path: Path, body: bytes, problem: str) -> None:
    feed = tmp_path / "feed.xml"
    feed.write_bytes(body)
    errors: list[InputError] = []
    good = tmp_path / "good.xml"
    good.write_bytes(gzip.decompress(MRDX.read_bytes()))
    pages = Sources(Settings(), cache=MemoryCache()).read([str(feed), str(good)], errors.append)
    assert len(errors) == 1 and problem in str(errors[0]) and str(feed) in str(errors[0])
    assert "\n" not in str(errors[0])
    assert sum(len(p.parts) for p in pages) == 13  # the other input is read


def test_the_viewer_refuses_file_urls_and_private_addresses(site: NewsSite, monkeypatch) -> None:
    site.routes["/story.html"] = (200, {"Content-Type": "text/html; charset=utf-8"}, NEWS_ARTICLE.encode())
    settings = Settings(db_path=Path("store.db"))
    for url, why in [
        ("file:///etc/passwd", "only http and https URLs are fetched (file:// refused)"),
        (site.url("/story.html"), "is a loopback address (127.0.0.1)"),
        (site.url("/story.html", host="localhost"), "localhost is a loopback address"),
        ("http://10.1.2.3/x", "is a private address (10.1.2.3)"),
        ("http://169.254.169.254/latest/meta-data/", "is a link-local address"),
        ("http://[::1]/", "is a loopback address"),
        ("gopher://example.com/", "gopher:// refused"),
    ]:
        with pytest.raises(InputError) as info:
            read_viewer_url(url, settings)
        assert why in str(info.value), (url, str(info.value))
    assert site.total == 0  # refused before any connection
    allowed = Settings(db_path=Path("store.db"), allow_private_urls=True)
    (page,) = read_viewer_url(site.url("/story.html"), allowed)
    assert page.parts[0].title == "城市书房夜间开放延至22点"


def test_every_redirect_hop_is_checked_like_the_first_url(site: NewsSite) -> None:
    # A public-looking first hop that redirects into the private network: here 127.0.0.1 stands for
    # the public address (allowed by the test's policy) and 127.0.0.2 for the private one.
    inner = NewsSite()
    server = serve(inner, host="127.0.0.2")
    try:
        inner.routes["/admin"] = (200, {"Content-Type": "text/html"}, b"<p>secret</p>")
        site.routes["/go"] = (302, {"Location": inner.url("/admin", host="127.0.0.2")}, b"")
        policy = FetchPolicy(allow_private=False, delay=0.0, retries=0)
        fetcher = Fetcher(
            policy, MemoryCache(), blocked=lambda ip: "a private address" if ip == "127.0.0.2" else None
        )
        with pytest.raises(InputError, match=r"refused: 127.0.0.2 is a private address"):
            fetcher.get(site.url("/go"))
        assert site.hits["/go"] == 1 and inner.total == 0
    finally:
        server.shutdown()
        server.server_close()


def test_an_atom_feed_groups_by_category_and_keeps_the_entry_html_as_fields(tmp_path: Path) -> None:
    body = "".join(
        f"<p>\u3000\u3000第{i}段，说的是一件事情的经过和结果，共有三十多个字。</p>" for i in range(12)
    )
    entries = "".join(
        f"""<entry><title>{title}</title><link rel="alternate" href="https://news.example/{i}.html"/>
        <published>2026-05-0{i}T08:00:00+08:00</published><category term="{cat}"/>
        <content type="html"><![CDATA[<h3>{kicker}</h3><h1>{title}</h1><p>本报记者 王小明</p>{body}]]>
        </content>
        </entry>"""
        for i, (cat, kicker, title) in enumerate(
            [("要闻", "引题一", "标题一"), ("国际", "引题二", "标题二"), ("要闻", "引题三", "标题三")],
            start=1,
        )
    )
    feed = tmp_path / "news.atom"
    feed.write_text(
        f'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>晚报</title>'
        f"{entries}</feed>",
        encoding="utf-8",
    )
    pages = Sources(Settings(), cache=MemoryCache()).read([str(feed)])
    assert [(p.source, p.format) for p in pages] == [(f"{feed}#要闻", "atom"), (f"{feed}#国际", "atom")]
    assert [[a.title for a in p.parts] for p in pages] == [["标题一", "标题三"], ["标题二"]]
    first = pages[0].parts[0]
    assert (first.kicker, first.page_name, first.issue_date, first.reporters) == (
        "引题一",
        "要闻",
        "2026-05-01",
        ("王小明",),
    )
    assert first.text.startswith("第0段") and len(first.text.split("\n")) == 12
