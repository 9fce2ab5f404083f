"""What every engine is: where summaries are computed, each delivered to the run loop as it is done."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

from zhaiyao.documents import Article, Summary
from zhaiyao.errors import ZhaiyaoError
from zhaiyao.store import SummaryKey

Deliver = Callable[[int, "Summary | BaseException"], None]


class Engine(Protocol):
    """Where summaries are computed. ``key`` may load models; it is asked only when needed."""

    name: str

    def key(self) -> SummaryKey:
        """The key of the summaries this engine produces (loading its models if need be)."""
        ...

    def summarise(self, articles: Sequence[Article], deliver: Deliver) -> None:
        """Summarise ``articles``, calling ``deliver(i, summary_or_exception)`` once per article as each is
        done, in any order. An exception raised by ``deliver`` must propagate (it is a store failure)."""
        ...

    def close(self) -> None: ...


def describe_error(exc: BaseException) -> str:
    """A one-line reason: library errors speak for themselves, anything else is named by its type."""
    text = " ".join(str(exc).split())
    if isinstance(exc, ZhaiyaoError):
        return text or type(exc).__name__
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
