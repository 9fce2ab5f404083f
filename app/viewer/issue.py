"""Reading by issue, as e-paper readers do: newspaper → date (a calendar of the dates the store holds) →
版次 list, and previous / next page within the issue.

The controls follow the open page (set before they are drawn), and picking in them opens a page; what
is open is ``ViewState.page``, whichever way it was reached (a link, a search result, an upload).
"""

from __future__ import annotations

import calendar
import urllib.parse
from typing import Any

import streamlit as st
from zhaiyao.viewer import data as vd
from zhaiyao.viewer.naming import Issue, PageName, date_key, neighbour
from zhaiyao.viewer.state import Keys, view_state

WEEKDAYS = "一二三四五六日"


def issue_of(issues: list[Issue], page: str | None) -> Issue | None:
    return next((i for i in issues if any(p.source == page for p in i.pages)), None)


def _open(source: str | None) -> None:
    if source is not None:
        state = view_state(st.session_state)
        state.open_page(source)
        state.report = None


def _pick_paper(issues: list[Issue]) -> None:
    paper = st.session_state[Keys.PAPER]
    _open(next((i.pages[0].source for i in issues if i.newspaper == paper), None))


def _pick_date(issues: list[Issue]) -> None:
    paper, date = st.session_state[Keys.PAPER], st.session_state[Keys.DATE]
    _open(next((i.pages[0].source for i in issues if (i.newspaper, i.date) == (paper, date)), None))


def date_label(date: str) -> str:
    year, month, day = date_key(date)
    if not year:
        return vd.label(date) or "日期不明 · date unknown"
    try:
        weekday = calendar.weekday(year, month, day)
    except ValueError:
        return date
    return f"{date} 周{WEEKDAYS[weekday]}"


def calendar_html(held: dict[str, str], shown: str) -> str:
    """The month of ``shown`` as a small table; a day the store holds an issue of is a link to that
    issue's first page (``held``: date → page source), the open one highlighted."""
    year, month, _ = date_key(shown)
    if not year:
        return ""
    head = "".join(f"<th>{d}</th>" for d in WEEKDAYS)
    rows = []
    for week in calendar.Calendar().monthdayscalendar(year, month):
        cells = []
        for day in week:
            date = f"{year:04d}-{month:02d}-{day:02d}" if day else ""
            if date in held:
                href = "?" + urllib.parse.urlencode({"page": held[date]})
                on = " zy-on" if date == shown else ""
                cells.append(
                    f'<td class="zy-held{on}"><a href="{vd.esc(href)}" target="_self">{day}</a></td>'
                )
            else:
                cells.append(f"<td>{day or ''}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    caption = f"<caption>{year} 年 {month} 月</caption>"
    return f'<table class="zy-cal">{caption}<tr>{head}</tr>{"".join(rows)}</table>'


def issue_controls(box: Any, issues: list[Issue], page: str | None) -> None:
    """Newspaper, date and 版次 pickers in ``box`` (the sidebar's top), set to the open page's issue."""
    box.subheader("读报 · Read an issue")
    current = issue_of(issues, page)
    if current is None:
        return
    session = st.session_state
    papers = list(dict.fromkeys(i.newspaper for i in issues))
    session[Keys.PAPER] = current.newspaper
    box.selectbox(
        "报纸 · Newspaper",
        papers,
        key=Keys.PAPER,
        format_func=lambda p: vd.label(p) or "报名不明 · unnamed",
        on_change=_pick_paper,
        args=(issues,),
    )
    same_paper = [i for i in issues if i.newspaper == current.newspaper]
    session[Keys.DATE] = current.date
    box.selectbox(
        f"日期 · Date（{len(same_paper)} 期 · issues）",
        [i.date for i in same_paper],
        key=Keys.DATE,
        format_func=date_label,
        on_change=_pick_date,
        args=(issues,),
    )
    held = {i.date: i.pages[0].source for i in same_paper}
    month = calendar_html(held, current.date)
    if month:
        box.html(month)
    # 版次 as a row of buttons, the open one marked, as e-paper sites list their pages.
    box.html(f'<div class="zy-editions-head">版次 · Pages（{len(current.pages)}）</div>')
    row = box.container(horizontal=True, gap="small", key="zy_editions")
    for name in current.pages:
        row.button(
            edition_label(name),
            key=f"ed_{name.source}",
            type="primary" if name.source == page else "secondary",
            on_click=_open,
            args=(name.source,),
        )


def edition_label(name: PageName) -> str:
    label = " ".join(p for p in (name.edition, name.name) if p)
    return vd.label(label or name.source.rsplit("/", 1)[-1])


def page_nav(issues: list[Issue], page: str) -> None:
    """Previous / next page of the open page's issue, as buttons (the keys P and N press them)."""
    current = issue_of(issues, page)
    sources = [p.source for p in current.pages] if current else [page]
    before, after = neighbour(sources, page, -1), neighbour(sources, page, 1)
    left, mid, right = st.columns([2, 3, 2])
    left.button(
        "‹ 上一版 · Prev page",
        key=Keys.PREV_PAGE,
        disabled=before is None,
        on_click=_open,
        args=(before,),
        width="stretch",
        shortcut="P",
    )
    at = sources.index(page) + 1 if page in sources else 1
    mid.html(
        f'<div class="zy-keys" style="text-align:center">第 {at} / {len(sources)} 版 · page {at} of '
        f"{len(sources)} · 键 P / N 翻版 · keys P / N turn the page</div>"
    )
    right.button(
        "下一版 › · Next page",
        key=Keys.NEXT_PAGE,
        disabled=after is None,
        on_click=_open,
        args=(after,),
        width="stretch",
        shortcut="N",
    )
