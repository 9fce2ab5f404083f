"""Numbers attached to the wrong quantity.

The guard already fails a number the article lacks. Here a number the article has must also keep its
unit (162名 is not 162家; 2万人 is not 2万家) and the thing it counts: the noun in front of it in the
summary must stand near one of the number's places in the article (营收2.4亿元 where the article's
2.4亿元 is 投资 fails).
"""

from __future__ import annotations

import re

from zhaiyao.summarise.faithful.align import Source, normalise

# A number, not part of a model name or code (哈弗H6, G20, 5G): those carry no unit to compare.
_NUMBER_RE = re.compile(r"(?<![\d.A-Za-z])\d+(?:\.\d+)?(?![\d.A-Za-z])")
# What may follow a magnitude as the unit (2万人, 300亿元); anything else (300亿利润) is the next word.
_MEASURES = "元人名位家个所座吨台件户辆次亩米里斤克天年月日岁项条张部只头批架艘片公股"
_APPROXIMATE = "多余来几"  # 10多小时, 300余人: the article's figure is approximate
_MAGNITUDE = "万亿千百"
_UNIT_GROUPS = ("名人位", "家个所座", "元块")
BEFORE, AFTER = 15, 8  # the article's window around a number where its noun must stand
_SKIP_FLAGS = ("m", "q", "x", "p", "d", "c", "u", "v", "r", "f", "t")


def check_quantities(summary: str, source: Source) -> tuple[list[str], list[str]]:
    """(sure reasons: a unit changed, unsure reasons: the counted noun not near the number)."""
    summary = normalise(summary)
    sure, unsure = [], []
    for match in _NUMBER_RE.finditer(summary):
        number = match.group(0)
        places = [m.start() for m in re.finditer(rf"(?<![\d.]){re.escape(number)}(?![\d.])", source.text)]
        if not places or _is_year_or_score(summary, match):
            continue  # the guard's number check reports a missing one; years and scores count nothing
        unit = _unit(summary, match.end())
        # 5站 for 5个车站: a classifier in the article may stand before the summary's unit.
        found = [
            p
            for p in places
            if _same_unit(unit, _unit(source.text, p + len(number)))
            or unit[-1:] in source.text[p + len(number) : p + len(number) + 4]
        ]
        if unit and not found:
            theirs = _unit(source.text, places[0] + len(number)) or "no unit"
            sure.append(f"quantity: {number}{unit} where the article has {number}{theirs}")
            continue
        noun = _counted_noun(summary[: match.start()])
        if noun and not any(noun in source.text[max(0, p - BEFORE) : p + AFTER] for p in found or places):
            unsure.append(f"quantity: {number} is not the article's figure for {noun}")
    return sure, unsure


def _unit(text: str, end: int) -> str:
    """The unit after a number: a magnitude (万, 亿) with the next character, or one character."""
    rest = text[end : end + 4].lstrip(_APPROXIMATE)
    if not rest:
        return ""
    if rest[0] in _MAGNITUDE:
        return rest[:2] if len(rest) > 1 and rest[1] in _MEASURES else rest[0]
    if rest[0] == "%" or "\u4e00" <= rest[0] <= "\u9fff":
        return rest[0]
    return ""


def _same_unit(mine: str, theirs: str) -> bool:
    if not mine or not theirs or mine == theirs:
        return True
    if mine[0] in _MAGNITUDE or theirs[0] in _MAGNITUDE:
        # 2万 against 2万人: the magnitude must agree; a unit left out is not a different quantity.
        if mine[0] != theirs[0]:
            return False
        return len(mine) == 1 or len(theirs) == 1 or _same_unit(mine[1:], theirs[1:])
    return any(mine[0] in group and theirs[0] in group for group in _UNIT_GROUPS)


def _is_year_or_score(text: str, match: re.Match[str]) -> bool:
    """2026伦敦马拉松, 2026年 and 13:9 count nothing that a noun before them could name."""
    number, after = match.group(0), text[match.end() : match.end() + 1]
    before = text[match.start() - 1 : match.start()]
    if len(number) == 4 and number[:2] in ("19", "20") and after not in "%万亿千百元人名家个项吨":
        return True
    return after in ":∶比" or before in ":∶比"


def _counted_noun(before: str) -> str | None:
    """The common noun right before the number in the summary's clause (营收 in 营收2.4亿元), if any;
    None when a list (分别, 和, 、) or a name stands between."""
    import jieba.posseg

    clause = re.split(r"[,。;:!?、]", before)[-1][-12:]
    for pair in reversed(jieba.posseg.lcut(clause)):
        if pair.word in ("分别", "和", "及", "与"):
            return None
        if pair.flag.startswith("n") and len(pair.word) >= 2:
            return None if pair.flag in ("nr", "nrfg", "nrt", "ns", "nt", "nz") else pair.word
        if not pair.flag.startswith(_SKIP_FLAGS):
            return None
    return None
