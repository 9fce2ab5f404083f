"""pages → articles → summaries into the store: cache, statuses, failures and interruption."""

from __future__ import annotations

from pathlib import Path

import pytest
from zhaiyao.config import Settings
from zhaiyao.documents import Page
from zhaiyao.errors import ModelError, StoreError
from zhaiyao.run.local import LocalEngine
from zhaiyao.run.pipeline import Progress, run_pages
from zhaiyao.store import Store
from zhaiyao.summarise import load_summariser

SEED = Path(__file__).parents[1] / "examples" / "zhuzhou_front_page.txt"


def seed_page() -> Page:
    return Page(source=str(SEED), text=SEED.read_text(encoding="utf-8"))


def counting(summariser, fail_on: str | None = None):
    """Count the real backend's model calls (and, given ``fail_on``, make those requests fail): through
    ``serve`` (follow-ups included) where the backend has one, else through ``generate``."""
    summariser.calls = 0

    def asked(requests) -> None:
        summariser.calls += len(requests)
        if fail_on and any(fail_on in r.text for r in requests):
            raise ModelError(f"the model choked on {fail_on}")

    original_serve = getattr(summariser, "serve", None)
    if original_serve is not None:

        def serve(requests, on_answer):
            asked(requests)

            def answered(request, candidates):
                follow = on_answer(request, candidates)
                asked(follow)
                return follow

            return original_serve(requests, answered)

        summariser.serve = serve
        return summariser
    original = summariser.generate

    def generate(requests):
        asked(requests)
        return original(requests)

    summariser.generate = generate
    return summariser


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(backend="extractive", db_path=tmp_path / "s.db", batch_size=4)


def test_every_article_is_summarised_committed_and_reported(settings: Settings) -> None:
    events: list[Progress] = []
    results = []
    with Store(settings.db_path) as store:
        report = run_pages(
            [seed_page()], settings, store, on_progress=events.append, on_result=results.append
        )
        assert (report.total, report.done, report.failed, report.cached) == (10, 10, 0, 0)
        assert report.summariser.backend == "extractive"
        assert len(results) == 10 and all(r.status == "done" and r.summary.text for r in results)
        assert events[-1].finished == 10 and events[0].finished == 0
        stored = store.page_results(str(SEED))
        assert [r.article.index for r in stored] == list(range(1, 11))
        assert all(r.summary is not None for r in stored)
        run = store.run(report.run_id)
        assert (run.status, run.total, run.done, run.pending) == ("finished", 10, 10, 0)


def test_a_second_run_reuses_the_store_and_makes_no_model_calls(settings: Settings) -> None:
    with Store(settings.db_path) as store:
        first = counting(load_summariser(settings))
        run_pages([seed_page()], settings, store, summariser=first)
        assert first.calls >= 10
        second = counting(load_summariser(settings))
        report = run_pages([seed_page()], settings, store, summariser=second)
        assert second.calls == 0
        assert (report.done, report.cached, report.summarised) == (10, 10, 0)
        assert store.counts()["summaries"] == 10
        # Other settings are other summaries: the cache must not answer for them.
        third = counting(load_summariser(settings))
        run_pages([seed_page()], settings.replace(style="headline"), store, summariser=third)
        assert third.calls >= 10
        assert store.counts()["summaries"] == 20


def test_a_failing_article_is_recorded_and_the_run_goes_on(settings: Settings) -> None:
    pages = [
        seed_page(),
        Page(source="rows.jsonl#L1", text="", kind="article", title="只有标题没有正文"),
        Page(
            source="rows.jsonl#L2",
            text="触发故障。这篇文章让模型出错。" * 3,
            kind="article",
            title="出错的文章",
        ),
    ]
    with Store(settings.db_path) as store:
        summariser = counting(load_summariser(settings), fail_on="触发故障")
        report = run_pages(pages, settings, store, summariser=summariser)
        assert (report.total, report.done, report.failed) == (12, 10, 2)
        reasons = {f.page: f.error for f in report.failures}
        assert reasons["rows.jsonl#L1"] == "the article has no body text to summarise"
        assert reasons["rows.jsonl#L2"] == "the model choked on 触发故障"
        # The failing article shared a batch with others; they were retried alone and all landed.
        failed = store.run_results(report.run_id, "failed")
        assert sorted(r.article.page for r in failed) == ["rows.jsonl#L1", "rows.jsonl#L2"]
        assert len(store.run_results(report.run_id, "done")) == 10
        assert store.run(report.run_id).failed == 2


def test_a_page_that_cannot_be_split_is_reported_and_the_rest_processed(
    settings: Settings, monkeypatch
) -> None:
    import zhaiyao.split.page

    real = zhaiyao.split.page.split_page

    def split_page(page):
        if page.source == "broken.txt":
            raise ValueError("unbalanced layout")
        return real(page)

    monkeypatch.setattr(zhaiyao.split.page, "split_page", split_page)
    with Store(settings.db_path) as store:
        report = run_pages([Page(source="broken.txt", text="坏页"), seed_page()], settings, store)
        assert report.page_errors == ["broken.txt: cannot split the page: ValueError: unbalanced layout"]
        assert report.done == 10
        assert store.run(report.run_id).errors == report.page_errors


def test_an_interrupted_run_keeps_finished_work_and_a_rerun_finishes_exactly_the_rest(
    settings: Settings,
) -> None:
    settings = settings.replace(batch_size=1)

    def stop_after_three(result) -> None:
        stop_after_three.seen += 1
        if stop_after_three.seen == 3:
            raise KeyboardInterrupt

    stop_after_three.seen = 0
    with Store(settings.db_path) as store:
        with pytest.raises(KeyboardInterrupt):
            run_pages([seed_page()], settings, store, on_result=stop_after_three)
        first = store.run(store.latest_run_id())
        assert (first.status, first.done, first.pending) == ("interrupted", 3, 7)
        assert store.counts()["summaries"] == 3

        summariser = counting(load_summariser(settings))
        report = run_pages([seed_page()], settings, store, summariser=summariser)
        assert (report.done, report.cached, report.summarised) == (10, 3, 7)
        # Model calls only for the seven unfinished articles (an untitled one also gets a headline).
        rest = [r.article for r in store.run_results(report.run_id) if not r.extra["cached"]]
        assert len(rest) == 7
        assert summariser.calls == sum(1 + (a.title is None) for a in rest)
        made_by = store._conn.execute("SELECT run_id, count(*) FROM summaries GROUP BY run_id").fetchall()
        assert sorted(made_by) == [(first.id, 3), (report.run_id, 7)]


def test_the_same_page_twice_counts_once(settings: Settings) -> None:
    with Store(settings.db_path) as store:
        report = run_pages([seed_page(), seed_page()], settings, store)
        assert report.total == 10


def test_cache_with_the_tiny_llm_makes_no_model_calls_on_rerun(tiny_model_dir: Path, tmp_path: Path) -> None:
    settings = Settings(backend="llm", model=str(tiny_model_dir), db_path=tmp_path / "s.db", batch_size=4)
    page = Page(source="two.txt", text=SEED.read_text(encoding="utf-8")[:1200])
    with Store(settings.db_path) as store:
        first = counting(load_summariser(settings))
        report = run_pages([page], settings, store, summariser=first)
        assert report.done == report.total > 0
        assert first.calls >= report.total
        assert report.summariser.backend == "llm"
        second = counting(load_summariser(settings))
        again = run_pages([page], settings, store, summariser=second)
        assert second.calls == 0
        assert again.cached == report.total
        # With nothing left to do, the engine never even loads its model.
        engine = LocalEngine(settings)
        third = run_pages([page], settings, store, engine=engine)
        assert third.cached == report.total and third.summariser == report.summariser
        assert engine._summariser is None
        # Anything missing under that key, and the model is loaded as usual.
        more = Page(
            source="more.txt", text="株洲日报讯 市图书馆延长开放时间至21:00，方便市民。", kind="article"
        )
        fourth = run_pages([page, more], settings, store, engine=engine)
        assert engine._summariser is not None
        assert (fourth.cached, fourth.summarised) == (report.total, 1)


def test_pages_already_in_the_store_run_through_the_same_loop(settings: Settings) -> None:
    headline = settings.replace(style="headline")
    with Store(settings.db_path) as store:
        first = run_pages([seed_page()], settings, store)
        again = run_pages([], headline, store, stored=[str(SEED)])
        assert (again.total, again.summarised, again.cached, again.pages) == (10, 10, 0, 1)
        assert again.summariser.style == "headline"
        assert store.run(again.run_id).inputs == [str(SEED)]
        shown = store.page_results(str(SEED), again.summariser)
        assert all(r.summary.style == "headline" for r in shown)
        back = run_pages([], settings, store, stored=[str(SEED)])
        assert (back.cached, back.summarised, back.summariser) == (10, 0, first.summariser)
        with pytest.raises(StoreError, match=r"no page 'gone\.txt'"):
            run_pages([], settings, store, stored=["gone.txt"])
        assert store.run(store.latest_run_id()).status == "failed"  # stopped by an error, not killed
