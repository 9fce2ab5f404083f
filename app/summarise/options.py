"""Generation options: one typed, frozen value that every backend takes.

Built in one cascade, each layer overriding the one before: the defaults here ← the model's
``[prompt]`` / ``[generation]`` tables in models/manifest.toml ← the ``[generation]`` table of
zhaiyao.toml or ``ZHAIYAO_GENERATION`` ← ``--option NAME VALUE`` on the command line. A user's overrides
change what the model writes, so they are part of the summaries' identity (``identity_suffix``).
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from zhaiyao.config import did_you_mean
from zhaiyao.errors import ConfigError

# Manifest keys that are not generation options: the conversion's weight type (weights.py).
_NOT_OPTIONS = frozenset({"dtype"})


@dataclass(frozen=True)
class GenerationOptions:
    # Qwen's tokenizer gives ~1.3–1.5 Chinese characters per token: new tokens are sized to the limit
    # so generation stops soon after the text could no longer fit anyway.
    chars_per_token: float = 1.3
    extra_new_tokens: int = 12
    max_new_tokens: int = 160  # never more new tokens than this, whatever the limit
    # Articles longer than this are condensed first (lead + salient sentences, in order): every prompt
    # token costs time on a CPU, and a brief rarely needs more.
    input_budget_tokens: int = 600
    max_input_tokens: int = 1536  # what the model itself can read (its manifest says)
    repetition_penalty: float = 1.05
    num_beams: int = 1  # seq2seq only
    no_repeat_ngram_size: int = 0  # seq2seq only
    # Headline candidates (greedy + seeded samples, shared out among the example sets) and how they are
    # drawn; consensus.py chooses among them.
    headline_candidates: int = 16
    candidate_temperature: float = 0.8
    candidate_top_k: int = 20
    # Weight of a candidate's grounding in the article beside its agreement with the others.
    consensus_grounding: float = 0.5

    @property
    def input_budget(self) -> int:
        return min(self.input_budget_tokens, self.max_input_tokens)

    def new_tokens(self, limit_chars: int) -> int:
        """New tokens to allow for an output of at most ``limit_chars`` characters."""
        wanted = int(limit_chars / self.chars_per_token) + self.extra_new_tokens
        return max(1, min(self.max_new_tokens, wanted))

    def candidates(self, style: str) -> int:
        return self.headline_candidates if style == "headline" else 1

    @classmethod
    def build(
        cls,
        model_tables: Iterable[Mapping[str, Any]] = (),
        overrides: Iterable[tuple[str, Any]] = (),
        where: str = "generation option",
    ) -> GenerationOptions:
        """Defaults ← each of ``model_tables`` (the manifest's prompt and generation tables) ←
        ``overrides`` (name, value) pairs from the user. Unknown manifest keys are ignored (other
        Zhaiyao versions may know them); an unknown or bad override is a ConfigError."""
        options = cls()
        for table in model_tables:
            known = {k: v for k, v in table.items() if k in _FIELDS and k not in _NOT_OPTIONS}
            options = options._with(known, "models/manifest.toml")
        return options._with(dict(overrides), where)

    def _with(self, values: Mapping[str, Any], where: str) -> GenerationOptions:
        changes = {}
        for name, raw in values.items():
            if name not in _FIELDS:
                hint = did_you_mean(str(name), _FIELDS)
                raise ConfigError(f"{where}: unknown generation option {name!r}{hint}")
            changes[name] = _coerce(name, raw, where)
        return dataclasses.replace(self, **changes)


_FIELDS = {f.name: f for f in dataclasses.fields(GenerationOptions)}
# (lowest, highest) accepted for each option: outside these the model misbehaves or the run never ends.
_RANGES: dict[str, tuple[float, float]] = {
    "chars_per_token": (0.1, 10),
    "extra_new_tokens": (0, 1000),
    "max_new_tokens": (1, 4096),
    "input_budget_tokens": (16, 32768),
    "max_input_tokens": (16, 131072),
    "repetition_penalty": (0.5, 3),
    "num_beams": (1, 16),
    "no_repeat_ngram_size": (0, 16),
    "headline_candidates": (1, 64),
    "candidate_temperature": (0.01, 5),
    "candidate_top_k": (1, 1000),
    "consensus_grounding": (0, 10),
}


def _coerce(name: str, raw: Any, where: str) -> int | float:
    kind = int if _FIELDS[name].type == "int" else float
    try:
        if isinstance(raw, bool):
            raise ValueError(raw)
        value: int | float = float(raw)
        if kind is int:
            if not value.is_integer():
                raise ValueError(raw)
            value = int(value)
    except (TypeError, ValueError, OverflowError):
        raise ConfigError(f"{where}: {name} = {raw!r} is not a valid {kind.__name__}") from None
    low, high = _RANGES[name]
    if not low <= value <= high:  # NaN fails this too
        raise ConfigError(f"{where}: {name} = {raw!r} is out of range ({low:g}–{high:g})")
    return value


def identity_suffix(overrides: Iterable[tuple[str, Any]]) -> str:
    """Added to the prompt version of summaries made with user overrides, so they never share a cache
    entry with the defaults' (nor with other overrides')."""
    pairs = sorted((str(k), str(v)) for k, v in overrides)
    if not pairs:
        return ""
    digest = hashlib.sha256(repr(pairs).encode("utf-8")).hexdigest()[:8]
    return f"+o{digest}"
