"""Choosing one answer among a backend's candidates for a request.

A single candidate is the answer. Among several (headlines: greedy + seeded samples), the candidates
are ranked by the faithfulness check (faithful.py): those it passes without doubt first, then those it
passes with unsure findings, then the rest. The answer is the consensus candidate (consensus.py) of the
best rank: a sampled headline that keeps to the article beats a retry or the extractive fallback.
"""

from __future__ import annotations

from collections.abc import Sequence

from zhaiyao.summarise import faithful
from zhaiyao.summarise.base import Request
from zhaiyao.summarise.consensus import consensus_index
from zhaiyao.summarise.limits import limit_output
from zhaiyao.summarise.options import GenerationOptions


def choose(candidates: Sequence[str], request: Request, options: GenerationOptions) -> str:
    """The candidate to keep (raw, as the backend wrote it)."""
    if not candidates:
        return ""
    if len(candidates) == 1:
        return candidates[0]
    return candidates[choice_index(candidates, request, options.consensus_grounding)]


def choice_index(candidates: Sequence[str], request: Request, grounding: float) -> int:
    # Compared as they will be shown: cleaned and cut to the request's limit.
    shown = [limit_output(t, request.style, request.max_chars) for t in candidates]
    source = "\n".join(p for p in (request.title, request.text) if p)
    return consensus_index(shown, best_ranked(shown, source) or None, source=source, grounding=grounding)


def best_ranked(shown: Sequence[str], source: str) -> list[int]:
    """The candidates of the best rank: passed without findings, else passed unsure, else none."""
    verdicts = [faithful.check(text, source) if text else None for text in shown]
    clean = [k for k, v in enumerate(verdicts) if v is not None and v.ok and not v.unsure]
    return clean or [k for k, v in enumerate(verdicts) if v is not None and v.ok]
