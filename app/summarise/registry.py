"""Backends registered by name, each stating what it needs and how its results are keyed.

Everything outside this module asks a backend's ``Backend`` entry (``describe``) instead of comparing
its name: whether it loads a model, whether it quantizes, which model identity its summaries are stored
under. ``register`` lets a plugin or a test add a backend, or replace one's factory, without editing this
file.
"""

from __future__ import annotations

import dataclasses
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


def _no_model(settings: Settings) -> str | None:
    return None


def _same_settings(settings: Settings, identity: str) -> Settings:
    return settings


@dataclass(frozen=True)
class Backend:
    """One backend: how to make it and what it needs (as simonw/llm's model classes carry
    ``needs_key``/``can_stream``), so no caller has to know backends by name."""

    name: str
    create: Factory
    # Loads weights named by ``settings.model`` (minutes on a first run, seconds after); weight-free
    # backends answer in milliseconds and their summaries' key is exact without loading anything.
    uses_model: bool = False
    # Reads ``settings.quantize`` and ``settings.int8_kernel``.
    quantizes: bool = False
    # The model identity its summaries are stored under, guessed from settings without loading
    # (None: only a loaded summariser can tell), and back: the settings that make summaries under one.
    model_identity: Callable[[Settings], str | None] = _no_model
    settings_for: Callable[[Settings, str], Settings] = _same_settings


_BACKENDS: dict[str, Backend] = {}


def register(name: str, **traits: Any) -> Callable[[Factory], Factory]:
    """Register ``factory`` under ``name``; traits (``uses_model``, ``quantizes``, ...) describe it. A
    name registered before keeps its traits when only the factory is replaced (a plugin's override)."""

    def wrap(factory: Factory) -> Factory:
        known = _BACKENDS.get(name)
        if known is not None and not traits:
            _BACKENDS[name] = dataclasses.replace(known, create=factory)
        else:
            _BACKENDS[name] = Backend(name, factory, **traits)
        return factory

    return wrap


def backend_names() -> list[str]:
    return sorted(_BACKENDS)


def find(name: str) -> Backend | None:
    """The backend registered as ``name``, or None (a stored set may name one no longer installed)."""
    return _BACKENDS.get(name)


def describe(name: str) -> Backend:
    backend = _BACKENDS.get(name)
    if backend is None:
        known = ", ".join(backend_names())
        raise ConfigError(f"unknown backend {name!r} (known: {known})")
    return backend


def uses_model(name: str) -> bool:
    """Whether the backend named ``name`` loads a model (False for an unknown name)."""
    backend = _BACKENDS.get(name)
    return backend is not None and backend.uses_model


def create(settings: Settings, progress: Any = None) -> Summariser:
    return describe(settings.backend).create(settings, progress)


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


def _folder_or_name(settings: Settings) -> str:
    folder = Path(settings.model).expanduser()
    return folder.name if folder.is_dir() else settings.model


def _llm_identity(settings: Settings) -> str:
    from zhaiyao.summarise.llm import model_identity

    # Assumes int8 kernels on the CPU (x86) and bf16 on an accelerator, without importing torch to
    # ask; where that is wrong the loaded model's name differs and the guess finds nothing stored.
    int8 = settings.quantize == "int8" and settings.device in ("auto", "cpu")
    return model_identity(_folder_or_name(settings), "int8" if int8 else "bf16", settings.int8_kernel)


def _llm_settings(settings: Settings, identity: str) -> Settings:
    from zhaiyao.summarise.llm import parse_model_identity

    bare, weights, kernel = parse_model_identity(identity)
    quantize = "int8" if weights == "int8" else "none"
    return dataclasses.replace(settings, model=bare, quantize=quantize, int8_kernel=kernel)


def _named_model_settings(settings: Settings, identity: str) -> Settings:
    return dataclasses.replace(settings, model=identity)


@register("llm", uses_model=True, quantizes=True, model_identity=_llm_identity, settings_for=_llm_settings)
def _llm(settings: Settings, progress: Any) -> Summariser:
    from zhaiyao.runtime.int8 import QUANTIZE_CHOICES
    from zhaiyao.summarise.llm import LLMSummariser

    if settings.quantize not in QUANTIZE_CHOICES:
        raise ConfigError(f"quantize: {settings.quantize!r} is not one of {', '.join(QUANTIZE_CHOICES)}")
    arguments = _model_arguments(settings, progress, "causal")
    return LLMSummariser(
        **arguments, quantize=settings.quantize, int8_kernel=settings.int8_kernel, progress=progress
    )


@register("seq2seq", uses_model=True, model_identity=_folder_or_name, settings_for=_named_model_settings)
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
