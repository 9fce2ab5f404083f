"""Fit an over-long article into a model's input budget without silent truncation.

The lead sentences are kept (news states its main fact first), then the most salient remaining
sentences by TextRank, all in original order, until the budget is used. The returned note says what
was kept; it is stored as ``Summary.condensed``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from zhaiyao.summarise.extractive import rank_sentences

LEAD_SHARE = 0.5  # up to half the budget goes to the opening sentences


@dataclass(frozen=True)
class Condensed:
    text: str
    note: str | None  # None: the article fitted as it was


def condense(text: str, budget: int, cost: Callable[[str], int]) -> Condensed:
    """``text`` itself when ``cost(text) <= budget``, else lead + salient sentences within ``budget``."""
    total = cost(text)
    if total <= budget:
        return Condensed(text, None)
    ranked = rank_sentences(text)
    costs = {pos: cost(sentence) + 1 for pos, sentence, _ in ranked}  # + the line break
    chosen: set[int] = set()
    used = 0
    for pos, _, _ in ranked:  # the lead, in order
        if used + costs[pos] > budget * LEAD_SHARE:
            break
        chosen.add(pos)
        used += costs[pos]
    for pos, _, _ in sorted(ranked, key=lambda r: -r[2]):  # then salience
        if pos not in chosen and used + costs[pos] <= budget:
            chosen.add(pos)
            used += costs[pos]
    # One sentence per line: an unpunctuated heading never fuses with the sentence after it.
    kept = "\n".join(sentence for pos, sentence, _ in ranked if pos in chosen)
    note = (
        f"salient sentences: kept {len(chosen)} of {len(ranked)} sentences "
        f"({len(kept)} of {len(text)} characters) to fit an input budget of {budget} tokens"
    )
    return Condensed(kept, note)
