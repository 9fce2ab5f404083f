"""The viewer's reads of the store, cached per store change, and the store itself per server process.

Store reads are cached per last-change value (``stamp``): a new summary or mark (from this viewer or a
batch running beside it) changes the value, so the next rerun reads afresh, and nothing is re-read
otherwise.
"""

from __future__ import annotations

import streamlit as st
from zhaiyao.config import Settings
from zhaiyao.documents import ArticleResult
from zhaiyao.errors import ZhaiyaoError
from zhaiyao.run.pipeline import expected_key
from zhaiyao.store import Marks, PageInfo, Speed, Store, SummaryKey, SummarySet
from zhaiyao.viewer import naming

PINNED = "pinned_set"  # the preference naming a reader's preferred set of summaries


@st.cache_resource(show_spinner=False)
def open_store(path: str) -> Store:
    # One connection per server process; Store serialises calls, so sessions can share it.
    return Store(path)


@st.cache_data(show_spinner=False, max_entries=64)
def read_pages(db: str, stamp: str) -> list[PageInfo]:
    return open_store(db).list_pages()


@st.cache_data(show_spinner=False, max_entries=16)
def read_names(db: str, stamp: str) -> dict[str, naming.PageName]:
    """Every page's name (报名 · 日期 · 版次 版名), by source."""
    furniture = open_store(db).page_furniture()
    return {info.source: naming.page_name(info, furniture.get(info.source)) for info in read_pages(db, stamp)}


@st.cache_data(show_spinner=False, max_entries=16)
def read_issues(db: str, stamp: str) -> list[naming.Issue]:
    return naming.issues(read_names(db, stamp).values())


@st.cache_data(show_spinner=False, max_entries=256)
def read_page(db: str, stamp: str, page: str, key: SummaryKey | None) -> list[ArticleResult]:
    return open_store(db).page_results(page, key)


def shown_results(db: str, stamp: str, page: str, key: SummaryKey | None) -> list[ArticleResult]:
    """The page's articles with their summaries under ``key``; with no key, none: no card may show
    another set's summary as if it were the one chosen."""
    results = read_page(db, stamp, page, key)
    return results if key is not None else [ArticleResult(r.article) for r in results]


@st.cache_data(show_spinner=False, max_entries=256)
def read_sets(db: str, stamp: str, page: str) -> list[SummarySet]:
    return open_store(db).summary_sets(page)


@st.cache_data(show_spinner=False, max_entries=64)
def read_search(db: str, stamp: str, keyword: str, reporter: str, page: str) -> list[ArticleResult]:
    # Dates and statuses are narrowed afterwards (any common form of a date; the guard's verdict),
    # so the store is asked for more rows than a screen shows.
    return open_store(db).search(keyword or None, reporter=reporter or None, page=page or None, limit=5000)


@st.cache_data(show_spinner=False, max_entries=64)
def read_marks(db: str, stamp: str, keys: tuple[str, ...]) -> dict[str, Marks]:
    return open_store(db).marks(keys)


@st.cache_data(show_spinner=False, max_entries=16)
def read_speed(db: str, stamp: str, backend: str, model: str) -> Speed | None:
    return open_store(db).speed(backend, model)


@st.cache_data(show_spinner=False, max_entries=16)
def read_pinned(db: str, stamp: str) -> SummaryKey | None:
    value = open_store(db).pref(PINNED)
    return SummaryKey(*value) if isinstance(value, list) and len(value) == 5 else None


@st.cache_data(show_spinner=False, max_entries=64)
def wanted_key(settings: Settings) -> SummaryKey | None:
    # Loads no model: the key these settings imply, to look up in the store.
    try:
        return expected_key(settings)
    except ZhaiyaoError:
        return None


@st.cache_data(show_spinner=False, max_entries=64)
def read_corrections(db: str, stamp: str, page: str) -> int:
    """How many reader corrections the page's split carries (kept by its content hash)."""
    store = open_store(db)
    return len(store.corrections(store.page_hash(page)))
