"""Linking pairs and taking stories as connected components (single link).

The thresholds were chosen on the tune days of tests/data/stories (docs/stories.md) and are frozen
here; the report days were scored once with them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from zhaiyao.documents import Article
from zhaiyao.stories.features import Signals


@dataclass(frozen=True)
class Thresholds:
    headlead: float = 0.11  # headline of one against the lead of the other
    text: float = 0.6  # whole-text cosine: reprinted copy
    companion: float = 0.025  # text cosine a companion piece needs with the article before it
    # Unlinked pairs whose best channel reaches this are borderline: the model may be asked about them.
    band: float = 0.08


FROZEN = Thresholds()


def links(sig: Signals, t: Thresholds = FROZEN) -> np.ndarray:
    """Boolean n × n: a pair is linked when any channel passes its threshold or both are items of one
    regular briefing; index boxes never link."""
    linked = (sig.headlead >= t.headlead) | (sig.text >= t.text)
    linked |= (sig.companion > 0) & (sig.text >= t.companion)
    linked |= sig.briefing > 0
    linked[sig.index_box, :] = False
    linked[:, sig.index_box] = False
    np.fill_diagonal(linked, False)
    return linked


def borderline(sig: Signals, t: Thresholds = FROZEN) -> list[tuple[int, int]]:
    """Unlinked pairs (i < j) whose headline-vs-lead or text score is in the band just under the
    thresholds, strongest first: where the rules are least sure."""
    linked = links(sig, t)
    best = np.maximum(sig.headlead, sig.text)
    near = (best >= t.band) & ~linked
    near[sig.index_box, :] = False
    near[:, sig.index_box] = False
    pairs = [(int(i), int(j)) for i, j in zip(*np.nonzero(np.triu(near, 1)), strict=True)]
    return sorted(pairs, key=lambda p: -best[p])


def components(n: int, edges: Iterable[tuple[int, int]]) -> list[int]:
    """Each item's component, numbered 0.. in order of first appearance (stable for the same links)."""
    parent = list(range(n))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in edges:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    numbers: dict[int, int] = {}
    return [numbers.setdefault(find(i), len(numbers)) for i in range(n)]


def edges_of(linked: np.ndarray) -> list[tuple[int, int]]:
    return [(int(i), int(j)) for i, j in zip(*np.nonzero(np.triu(linked, 1)), strict=True)]


def group(articles: Sequence[Article], t: Thresholds = FROZEN) -> list[int]:
    """Each article's story number (0..), articles of one day."""
    sig = Signals(articles)
    return components(len(articles), edges_of(links(sig, t)))
