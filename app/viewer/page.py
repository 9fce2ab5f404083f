"""The Zhaiyao viewer: a Streamlit page to read a newspaper's pages and their summaries, issue by issue.

Run it with ``zhaiyao view`` (or ``streamlit run app/viewer/page.py``). This file draws the frame: the
sidebar (issue, search, settings, sources, downloads) and the main area's one slot, and says which view
fills the slot. The views are ``cards`` (page, article), ``search``, ``sets_view`` (which summaries),
``run_view`` (a run); what to show is computed in ``data`` and ``naming``; the reader's view is a
``state.ViewState``; reads of the store are ``reads``'. Input text reaches the page only through
``data.esc`` (escaped HTML) or Streamlit's own text elements, never as raw HTML.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import streamlit as st
from zhaiyao.config import Settings, load_settings
from zhaiyao.errors import ZhaiyaoError
from zhaiyao.store import Marks, Store
from zhaiyao.viewer import data as vd
from zhaiyao.viewer import reads
from zhaiyao.viewer.cards import draw_article, draw_grid, page_header
from zhaiyao.viewer.controls import (
    READERS,
    download_controls,
    put_settings,
    settings_controls,
    signature,
    source_controls,
)
from zhaiyao.viewer.correct_view import FIXES, take_fix, undo_button
from zhaiyao.viewer.day_view import day_controls, draw_day, read_days
from zhaiyao.viewer.issue import issue_controls, page_nav
from zhaiyao.viewer.naming import Issue, first_screen
from zhaiyao.viewer.run_view import Cancelled, estimate, summarise_new, summarise_stored
from zhaiyao.viewer.search import Filters, draw_search, filter_controls, narrow
from zhaiyao.viewer.sets_view import ask_note, choose_set, set_bar
from zhaiyao.viewer.state import Keys, ViewState, view_state

st.set_page_config(page_title="摘要 Zhaiyao", page_icon="📰", layout="wide")


@st.fragment(run_every=4)
def watch_store(db: str) -> None:
    """Redraw when the store changed since this session last drew (a batch writing beside the viewer).

    Timed fragment runs never pre-empt a running script, so a summarisation in progress is not cut.
    """
    seen = view_state(st.session_state).seen_stamp
    if seen is not None and reads.open_store(db).last_change() != seen:
        st.rerun(scope="app")


# --- the address ------------------------------------------------------------------------------------


def _address() -> dict[str, str]:
    params = st.query_params.to_dict()
    return {k: str(v) for k, v in params.items() if k in ("page", "article", "day")}


def place(state: ViewState, issues: list[Issue], known: set[str]) -> None:
    """Open what the address names on a session's first run or when the address changed under the page
    (Back, Forward); else keep what is open. The first screen is the newest issue's first page.

    A rerun from a control that moved the reader is not the address's to decide: its address may still
    be the one before the last move (the browser had not yet taken the new one)."""
    wanted = _address()
    moved, state.navigated = state.navigated, False
    if not state.started or (wanted != state.link and not moved):
        state.started = True
        state.link = wanted
        state.day = wanted.get("day") or None
        page, article = wanted.get("page"), wanted.get("article", "")
        if page in known:
            state.page, state.article = page, int(article) if article.isdigit() else None
            return
        if page:
            state.say(
                "warning", f"库中没有版面 “{page}” · no page {page!r} in the store; showing the newest issue."
            )
        state.page, state.article = first_screen(issues), None
    elif state.page not in known:
        # The store was empty when this session began and a page has landed since (a batch).
        state.page, state.article = first_screen(issues), None


def write_address(state: ViewState) -> None:
    """The address names the open page and article, so Back works and a link opens the same view."""
    wanted: dict[str, str] = {}
    if state.day is not None:
        wanted["day"] = state.day
    elif state.page is not None:
        wanted["page"] = state.page
        if state.article is not None:
            wanted["article"] = str(state.article)
    if wanted != _address():
        st.query_params.from_dict(wanted)
    state.link = wanted


# --- runs -------------------------------------------------------------------------------------------


def take_action(slot: Any, state: ViewState, settings: Settings, store: Store, db: str) -> None:
    """A run the reader asked for (an upload, a paste, a stored page under new settings), drawn in the
    run's ``slot``; the caller then draws the page afresh from the store in the same pass (a rerun here
    would start before the run's last messages were sent, and the reader would never see them)."""
    kind, value = state.action
    state.action = None
    try:
        if kind in FIXES:
            # A reader's fix of the split: stored, then the page summarised like any stored page.
            kind, value = "stored", take_fix(store, state, kind, value)
        if kind == "stored":
            results = reads.read_page(db, store.last_change(), value, None)
            title = _title(db, store, value)
            state.show(value, reads.wanted_key(settings))
            report = summarise_stored(slot, title, value, results, settings, store)
            state.show(value, report.summariser)
            state.followed = signature(settings)  # the sidebar's settings made the set now shown
        else:
            skipped: list[ZhaiyaoError] = []
            pages = READERS[kind](value, settings, skipped.append)
            for bad in skipped:
                state.say("warning", f"已跳过 · Skipped {bad}")
            report = summarise_new(slot, pages, settings, store)
            state.open_page(pages[0].source)
            state.show(pages[0].source, report.summariser)
            state.followed = signature(settings)
        state.report = vd.report_line(report)
        state.cancelled = None
    except ZhaiyaoError as exc:
        # The reader sees what was wrong; the app stays up for the next try.
        state.say("error", str(exc))
    except Cancelled:
        st.stop()  # the rerun that took the cancel draws the page; this one only had to stop
    except Exception as exc:  # a bug or a library's own error must not take the page down
        state.say("error", vd.unexpected(exc))


def _title(db: str, store: Store, page: str) -> str:
    name = reads.read_names(db, store.last_change()).get(page)
    return name.title if name else page


# --- views ------------------------------------------------------------------------------------------


def banners(state: ViewState) -> None:
    for kind, text in state.messages:
        getattr(st, kind)(text)
    state.messages = []
    if state.cancelled:
        st.warning(state.cancelled)
    elif state.report:
        st.success(state.report)


def draw_empty(db: str) -> None:
    st.markdown("## 摘要 Zhaiyao")
    st.info(
        "库中还没有版面 · The store has no pages yet. 在侧栏上传或粘贴一版报纸 · Upload or paste a "
        "newspaper page in the sidebar to see each article condensed, or add pages from a terminal with "
        f"`zhaiyao batch PAGE.txt --db {db}`; they appear here by themselves."
    )


def draw_open_page(db: str, store: Store, issues: list[Issue], settings: Settings, base: Settings) -> None:
    state = view_state(st.session_state)
    stamp = store.last_change()
    page = state.page
    sets = reads.read_sets(db, stamp, page)
    results = reads.shown_results(db, stamp, page, state.shown_key)
    marks = reads.read_marks(db, stamp, tuple(r.article.key for r in results))
    if state.article is not None:
        opened = next((r for r in results if r.article.index == state.article), None)
        mark = marks.get(opened.article.key, Marks()) if opened else None
        if opened is not None and not mark.read:
            store.set_marks(opened.article.key, read=True)
        name = reads.read_names(db, stamp).get(page)
        st.caption(vd.label(name.title if name else page))
        draw_article(db, results, state.article, mark, reads.read_corrections(db, stamp, page))
    else:
        names = reads.read_names(db, stamp)
        info = next((p for p in reads.read_pages(db, stamp) if p.source == page), None)
        page_header(names.get(page), page, info, results)
        page_nav(issues, page)
        fixes = reads.read_corrections(db, stamp, page)
        if fixes:
            st.caption(
                f"本版分篇经读者更正 {fixes} 处 · The split of this page has {fixes} reader correction(s)."
            )
            undo_button(page, fixes, key=Keys.FIX_UNDO_PAGE)
        pinned = reads.read_pinned(db, stamp)
        if sets:
            set_bar(db, page, sets, len(results), pinned, base)
        wanted = reads.wanted_key(settings)
        ask_note(
            page, results, settings, [s.key for s in sets], wanted, lambda n: estimate(store, settings, n)
        )
        draw_grid(results, marks=marks)
    download_controls(results, Path(page.split("#", 1)[0]).stem)


def follow_page(db: str, stamp: str, state: ViewState, base: Settings) -> None:
    """A page just opened: choose its set (pinned, else newest) and move the sidebar to it."""
    if Keys.BACKEND not in st.session_state:
        put_settings(base)  # the controls' first values; from then on they belong to the reader
    if state.page is not None and state.shown_for != state.page:
        choose_set(state.page, reads.read_sets(db, stamp, state.page), reads.read_pinned(db, stamp), base)


def main() -> None:
    st.html(vd.CSS)
    base = load_settings()
    db = str(base.db_path)
    try:
        store = reads.open_store(db)
        stamp = store.last_change()
    except ZhaiyaoError as exc:
        st.error(f"无法打开库 · Cannot open the store: {exc}")
        st.stop()
    state = view_state(st.session_state)
    # A run has a slot of its own above the page's: the page's slot is emptied before the run draws, and
    # being another place on the page, Streamlit cannot fold that emptying into the run's first message
    # (two writes to one place in one flush are sent as the last alone, which left the old cards standing
    # under the run's status until the run ended).
    run_slot = st.empty()
    slot = st.empty()  # the main area: whatever fills it replaces all it held
    issues = reads.read_issues(db, stamp)
    place(state, issues, {p.source for i in issues for p in i.pages})
    st.sidebar.title("摘要 Zhaiyao")
    nav_box = st.sidebar.container()
    filters = filter_controls(st.sidebar.container())
    follow_page(db, stamp, state, base)
    settings = settings_controls(base, st.sidebar.container())
    source_controls(base, first_visit=not issues)
    st.sidebar.caption(f"库 · Store: {db}")
    if state.action is not None:
        slot.empty()
        take_action(run_slot, state, settings, store, db)
        run_slot.empty()
        issues = reads.read_issues(db, store.last_change())  # the run may have added pages
    issue_controls(nav_box, issues, state.page)
    day_controls(nav_box, read_days(db, stamp), state.day)
    with slot.container():
        draw_main(db, store, state, issues, filters, settings, base)
    write_address(state)
    # Whatever was drawn reflects the store as of now; the watcher compares against this.
    state.seen_stamp = store.last_change()
    watch_store(db)


def draw_main(
    db: str,
    store: Store,
    state: ViewState,
    issues: list[Issue],
    filters: Filters,
    settings: Settings,
    base: Settings,
) -> None:
    banners(state)
    if state.day is not None and state.article is None:
        draw_day(db, store.last_change(), state.day)
    elif filters and state.article is None:
        stamp = store.last_change()
        names = reads.read_names(db, stamp)
        found = reads.read_search(db, stamp, filters.keyword, filters.reporter, "")
        results, note = narrow(found, filters, names)
        draw_search(results, filters, names, note)
        download_controls(results, "search")
    elif state.page is None:
        draw_empty(db)
    else:
        draw_open_page(db, store, issues, settings, base)


main()
