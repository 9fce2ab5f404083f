"""Search, in one place: words (highlighted where they match), a reporter, a date in any common form,
and a status filter (fallback / failed / unsure) to review only what needs a look; a clear button."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import streamlit as st
from zhaiyao.documents import ArticleResult
from zhaiyao.viewer import data as vd
from zhaiyao.viewer.naming import PageName, parse_date
from zhaiyao.viewer.state import FILTER_KEYS, Keys

SHOWN_AT_MOST = 200


@dataclass(frozen=True)
class Filters:
    keyword: str = ""
    reporter: str = ""
    date: str = ""
    status: str = ""

    def __bool__(self) -> bool:
        return any((self.keyword, self.reporter, self.date, self.status))

    @property
    def terms(self) -> tuple[str, ...]:
        return tuple(t for t in (self.keyword, self.reporter) if t)


def clear_filters() -> None:
    for key in FILTER_KEYS:
        st.session_state[key] = ""
    st.session_state[Keys.F_STATUS] = ""


def filter_controls(box: Any) -> Filters:
    box.subheader("检索 · Search the store")
    keyword = box.text_input(
        "关键词 · Keyword（标题、正文、摘要 · title, text, summary）", key=Keys.F_KEYWORD
    )
    reporter = box.text_input("记者 · Reporter", key=Keys.F_REPORTER)
    date = box.text_input("日期 · Date", key=Keys.F_DATE, placeholder="2020-09-27 · 2020年9月27日 · 9月27日")
    status = box.selectbox(
        "需复核 · Needs a look",
        ["", *vd.STATUS_FILTERS],
        key=Keys.F_STATUS,
        format_func=lambda s: vd.STATUS_FILTERS.get(s, "全部 · all"),
    )
    filters = Filters(keyword.strip(), reporter.strip(), date.strip(), status or "")
    if filters:
        box.button("清除检索 · Clear search", key=Keys.F_CLEAR, on_click=clear_filters)
    return filters


def narrow(
    results: list[ArticleResult], filters: Filters, names: dict[str, PageName]
) -> tuple[list[ArticleResult], str | None]:
    """The results on the filters' date and status; a note when the date could not be read."""
    note = None
    if filters.date:
        typed = parse_date(filters.date)
        if typed is None:
            note = f"看不懂日期 “{filters.date}” · cannot read the date; try 2020-09-27 or 9月27日"
            results = []
        else:
            results = [
                r
                for r in results
                if (r.article.page in names and typed.matches(names[r.article.page].date))
                or typed.in_text(r.article.dateline or "")
                or typed.in_text(r.article.issue_date or "")
            ]
    if filters.status:
        results = [r for r in results if vd.needs_look(r, filters.status)]
    return results, note


def draw_search(
    results: list[ArticleResult], filters: Filters, names: dict[str, PageName], note: str | None
) -> None:
    from zhaiyao.viewer.cards import draw_grid

    shown = results[:SHOWN_AT_MOST]
    more = (
        f"（显示前 {SHOWN_AT_MOST} 篇 · the first {SHOWN_AT_MOST} shown）"
        if len(results) > len(shown)
        else ""
    )
    st.markdown(f"### 找到 {len(results)} 篇 · {len(results)} matching article(s){more}")
    if note:
        st.warning(note)
    elif not results:
        st.info("库中没有符合条件的文章 · Nothing in the store matches these filters.")
    draw_grid(shown, names=names, terms=filters.terms)
