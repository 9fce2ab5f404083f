"""The summariser interface and the styles' length rules.

A backend only turns prepared requests into raw candidate texts (``generate``). Everything shared by
all backends (condensing, choosing among candidates, the faithfulness guard and its retry/fallback,
length limits, keywords, generated headlines) lives in ``zhaiyao.summarise`` so that every backend's output
obeys the same rules.
"""

from __future__ import annotations

import inspect
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from zhaiyao.config import MIN_CHARS
from zhaiyao.errors import ConfigError
from zhaiyao.summarise.options import GenerationOptions


@dataclass(frozen=True)
class Style:
    name: str
    max_chars: int  # the limit every output of this style obeys (unless --max-chars overrides)
    max_sentences: int | None = None  # brief: 1–3 sentences
    min_points: int = 0  # bullets: 3–5 points
    max_points: int = 0
    one_line: bool = False


STYLES: dict[str, Style] = {
    "headline": Style("headline", max_chars=25, max_sentences=1, one_line=True),
    "brief": Style("brief", max_chars=100, max_sentences=3),
    "bullets": Style("bullets", max_chars=200, min_points=3, max_points=5),
}


def get_style(name: str) -> Style:
    try:
        return STYLES[name]
    except KeyError:
        raise ConfigError(f"unknown summary style {name!r} (known: {', '.join(STYLES)})") from None


def effective_limit(style: Style, max_chars: int | None) -> int:
    if max_chars is None:
        return style.max_chars
    if max_chars < MIN_CHARS:
        raise ConfigError(f"--max-chars {max_chars} is too small for a summary (at least {MIN_CHARS})")
    return max_chars


@dataclass(frozen=True)
class Request:
    """One generation job: summarise ``text`` (already condensed if needed) in ``style``."""

    title: str | None
    text: str
    style: Style
    max_chars: int
    strict: bool = False  # the retry after a guard failure: stricter wording in the prompt
    candidates: int = 1  # how many answers the policy would like to choose among (backends may give fewer)
    hint: str = ""  # the retry's note on what the failed summary got wrong (prompts.RETRY_HINTS)


# A request's candidates → the requests it leads to (a retry with the strict prompt), run next.
OnAnswer = Callable[[Request, list[str]], Sequence[Request]]


@runtime_checkable
class Summariser(Protocol):
    backend: str  # registry name: llm | seq2seq | extractive | lead
    model_name: str
    options: GenerationOptions
    prompt_version: str
    batch_size: int
    # True when the output is copied from the article (nothing to guard or condense).
    verbatim: bool

    def input_tokens(self, text: str) -> int:
        """How many input units ``text`` costs this backend (tokens; characters for verbatim ones)."""
        ...

    @property
    def input_budget(self) -> int | None:
        """The most input units an article may use before it is condensed; None: no limit."""
        ...

    def generate(self, requests: Sequence[Request]) -> list[list[str]]:
        """Per request, in request order, its raw candidate outputs: at least one, the backend's own
        best first, at most ``request.candidates``."""
        ...


def serve(
    summariser: Summariser,
    requests: Sequence[Request],
    on_answer: OnAnswer,
    on_start: Callable[[Request], None] | None = None,
) -> None:
    """Answer every request (and the follow-ups ``on_answer`` returns) as it is ready: through the
    backend's own ``serve`` when it has one (the llm backend batches continuously), else in batches of
    its ``batch_size`` through ``generate``, follow-ups first. ``on_start(request)`` is told when the
    backend starts work on a request (not when it is queued), so an article's time is its own."""
    started = on_start or (lambda _request: None)
    own = getattr(summariser, "serve", None)
    if callable(own):
        if "on_start" in inspect.signature(own).parameters:
            own(requests, on_answer, on_start=started)
        else:  # a plugin backend's serve from before on_start: started when handed over
            for request in requests:
                started(request)
            own(requests, on_answer)
        return
    queue = deque(requests)
    size = max(1, summariser.batch_size)
    while queue:
        batch = [queue.popleft() for _ in range(min(size, len(queue)))]
        for request in batch:
            started(request)
        follow: list[Request] = []
        for request, candidates in zip(batch, summariser.generate(batch), strict=True):
            follow.extend(on_answer(request, candidates))
        queue.extendleft(reversed(follow))


class VerbatimSummariser:
    """Plumbing shared by the weight-free backends that copy the article's own words (extractive, lead):
    no prompt, no input budget, and nothing for the guard to check."""

    backend = ""
    model_name = ""
    prompt_version = ""
    verbatim = True
    input_budget = None
    options = GenerationOptions()

    def __init__(self, batch_size: int = 64) -> None:
        self.batch_size = batch_size

    def input_tokens(self, text: str) -> int:
        return len(text)
