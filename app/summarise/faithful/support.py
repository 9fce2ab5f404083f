"""Support: each summary clause should be built from the article's words. A clause most of whose
character bigrams the article never has says something the article does not (两岸专家学者 in a story
with none). Paraphrase lowers the share too, so this is the check's least certain finding."""

from __future__ import annotations

from zhaiyao.summarise.faithful.align import Source, summary_clauses

MIN_CHARS = 6  # shorter clauses ("会议强调，") are too short to judge
# Share of a clause's bigrams found anywhere in the article below which it is unsure (0.5 marked 1 in 6
# faithful tune summaries and no unfaithful one the other rules missed).
MIN_SUPPORT = 0.3


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
