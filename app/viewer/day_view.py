"""The day view (今日 · Day): the stories of one issue date across the store's pages and papers, as
cards, heaviest first, each with its sources; a source opens its article.

Grouped by the stories room's rules (no model is loaded); a story's headline and cited summary come from
a stored digest (``zhaiyao digest``) where one covers exactly its articles, else its first article's
title. Every piece of text reaches the page through ``data.esc`` or Streamlit's own text elements.
"""

from __future__ import annotations

from typing import Any

import streamlit as st
from zhaiyao.stories.stored import StoryCard, day_cards
from zhaiyao.viewer import data as vd
from zhaiyao.viewer.reads import open_store
from zhaiyao.viewer.state import Keys, view_state


@st.cache_data(show_spinner=False, max_entries=16)
def read_days(db: str, stamp: str) -> list[tuple[str, int]]:
    return open_store(db).issue_days()


@st.cache_data(show_spinner=False, max_entries=16)
def read_day_cards(db: str, stamp: str, day: str) -> list[StoryCard]:
    return day_cards(open_store(db), day)


def _open_day() -> None:
    state = view_state(st.session_state)
    state.open_day(st.session_state[Keys.DAY] or None)


def day_controls(box: Any, days: list[tuple[str, int]], open_day: str | None) -> None:
    """The sidebar's day picker: the dates the store's articles carry, newest first."""
    if not days:
        return
    choices = [""] + [d for d, _ in days]
    counts = dict(days)
    if Keys.DAY not in st.session_state or st.session_state[Keys.DAY] != (open_day or ""):
        st.session_state[Keys.DAY] = open_day or ""
    box.selectbox(
        "今日 · Day",
        choices,
        key=Keys.DAY,
        format_func=lambda d: f"{d}（{counts[d]} 篇）" if d else "— 按版面阅读 · by page —",
        on_change=_open_day,
    )


_MARKDOWN = str.maketrans({ch: "\\" + ch for ch in "\\*_[]`~#<>"})


def _button_text(text: str) -> str:
    # A button's label is Markdown to Streamlit: a title's own * or [ ] must stay text.
    return vd.label(text).translate(_MARKDOWN)


def _open_source(page: str, index: int) -> None:
    view_state(st.session_state).open_article(page, index)


def _card_html(card: StoryCard) -> str:
    papers = sorted({s.paper for s in card.sources if s.paper})
    meta = f"{len(card.sources)} 篇" + (f" · {vd.esc('、'.join(papers))}" if papers else "")
    summary = f'<div class="zy-summary">{vd.esc(card.summary)}</div>' if card.summary else ""
    return (
        f'<div class="zy-story-head"><div class="zy-title">{vd.esc(card.headline)}</div>'
        f'<div class="zy-meta">{meta}</div>{summary}</div>'
    )


def draw_day(db: str, stamp: str, day: str) -> None:
    cards = read_day_cards(db, stamp, day)
    st.markdown(f"## 今日 · {vd.esc(day)}")
    several = sum(1 for c in cards if len(c.sources) > 1)
    st.caption(f"{sum(len(c.sources) for c in cards)} 篇 · {len(cards)} 条新闻（{several} 条多篇）")
    if not cards:
        st.info(f"库中没有 {day} 的文章 · No article of {day} in the store.")
        return
    for number, card in enumerate(cards, start=1):
        with st.container(border=True, key=f"zy-story-{number}"):
            st.html(f'<div class="zy-story">{_card_html(card)}</div>')
            for i, source in enumerate(card.sources, start=1):
                where = " ".join(
                    x for x in (source.paper, source.page_number and f"{source.page_number}版") if x
                )
                st.button(
                    _button_text(f"{i}. {source.title}" + (f"（{where}）" if where else "")),
                    key=f"zy-src-{number}-{i}",
                    on_click=_open_source,
                    args=(source.page, source.index),
                    type="tertiary",
                )
