"""The SQLite store: migrations, cache keys, page order, search, and failures that stay clear and safe."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from zhaiyao.documents import Article, Page, Summary
from zhaiyao.errors import StoreError
from zhaiyao.store import Store, SummaryKey
from zhaiyao.store.migrations import MIGRATIONS

KEY = SummaryKey.of("extractive", "textrank", "brief", None, "v1")


def article(page: str, index: int, title: str, text: str, **extra) -> Article:
    return Article(page=page, index=index, title=title, text=text, **extra)


def summary_for(a: Article, text: str, key: SummaryKey = KEY, keywords: tuple[str, ...] = ()) -> Summary:
    return Summary(
        article_key=a.key,
        text=text,
        style=key.style,
        backend=key.backend,
        model=key.model,
        max_chars=100,
        keywords=keywords,
        prompt_version=key.prompt_version,
    )


@pytest.fixture
def page_and_articles() -> tuple[Page, list[Article]]:
    page = Page(source="pages/2020-09-28-A1.txt", text="整版文字" * 10)
    arts = [
        article(
            page.source,
            1,
            "生态环保工作",
            "省生态环境厅来株调研。空气优良天数223天。",
            reporters=("罗欣",),
            dateline="株洲日报讯 9月27日，",
        ),
        article(
            page.source, 2, "脱贫攻坚调度会", "王洪斌主持召开视频会议。扶贫车间推进。", reporters=("刘琦",)
        ),
        article(page.source, 3, None, "工业旅游节开幕。旅游专列开行。"),
    ]
    return page, arts


def test_migrations_are_recorded_once_and_a_newer_store_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    with Store(db) as store:
        assert store.migrations() == [name for name, _ in MIGRATIONS]
    with Store(db) as store:  # reopening applies nothing twice
        assert store.migrations() == [name for name, _ in MIGRATIONS]
    conn = sqlite3.connect(db)
    conn.execute("INSERT INTO schema_migrations VALUES ('999_from_the_future', 'x')")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match="newer Zhaiyao"):
        Store(db)


def test_an_older_store_is_migrated_in_order_and_keeps_its_data(tmp_path: Path, monkeypatch) -> None:
    import zhaiyao.store.connection

    db = tmp_path / "s.db"
    # as the first release wrote it
    monkeypatch.setattr(zhaiyao.store.connection, "MIGRATIONS", MIGRATIONS[:1])
    with Store(db) as old:
        assert old.migrations() == ["001_initial"]
        cur = old._conn.execute(
            """INSERT INTO runs (started_at, status, engine, settings, inputs)
               VALUES ('2026-01-01', 'finished', 'local', '{}', '["a.txt"]')"""
        )
        run = cur.lastrowid
    monkeypatch.setattr(zhaiyao.store.connection, "MIGRATIONS", MIGRATIONS)
    with Store(db) as new:
        assert new.migrations() == [name for name, _ in MIGRATIONS]
        assert new.run(run).inputs == ["a.txt"]
        assert new.start_run({}, [], "local") == run + 1


def test_store_uses_wal_so_readers_do_not_wait_for_a_writer(tmp_path: Path, page_and_articles) -> None:
    page, arts = page_and_articles
    db = tmp_path / "s.db"
    writer = Store(db)
    writer.save_page(page, arts)
    assert writer._conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    # Hold the write lock open, as a batch does mid-commit; a second store must still read.
    writer._conn.execute("BEGIN IMMEDIATE")
    writer._conn.execute("UPDATE pages SET title = 'changing' WHERE source = ?", (page.source,))
    reader = Store(db, busy_timeout=0.2)
    assert [r.article.title for r in reader.page_results(page.source)] == [a.title for a in arts]
    writer._conn.execute("ROLLBACK")
    reader.close()
    writer.close()


def test_page_results_keep_page_order_and_status(tmp_path: Path, page_and_articles) -> None:
    page, arts = page_and_articles
    with Store(tmp_path / "s.db") as store:
        store.save_page(page, arts)
        run = store.start_run({"style": "brief"}, [page.source], "local")
        store.add_run_articles(run, arts)
        store.save_summary(run, arts[1].key, summary_for(arts[1], "王洪斌主持召开会议。"), KEY)
        store.mark_failed(run, arts[2].key, "ModelError: boom")
        results = store.page_results(page.source)
        assert [(r.article.index, r.status) for r in results] == [(1, "pending"), (2, "done"), (3, "failed")]
        assert results[1].summary.text == "王洪斌主持召开会议。"
        assert results[2].error == "ModelError: boom"
        # Metadata survives the round trip through JSON.
        assert results[0].article.reporters == ("罗欣",)
        assert results[0].article.dateline == "株洲日报讯 9月27日，"
        info = store.finish_run(run)
        assert (info.total, info.done, info.failed, info.pending, info.status) == (3, 1, 1, 1, "finished")
        assert [r.status for r in store.run_results(run)] == ["pending", "done", "failed"]
        assert [r.article.index for r in store.run_results(run, "failed")] == [3]


def test_cache_is_keyed_by_article_and_summary_settings(tmp_path: Path, page_and_articles) -> None:
    page, arts = page_and_articles
    with Store(tmp_path / "s.db") as store:
        store.save_page(page, arts)
        store.save_summary(None, arts[0].key, summary_for(arts[0], "调研生态环保。"), KEY)
        assert set(store.cached_summaries([a.key for a in arts], KEY)) == {arts[0].key}
        for other in (
            SummaryKey.of("extractive", "textrank", "headline", None, "v1"),
            SummaryKey.of("extractive", "textrank", "brief", 60, "v1"),
            SummaryKey.of("extractive", "textrank", "brief", None, "v2"),
            SummaryKey.of("llm", "qwen", "brief", None, "v1"),
        ):
            assert store.cached_summaries([arts[0].key], other) == {}
        # Saving the same key again replaces, never duplicates.
        store.save_summary(None, arts[0].key, summary_for(arts[0], "新的摘要。"), KEY)
        assert store.counts()["summaries"] == 1
        assert store.cached_summaries([arts[0].key], KEY)[arts[0].key].text == "新的摘要。"


def test_the_same_article_on_two_pages_is_one_article_in_two_places(
    tmp_path: Path, page_and_articles
) -> None:
    page, arts = page_and_articles
    other = Page(source="pages/2020-09-28-A2.txt", text="另一版")
    moved = Article(page=other.source, index=4, title=arts[0].title, text=arts[0].text)
    with Store(tmp_path / "s.db") as store:
        store.save_page(page, arts)
        store.save_page(other, [moved])
        assert store.counts()["articles"] == 3
        [res] = store.page_results(other.source)
        assert (res.article.page, res.article.index) == (other.source, 4)
        assert [p.source for p in store.list_pages()] == [page.source, other.source]


def test_search_filters_by_keyword_reporter_page_and_date(tmp_path: Path, page_and_articles) -> None:
    page, arts = page_and_articles
    with Store(tmp_path / "s.db") as store:
        store.save_page(page, arts)
        store.save_summary(None, arts[2].key, summary_for(arts[2], "旅游节开幕。", keywords=("文旅",)), KEY)
        assert [r.article.index for r in store.search("扶贫")] == [2]  # body
        assert [r.article.index for r in store.search("生态环保")] == [1]  # title
        assert [r.article.index for r in store.search("文旅")] == [3]  # summary keywords
        assert [r.article.index for r in store.search(reporter="罗欣")] == [1]
        assert [r.article.index for r in store.search(date="9月27日")] == [1]
        assert [r.article.index for r in store.search(page="A1")] == [1, 2, 3]
        assert store.search("旅游", reporter="罗欣") == []
        assert store.search("100%_") == []  # LIKE wildcards are matched literally


def test_last_change_moves_when_another_process_writes(tmp_path: Path, page_and_articles) -> None:
    page, arts = page_and_articles
    db = tmp_path / "s.db"
    viewer = Store(db)
    before = viewer.last_change()
    assert viewer.last_change() == before  # stable while nothing happens
    with Store(db) as batch:
        batch.save_page(page, arts)
        batch.save_summary(None, arts[0].key, summary_for(arts[0], "摘要。"), KEY)
    assert viewer.last_change() != before
    viewer.close()


def test_a_locked_store_gives_a_clear_error_and_keeps_committed_data(
    tmp_path: Path, page_and_articles
) -> None:
    page, arts = page_and_articles
    db = tmp_path / "s.db"
    with Store(db) as store:
        store.save_page(page, arts)
        store.save_summary(None, arts[0].key, summary_for(arts[0], "已提交的摘要。"), KEY)
    other = sqlite3.connect(db, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    store = Store(db, busy_timeout=0.2)
    with pytest.raises(StoreError, match=r"locked by another process \(waited 0.2s\)"):
        store.save_summary(None, arts[1].key, summary_for(arts[1], "不会写入。"), KEY)
    other.execute("ROLLBACK")
    other.close()
    assert store.cached_summaries([a.key for a in arts], KEY)[arts[0].key].text == "已提交的摘要。"
    assert arts[1].key not in store.cached_summaries([arts[1].key], KEY)
    store.close()


def test_a_file_that_is_not_a_store_is_refused_and_left_alone(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    junk = b"this is a spreadsheet, not a database" * 200
    db.write_bytes(junk)
    with pytest.raises(StoreError, match="corrupt or not a Zhaiyao store"):
        Store(db)
    assert db.read_bytes() == junk


def test_a_damaged_store_gives_a_clear_error(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    with Store(db) as store:
        for n in range(60):  # enough rows to span many pages of the file
            p = Page(source=f"p{n}.txt", text="版" * 2000)
            store.save_page(
                p, [Article(page=p.source, index=1, title=f"标题{n}", text="正文" * 800 + str(n))]
            )
    size = db.stat().st_size
    with db.open("r+b") as fh:  # scribble over everything past the header page
        fh.seek(4096)
        fh.write(b"\xff\x00" * ((size - 4096) // 2))
    with pytest.raises(StoreError, match="corrupt"), Store(db) as store:
        store.list_pages()
        store.search("正文")


def test_a_full_disk_gives_a_clear_error_and_keeps_committed_data(tmp_path: Path, page_and_articles) -> None:
    page, arts = page_and_articles
    with Store(tmp_path / "s.db") as store:
        store.save_page(page, arts)
        store.save_summary(None, arts[0].key, summary_for(arts[0], "已提交。"), KEY)
        # SQLite reports a file that may not grow exactly as it reports a full disk (SQLITE_FULL).
        pages = store._conn.execute("PRAGMA page_count").fetchone()[0]
        store._conn.execute(f"PRAGMA max_page_count = {pages}")
        with pytest.raises(StoreError, match="disk is full"):
            store.save_summary(None, arts[1].key, summary_for(arts[1], "很长的摘要" * 4000), KEY)
        found = store.cached_summaries([a.key for a in arts], KEY)
        assert list(found) == [arts[0].key]
        assert found[arts[0].key].text == "已提交。"


def _statements(store: Store) -> list[str]:
    seen: list[str] = []
    store._conn.set_trace_callback(seen.append)
    return seen


def test_page_reads_and_run_listings_take_a_fixed_number_of_queries(tmp_path: Path) -> None:
    def fill(store: Store, pages: int) -> None:
        for n in range(pages):
            page = Page(source=f"p{n}.txt", text="版")
            arts = [article(page.source, i, f"标题{n}-{i}", f"正文{n}第{i}篇。") for i in range(1, 21)]
            store.save_page(page, arts)
            run = store.start_run({}, [page.source], "local")
            store.add_run_articles(run, arts)
            for a in arts[:15]:
                store.save_summary(run, a.key, summary_for(a, "摘要。"), KEY)
            for a in arts[15:18]:
                store.mark_failed(run, a.key, "boom", KEY)
            store.finish_run(run)

    counts = []
    for pages in (2, 6):
        with Store(tmp_path / f"s{pages}.db") as store:
            fill(store, pages)
            seen = _statements(store)
            results = store.page_results("p1.txt", KEY)
            runs = store.runs(50)
            found = store.search("正文")
            listed = store.list_pages()
            counts.append(len(seen))
        assert [r.status for r in results] == ["done"] * 15 + ["failed"] * 3 + ["pending"] * 2
        assert len(runs) == pages and all((r.total, r.done, r.failed) == (20, 15, 3) for r in runs)
        assert len(found) == 20 * pages and len(listed) == pages
    # More pages, articles and runs: not one more query.
    assert counts[0] == counts[1] <= 6, counts


def test_a_failure_counts_only_under_the_settings_it_happened_with(tmp_path: Path, page_and_articles) -> None:
    page, arts = page_and_articles
    other = SummaryKey.of("llm", "qwen+int8", "brief", None, "v1")
    with Store(tmp_path / "s.db") as store:
        store.save_page(page, arts)
        run = store.start_run({}, [page.source], "local")
        store.add_run_articles(run, arts)
        store.mark_failed(run, arts[0].key, "ModelError: boom", other)
        store.mark_failed(run, arts[1].key, "the article has no body text to summarise")
        store.finish_run(run)
        under_other = [r.status for r in store.page_results(page.source, other)]
        under_key = [r.status for r in store.page_results(page.source, KEY)]
    assert under_other == ["failed", "failed", "pending"]
    assert under_key == ["pending", "failed", "pending"]  # a failure without settings fails all of them


def test_summary_sets_list_every_key_a_page_has_newest_first(tmp_path: Path, page_and_articles) -> None:
    page, arts = page_and_articles
    headline = SummaryKey.of("extractive", "textrank", "headline", None, "v1")
    with Store(tmp_path / "s.db") as store:
        store.save_page(page, arts)
        assert store.summary_sets(page.source) == []
        for a in arts:
            store.save_summary(None, a.key, summary_for(a, "摘要。"), KEY)
        store.save_summary(None, arts[0].key, summary_for(arts[0], "标题。", headline), headline)
        sets = store.summary_sets(page.source)
        with pytest.raises(StoreError, match=r"no page 'nope\.txt' in the store"):
            store.page_articles("nope.txt")
        assert [a.title for a in store.page_articles(page.source)] == [a.title for a in arts]
    assert [(s.key, s.done) for s in sets] == [(headline, 1), (KEY, 3)]
