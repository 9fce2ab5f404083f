"""A reader's fix of a page's split, from the open article: merge it with the next article, split it
before a paragraph or a sentence (the new article titled by that line or by one the reader types), or
undo the page's last fix.

A fix is a run like any other: the button asks for it (``ViewState.action``), and the next rerun stores
the correction by the page's content hash (``pipeline.correct_page``: a re-run or re-import of the page
keeps it), then summarises the page under the sidebar's settings through the same path as any stored
page (``run_view.summarise_stored``): the articles the fix did not touch keep their content keys and come
from the cache, so only the merged or split ones are summarised.
"""

from __future__ import annotations

from typing import Any

import streamlit as st
from zhaiyao.documents import ArticleResult, Correction
from zhaiyao.run import pipeline
from zhaiyao.store import Store
from zhaiyao.text.sentences import sentence_spans
from zhaiyao.viewer.state import Keys, ViewState, view_state

FIXES = ("correct", "undo")  # the ViewState.action kinds this module takes
_SHOWN = 30  # characters of a paragraph or sentence shown in the list of places to split


def _ask(kind: str, value: Any) -> None:
    view_state(st.session_state).action = (kind, value)


def _places(paragraphs: list[str]) -> list[tuple[int, int]]:
    """Where a new article can start: (paragraph, sentence) for each sentence of each paragraph but the
    very first; sentence 0 is the paragraph's start (a headline run into a paragraph starts mid-way)."""
    return [
        (p, k)
        for p, text in enumerate(paragraphs)
        for k in range(max(len(sentence_spans(text)), 1))
        if (p, k) != (0, 0)
    ]


def _line(paragraphs: list[str], place: tuple[int, int]) -> str:
    """The text a new article would start with at ``place``: the paragraph, or its sentence."""
    p, k = place
    if k == 0:
        return paragraphs[p].strip()
    start, end = sentence_spans(paragraphs[p])[k]
    return paragraphs[p][start:end]


def _label(paragraphs: list[str], place: tuple[int, int]) -> str:
    text = _line(paragraphs, place)
    shown = text if len(text) <= _SHOWN else text[:_SHOWN] + "…"
    p, k = place
    where = f"第 {p + 1} 段 · ¶{p + 1}" if k == 0 else f"第 {p + 1} 段第 {k + 1} 句 · ¶{p + 1} s{k + 1}"
    return f"{where}: {shown}"


def _ask_split(page: str, index: int, paragraphs: list[str]) -> None:
    place = st.session_state.get(Keys.FIX_AT)
    if place not in _places(paragraphs):
        return
    typed = str(st.session_state.get(Keys.FIX_TITLE) or "").strip()
    title = typed or (_line(paragraphs, place) if st.session_state.get(Keys.FIX_AS_TITLE) else None)
    st.session_state[Keys.FIX_TITLE] = ""  # a typed title is for this one split
    paragraph, sentence = place
    _ask("correct", (page, Correction("split", index, paragraph, title=title, sentence=sentence or None)))


def fix_controls(results: list[ArticleResult], result: ArticleResult, corrections: int) -> None:
    """The open article's "fix the split" box: merge with the next, split at a paragraph, undo."""
    article = result.article
    page, index = article.page, article.index
    last = index == max(r.article.index for r in results)
    paragraphs = article.text.split("\n")
    # Its open state is kept (a key, rerun on change): a choice inside reruns the script, and an
    # untracked expander may come back closed, the reader's half-made choice hidden.
    with st.expander("拆分/合并 · Fix the split", key=Keys.FIX_BOX, on_change="rerun"):
        st.caption(
            "分篇有误时在此更正；更正随版面保存，只重新摘要改动的文章 · If the page was split wrongly, "
            "fix it here: the fix is kept with the page and only the changed articles are summarised again."
        )
        st.button(
            "合并下一篇 · Merge with next",
            key=Keys.FIX_MERGE,
            disabled=last,
            on_click=_ask,
            args=("correct", (page, Correction("merge", index))),
            help="把下一篇并入本篇（其标题成为一段）· the next article joins this one, its title a paragraph",
        )
        places = _places(paragraphs)
        if places:
            st.selectbox(
                "新文章从哪里开始 · New article starts at",
                places,
                format_func=lambda place: _label(paragraphs, place),
                key=Keys.FIX_AT,
            )
            st.checkbox("此段是新文章的标题 · That line is the new article's title", key=Keys.FIX_AS_TITLE)
            st.text_input("或输入新文章标题 · Or type its title", key=Keys.FIX_TITLE)
            st.button(
                "从此段拆分 · Split here",
                key=Keys.FIX_SPLIT,
                on_click=_ask_split,
                args=(page, index, paragraphs),
            )
        if corrections:
            undo_button(page, corrections, key=Keys.FIX_UNDO)


def undo_button(page: str, corrections: int, key: str) -> None:
    st.button(
        f"撤销更正 · Undo correction ({corrections})",
        key=key,
        on_click=_ask,
        args=("undo", page),
        help="撤销本版最近一次更正 · undoes this page's last correction",
    )


def take_fix(store: Store, state: ViewState, kind: str, value: Any) -> str:
    """Store the fix the reader asked for and return its page (to be summarised next); the reader is
    taken to the page's cards, where the new split shows. A fix that does not fit raises InputError."""
    if kind == "undo":
        page = str(value)
        articles = pipeline.undo_correction(store, page)
        state.say("success", f"已撤销更正 · Correction undone: {len(articles)} 篇 · articles on the page.")
    else:
        page, correction = value
        articles = pipeline.correct_page(store, page, correction)
        what = "已合并 · Merged" if correction.action == "merge" else "已拆分 · Split"
        state.say(
            "success",
            f"{what}: 第 {correction.article} 篇 · article {correction.article}; "
            f"本版现有 {len(articles)} 篇 · the page has {len(articles)} articles now.",
        )
    state.open_page(page)
    return page
