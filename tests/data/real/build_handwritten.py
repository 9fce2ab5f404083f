"""Render the hand-written pages of the corpus (``hw_*.txt`` + ``hw_*.gold.json``).

    python tests/data/real/build_handwritten.py

No public crawl of these papers keeps a page's articles in order (see README.md), so these pages
are written by hand: the article texts are written for this corpus, and each page is laid out the
way that paper's e-paper, or a browser copy of it, prints a 版面 (the conventions are listed per
paper below). The gold list is produced from the same spec, so it is exact by construction. Run it
again after editing a spec; two runs give identical files.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
_SPACE = re.compile(r"[\s\u3000\u00a0]+")


@dataclass
class Style:
    """How one paper's e-paper copy lays a page out."""

    nl: str = "\n"
    gap: bool = True  # blank line between every line
    body_indent: str = "\u3000\u3000"
    head_indent: str = ""
    header: str = "lines"  # lines | tab: 引题<TAB>标题<TAB>副题 on one line
    byline: str = "top"  # top | end (author on the article's last line) | count (作者：X 字数：N)
    stamp: str | None = None  # page stamp template, on the byline line or a line of its own
    stamp_own_line: bool = False
    source_line: str | None = None  # （ 2024-03-08 ） 稿件来源：… line under the title
    masthead: tuple[str, ...] = ()
    credit: str | None = None  # 本版责编 line closing the page
    column_format: str = "【{}】"


@dataclass
class Art:
    t: str
    body: list[str]
    k: str | None = None
    s: str | None = None
    by: str | None = None
    kind: str = "article"
    col: str | None = None
    parts: list[tuple[str, str | None, list[str]]] = field(default_factory=list)  # profile features


@dataclass
class HandPage:
    name: str
    paper: str
    date: str  # YYYY-MM-DD
    banci: int
    banming: str
    part: str
    style: Style
    arts: list[Art]
    notes: str = ""


def _norm(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


def _date_cn(date: str) -> str:
    y, m, d = date.split("-")
    return f"{y}年{m}月{d}日"


def _chars(art: Art) -> int:
    return sum(len(p) for p in art.body) + sum(len(p) for _, _, ps in art.parts for p in ps)


def _header_lines(st: Style, art, fmt: dict) -> list[str]:
    """Column, 引题/标题/副题, source line, byline and stamp, as the paper prints them."""
    lines = [st.head_indent + st.column_format.format(art.col)] if art.col else []
    if st.header == "tab" and (art.k or art.s):
        lines.append(st.head_indent + "\t".join(x for x in (art.k, art.t, art.s) if x))
    else:
        lines += [st.head_indent + x for x in (art.k, art.t, art.s) if x]
    if st.source_line:
        lines.append(st.source_line.format(**fmt))
    stamp = st.stamp.format(**fmt) if st.stamp else None
    if art.by and st.byline == "top":
        lines.append(art.by + (" " + stamp if stamp and not st.stamp_own_line else ""))
        if stamp and st.stamp_own_line:
            lines.append(stamp)
    elif art.by and st.byline == "count":
        lines.append(f"作者：{art.by}\u3000字数：{_chars(art)}")
    elif stamp:
        lines.append(stamp)
    return lines


def _body_lines(st: Style, art) -> list[str]:
    body = [st.body_indent + p for p in art.body]
    for heading, byline, paras in art.parts:
        body.append(st.body_indent + heading)
        if byline:
            body.append(st.body_indent + byline)
        body += [st.body_indent + p for p in paras]
    if art.by and st.byline == "end":
        body.append(st.body_indent + art.by)
    return body


def render(page: HandPage) -> tuple[str, dict]:
    st = page.style
    fmt = {"date_cn": _date_cn(page.date), "date": page.date, "banci": page.banci, "banming": page.banming}
    lines: list[str] = list(st.masthead)
    non_articles = [{"position": 0, "kind": "masthead", "text": m} for m in st.masthead]
    gold: dict = {k: [] for k in ("titles", "first_words", "kinds", "kickers", "subtitles", "bylines")}
    gold["columns"] = []
    for art in page.arts:
        lines += _header_lines(st, art, fmt)
        lines += _body_lines(st, art)
        gold["titles"].append(_norm(art.t))
        gold["first_words"].append(_norm(art.body[0])[:12])
        gold["kinds"].append(art.kind)
        gold["kickers"].append(art.k)
        gold["subtitles"].append(art.s)
        gold["bylines"].append(art.by)
        gold["columns"].append(art.col)
    if st.credit:
        lines.append(st.credit)
        non_articles.append({"position": len(page.arts), "kind": "editor_credit", "text": st.credit})
    sep = st.nl + st.nl if st.gap else st.nl
    text = sep.join(lines) + st.nl
    meta = {
        "newspaper": page.paper,
        "source": "hand-written (tests/data/real/build_handwritten.py)",
        "date": page.date,
        "page": f"{page.banci:02d}版：{page.banming}",
        "part": page.part,
        "format": "txt, hand-written in the paper's e-paper conventions",
    }
    return text, {**meta, **gold, "non_article_items": non_articles, "notes": page.notes}


# ----------------------------------------------------------------------------------------------
# Papers' conventions

GMRB = Style(
    stamp="《光明日报》（ {date_cn} {banci:02d}版）", stamp_own_line=True, credit="本版责编：王晓樱 邓 帆"
)
JJRB = Style(
    nl="\r\n",
    gap=False,
    body_indent="  ",
    header="tab",
    byline="count",
    masthead=("经济日报", "{date_cn} 星期五", "第{banci:02d}版：{banming}"),
)
NFRB = Style(head_indent="\u3000\u3000", credit="责任编辑：陈 枫　版式设计：林 蔚")
ZQB = Style(
    source_line="（ {date} ） 稿件来源：中国青年报 {banci:02d}版 {banming}",
    header="tab",
    credit="本版编辑：刘 畅",
)
JFRB = Style(byline="end", gap=False, stamp="《解放日报》 {date_cn} 第{banci}版", credit="本版编辑：沈 颖")
BJRB = Style(nl="\r\n", head_indent="    ", body_indent="    ", credit="本版责编：赵 蕾 美编：孙 琪")
GRRB = Style(gap=False, stamp="《工人日报》（{date_cn} 第{banci:02d}版）", credit="本版编辑：彭 冰")
KJRB = Style(nl="\r\n", header="tab", byline="count", gap=True, column_format="■{}")


def _mast(style: Style, page: HandPage) -> Style:
    fmt = {"date_cn": _date_cn(page.date), "banci": page.banci, "banming": page.banming}
    masthead = tuple(m.format(**fmt) for m in style.masthead)
    return Style(**{**style.__dict__, "masthead": masthead})


def main() -> None:
    import sys

    sys.path.insert(0, str(HERE))
    from hand_pages import PAGES  # the specs are long; they live apart

    for page in PAGES:
        page.style = _mast(page.style, page)
        text, gold = render(page)
        (HERE / f"{page.name}.txt").write_bytes(text.encode("utf-8"))
        (HERE / f"{page.name}.gold.json").write_text(
            json.dumps(gold, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
        )
    print(f"{len(PAGES)} pages written to {HERE}")


if __name__ == "__main__":
    main()
