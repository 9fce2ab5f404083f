"""The commands on feed, 版面 and article URLs served from 127.0.0.1: batch fills the store, a rerun or
--offline makes no request, and each bad input is one line while the run's other inputs are done."""

from __future__ import annotations

import gzip
import json
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner
from news_server import (
    HTML_PAGE,
    MALFORMED,
    MRDX,
    NEWS_ARTICLE,
    RMRB,
    XML_BOMB,
    NewsSite,
    add_rmrb_epaper,
    feed_items,
    gzip_bomb,
    serve,
    slow,
)
from zhaiyao.cli import main
from zhaiyao.store import Store

RSS = {"Content-Type": "application/rss+xml; charset=utf-8"}


@pytest.fixture
def site():
    site = NewsSite()
    server = serve(site)
    site.routes["/rmrb.xml"] = (200, RSS, gzip.decompress(RMRB.read_bytes()))
    site.routes["/mrdx.xml"] = (200, RSS, gzip.decompress(MRDX.read_bytes()))
    yield site
    server.shutdown()
    server.server_close()


def run_cli(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def query(db: Path, sql: str) -> list[tuple]:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def test_batch_of_a_day_feed_fills_the_store_and_a_rerun_makes_no_request(
    site: NewsSite, isolated_env: Path
) -> None:
    url = site.url("/rmrb.xml")
    db = isolated_env / "store.db"
    code, out, err = run_cli("batch", url, "--backend", "lead")
    # 11 of the 104 items are 版面 furniture (本版责编 lines, an advert slot): one note names them. Two
    # bodyless items stay articles and fail as every article without text does: 12版's advert, its
    # 版面's only item, and 20版's photo page.
    assert "note: " in err and "11 item(s) without text read as their 版面's furniture" in err
    assert "run #1: 91/93 articles done with lead" in out, err
    assert code == 1 and err.count("the article has no body text") == 2
    pages = query(db, "SELECT source, title, articles FROM pages ORDER BY rowid")
    assert len(pages) == 20 and sum(n for _, _, n in pages) == 93
    assert pages[0] == (f"{url}#01版：要闻", "01版：要闻", 9)
    assert query(db, "SELECT count(*) FROM page_articles")[0][0] == 93
    assert site.total == 1
    # The viewer's list of pages is the day's 版面.
    with Store(db) as store:
        shown = [p.source for p in store.list_pages()]
    assert sorted(shown) == sorted(s for s, _, _ in pages)
    # A rerun and an --offline run: answered from the store, no request.
    code, out, _ = run_cli("batch", url, "--backend", "lead")
    assert "(0 summarised, 91 from the store)" in out
    code, out, _ = run_cli("batch", "--offline", url, "--backend", "lead")
    assert "(0 summarised, 91 from the store)" in out
    assert site.total == 1
    assert query(db, "SELECT url, status FROM fetched") == [(url, 200)]


def test_offline_without_the_page_in_the_cache_is_one_line(site: NewsSite) -> None:
    code, _, err = run_cli("split", "--offline", site.url("/mrdx.xml"))
    assert code == 2 and site.total == 0
    assert err.strip().splitlines()[0].endswith("not in the URL cache, and --offline fetches nothing")


def test_bad_inputs_are_one_line_each_and_the_rest_is_done(
    site: NewsSite, isolated_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ZHAIYAO_FETCH_TIMEOUT", "0.4")
    monkeypatch.setenv("ZHAIYAO_MAX_FILE_MB", "1")
    site.routes.update(
        {
            "/broken": (500, {}, b"oops"),
            "/slow": slow(3),
            "/loop": (302, {"Location": "/loop2"}, b""),
            "/loop2": (302, {"Location": "/loop"}, b""),
            "/big.xml": (200, RSS, b"<rss>" + b" " * 2_000_000 + b"</rss>"),
            "/bomb.xml.gz": gzip_bomb(inflated_mb=40),
            "/malformed.xml": (200, RSS, MALFORMED),
            "/entities.xml": (200, {"Content-Type": "application/xml"}, XML_BOMB),
            "/page-as-feed.xml": (200, RSS, HTML_PAGE),
        }
    )
    as_file = isolated_env / "page.xml"
    as_file.write_bytes(HTML_PAGE)
    bad = {
        "/missing": "HTTP 404",
        "/broken": "HTTP 500",
        "/slow": "timed out after 0.4s",
        "/loop": "redirect loop",
        "/big.xml": "over the 1.0 MB limit",
        "/bomb.xml.gz": "a gzip bomb",
        "/malformed.xml": "malformed XML",
        "/entities.xml": "declares XML entities; refused",
        "/page-as-feed.xml": "an HTML page, not an RSS or Atom feed",
    }
    args = [site.url("/mrdx.xml"), *(site.url(p) for p in bad), str(as_file), "file:///etc/passwd"]
    code, out, err = run_cli("batch", *args, "--backend", "lead")
    assert code == 2
    assert "run #1: 13/13 articles done with lead" in out  # the good feed, every item
    skipped = [line for line in err.splitlines() if line.startswith("skipped: ")]
    assert len(skipped) == len(bad) + 2, err
    for path, problem in bad.items():
        (line,) = [s for s in skipped if s.startswith(f"skipped: {site.url(path)}:")]
        assert problem in line, line
    assert any(str(as_file) in s and "an HTML page, not an RSS or Atom feed" in s for s in skipped)
    assert any("file:///etc/passwd" in s and "only http and https" in s for s in skipped)


def test_split_of_a_banmian_url_and_the_whole_issue(site: NewsSite) -> None:
    by_page = add_rmrb_epaper(site, feed_items(RMRB))
    url = site.url("/rmrb/pc/layout/202605/06/node_01.html")
    code, out, err = run_cli("split", "--whole-issue", url)
    assert code == 0, err
    rows = [json.loads(line) for line in out.splitlines()]
    assert len(rows) == len(by_page["01"]) + len(by_page["02"])
    assert [(r["page_number"], r["index"]) for r in rows] == [("01", i) for i in range(1, 10)] + [
        ("02", i) for i in range(1, 7)
    ]
    assert rows[0]["title"] == "内蒙古大力发展绿色能源" and rows[0]["page"] == url


def test_start_and_summarise_take_an_article_url(site: NewsSite) -> None:
    site.routes["/story.html"] = (200, {"Content-Type": "text/html; charset=utf-8"}, NEWS_ARTICLE.encode())
    url = site.url("/story.html")
    code, out, err = run_cli("start", "--no-view", "--backend", "lead", url)
    assert code == 0, err
    assert "1 of 1 articles from 1 page(s) summarised" in out and "城市书房夜间开放延至22点" in out
    code, out, err = run_cli("summarise", "--backend", "lead", "--format", "jsonl", url)
    assert code == 0, err
    (row,) = [json.loads(line) for line in out.splitlines()]
    assert row["title"] == "城市书房夜间开放延至22点" and row["issue_date"] == "2026-05-04"
    assert site.hits["/story.html"] == 1  # the second command read the store's copy
