"""Support: each summary clause should be built from the article's words. A clause most of whose
character bigrams the article never has says something the article does not (两岸专家学者 in a story
with none). Paraphrase lowers the share too, so this is the check's least certain finding."""

from __future__ import annotations

from zhaiyao.summarise.faithful.align import Source, summary_clauses

MIN_CHARS = 6  # shorter clauses ("会议强调，") are too short to judge
MIN_SUPPORT = 0.5  # share of a clause's bigrams found anywhere in the article


def check_support(summary: str, source: Source) -> list[str]:
    reasons = []
    for clause in summary_clauses(summary):
        text = clause.text.strip(",:;。")
        if sum(ch.isalnum() for ch in text) < MIN_CHARS:
            continue
        share = source.support(text)
        if share < MIN_SUPPORT:
            reasons.append(f"unsupported: '{text}' ({share:.0%} of it in the article)")
    return reasons
