"""One reader's view, as a typed value: what is open, which set of summaries is shown, what runs.

Streamlit keeps a session's values in ``st.session_state``, a dict of string keys; the viewer keeps all of
its own in one :class:`ViewState` under one key, so every value has a type and a place. Widgets still
need string keys (Streamlit stores their values under them): those are the constants of :class:`Keys`,
named once here. This module does not draw.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from zhaiyao.store import SummaryKey

STATE_KEY = "zy_view"


class Keys:
    """The widget keys, one constant each (the value Streamlit stores them under)."""

    BACKEND = "backend"
    MODEL = "model"
    STYLE = "style"
    LENGTH = "length"
    QUANTIZE = "quantize"
    UPLOAD = "upload"
    GO_UPLOAD = "go_upload"
    PASTE_TEXT = "paste_text"
    PASTE_FORMAT = "paste_format"
    PASTE_PAPER = "paste_paper"
    PASTE_DATE = "paste_date"
    PASTE_NUMBER = "paste_number"
    GO_PASTE = "go_paste"
    URL_TEXT = "url_text"
    GO_URL = "go_url"
    SET_PICK = "set_pick"
    PIN_SET = "pin_set"
    SUMMARISE = "summarise_here"
    CANCEL = "cancel_run"
    PAPER = "issue_paper"
    DATE = "issue_date"
    PREV_PAGE = "prev_page"
    NEXT_PAGE = "next_page"
    PREV_ARTICLE = "prev_article"
    NEXT_ARTICLE = "next_article"
    BACK = "back"
    F_KEYWORD = "f_keyword"
    F_REPORTER = "f_reporter"
    F_PAGE = "f_page"
    F_DATE = "f_date"
    F_STATUS = "f_status"
    F_CLEAR = "f_clear"
    DAY = "day_view"
    FIX_BOX = "fix_box"
    FIX_MERGE = "fix_merge"
    FIX_AT = "fix_at"
    FIX_AS_TITLE = "fix_as_title"
    FIX_TITLE = "fix_title"
    FIX_SPLIT = "fix_split"
    FIX_UNDO = "fix_undo"
    FIX_UNDO_PAGE = "fix_undo_page"


FILTER_KEYS = (Keys.F_KEYWORD, Keys.F_REPORTER, Keys.F_PAGE, Keys.F_DATE)


@dataclass
class ViewState:
    """Everything the viewer remembers for one reader between reruns (widget values aside)."""

    page: str | None = None  # the open page's source
    article: int | None = None  # the open article's position on the page (None: the page itself)
    started: bool = False  # the first run has placed the reader (from the address or the newest issue)
    # The set of summaries on screen, and for which page; None for a page that has none chosen.
    shown_for: str | None = None
    shown_key: SummaryKey | None = None
    # The settings the sidebar's controls were last set to (a signature), to tell a reader's change.
    followed: tuple[Any, ...] | None = None
    seen_stamp: str | None = None  # the store's last change as of the last drawing
    report: str | None = None  # one line on the run that just finished
    cancelled: str | None = None  # one line on a run the reader cancelled
    running: str | None = None  # the page being summarised, while a run is on (a cancel names it)
    cancel: bool = False  # the reader asked the run in progress to stop (it checks between articles)
    # Lines for the reader about what they just asked ((kind, text): error, warning, success, info),
    # shown once on the next drawing.
    messages: list[tuple[str, str]] = field(default_factory=list)
    action: tuple[str, Any] | None = None  # a run the reader asked for, taken up on this rerun
    link: dict[str, str] = field(default_factory=dict)  # the address's parameters as last written
    # The reader moved with a control in this rerun: the address it came with may predate the move.
    navigated: bool = False
    day: str | None = None  # the day view's issue date while it is open (it takes the main area)

    def open_page(self, source: str | None) -> None:
        self.page, self.article, self.day = source, None, None
        self.navigated = True

    def open_article(self, page: str, index: int) -> None:
        self.page, self.article, self.day = page, index, None
        self.report = None
        self.navigated = True

    def open_day(self, day: str | None) -> None:
        self.day = day
        self.navigated = True

    def close_article(self) -> None:
        self.article = None
        self.navigated = True

    def say(self, kind: str, text: str) -> None:
        self.messages.append((kind, text))

    def show(self, page: str | None, key: SummaryKey | None) -> None:
        """Show ``page``'s summaries under ``key`` (None: no set chosen)."""
        self.shown_for, self.shown_key = page, key


def view_state(session: Any) -> ViewState:
    """The reader's ``ViewState`` in ``session`` (``st.session_state``), made on first use."""
    if STATE_KEY not in session:
        session[STATE_KEY] = ViewState()
    return session[STATE_KEY]
