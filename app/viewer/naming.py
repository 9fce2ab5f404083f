"""Pages as a newsroom names them, and the issues they make up: ``报名 · 日期 · 版次 版名``.

A page's newspaper, date, 版次 (page number) and 版名 (page name) come from its own furniture (the
e-paper's header, carried on its articles) first, then its datelines (株洲日报讯 → 株洲日报), then its
path (``湘潭日报/2020-09-27/A01.txt``). Pages of one newspaper and date form an issue, ordered by 版次.
Plain Python: no Streamlit here.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date as Date
from pathlib import PurePath

from zhaiyao.store import PageInfo
from zhaiyao.text.safe import one_line

_PRESS = re.compile(r"^\s*(\S{2,12}?)讯")
_NOT_PAPERS = {"本报", "本刊", "新华社", "新华", "中新社", "央视网", "人民网"}
_FULL_DATE = re.compile(r"(?<!\d)((?:19|20)\d{2})[-_./年]?(\d{1,2})[-_./月]?(\d{1,2})日?(?!\d)")
_DAY = re.compile(r"(\d{1,2})月(\d{1,2})日")
# 版次 in a file name: A01, B3, 04, page_04, 第4版.
_NUMBER = re.compile(r"(?:^|[^A-Za-z0-9])(?:page[_-]?|第)?([A-Za-z]?\d{1,3})(?:版)?$", re.IGNORECASE)
_CJK = re.compile(r"[\u4e00-\u9fff]")

UNKNOWN_DATE = "日期不明"


@dataclass(frozen=True)
class PageName:
    """What a reader finds and names a page by."""

    source: str
    newspaper: str  # "" when nothing says
    date: str  # YYYY-MM-DD, or M月D日 when only a dateline says, or ""
    number: str  # 版次, "" when unknown
    name: str  # 版名, "" when unknown
    added_at: str = ""

    @property
    def title(self) -> str:
        """``株洲日报 · 2020-09-27 · A01 要闻``; the file's name stands in for what is unknown."""
        edition = " ".join(p for p in (self.edition, self.name) if p)
        parts = [p for p in (self.newspaper, self.date, edition) if p]
        if not edition:
            parts.append(file_name(self.source))
        # Shown as it is by Streamlit: terminal and bidirectional controls from a path or a dateline
        # become escapes, never obeyed.
        return one_line(" · ".join(parts))

    @property
    def edition(self) -> str:
        """版次 as printed on a page: ``A01``, or ``03版`` for a bare number."""
        return f"{self.number}版" if self.number.isdigit() else self.number

    @property
    def issue(self) -> tuple[str, str]:
        return (self.newspaper, self.date)

    def number_key(self) -> tuple[str, int, str]:
        """版次 in reading order: A01 < A02 < A10 < B01; a page with none last."""
        found = re.match(r"([A-Za-z]?)(\d+)", self.number)
        if not found:
            return ("~", 0, self.source)
        return (found.group(1).upper(), int(found.group(2)), self.source)


def file_name(source: str) -> str:
    return PurePath(source.split("#", 1)[0]).name


def date_key(date: str) -> tuple[int, int, int]:
    """Dates in time order whatever their form; a date without a year sorts before every dated one."""
    full = _FULL_DATE.search(date)
    if full:
        return tuple(int(g) for g in full.groups())  # type: ignore[return-value]
    day = _DAY.search(date)
    return (0, int(day.group(1)), int(day.group(2))) if day else (0, 0, 0)


def _most_common(values: Iterable[str]) -> str:
    counts = Counter(v for v in values if v)
    return counts.most_common(1)[0][0] if counts else ""


def _normal_date(text: str) -> str:
    found = _FULL_DATE.search(text)
    if not found:
        return ""
    year, month, day = (int(g) for g in found.groups())
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return ""
    return f"{year:04d}-{month:02d}-{day:02d}"


def page_name(info: PageInfo, furniture: Mapping[str, str] | None = None) -> PageName:
    """The page's name from its furniture, datelines and path, each where the one before says nothing."""
    furniture = furniture or {}
    path = PurePath(info.source.split("#", 1)[0])
    press = [m.group(1) for d in info.datelines if (m := _PRESS.match(d))]
    # A folder names a paper only if it reads like one (株洲日报/…), never pages_real/ or a date.
    folders = [p for p in path.parts[:-1] if _CJK.search(p) and not _FULL_DATE.search(p)]
    newspaper = (
        furniture.get("newspaper")
        or _most_common(p for p in press if p not in _NOT_PAPERS)
        or (folders[-1] if folders else "")
    )
    date = _normal_date(furniture.get("issue_date", "")) or _normal_date(str(path))
    if not date:
        date = _most_common(
            f"{int(m.group(1))}月{int(m.group(2))}日" for d in info.datelines if (m := _DAY.search(d))
        )
    number = furniture.get("page_number") or ""
    if not number:
        found = _NUMBER.search(path.stem)
        number = found.group(1).upper() if found else ""
    return PageName(info.source, newspaper, date, number, furniture.get("page_name") or "", info.added_at)


@dataclass(frozen=True)
class Issue:
    """One newspaper's pages of one date, in 版次 order."""

    newspaper: str
    date: str
    pages: tuple[PageName, ...]

    @property
    def label(self) -> str:
        return " · ".join(p for p in (self.newspaper or "报名不明", self.date or UNKNOWN_DATE))


def issues(names: Iterable[PageName]) -> list[Issue]:
    """The store's pages grouped into issues, the newest date first (then by newspaper)."""
    groups: dict[tuple[str, str], list[PageName]] = {}
    for name in names:
        groups.setdefault(name.issue, []).append(name)
    out = [
        Issue(paper, date, tuple(sorted(pages, key=PageName.number_key)))
        for (paper, date), pages in groups.items()
    ]
    return sorted(out, key=lambda i: (date_key(i.date), max(p.added_at for p in i.pages)), reverse=True)


def first_screen(found: Sequence[Issue]) -> str | None:
    """The page a reader opens on: the newest issue's first page."""
    return found[0].pages[0].source if found else None


def neighbour(items: Sequence[str], current: str | None, step: int) -> str | None:
    """The item ``step`` places from ``current`` in ``items`` (None past either end or when absent)."""
    if current not in items:
        return None
    at = items.index(current) + step
    return items[at] if 0 <= at < len(items) else None


# --- dates a reader types --------------------------------------------------------------------------

_TYPED = [
    re.compile(r"(?P<y>(?:19|20)\d{2})\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})\s*日?"),
    re.compile(r"(?<!\d)(?P<y>(?:19|20)\d{2})(?P<m>\d{2})(?P<d>\d{2})(?!\d)"),
    re.compile(r"(?<!\d)(?P<m>\d{1,2})\s*[月/.-]\s*(?P<d>\d{1,2})\s*日?(?!\d)"),
]


@dataclass(frozen=True)
class TypedDate:
    """A date as typed: ``year`` None when it was left out (9月27日, 9/27)."""

    year: int | None
    month: int
    day: int

    def matches(self, date: str) -> bool:
        """Whether a page's date (2020-09-27 or 9月27日) is this day."""
        year, month, day = date_key(date)
        if (month, day) != (self.month, self.day):
            return False
        return self.year is None or year in (0, self.year)

    def in_text(self, text: str) -> bool:
        """Whether a dateline or a path names this day."""
        if self.year is not None and f"{self.year:04d}-{self.month:02d}-{self.day:02d}" in text:
            return True
        return f"{self.month}月{self.day}日" in text


def parse_date(text: str) -> TypedDate | None:
    """2020-09-27, 2020/9/27, 2020.9.27, 2020年9月27日, 20200927, 9月27日, 9-27 or 9/27; None for anything
    else (or a day that does not exist)."""
    text = text.strip()
    for pattern in _TYPED:
        found = pattern.fullmatch(text)
        if not found:
            continue
        parts = found.groupdict()
        year = int(parts["y"]) if parts.get("y") else None
        month, day = int(parts["m"]), int(parts["d"])
        try:
            Date(year or 2000, month, day)  # 2000: a leap year, so 2月29日 stands
        except ValueError:
            return None
        return TypedDate(year, month, day)
    return None
