"""Backends registered by name. ``register`` lets a plugin or a test add one without editing this file."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from zhaiyao.config import Settings
from zhaiyao.errors import ConfigError, ModelError
from zhaiyao.summarise.base import Summariser
from zhaiyao.summarise.options import GenerationOptions

Factory = Callable[[Settings, Any], Summariser]
_BACKENDS: dict[str, Factory] = {}


def register(name: str) -> Callable[[Factory], Factory]:
    def wrap(factory: Factory) -> Factory:
        _BACKENDS[name] = factory
        return factory

    return wrap


def backend_names() -> list[str]:
    return sorted(_BACKENDS)


def create(settings: Settings, progress: Any = None) -> Summariser:
    try:
        factory = _BACKENDS[settings.backend]
    except KeyError:
        known = ", ".join(backend_names())
        raise ConfigError(f"unknown backend {settings.backend!r} (known: {known})") from None
    return factory(settings, progress)


def model_kind(path: Path) -> str:
    """``seq2seq`` or ``causal``, from the folder's config.json (no code from the folder is run)."""
    config_file = path / "config.json"
    try:
        config = json.loads(config_file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ModelError(f"{path}: not a model folder (no config.json)") from None
    except (OSError, json.JSONDecodeError) as exc:
        raise ModelError(f"{config_file}: unreadable model config: {exc}") from exc
    return "seq2seq" if config.get("is_encoder_decoder") else "causal"


@dataclass(frozen=True)
class ResolvedWeights:
    path: Path
    name: str
    kind: str  # seq2seq | causal
    # The manifest's [prompt] and [generation] tables for a model it names (none for a local folder).
    tables: tuple[dict[str, Any], ...] = ()


def resolve(settings: Settings, progress: Any = None) -> ResolvedWeights:
    """``settings.model`` as a local folder as is, else via the models manifest (fetched if needed)."""
    candidate = Path(settings.model).expanduser()
    if candidate.is_dir():
        return ResolvedWeights(candidate, candidate.name, model_kind(candidate))
    try:
        from zhaiyao.weights import resolve_model
    except ImportError as exc:
        raise ModelError(
            f"model {settings.model!r} is not a local folder and model fetching is unavailable ({exc})"
        ) from exc
    resolved = resolve_model(settings.model, settings.models_dir, progress=progress)
    path = Path(resolved.path)
    name = getattr(resolved, "name", None) or path.name
    tables = (dict(resolved.prompt), dict(resolved.generation))
    return ResolvedWeights(path, name, model_kind(path), tables)


def generation_options(settings: Settings, tables: tuple[dict[str, Any], ...] = ()) -> GenerationOptions:
    """Defaults ← the model's manifest tables ← the user's overrides (zhaiyao.toml, env, -o)."""
    if not isinstance(settings.generation, tuple | list):
        raise ConfigError(f"generation: {settings.generation!r} is not a table of NAME = VALUE")
    return GenerationOptions.build(tables, settings.generation)


def _weights(settings: Settings, progress: Any, wanted: str) -> ResolvedWeights:
    weights = resolve(settings, progress)
    path, name, kind = weights.path, weights.name, weights.kind
    if kind != wanted:
        other = "seq2seq" if kind == "seq2seq" else "llm"
        raise ModelError(
            f"model {name} ({path}) is a {kind} model: use --backend {other}, or pass --model with a "
            f"{'seq2seq' if wanted == 'seq2seq' else 'chat'} model"
        )
    return weights


def _model_arguments(settings: Settings, progress: Any, wanted: str) -> dict[str, Any]:
    """What every model backend's constructor takes: its weights, options, batching and device."""
    from zhaiyao.runtime.device import choose_device

    choose_device(settings.device)  # a device torch cannot see, or a bad override, fails before any
    generation_options(settings)  # download
    weights = _weights(settings, progress, wanted)
    return {
        "path": weights.path,
        "name": weights.name,
        "options": generation_options(settings, weights.tables),
        "overrides": settings.generation,
        "batch_size": settings.batch_size,
        "threads": settings.threads,
        "device": settings.device,
    }


@register("llm")
def _llm(settings: Settings, progress: Any) -> Summariser:
    from zhaiyao.runtime.int8 import QUANTIZE_CHOICES
    from zhaiyao.summarise.llm import LLMSummariser

    if settings.quantize not in QUANTIZE_CHOICES:
        raise ConfigError(f"quantize: {settings.quantize!r} is not one of {', '.join(QUANTIZE_CHOICES)}")
    arguments = _model_arguments(settings, progress, "causal")
    return LLMSummariser(
        **arguments, quantize=settings.quantize, int8_kernel=settings.int8_kernel, progress=progress
    )


@register("seq2seq")
def _seq2seq(settings: Settings, progress: Any) -> Summariser:
    from zhaiyao.summarise.seq2seq import Seq2SeqSummariser

    return Seq2SeqSummariser(**_model_arguments(settings, progress, "seq2seq"))


@register("extractive")
def _extractive(settings: Settings, progress: Any) -> Summariser:
    from zhaiyao.summarise.extractive import ExtractiveSummariser

    return ExtractiveSummariser()


@register("lead")
def _lead(settings: Settings, progress: Any) -> Summariser:
    from zhaiyao.summarise.lead import LeadSummariser

    return LeadSummariser()
