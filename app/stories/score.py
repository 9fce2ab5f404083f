"""Scoring a grouping against labels: pairwise precision/recall/F1 over same-story pairs, and B-cubed.

``counts`` returns raw sums so that several days can be pooled before the ratios are taken.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Counts:
    pairs_both: float  # same-story pairs in gold and prediction
    pairs_pred: float
    pairs_gold: float
    n: int
    b_precision: float  # sums over articles, divided by n when pooled
    b_recall: float


def _pairs(size: float) -> float:
    return size * (size - 1) / 2


def counts(gold: Sequence[Hashable], pred: Sequence[Hashable]) -> Counts:
    if len(gold) != len(pred):
        raise ValueError("gold and predicted labels differ in length")
    cells = Counter(zip(gold, pred, strict=True))
    gold_size = Counter(gold)
    pred_size = Counter(pred)
    return Counts(
        pairs_both=sum(_pairs(c) for c in cells.values()),
        pairs_pred=sum(_pairs(c) for c in pred_size.values()),
        pairs_gold=sum(_pairs(c) for c in gold_size.values()),
        n=len(gold),
        b_precision=sum(c * c / pred_size[p] for (_, p), c in cells.items()),
        b_recall=sum(c * c / gold_size[g] for (g, _), c in cells.items()),
    )


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def scores(parts: Sequence[Counts]) -> dict[str, float]:
    """P, R, F1 (pairwise) and bP, bR, bF1 (B-cubed) pooled over ``parts``."""
    both = sum(c.pairs_both for c in parts)
    pred = sum(c.pairs_pred for c in parts)
    gold = sum(c.pairs_gold for c in parts)
    n = sum(c.n for c in parts) or 1
    p = both / pred if pred else 1.0
    r = both / gold if gold else 1.0
    bp = sum(c.b_precision for c in parts) / n
    br = sum(c.b_recall for c in parts) / n
    return {"P": p, "R": r, "F1": _f1(p, r), "bP": bp, "bR": br, "bF1": _f1(bp, br)}
