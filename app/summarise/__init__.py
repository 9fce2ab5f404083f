"""Summaries for articles: one interface, several backends, the same rules for all of them.

``load_summariser(settings)`` makes the backend the settings name (``registry``: each backend states
what it needs) and ``summarise_articles(articles, summariser)`` applies the policy (``policy``):
condense, generate candidates, choose, limit, guard (retry, else the extractive fallback), keywords.
Backends (``llm``, ``seq2seq``, ``extractive``, ``lead``) only turn requests into candidate texts.
"""

from __future__ import annotations

from zhaiyao.summarise.base import STYLES, Summariser
from zhaiyao.summarise.policy import load_summariser, summarise_articles
from zhaiyao.summarise.registry import backend_names, register

__all__ = [
    "STYLES",
    "Summariser",
    "backend_names",
    "load_summariser",
    "register",
    "summarise_articles",
]
