"""The summarising policy every backend obeys.

``summarise_articles(articles, summariser)``, for every article: condenses it when it exceeds the
backend's input budget (recorded, never silent), asks the backend for candidates (all requests at once:
the backend answers each as it is ready) and chooses among them (choose.py), limits the length at a
sentence or clause boundary, runs the faithfulness check (``faithful``: a failing summary is
regenerated once with a stricter prompt that names what went wrong, then replaced by the extractive
summary, flagged; one that passes with unsure findings keeps them as its reasons, guard "unsure"),
adds five keywords and, for an article without a title, a generated headline.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from zhaiyao.config import Settings
from zhaiyao.documents import Article, Summary
from zhaiyao.summarise import faithful
from zhaiyao.summarise.base import STYLES, Request, Style, Summariser, effective_limit, get_style, serve
from zhaiyao.summarise.choose import choose
from zhaiyao.summarise.condense import Condensed, condense
from zhaiyao.summarise.extractive import article_keywords, extract
from zhaiyao.summarise.limits import limit_output, split_points
from zhaiyao.summarise.options import GenerationOptions
from zhaiyao.summarise.prompts import retry_hint
from zhaiyao.summarise.registry import create

HEADLINE = STYLES["headline"]


def load_summariser(settings: Settings, progress: Callable[..., Any] | None = None) -> Summariser:
    """The backend named by ``settings.backend`` with ``settings.model`` loaded (fetched if needed)."""
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
    started: float | None = None  # when the backend started on its first request (perf_counter)


def _source(article: Article) -> str:
    parts = [article.title, article.subtitle, article.dateline, article.text]
    return "\n".join(p for p in parts if p)


def _check(text: str, work: _Work, style: Style) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(the reasons the summary fails, the unsure findings it may pass with)."""
    verdict = faithful.check(text, work.source)
    reasons = list(verdict.sure)
    if style.min_points and text:
        points = len(split_points(text))
        if points < style.min_points:
            reasons.append(f"only {points} points (wanted {style.min_points}–{style.max_points})")
    return tuple(reasons), verdict.unsure


def summarise_articles(
    articles: Sequence[Article],
    summariser: Summariser,
    *,
    style: str = "brief",
    max_chars: int | None = None,
    on_summary: Callable[[int, Summary], None] | None = None,
) -> list[Summary]:
    """One Summary per article, in input order; ``on_summary(i, summary)`` is called as each is ready.

    Every request goes to the backend at once (``serve``): with continuous batching an article's
    summary is ready as soon as its own requests are, retry included, whatever the others do."""
    chosen = get_style(style)
    limit = effective_limit(chosen, max_chars)
    budget = None if summariser.verbatim else summariser.input_budget
    works = []
    for i, article in enumerate(articles):
        body = article.text
        note = condense(body, budget, summariser.input_tokens) if budget else Condensed(body, None)
        works.append(_Work(i, article, _source(article), note))
    results: list[Summary | None] = [None] * len(works)

    def finish(work: _Work) -> None:
        # An article's seconds: its own, from when the backend started on its first request (not when
        # it was queued behind others) to its last answer, retry and headline included.
        now = time.perf_counter()
        summary = _summary(work, summariser, chosen, limit, round(now - (work.started or now), 3))
        results[work.index] = summary
        if on_summary is not None:
            on_summary(work.index, summary)

    # Longest first: the slow ones do not trail at the end.
    order = sorted(works, key=lambda w: -len(w.condensed.text))
    _Articles(summariser, chosen, limit, finish).run(order)
    return [s for s in results if s is not None]


def _summary(work: _Work, summariser: Summariser, style: Style, limit: int, seconds: float) -> Summary:
    return Summary(
        article_key=work.article.key,
        text=work.text,
        style=style.name,
        backend=summariser.backend,
        model=summariser.model_name,
        max_chars=limit,
        keywords=article_keywords(work.article.text),
        generated_title=work.title,
        guard=work.guard,  # type: ignore[arg-type]
        guard_reasons=work.reasons,
        condensed=work.condensed.note,
        prompt_version=summariser.prompt_version,
        seconds=seconds,
    )


class _Articles:
    """Each article's requests and what their answers lead to: its summary (checked by the guard,
    retried once with the strict prompt, else the extractive fallback) and, for an untitled article,
    its headline. An article is finished the moment its last answer is in."""

    def __init__(
        self, summariser: Summariser, style: Style, limit: int, finish: Callable[[_Work], None]
    ) -> None:
        self.summariser, self.style, self.limit, self.finish = summariser, style, limit, finish
        self.options = _options(summariser)
        # Equal requests are asked once (an untitled article in headline style asks for its summary
        # and its title with the same request); everyone waiting on one gets its answer.
        self.waiting: dict[Request, list[tuple[_Work, str]]] = {}
        self.open: dict[int, int] = {}  # article index → answers still to come

    def run(self, works: list[_Work]) -> None:
        requests: list[Request] = []
        for work in works:
            if not work.article.text.strip():
                work.guard, work.reasons = "fallback", ("article has no body text to summarise",)
                if not (work.article.title or "").strip():
                    work.title = ""
                self.finish(work)
                continue
            wanted = [
                (
                    _request(
                        self.summariser, work.article.title, work.condensed.text, self.style, self.limit
                    ),
                    "summary",
                )
            ]
            if not (work.article.title or "").strip():
                headline = _request(self.summariser, None, work.condensed.text, HEADLINE, HEADLINE.max_chars)
                wanted.append((headline, "title"))
            self.open[work.index] = len(wanted)
            for request, role in wanted:
                requests.extend(self._ask(request, work, role))
        if requests:
            serve(self.summariser, requests, self._answered, self._started)

    def _started(self, request: Request) -> None:
        now = time.perf_counter()
        for work, _role in self.waiting.get(request, ()):
            if work.started is None:
                work.started = now

    def _ask(self, request: Request, work: _Work, role: str) -> list[Request]:
        """Wait for ``request``'s answer; the request if it is not asked already."""
        first = request not in self.waiting
        self.waiting.setdefault(request, []).append((work, role))
        return [request] if first else []

    def _answered(self, request: Request, candidates: list[str]) -> list[Request]:
        answer = choose(candidates, request, self.options)
        follow: list[Request] = []
        for work, role in self.waiting.pop(request):
            if role == "title":
                self._title(work, answer)
            elif role == "summary":
                retry = self._first_try(work, answer)
                if retry is not None:  # the article now waits for its retry instead
                    follow += self._ask(retry, work, "retry")
                    continue
            else:
                self._second_try(work, answer)
            self.open[work.index] -= 1
            if not self.open[work.index]:
                del self.open[work.index]
                self.finish(work)
        return follow

    def _title(self, work: _Work, answer: str) -> None:
        title = limit_output(answer, HEADLINE, HEADLINE.max_chars)
        reasons = () if self.summariser.verbatim else faithful.check(title, work.source).sure
        if reasons:
            # A headline is short and cheap to replace; its reasons are kept with the summary's.
            title = extract(work.article.text, HEADLINE, HEADLINE.max_chars)
            work.reasons += tuple(f"generated title replaced by extractive: {r}" for r in reasons)
        work.title = title

    def _first_try(self, work: _Work, answer: str) -> Request | None:
        """Keep the answer if the check passes it; else the retry to ask for, told what went wrong."""
        work.text = limit_output(answer, self.style, self.limit)
        if self.summariser.verbatim:
            return None  # copied from the article: nothing to guard
        reasons, unsure = _check(work.text, work, self.style)
        if not reasons:
            _keep(work, "ok", unsure)
            return None
        work.reasons += tuple(f"attempt 1: {r}" for r in reasons)
        return _request(
            self.summariser,
            work.article.title,
            work.condensed.text,
            self.style,
            self.limit,
            True,
            retry_hint(reasons),
        )

    def _second_try(self, work: _Work, answer: str) -> None:
        """The strict prompt's answer; two unfaithful attempts fall back to the extractive summary."""
        text = limit_output(answer, self.style, self.limit)
        reasons, unsure = _check(text, work, self.style)
        if not reasons:
            work.text = text
            _keep(work, "retried", unsure)
            return
        # The article's own salient sentences are the safe answer.
        work.text = extract(work.article.text, self.style, self.limit)
        work.guard = "fallback"
        work.reasons += tuple(f"attempt 2: {r}" for r in reasons)


def _keep(work: _Work, status: str, unsure: tuple[str, ...]) -> None:
    """A passing summary; with unsure findings it is "unsure" and they are its reasons, for the reader
    to look at (a retried one stays "retried": its reasons already say why)."""
    work.guard = "unsure" if unsure and status == "ok" else status
    work.reasons += unsure


def _options(summariser: Summariser) -> GenerationOptions:
    # A plugin backend written before options existed still gets the defaults.
    return getattr(summariser, "options", None) or GenerationOptions()


def _request(
    summariser: Summariser,
    title: str | None,
    text: str,
    style: Style,
    limit: int,
    strict: bool = False,
    hint: str = "",
) -> Request:
    count = _options(summariser).candidates(style.name)
    return Request(title, text, style, limit, strict=strict, candidates=count, hint=hint)
