"""The page and the article as a reader sees them: the page's header and cards, and one article open
with its supporting sentences highlighted, previous / next, read and star marks, and a copy button."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import streamlit as st
from zhaiyao.documents import ArticleResult
from zhaiyao.store import PageInfo
from zhaiyao.viewer import data as vd
from zhaiyao.viewer.correct_view import fix_controls
from zhaiyao.viewer.naming import PageName, neighbour
from zhaiyao.viewer.state import Keys, view_state

METRICS = (
    ("篇数 · Articles", None),
    ("核查通过 · Guard ok", "ok"),
    ("重试 · Retried", "retried"),
    ("兜底 · Fallback", "fallback"),
    ("失败 · Failed", "failed"),
    ("无摘要 · No summary", "missing"),
)


def open_article(page: str, index: int) -> None:
    view_state(st.session_state).open_article(page, index)


def close_article() -> None:
    view_state(st.session_state).close_article()


def draw_grid(
    results: Sequence[ArticleResult],
    *,
    names: dict[str, PageName] | None = None,
    terms: Sequence[str] = (),
    marks: dict[str, Any] | None = None,
) -> None:
    """Cards two to a row (one when the area is narrow), in page order, so a row reads like the page.

    ``names``: caption each card with its page's name (search results span pages)."""
    marks = marks or {}
    for start in range(0, len(results), 2):
        cols = st.columns(2, gap="medium")
        for col, result in zip(cols, results[start : start + 2], strict=False):
            with col:
                article = result.article
                if names is not None:
                    name = names.get(article.page)
                    st.caption(vd.label(name.title if name else article.page))
                st.html(vd.card_html(result, terms=terms, marks=marks.get(article.key)))
                st.button(
                    "阅读全文 · Open article",
                    key=f"open_{article.page}_{article.index}",
                    on_click=open_article,
                    args=(article.page, article.index),
                )


def page_header(
    name: PageName | None, page: str, info: PageInfo | None, results: list[ArticleResult]
) -> None:
    title = name.title if name else page
    st.html(f'<h2 class="zy-page-title">{vd.esc(title)}</h2>')
    # Counted from the very results the cards below are drawn from.
    counts = vd.guard_counts(results)
    # One strip of HTML, not six metric widgets: it wraps when narrow and costs the first screen nothing.
    shown = [(label, status, len(results) if status is None else counts[status]) for label, status in METRICS]
    cells = "".join(
        f'<span class="zy-count{" zy-hot" if n and status in ("fallback", "failed") else ""}" '
        f'data-status="{status or "articles"}"><b>{n}</b>{vd.esc(label)}</span>'
        for label, status, n in shown
    )
    st.html(f'<div class="zy-counts">{cells}</div>')
    notes = []
    if counts["short"]:
        notes.append(f"{counts['short']} 篇过短，未作摘要核查 · too short to summarise")
    if info is not None:
        notes.append(f"{info.encoding} {info.format} · {info.chars:,} 字 · {page}")
    if page.startswith(("http://", "https://")):
        notes.append(f"[原文 · Original]({page})")
    st.caption(" · ".join(notes))


def _toggle_star(db: str, key: str, starred: bool) -> None:
    from zhaiyao.viewer.reads import open_store

    open_store(db).set_marks(key, starred=not starred)


def _mark_unread(db: str, key: str) -> None:
    from zhaiyao.viewer.reads import open_store

    open_store(db).set_marks(key, read=False)
    close_article()


def article_nav(results: list[ArticleResult], index: int) -> None:
    indices = [r.article.index for r in results]
    page = results[0].article.page
    before, after = neighbour(indices, index, -1), neighbour(indices, index, 1)
    nav = st.columns([3, 2, 2, 3])
    nav[0].button(
        "← 返回版面 · Back to page", on_click=close_article, key=Keys.BACK, width="stretch", shortcut="Esc"
    )
    nav[1].button(
        "‹ 上一篇 · Prev",
        key=Keys.PREV_ARTICLE,
        disabled=before is None,
        on_click=open_article,
        args=(page, before),
        width="stretch",
        shortcut="K",
    )
    nav[2].button(
        "下一篇 › · Next",
        key=Keys.NEXT_ARTICLE,
        disabled=after is None,
        on_click=open_article,
        args=(page, after),
        width="stretch",
        shortcut="J",
    )
    at = indices.index(index) + 1
    nav[3].html(
        f'<div class="zy-keys">第 {at} / {len(indices)} 篇 · article {at} of {len(indices)} · '
        "键 K / J 上一篇 / 下一篇 · Esc 返回 · keys K / J, Esc</div>"
    )


def draw_article(db: str, results: list[ArticleResult], index: int, marks: Any, corrections: int = 0) -> None:
    """The open article; ``corrections``: how many reader fixes the page's split carries (an undo)."""
    by_index = {r.article.index: r for r in results}
    result = by_index.get(index)
    if result is None:
        st.warning(f"第 {index} 篇不在此版面上 · Article {index} is not on this page any more.")
        st.button("← 返回版面 · Back to page", on_click=close_article, key="back_missing")
        return
    article_nav(results, index)
    left, right = st.columns([3, 2], gap="large")
    with right:
        st.html(vd.card_html(result, marks=marks))
        _article_tools(db, result, marks)
        fix_controls(results, result, corrections)
    with left:
        st.caption(
            "全文 · Clean full text — 高亮句支持摘要（数字为摘要句序号）· "
            "highlighted sentences support the summary"
        )
        st.html(vd.article_details_html(result))


def _article_tools(db: str, result: ArticleResult, marks: Any) -> None:
    summary = result.summary
    starred = bool(marks and marks.starred)
    row = st.container(horizontal=True)
    row.button(
        "★ 取消星标 · Unstar" if starred else "☆ 加星 · Star",
        key="star",
        on_click=_toggle_star,
        args=(db, result.article.key, starred),
    )
    row.button("标为未读 · Mark unread", key="unread", on_click=_mark_unread, args=(db, result.article.key))
    if summary is not None:
        st.caption("摘要（右上角按钮复制）· Summary — the button at its corner copies it")
        st.code(summary.text, language=None, wrap_lines=True)
    if summary is not None and summary.guard_reasons:
        st.markdown("**核查说明 · Guard notes**")
        for reason in summary.guard_reasons:
            st.text(f"• {vd.reason_label(reason)}")
    if summary is not None and summary.condensed:
        st.info(f"长文先压缩再摘要 · Long article, condensed before summarising: {summary.condensed}")
    removed = vd.removed_rows(result.article)
    with st.expander(f"清理记录 · What the cleaner removed ({len(removed)})", expanded=bool(removed)):
        if removed:
            st.dataframe(removed, hide_index=True, width="stretch")
        else:
            st.caption("未删除任何内容 · Nothing was removed from this article.")
