"""A run on screen: one placeholder for the page, a status box with progress and an estimate from
measured speed, a cancel, and the page's cards filling in as their summaries land.

The run is drawn into a slot of its own, the page's slot emptied first: no card of the page as it was
stands under the run. The reader's cancel reruns the script, which stops the run
after the article in hand (every summary made so far is kept in the store).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import streamlit as st
from zhaiyao.config import Settings
from zhaiyao.documents import Article, ArticleResult, Page
from zhaiyao.run import pipeline
from zhaiyao.run.local import LocalEngine
from zhaiyao.run.pipeline import Progress, RunReport
from zhaiyao.store import Store
from zhaiyao.summarise.registry import uses_model
from zhaiyao.viewer import data as vd
from zhaiyao.viewer.engine import loaded, summariser_for
from zhaiyao.viewer.state import Keys, view_state


class Cancelled(BaseException):
    """The reader cancelled the run (a BaseException, so no summariser's ``except Exception`` takes it
    for a failed article)."""


Run = Callable[[LocalEngine, Callable[[Progress], None], Callable[[ArticleResult], None]], RunReport]


def cancel() -> None:
    state = view_state(st.session_state)
    # The run may still be in its script thread (Streamlit does not always stop it at once): it sees
    # this flag between articles and stops there, its row marked interrupted.
    state.cancel = True
    what = state.running or "the page"
    state.cancelled = (
        f"已取消 · Cancelled: {what}. 已完成的摘要都已保存，可稍后继续 · "
        "the summaries made so far are kept; summarise again to finish."
    )
    state.running = None


def _status_text(p: Progress) -> str:
    text = (
        f"{p.finished} / {p.total} 篇 · articles · {p.cached} 来自缓存 · from the cache · {p.elapsed:.0f} s"
    )
    if p.eta and p.finished < p.total:
        text += f" · 还需约 {vd.duration(p.eta)} · about {vd.duration(p.eta, en=True)} left"
    return text


def summarise_live(
    slot: Any, title: str, articles: list[Article], settings: Settings, run: Run, estimate: str
) -> RunReport:
    """Run ``run(engine, on_progress, on_result)`` inside ``slot``: a status box (what runs, the estimate,
    progress, a cancel) above the page's cards, each filled in the moment its summary lands."""
    state = view_state(st.session_state)
    state.running, state.cancel = title, False
    slots: dict[tuple[str, int], Any] = {}

    def stop_if_cancelled() -> None:
        if state.cancel:
            raise Cancelled()

    with slot.container():
        st.html(f'<h2 class="zy-page-title">{vd.esc(title)}</h2>')
        status = st.status(f"正在摘要 · Summarising — {estimate}", expanded=True, state="running")
        with status:
            bar = st.progress(0.0, text=f"0 / {len(articles)} 篇 · articles")
            st.button(
                "取消 · Cancel",
                key=Keys.CANCEL,
                on_click=cancel,
                help="在当前这篇完成后停止 · stops after the article in hand",
            )
        for start in range(0, len(articles), 2):
            cols = st.columns(2, gap="medium")
            for col, article in zip(cols, articles[start : start + 2], strict=False):
                card = col.empty()
                card.html(vd.card_html(ArticleResult(article), computing=True))
                slots[(article.page, article.index)] = card

    def on_load() -> None:
        stop_if_cancelled()
        using = f"（{settings.model}）" if uses_model(settings.backend) else ""
        bar.progress(0.0, text=f"正在加载摘要模型{using}· loading the {settings.backend} summariser…")

    def on_progress(p: Progress) -> None:
        stop_if_cancelled()
        bar.progress(min(p.finished / p.total if p.total else 1.0, 1.0), text=_status_text(p))

    def on_result(result: ArticleResult) -> None:
        stop_if_cancelled()
        card = slots.get((result.article.page, result.article.index))
        if card is not None:
            card.html(vd.card_html(result))

    report = run(LocalEngine(settings, load=summariser_for, on_load=on_load), on_progress, on_result)
    status.update(label=f"完成 · Done — {vd.report_line(report)}", state="complete", expanded=False)
    state.running = None
    return report


def estimate(store: Store, settings: Settings, todo: int) -> str:
    """The cost of summarising ``todo`` articles now, from the store's measured speed (no model loaded)."""
    from zhaiyao.viewer.reads import wanted_key

    key = wanted_key(settings)
    speed = store.speed(key.backend, key.model) if key is not None else None
    return vd.cost_line(todo, speed.seconds if speed else None, not loaded(settings))


def summarise_new(slot: Any, pages: list[Page], settings: Settings, store: Store) -> RunReport:
    """An upload or a paste: split, record and summarise it."""
    articles = [a for _, arts, _ in pipeline.split_pages(pages) for a in arts]
    return summarise_live(
        slot,
        ", ".join(Path(p.source).name for p in pages),
        articles,
        settings,
        lambda engine, on_progress, on_result: pipeline.run_pages(
            pages, settings, store, engine=engine, on_progress=on_progress, on_result=on_result
        ),
        estimate(store, settings, len(articles)),
    )


def summarise_stored(
    slot: Any, title: str, page: str, results: list[ArticleResult], settings: Settings, store: Store
) -> RunReport:
    """A stored page under the sidebar's settings: what is stored comes from the store, the rest now."""
    missing = sum(r.summary is None for r in results)
    return summarise_live(
        slot,
        title,
        [r.article for r in results],
        settings,
        lambda engine, on_progress, on_result: pipeline.run_pages(
            [], settings, store, stored=[page], engine=engine, on_progress=on_progress, on_result=on_result
        ),
        estimate(store, settings, missing),
    )
