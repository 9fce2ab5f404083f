"""Choosing one headline among several candidates: the one the others agree with most, kept close to
the article's own words.

Minimum-Bayes-risk decoding (Kumar & Byrne 2004; for LLM summaries, e.g. Suzgun et al. 2022): with
ROUGE-L as the similarity, the candidate with the highest mean ROUGE-L against all the others is the
"consensus" headline. A greedy headline that went off on a detail, or ran long, loses to one that
says what most samples say (the figures: docs/evaluation.md).

Agreement alone also rewards what the model habitually says. Grounding, the share of a candidate that
follows the article in order (LCS with the article / the candidate's length), favours headlines built
from the article's own words: the faithful choice, and the one news headlines make.
"""

from __future__ import annotations

from collections.abc import Sequence

from zhaiyao.text.rouge import lcs_length, rouge_l, rouge_tokens


def consensus_index(
    candidates: Sequence[str],
    eligible: Sequence[int] | None = None,
    *,
    source: str | None = None,
    grounding: float = 0.0,
) -> int:
    """Index of the candidate with the highest mean ROUGE-L F1 against the others, plus ``grounding``
    times its grounding in ``source`` (when given).

    Only ``eligible`` indices (default: all) can be chosen, but every candidate counts as evidence of
    what the model means to say. Ties go to the earliest candidate, so a caller that puts the greedy
    answer first keeps it whenever the samples do not clearly agree on something else.
    """
    if not candidates:
        raise ValueError("no candidates to choose from")
    choices = list(range(len(candidates))) if eligible is None else sorted(eligible)
    if not choices or not all(0 <= i < len(candidates) for i in choices):
        raise ValueError(f"eligible candidates {eligible!r} out of {len(candidates)}")
    tokens = [rouge_tokens(c) for c in candidates]
    n = len(tokens)
    similarity = [[0.0] * n for _ in range(n)]
    for i in range(n):
        for j in range(i + 1, n):
            similarity[i][j] = similarity[j][i] = rouge_l(tokens[i], tokens[j])
    scores = [sum(row) / max(1, n - 1) for row in similarity]
    if source and grounding:
        article = rouge_tokens(source)
        for i in choices:
            scores[i] += grounding * grounded_share(tokens[i], article)
    return max(choices, key=lambda i: (scores[i], -i))


def grounded_share(candidate: Sequence[str], article: Sequence[str]) -> float:
    """Share of the candidate's tokens that follow the article in order (0 for an empty candidate)."""
    return lcs_length(candidate, article) / len(candidate) if candidate else 0.0
