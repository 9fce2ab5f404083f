"""Summaries for articles: one interface, several backends, the same rules for all of them.

``load_summariser(settings)`` picks a backend from the registry (``llm`` by default) and loads its model;
``summarise_articles(articles, summariser)`` then, for every article: condenses it when it exceeds the
backend's input budget (recorded, never silent), asks the backend for candidates in length-sorted
batches and chooses among them (choose.py), limits the length at a sentence or clause boundary, runs
the faithfulness guard (a failing summary is regenerated once with a stricter prompt, then replaced by
the extractive summary), adds five keywords and, for an article without a title, a generated headline.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from app.config import Settings
from app.documents import Article, Summary
from app.summarise import guard
from app.summarise.base import STYLES, Request, Style, Summariser, effective_limit, get_style
from app.summarise.choose import choose
from app.summarise.condense import Condensed, condense
from app.summarise.extractive import article_keywords, extract
from app.summarise.limits import limit_output, split_points
from app.summarise.options import GenerationOptions
from app.summarise.registry import backend_names, register

__all__ = [
    "STYLES",
    "Summariser",
    "backend_names",
    "load_summariser",
    "register",
    "summarise_articles",
]

HEADLINE = STYLES["headline"]


def load_summariser(settings: Settings, progress: Callable[..., Any] | None = None) -> Summariser:
    """The backend named by ``settings.backend`` with ``settings.model`` loaded (fetched if needed)."""
    from app.summarise.registry import create

    return create(settings, progress)


@dataclass
class _Work:
    index: int
    article: Article
    source: str  # what the summary must be faithful to: title, subtitle, dateline and body
    condensed: Condensed
    text: str = ""
    guard: str = "ok"
    reasons: tuple[str, ...] = ()
    title: str | None = None


def _source(article: Article) -> str:
    parts = [article.title, article.subtitle, article.dateline, article.text]
    return "\n".join(p for p in parts if p)


def _check(text: str, work: _Work, style: Style) -> tuple[str, ...]:
    reasons = list(guard.check(text, work.source).reasons)
    if style.min_points and text:
        points = len(split_points(text))
        if points < style.min_points:
            reasons.append(f"only {points} points (wanted {style.min_points}–{style.max_points})")
    return tuple(reasons)


def summarise_articles(
    articles: Sequence[Article],
    summariser: Summariser,
    *,
    style: str = "brief",
    max_chars: int | None = None,
    on_summary: Callable[[int, Summary], None] | None = None,
) -> list[Summary]:
    """One Summary per article, in input order; ``on_summary(i, summary)`` is called as each is ready."""
    chosen = get_style(style)
    limit = effective_limit(chosen, max_chars)
    budget = None if summariser.verbatim else summariser.input_budget
    works = []
    for i, article in enumerate(articles):
        body = article.text
        note = condense(body, budget, summariser.input_tokens) if budget else Condensed(body, None)
        works.append(_Work(i, article, _source(article), note))
    # Similar lengths together: the llm backend pads each batch to its longest prompt.
    order = sorted(range(len(works)), key=lambda i: -len(works[i].condensed.text))
    results: list[Summary | None] = [None] * len(works)
    step = max(1, summariser.batch_size)
    for start in range(0, len(order), step):
        chunk = [works[i] for i in order[start : start + step]]
        began = time.perf_counter()
        _summarise_chunk(chunk, summariser, chosen, limit)
        seconds = (time.perf_counter() - began) / len(chunk)
        for work in chunk:
            summary = Summary(
                article_key=work.article.key,
                text=work.text,
                style=chosen.name,
                backend=summariser.backend,
                model=summariser.model_name,
                max_chars=limit,
                keywords=article_keywords(work.article.text),
                generated_title=work.title,
                guard=work.guard,  # type: ignore[arg-type]
                guard_reasons=work.reasons,
                condensed=work.condensed.note,
                prompt_version=summariser.prompt_version,
                seconds=round(seconds, 3),
            )
            results[work.index] = summary
            if on_summary is not None:
                on_summary(work.index, summary)
    return [s for s in results if s is not None]


def _summarise_chunk(chunk: list[_Work], summariser: Summariser, style: Style, limit: int) -> None:
    empty = [w for w in chunk if not w.article.text.strip()]
    for work in empty:
        work.guard, work.reasons = "fallback", ("article has no body text to summarise",)
        if not (work.article.title or "").strip():
            work.title = ""
    live = [w for w in chunk if w not in empty]
    untitled = [w for w in live if not (w.article.title or "").strip()]
    requests = [_request(summariser, w.article.title, w.condensed.text, style, limit) for w in live]
    requests += [_request(summariser, None, w.condensed.text, HEADLINE, HEADLINE.max_chars) for w in untitled]
    raw = _generate_unique(summariser, requests)
    for work, text in zip(live, raw, strict=False):
        work.text = limit_output(text, style, limit)
    for work, text in zip(untitled, raw[len(live) :], strict=True):
        work.title = limit_output(text, HEADLINE, HEADLINE.max_chars)
    if summariser.verbatim:
        return  # copied from the article: nothing to guard
    _guard_titles(untitled)
    failing = []
    for work in live:
        reasons = _check(work.text, work, style)
        if reasons:
            work.reasons += tuple(f"attempt 1: {r}" for r in reasons)
            failing.append(work)
    if failing:
        _retry(failing, summariser, style, limit)


def _retry(failing: list[_Work], summariser: Summariser, style: Style, limit: int) -> None:
    """One more try with the strict prompt; two unfaithful attempts fall back to the extractive summary."""
    retry = [_request(summariser, w.article.title, w.condensed.text, style, limit, True) for w in failing]
    for work, text in zip(failing, _generate_unique(summariser, retry), strict=True):
        text = limit_output(text, style, limit)
        reasons = _check(text, work, style)
        if not reasons:
            work.text, work.guard = text, "retried"
            continue
        # The article's own salient sentences are the safe answer.
        work.text = extract(work.article.text, style, limit)
        work.guard = "fallback"
        work.reasons += tuple(f"attempt 2: {r}" for r in reasons)


def _options(summariser: Summariser) -> GenerationOptions:
    # A plugin backend written before options existed still gets the defaults.
    return getattr(summariser, "options", None) or GenerationOptions()


def _request(
    summariser: Summariser, title: str | None, text: str, style: Style, limit: int, strict: bool = False
) -> Request:
    count = _options(summariser).candidates(style.name)
    return Request(title, text, style, limit, strict=strict, candidates=count)


def _generate_unique(summariser: Summariser, requests: list[Request]) -> list[str]:
    """Generate each distinct request once (an untitled article in headline style asks for its summary
    and its generated title with the same request), then choose among each one's candidates."""
    unique = list(dict.fromkeys(requests))
    options = _options(summariser)
    found = summariser.generate(unique) if unique else []
    answers = {r: choose(c, r, options) for r, c in zip(unique, found, strict=True)}
    return [answers[r] for r in requests]


def _guard_titles(untitled: list[_Work]) -> None:
    for work in untitled:
        reasons = guard.check(work.title or "", work.source).reasons
        if reasons:
            # A headline is short and cheap to replace; its reasons are kept with the summary's.
            work.title = extract(work.article.text, HEADLINE, HEADLINE.max_chars)
            work.reasons += tuple(f"generated title replaced by extractive: {r}" for r in reasons)
