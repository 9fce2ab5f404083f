"""Lines and their classes: a page's text read into classified lines, each judged on its own.

A page is read line by line (``read_lines``: BOM, CRLF/CR and TAB endings, blank runs and indentation
handled here); each non-blank line gets a class from the first line rule that recognises it (a
Markdown heading, e-paper furniture, a page stamp, a continuation marker, a byline, a photo caption, a
sidebar heading, a column name) or stays ``text``. ``title_shape`` says whether a text line could be a
header line at all. Where articles begin is decided later, from the page as a whole (``boundaries``).
Every decision is recorded on the line (``Line.rule``) so ``zhaiyao split --explain`` can show it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace

from zhaiyao.split import clean, furniture
from zhaiyao.split.furniture import Furniture

HAN = clean.HAN


TITLE_MAX = 45  # a header line in an e-paper block
HEADLINE_MAX = 100  # ...or one right above the page's per-article start mark (conventions)


_INNER_STOP = re.compile(r"[。；;]|[！？!?](?![”’」』）)]*(?:[（(][^（()）]{1,20}[）)])?$)")  # mid-line stops


# A headline may ask or exclaim: 投诉人信息是怎样被泄露的？（金台视线）
QUESTION_END = re.compile(r"[！？!?][”’」』）)]*(?:[（(][^（()）]{1,20}[）)])?$")


DASHES = ("——", "—", "－－")


TAG_END = re.compile(r"[（(][^（()）]{2,40}[）)]$")  # a column tag: （国际论坛）


_BULLET = re.compile(r"^[■□●◆◇▲△★☆▶►•]")


@dataclass(frozen=True)
class Line:
    kind: str  # title | heading | sidebar | byline | caption | marker | furniture | text
    text: str
    credit: clean.Credit | None = None
    caption: str | None = None
    marker: tuple[str, str] | None = None  # (下转 | 上接 …, where) for continuation lines
    rule: str = ""  # the rule that decided the kind, for --explain
    number: int = 0  # 1-based line number in the page
    indented: bool = False
    kicker: str | None = None  # on a title line: the 引题 and 副题 of its header block
    subtitle: str | None = None
    furniture: tuple[Furniture, ...] = ()
    absorbed: tuple[tuple[int, str, str, str], ...] = ()  # (number, text, kind, rule) merged in
    confidence: float | None = None  # on a title line: how sure its header block's reading is


def title_shape(text: str, limit: int = TITLE_MAX) -> str | None:
    """Why ``text`` could be a header line (a reason for --explain), or None when it cannot."""
    core = text.rstrip("—－").strip() if text.endswith(DASHES) else text
    if (
        not core
        or len(TAG_END.sub("", text)) > limit
        or clean.is_date_only(text)
        or clean.parse_dateline(text)
    ):
        return None
    if _INNER_STOP.search(core):
        return None
    if clean.ends_sentence(core) and not QUESTION_END.search(core):
        return None
    if text.endswith(DASHES):
        return "short line ending in ——"
    return f"short line ({len(text)} chars) without sentence-final punctuation"


def starts_with_bullet(text: str) -> bool:
    return bool(_BULLET.match(text))


_ROLE_ONLY = re.compile(
    rf"^[（(]?(?:本报|[{clean.HAN}]{{2,8}}?(?:社|报|台|网))?(?:特约|特派|首席|驻外)?(?:记者|通讯员|评论员)[）)]?$"
)
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")


def rule_markdown_heading(raw: str) -> Line | None:
    """``# T`` / ``## T`` is an article title; ``###`` and deeper a subheading or a sidebar heading."""
    m = _HEADING.match(raw)
    if not m:
        return None
    text = m.group(2).strip()
    if not text:
        return Line("text", "")
    if clean.is_sidebar_heading(text):
        return Line("sidebar", text)
    return Line("title" if len(m.group(1)) <= 2 else "heading", text)


def rule_continuation_line(raw: str) -> Line | None:
    """A line that is only a continuation marker (>>> 下转 A2版② / （上接第1版））."""
    rest, direction, where = clean.split_continuation(raw)
    if direction and where and not rest.strip():
        return Line("marker", raw, marker=(direction, where))
    return None


def rule_byline(raw: str) -> Line | None:
    """株洲日报记者 X / 通讯员/X Y / ■记者 X / （记者 X 通讯员 Y） / 文/X 图/Y, or a role alone (新华社记者)
    printed where the names follow at the body's end."""
    credit = clean.parse_credit(raw)
    if credit is None and _ROLE_ONLY.match(raw):
        credit = clean.Credit()
    return Line("byline", raw, credit=credit) if credit else None


def rule_caption(raw: str) -> Line | None:
    """Photo captions: text ending in 记者 X 摄 / 图/X, or led by 图为 / ▲."""
    found = clean.parse_caption(raw)
    if found is None:
        return None
    caption, credit = found
    return Line("caption", raw, credit=credit, caption=caption)


def rule_plain_sidebar(raw: str) -> Line | None:
    """A short un-marked line such as 【相关链接】 opening a boxed sidebar."""
    if len(raw) <= 30 and clean.is_sidebar_heading(raw) and not clean.ends_sentence(raw):
        return Line("sidebar", raw.strip("【】[] "))
    return None


def credit_or_name(text: str) -> clean.Credit:
    found = clean.parse_credit(text)
    return found if found else clean.Credit(reporters=[re.sub(r"[ \u3000]", "", text)])


def rule_furniture_line(raw: str) -> Line | None:
    """A whole line of e-paper furniture: （ 2024-03-08 ） 稿件来源：… / 本版责编：… / 第04版：要闻 /
    作者：X　字数：N (that one also names the author, so it is a byline carrying furniture)."""
    found = furniture.parse_line(raw)
    if found is None:
        return None
    byline = found.fields.get("byline")
    if byline:
        return Line("byline", str(byline), credit=credit_or_name(str(byline)), furniture=(found,))
    return Line("furniture", raw, furniture=(found,))


def rule_page_stamp(raw: str) -> Line | None:
    """《人民日报》（2024年03月08日 第 04 版）: alone, after a byline, or (rarely) after a paragraph."""
    rest, found = furniture.strip_stamp(raw)
    if found is None:
        return None
    if not rest:
        return Line("furniture", raw, furniture=(found,))
    if len(rest) > 40 or clean.ends_sentence(rest):
        return Line("text", rest, furniture=(found,))
    return Line("byline", rest, credit=credit_or_name(rest), furniture=(found,))


def rule_column(raw: str) -> Line | None:
    """【南方评论】 / ■科技观察 on a line of its own: the article's column (栏目)."""
    found = furniture.parse_column(raw)
    return Line("furniture", raw, furniture=(found,)) if found else None


_LINE_RULES: tuple[Callable[[str], Line | None], ...] = (
    rule_markdown_heading,
    rule_furniture_line,
    rule_page_stamp,
    rule_continuation_line,
    rule_byline,
    rule_caption,
    rule_plain_sidebar,
    rule_column,
)


_INDENT = (" ", "\u3000", "\t", "\u00a0")


def classify(raw: str) -> Line:
    for rule in _LINE_RULES:
        line = rule(raw)
        if line is not None:
            return replace(line, rule=rule.__name__)
    return Line("text", raw, rule="text")


def read_lines(text: str) -> list[Line]:
    """The page's non-blank lines, classified (CRLF, CR, trailing TABs and blank runs do not count)."""
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    out: list[Line] = []
    for number, raw in enumerate(text.split("\n"), 1):
        stripped = raw.strip()
        if not stripped:
            continue
        line = classify(stripped)
        if not line.text:
            continue
        line = replace(line, number=number, indented=raw.startswith(_INDENT))
        if out and _names_for_role(out[-1], line):
            merged = f"{out[-1].text} {line.text}"
            credit = clean.parse_credit(merged)
            line = replace(out.pop(), text=merged, credit=credit, rule="rule_byline: role, then names")
        out.append(line)
    return out


_NAMES = re.compile(rf"^[{clean.HAN}·]{{2,8}}(?:[\s\u3000]+[{clean.HAN}·]{{2,8}}){{0,7}}$")


def _names_for_role(role: Line, line: Line) -> bool:
    """A role printed alone (新华社记者) with its names on the next line (褚怡　杜哲宇)."""
    return (
        role.kind == "byline"
        and role.credit is not None
        and not any((role.credit.reporters, role.credit.correspondents, role.credit.photographers))
        and line.kind == "text"
        and bool(_NAMES.match(line.text))
        and clean.parse_credit(f"{role.text} {line.text}") is not None
    )
