"""An article's printed credits as a reader sees them: each person once, reporters before correspondents
before photographers, then the dateline (the viewer's cards and the exports print the same line)."""

from __future__ import annotations

import re
from collections.abc import Iterable

from zhaiyao.documents import Article

_CREDIT = re.compile(r"(?:整理|摄影?|报道|撰文|文/?图|/文|/图|供图)$")


def names_once(names: Iterable[str]) -> list[str]:
    """Each person once, in the order printed (杨迅、杨迅整理 → 杨迅整理)."""
    kept: list[str] = []
    for name in names:
        bare = _CREDIT.sub("", name.strip())
        same = [k for k in kept if _CREDIT.sub("", k) == bare]
        if not same:
            kept.append(name.strip())
        elif len(name.strip()) > len(same[0]):
            kept[kept.index(same[0])] = name.strip()  # the fuller credit says more
    return kept


def byline_parts(article: Article) -> list[str]:
    """记者 …, 通讯员 … (those not already reporters), 摄影 …, and the dateline without its comma."""
    parts = []
    reporters = names_once(article.reporters)
    if reporters:
        parts.append("记者 " + "、".join(reporters))
    others = [n for n in names_once(article.correspondents) if n not in reporters]
    if others:
        parts.append("通讯员 " + "、".join(others))
    if article.photographers:
        parts.append("摄影 " + "、".join(names_once(article.photographers)))
    if article.dateline:
        parts.append(article.dateline.rstrip("，,:： "))
    return parts
