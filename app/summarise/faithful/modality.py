"""Modality and time: a plan stays a plan, an aim an aim, a decade a decade.

For each summary clause aligned to an article clause:

- the article's clause has a marker of a step not yet done (将, 拟, 计划, 预计, 有望, 力争, 正在, 加快 …)
  in front of words the summary restates, and the summary's sentence up to that clause has no marker
  of its own (将 → 计划 is a fair paraphrase): a planned step told as done;
- the summary dates a clause (2022年, 今年) where the article's sentence spans a period (十年来, 以来,
  截至, 累计) or names another year: an achievement dated to the wrong year.
"""

from __future__ import annotations

import re

from zhaiyao.summarise.faithful.align import Alignment, Clause, Source, grams, summary_clauses
from zhaiyao.summarise.faithful.lexicon import FUTURE_MARKERS, SPAN_MARKERS, STRONG_FUTURE

MIN_COVERAGE = 0.6
MIN_CLAUSE = 4  # characters: shorter clauses align anywhere
HEAD_DATE = 12  # characters: a head clause this short that holds a date dates the clause after it
LOOKAHEAD = 6  # characters after the article's marker that the summary must restate
_YEAR_RE = re.compile(r"(?:19|20)\d{2}年|今年|去年|明年|前年")
_EXACT_YEAR_RE = re.compile(r"(?:19|20)\d{2}年")
_STRONG_RE = re.compile("|".join(sorted(STRONG_FUTURE, key=len, reverse=True)))


def check_modality(summary: str, source: Source) -> list[str]:
    reasons = []
    for clause in summary_clauses(summary):
        if sum(ch.isalnum() for ch in clause.text) < MIN_CLAUSE:
            continue
        where = source.align(clause.text)
        if where is None or where.coverage < MIN_COVERAGE:
            continue
        dropped = _dropped_marker(clause, where)
        if dropped:
            reasons.append(
                f"modality: the article says '{dropped}', the summary '{clause.text.strip(',')}' "
                "tells it as done"
            )
        moved = None if source.has(clause.head + clause.text) else _moved_date(clause, where)
        if moved:
            reasons.append(moved)
    return reasons


def _dropped_marker(clause: Clause, where: Alignment) -> str | None:
    """The article's marker (with the words it governs) that the summary dropped, or None."""
    import jieba
    import jieba.posseg

    segment = where.segment
    if not _STRONG_RE.search(segment):
        return None
    said = clause.head + clause.text
    if any(token in FUTURE_MARKERS for token in jieba.lcut(said)):
        return None
    wanted = grams(clause.text)
    position = 0
    for pair in jieba.posseg.lcut(segment):
        word, position = pair.word, position + len(pair.word)
        if word not in STRONG_FUTURE or (word == "将" and pair.flag == "p"):  # 将 as 把: not a plan
            continue
        governed = segment[position : position + LOOKAHEAD].lstrip("于在")
        if grams(governed) & wanted:
            return word + segment[position : position + LOOKAHEAD]
    return None


def _moved_date(clause: Clause, where: Alignment) -> str | None:
    """A date the summary's sentence gives this clause (in the clause or ahead of it) that the
    article's sentence lacks, where that sentence spans a period or names another year."""
    # A date ahead of the clause counts when it is all the head says ("2022年，我国实现了…").
    head = clause.head if len(clause.head) <= HEAD_DATE else ""
    dates = _YEAR_RE.findall(head + clause.text)
    sentence = where.sentence.text
    missing = [d for d in dates if d not in sentence]
    if not missing:
        return None
    span = next((m for m in SPAN_MARKERS if m in sentence), None)
    if span:
        return f"time: the article's '{span}' is dated {missing[0]} in the summary"
    others = _EXACT_YEAR_RE.findall(where.segment)
    if others and _EXACT_YEAR_RE.match(missing[0]):
        return f"time: {missing[0]} where the article's sentence says {others[0]}"
    return None
