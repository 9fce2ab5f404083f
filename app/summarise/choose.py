"""Choosing one answer among a backend's candidates for a request.

A single candidate is the answer. Among several (headlines: greedy + seeded samples), the answer is the
consensus candidate (consensus.py), preferring those the faithfulness guard passes: a sampled headline
that keeps to the article beats a retry with the strict prompt or the extractive fallback.
"""

from __future__ import annotations

from collections.abc import Sequence

from zhaiyao.summarise import guard
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
    faithful = [k for k, text in enumerate(shown) if text and guard.check(text, source).ok]
    return consensus_index(shown, faithful or None, source=source, grounding=grounding)
