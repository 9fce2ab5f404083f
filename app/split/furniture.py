"""E-paper furniture: the page stamps, source lines, credits and counts an e-paper prints around
articles, read into fields instead of being left in a body.

The shapes follow what Chinese e-papers print in general (《人民日报》（2024年03月08日 第 04 版）,
（ 2024-03-08 ） 稿件来源：… 要闻, 本版责编：…, 作者：… 字数：N, 第04版：要闻), never the names on one page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_NUM = "0-9０-９"
_DATE_CN = r"(?P<y>\d{4})\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*日"
# 《人民日报》（2024年03月08日 第 04 版） / 《光明日报》（ 2024年03月08日 04版） /
# 《解放日报》 2024年06月18日 第1版
_STAMP = re.compile(
    rf"《(?P<paper>[^《》]{{2,14}})》\s*[（(]?\s*{_DATE_CN}\s*(?:星期.)?\s*"
    rf"(?:第?\s*(?P<page>[A-Za-z]?\s*[{_NUM}]{{1,3}})\s*版)?\s*[）)]?"
)
# （ 2024-03-08 ） 稿件来源：中国青年报 01版 要闻
_SOURCE_LINE = re.compile(r"^[（(]\s*(?P<date>\d{4}-\d{2}-\d{2})\s*[）)]\s*稿件来源[：:]\s*(?P<source>.*)$")
_SOURCE_PAGE = re.compile(
    rf"^(?P<paper>\S*?)\s*第?\s*(?P<page>[A-Za-z]?[{_NUM}]{{1,3}})\s*版\s*[：:]?\s*(?P<name>\S*)"
)
_SOURCE_NAMED = re.compile(r"^(?P<paper>[^\s：:]{2,14})(?:\s+(?P<name>[^\s]{1,8}))?$")
# 作者：本报记者 X　字数：1234 / X Y 字数: 1795字 / 字数 263 (the author, when named, is the byline)
_COUNT_LINE = re.compile(
    r"^(?:作者[：:]\s*)?(?:(?P<by>[^。！？，,：:；;]{1,40}?)[\s\u3000]+)?字数\s*[：:]?\s*(?P<n>\d+)\s*字?\s*$"
)
# 本版责编：陈 娟 / 一版责编：… 二版责编：… / 责任编辑：X　版式设计：Y / 本版编辑：X / 制图：X (chart)
_CREDIT = re.compile(
    r"^(?:(?:本版|[一二三四五六七八九十\d]+版)(?:责编|编辑|责任编辑)|责任编辑|责编|版式设计|美编|美术编辑|视觉设计|图片编辑"
    r"|制图|校对|征稿邮箱|投稿邮箱|本版邮箱)"
    r"(?:[：:]|\s)"
)
# 第04版：要闻 / 04版：要闻 / A1 要闻 (a masthead line naming the 版)
_PAGE_LINE = re.compile(
    rf"^第?\s*(?P<page>[A-Za-z]?[{_NUM}]{{1,3}})\s*版\s*[：:]?\s*(?P<name>[^\s，。,]{{0,8}})$"
)
_DATE_LINE = re.compile(rf"^{_DATE_CN}\s*(?:星期[一二三四五六日天])?$")
# 【南方评论】 / ■科技观察: a short column name standing alone above a title
_COLUMN = re.compile(r"^(?:【(?P<a>[^【】]{2,10})】|[■□●◆▌]\s*(?P<b>[^\s，。：:,]{2,8}))$")


# A crawler's navigation line: <‹上一篇 / 下一篇>> / 返回主页 (alone or several on one line).
_NAV_WORD = (
    r"(?:上一篇|下一篇|上一版|下一版|上一期|下一期|返回(?:主页|首页|目录|版面|列表|顶部)|回到顶部"
    r"|打印(?:本页|本文)?|关闭(?:窗口)?)"
)
_NAV = re.compile(rf"^(?:[<‹«《\s|｜]*{_NAV_WORD}[>›»》\s|｜]*)+$")
# A crawl's saved <title> line: 标题_报名 / 标题 | 报名 (the page's headline and its site).
_SITE_TITLE = re.compile(
    r"^(?P<title>[^_｜|\n]{2,80}?)\s*[_｜|]\s*(?P<site>[\u4e00-\u9fffA-Za-z0-9·]{1,14}?(?:报|网|刊|电讯|新闻|客户端))$"
)


@dataclass(frozen=True)
class Furniture:
    # page_stamp | source_line | word_count | editor_credit | page_line | date_line | masthead | column |
    # navigation | site_title | start_mark
    rule: str
    text: str  # exactly what was taken off the line
    fields: dict[str, str | int] = field(default_factory=dict)


def _iso(m: re.Match[str]) -> str:
    return f"{int(m.group('y')):04d}-{int(m.group('m')):02d}-{int(m.group('d')):02d}"


def _page_no(text: str) -> str:
    digits = re.sub(r"\s+", "", text).translate(str.maketrans("０１２３４５６７８９", "0123456789"))
    head, num = re.match(r"([A-Za-z]?)(\d+)", digits).groups()  # type: ignore[union-attr]
    return f"{head.upper()}{int(num)}" if head else f"{int(num):02d}"


def strip_stamp(line: str) -> tuple[str, Furniture | None]:
    """Take a page stamp off a line (the stamp often shares the byline's line): (rest, furniture)."""
    if "》" not in line:
        return line, None
    m = _STAMP.search(line)
    if not m:
        return line, None
    fields: dict[str, str | int] = {"newspaper": m.group("paper"), "issue_date": _iso(m)}
    if m.group("page"):
        fields["page_number"] = _page_no(m.group("page"))
    rest = (line[: m.start()] + line[m.end() :]).strip()
    return rest, Furniture("page_stamp", m.group(0).strip(), fields)


def _source_line(text: str, m: re.Match[str]) -> Furniture:
    fields: dict[str, str | int] = {"issue_date": m.group("date")}
    src = _SOURCE_PAGE.match(m.group("source").strip())
    if src:
        if src.group("paper"):
            fields["newspaper"] = src.group("paper")
        fields["page_number"] = _page_no(src.group("page"))
        if src.group("name"):
            fields["page_name"] = src.group("name")
    elif (named := _SOURCE_NAMED.match(m.group("source").strip())) is not None:
        fields["newspaper"] = named.group("paper")  # 稿件来源：新华每日电讯 要闻 (no 版 number)
        if named.group("name"):
            fields["page_name"] = named.group("name")
    return Furniture("source_line", text, fields)


def parse_line(line: str) -> Furniture | None:
    """A whole line of furniture (source line, credit, word count, 版 line), or None."""
    text = line.strip()
    m = _SOURCE_LINE.match(text)
    if m:
        return _source_line(text, m)
    m = _COUNT_LINE.match(text)
    if m:
        fields = {"word_count": int(m.group("n"))}
        if m.group("by"):
            fields["byline"] = m.group("by").strip()
        return Furniture("word_count", text, fields)
    if len(text) <= 80 and _CREDIT.match(text) and not re.search(r"[。！？]", text):
        return Furniture("editor_credit", text, {"credit": text})
    if _NAV.match(text):
        return Furniture("navigation", text)
    m = _SITE_TITLE.match(text)
    if m:
        return Furniture("site_title", text, {"newspaper": m.group("site")})
    m = _PAGE_LINE.match(text)
    if m:
        fields = {"page_number": _page_no(m.group("page"))}
        if m.group("name"):
            fields["page_name"] = m.group("name")
        return Furniture("page_line", text, fields)
    return None


def parse_date_line(line: str) -> Furniture | None:
    """2024年03月15日 星期五 on a line of its own: only masthead furniture at the top of a page (the
    same line under a notice's signature is part of the notice)."""
    text = line.strip()
    m = re.match(_DATE_CN, text)
    if m and _DATE_LINE.match(text):
        return Furniture("date_line", text, {"issue_date": _iso(m)})
    return None


def parse_column(line: str) -> Furniture | None:
    """A column name (栏目) on a line of its own: 【南方评论】 / ■科技观察."""
    m = _COLUMN.match(line.strip())
    if not m:
        return None
    return Furniture("column", line.strip(), {"column": m.group("a") or m.group("b")})
