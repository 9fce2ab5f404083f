"""Backends registered by name. ``register`` lets a plugin or a test add one without editing this file."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from app.config import Settings
from app.errors import ConfigError, ModelError
from app.summarise.base import Summariser

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


def resolve(settings: Settings, progress: Any = None) -> tuple[Path, str, str]:
    """(folder, name, kind) for ``settings.model``: a local folder as is, else via the models manifest."""
    candidate = Path(settings.model).expanduser()
    if candidate.is_dir():
        return candidate, candidate.name, model_kind(candidate)
    try:
        from app.weights import resolve_model
    except ImportError as exc:
        raise ModelError(
            f"model {settings.model!r} is not a local folder and model fetching is unavailable ({exc})"
        ) from exc
    resolved = resolve_model(settings.model, settings.models_dir, progress=progress)
    path = Path(resolved.path)
    return path, getattr(resolved, "name", None) or path.name, model_kind(path)


def _weights(settings: Settings, progress: Any, wanted: str) -> tuple[Path, str]:
    path, name, kind = resolve(settings, progress)
    if kind != wanted:
        other = "seq2seq" if kind == "seq2seq" else "llm"
        raise ModelError(
            f"model {name} ({path}) is a {kind} model: use --backend {other}, or pass --model with a "
            f"{'seq2seq' if wanted == 'seq2seq' else 'chat'} model"
        )
    return path, name


@register("llm")
def _llm(settings: Settings, progress: Any) -> Summariser:
    from app.summarise.llm import LLMSummariser
    from app.summarise.quantize import QUANTIZE_CHOICES

    if settings.quantize not in QUANTIZE_CHOICES:
        raise ConfigError(f"quantize: {settings.quantize!r} is not one of {', '.join(QUANTIZE_CHOICES)}")
    path, name = _weights(settings, progress, "causal")
    return LLMSummariser(
        path,
        name,
        batch_size=settings.batch_size,
        threads=settings.threads,
        quantize=settings.quantize,
        progress=progress,
    )


@register("seq2seq")
def _seq2seq(settings: Settings, progress: Any) -> Summariser:
    from app.summarise.seq2seq import Seq2SeqSummariser

    path, name = _weights(settings, progress, "seq2seq")
    return Seq2SeqSummariser(path, name, batch_size=settings.batch_size, threads=settings.threads)


@register("extractive")
def _extractive(settings: Settings, progress: Any) -> Summariser:
    from app.summarise.extractive import ExtractiveSummariser

    return ExtractiveSummariser()


@register("lead")
def _lead(settings: Settings, progress: Any) -> Summariser:
    from app.summarise.lead import LeadSummariser

    return LeadSummariser()
