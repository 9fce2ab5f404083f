"""Character-level ROUGE for Chinese (and mixed) text.

Word-based ROUGE (Perl ROUGE-1.5.5, ``rouge_score``) keeps only a-z0-9 tokens and so silently scores
Chinese as empty. Here every kept character is a token, which is the usual way LCSTS results are
reported and needs no word segmenter whose choices would move the scores.

The variant, exactly (``VARIANT`` says the same in one line for reports):

1. Normalise: Unicode NFKC (full-width ``２０１１`` → ``2011``, ``ＡＢ`` → ``AB``), then lower-case.
2. Keep only characters for which ``str.isalnum()`` is true: letters of any script (CJK ideographs
   included) and digits. Punctuation, symbols and whitespace are dropped.
3. Tokens are the single remaining characters.
4. ROUGE-N (N = 1, 2): clipped n-gram overlap; P = overlap / candidate n-grams, R = overlap /
   reference n-grams. ROUGE-L: longest common subsequence; P = LCS / candidate length, R = LCS /
   reference length (sentence-level, the whole text as one sequence).
5. F1 = 2PR / (P + R), 0 when P + R = 0 (an empty candidate or reference scores 0).
6. A corpus score is the macro-average of the per-row F1s, ×100.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

VARIANT = (
    "character-level ROUGE F1 ×100: NFKC + lower-case, keep letters/digits/CJK (str.isalnum), "
    "tokens = single characters, ROUGE-N clipped n-gram overlap, ROUGE-L = sentence-level LCS, "
    "F1 = 2PR/(P+R), macro-averaged over rows"
)


def rouge_tokens(text: str) -> list[str]:
    """The characters ROUGE scores: NFKC-normalised, lower-cased letters and digits, in order."""
    return [ch for ch in unicodedata.normalize("NFKC", text).lower() if ch.isalnum()]


@dataclass(frozen=True)
class RougeScore:
    """Per-row F1 values in [0, 1] (not ×100)."""

    rouge1: float
    rouge2: float
    rougeL: float


def _f1(overlap: int, candidate_total: int, reference_total: int) -> float:
    if overlap == 0 or candidate_total == 0 or reference_total == 0:
        return 0.0
    precision = overlap / candidate_total
    recall = overlap / reference_total
    return 2 * precision * recall / (precision + recall)


def _ngrams(tokens: Sequence[str], n: int) -> Counter[tuple[str, ...]]:
    return Counter(tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1))


def rouge_n(candidate: Sequence[str], reference: Sequence[str], n: int) -> float:
    """F1 of clipped n-gram overlap between two token sequences."""
    cand, ref = _ngrams(candidate, n), _ngrams(reference, n)
    overlap = sum((cand & ref).values())
    return _f1(overlap, sum(cand.values()), sum(ref.values()))


def lcs_length(a: Sequence[str], b: Sequence[str]) -> int:
    """Length of the longest common subsequence (O(len(a)·len(b)) time, O(len(b)) memory)."""
    if not a or not b:
        return 0
    previous = [0] * (len(b) + 1)
    for x in a:
        current = [0]
        for j, y in enumerate(b, start=1):
            current.append(previous[j - 1] + 1 if x == y else max(previous[j], current[j - 1]))
        previous = current
    return previous[-1]


def rouge_l(candidate: Sequence[str], reference: Sequence[str]) -> float:
    return _f1(lcs_length(candidate, reference), len(candidate), len(reference))


def score(candidate: str, reference: str) -> RougeScore:
    """ROUGE-1/2/L F1 of one candidate summary against one reference, on normalised characters."""
    cand, ref = rouge_tokens(candidate), rouge_tokens(reference)
    return RougeScore(rouge_n(cand, ref, 1), rouge_n(cand, ref, 2), rouge_l(cand, ref))


def corpus_score(scores: Iterable[RougeScore]) -> RougeScore:
    """Macro-average of per-row scores, ×100 (0 for no rows)."""
    rows = list(scores)
    if not rows:
        return RougeScore(0.0, 0.0, 0.0)
    n = len(rows)
    return RougeScore(
        100 * sum(s.rouge1 for s in rows) / n,
        100 * sum(s.rouge2 for s in rows) / n,
        100 * sum(s.rougeL for s in rows) / n,
    )
