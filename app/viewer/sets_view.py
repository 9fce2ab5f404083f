"""Which set of summaries a page shows, and asking for another.

The set shown changes only when the reader picks one or asks to summarise: a change in the sidebar's
settings is answered with a note (a stored set to show, or what summarising would cost), never by
replacing the cards. A reader can pin a preferred set: pages that hold it open on it.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st
from zhaiyao.config import Settings
from zhaiyao.documents import ArticleResult
from zhaiyao.store import SummaryKey, SummarySet
from zhaiyao.summarise.registry import uses_model
from zhaiyao.viewer import data as vd
from zhaiyao.viewer.controls import model_choices, put_settings, signature
from zhaiyao.viewer.reads import PINNED, open_store
from zhaiyao.viewer.state import Keys, view_state


def choose_set(page: str, sets: list[SummarySet], pinned: SummaryKey | None, base: Settings) -> None:
    """A page just opened: show the pinned set if the page has it, else the newest; the sidebar follows."""
    keys = [s.key for s in sets]
    key = pinned if pinned in keys else (keys[0] if keys else None)
    view_state(st.session_state).show(page, key)
    if key is not None:
        put_settings(vd.follow(key, base, model_choices(base.model)))


def _pick_set(page: str, sets: list[SummarySet], base: Settings) -> None:
    # Options are the sets' ids (strings): a value sent back by the browser (Back, Forward) is one too.
    picked = st.session_state[Keys.SET_PICK]
    chosen = next((s for s in sets if set_id(s.key) == picked), None)
    if chosen is None:
        return
    state = view_state(st.session_state)
    state.show(page, chosen.key)
    state.report = None
    put_settings(vd.follow(chosen.key, base, model_choices(base.model)))


def _show_stored(page: str, key: SummaryKey) -> None:
    view_state(st.session_state).show(page, key)


def _pin(db: str, key: SummaryKey | None) -> None:
    open_store(db).set_pref(PINNED, list(key.as_tuple()) if key else None)


def _summarise(page: str) -> None:
    view_state(st.session_state).action = ("stored", page)


def set_id(key: SummaryKey) -> str:
    return "\x1f".join(str(v) for v in key.as_tuple())


def set_labels(sets: list[SummarySet], total: int) -> list[str]:
    plain = [vd.set_label(s, total) for s in sets]
    # Two sets that read alike (two models of one backend) name their models.
    return [vd.set_label(s, total, with_model=plain.count(p) > 1) for s, p in zip(sets, plain, strict=True)]


def set_bar(
    db: str, page: str, sets: list[SummarySet], total: int, pinned: SummaryKey | None, base: Settings
) -> None:
    shown = view_state(st.session_state).shown_key
    keys = [s.key for s in sets]
    labels = set_labels(sets, total)
    ids = [set_id(k) for k in keys]
    st.session_state[Keys.SET_PICK] = set_id(shown) if shown in keys else None
    left, right = st.columns([4, 1], vertical_alignment="bottom")
    left.selectbox(
        "显示的摘要 · Summaries shown",
        ids,
        key=Keys.SET_PICK,
        format_func=lambda i: (
            labels[ids.index(i)] + (" · 首选 pinned" if keys[ids.index(i)] == pinned else "")
        ),
        on_change=_pick_set,
        args=(page, sets, base),
        placeholder="未选 · none chosen: pick a stored set, or summarise",
    )
    if shown is not None and shown == pinned:
        right.button("取消首选 · Unpin", key=Keys.PIN_SET, on_click=_pin, args=(db, None), width="stretch")
    else:
        right.button(
            "设为首选 · Pin",
            key=Keys.PIN_SET,
            on_click=_pin,
            args=(db, shown),
            disabled=shown is None,
            width="stretch",
            help="有此摘要的版面都先显示它 · pages that hold this set open on it",
        )


def ask_note(
    page: str,
    results: list[ArticleResult],
    settings: Settings,
    stored: list[SummaryKey],
    wanted: SummaryKey | None,
    cost: Callable[[int], str],
) -> None:
    """What the sidebar's settings would change, and the button that does it (nothing runs unasked)."""
    state = view_state(st.session_state)
    missing = sum(r.summary is None for r in results)
    differs = state.shown_key is None or wanted != state.shown_key
    if differs and signature(settings) == state.followed and state.shown_key is not None:
        differs = False  # the sidebar follows the set shown; only its guess of a model's key differs
    what = " · ".join(
        p
        for p in (
            vd.BACKEND_NAMES.get(settings.backend, settings.backend),
            settings.model if uses_model(settings.backend) else "",
            vd.STYLE_NAMES.get(settings.style, settings.style),
        )
        if p
    )
    if differs and wanted in stored:
        st.info(f"侧栏设置（{what}）的摘要已存 · The store holds summaries for the sidebar's settings.")
        st.button("显示这组摘要 · Show them", key="show_stored", on_click=_show_stored, args=(page, wanted))
        return
    if not differs and not missing:
        return
    todo = len(results) if differs else missing
    head = (
        f"侧栏设置（{what}）尚无摘要 · No summaries for the sidebar's settings yet"
        if differs
        else f"{missing}/{len(results)} 篇尚无摘要 · {missing} of {len(results)} article(s) have no summary"
    )
    st.info(f"{head}. 现在什么也没有运行 · Nothing runs until you ask. 代价 · Cost: {cost(todo)}")
    st.button(
        f"摘要 {todo} 篇 · Summarise with these settings",
        key=Keys.SUMMARISE,
        type="primary",
        on_click=_summarise,
        args=(page,),
    )
