"""The store's value types: what decides a summary (``SummaryKey``), and what listings return."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Protocol


class Identified(Protocol):
    """What the store reads of a summariser (``summarise.Summariser`` has it; the store sits beside
    the summarise room, not above it)."""

    backend: str
    model_name: str
    prompt_version: str


@dataclass(frozen=True)
class SummaryKey:
    """What, besides the article, decides a summary: two runs with equal keys share their summaries."""

    backend: str
    model: str
    style: str
    max_chars: int  # the requested limit; 0 means "the style's own"
    prompt_version: str

    @classmethod
    def of(
        cls, backend: str, model: str, style: str, max_chars: int | None, prompt_version: str
    ) -> SummaryKey:
        return cls(backend, model, style, int(max_chars or 0), prompt_version or "")

    @classmethod
    def of_summariser(cls, summariser: Identified, style: str, max_chars: int | None) -> SummaryKey:
        """The key of what a loaded summariser makes in this style and length."""
        return cls.of(summariser.backend, summariser.model_name, style, max_chars, summariser.prompt_version)

    def as_tuple(self) -> tuple[str, str, str, int, str]:
        return (self.backend, self.model, self.style, self.max_chars, self.prompt_version)

    def as_params(self) -> dict[str, Any]:
        """Named SQL parameters (``:backend`` …); see ``_KEY_MATCH``."""
        return dict(zip(_KEY_COLUMNS, self.as_tuple(), strict=True))


_KEY_COLUMNS = ("backend", "model", "style", "max_chars", "prompt_version")
NO_KEY = dict.fromkeys(_KEY_COLUMNS)  # the key parameters of a query that takes any key


def key_match(alias: str) -> str:
    """SQL true when ``alias``'s key columns equal the named key parameters (or no key was given)."""
    columns = " AND ".join(f"{alias}.{c} = :{c}" for c in _KEY_COLUMNS)
    return f"(:backend IS NULL OR ({columns}))"


@dataclass(frozen=True)
class SummarySet:
    """The summaries a page holds under one key: how many of its articles have one, and when the newest
    was made."""

    key: SummaryKey
    done: int
    newest: str


@dataclass(frozen=True)
class PageInfo:
    source: str
    title: str | None
    format: str
    encoding: str
    chars: int
    articles: int
    done: int  # articles with a summary under any settings
    split_error: str | None
    added_at: str
    datelines: tuple[str, ...] = ()  # its articles' datelines (株洲日报讯 9月27日), for the page picker


@dataclass(frozen=True)
class RunInfo:
    id: int
    started_at: str
    ended_at: str | None
    status: str
    engine: str
    settings: dict[str, Any]
    inputs: list[str]
    summariser: dict[str, Any] | None
    total: int
    done: int
    cached: int
    failed: int
    pending: int
    errors: list[str]

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)
