"""The summariser options every model command shares, and the one value they fold into.

``summariser_options`` adds ``--backend``, ``--model``, ``--style``, ``--max-chars``, ``--quantize``,
``--device``, ``--option NAME VALUE`` (and ``--batch-size`` where asked) with their choices and ranges
read from the registry, the styles and the settings' bounds, and hands the command one ``Overrides``
argument: each command declares what it reads, and nothing travels unseen through ``ctx.params``.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import click
from zhaiyao.config import Settings, option_range


@dataclass(frozen=True)
class Overrides:
    """The command line's choices for the summariser; None (or no generation option) keeps the
    configured value."""

    backend: str | None = None
    model: str | None = None
    style: str | None = None
    max_chars: int | None = None
    batch_size: int | None = None
    quantize: str | None = None
    device: str | None = None
    generation: tuple[tuple[str, str], ...] = ()

    def apply(self, settings: Settings) -> Settings:
        """``settings`` with these choices; ``--option`` generation options come after zhaiyao.toml's and
        the environment's, so they win. A bad ``--option`` is a usage error now, not after a model load."""
        from zhaiyao.summarise.options import GenerationOptions

        chosen = {
            f.name: getattr(self, f.name)
            for f in dataclasses.fields(self)
            if f.name != "generation" and getattr(self, f.name) is not None
        }
        if self.generation:
            GenerationOptions.build((), self.generation)
            chosen["generation"] = (*settings.generation, *self.generation)
        return settings.replace(**chosen)


FIELDS = tuple(f.name for f in dataclasses.fields(Overrides))


def _fold(command: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(command)
    def run(*args: Any, **kwargs: Any) -> Any:
        chosen = {name: kwargs.pop(name) for name in FIELDS if name in kwargs}
        chosen["generation"] = tuple(chosen.get("generation") or ())
        return command(*args, overrides=Overrides(**chosen), **kwargs)

    return run


def _model_options(command: Callable[..., Any]) -> Callable[..., Any]:
    from zhaiyao.runtime.device import DEVICES
    from zhaiyao.runtime.int8 import QUANTIZE_CHOICES

    command = click.option(
        "--device",
        type=click.Choice(DEVICES),
        help="where models run: auto (default: a CUDA GPU, else Apple MPS, else the CPU), cpu, cuda, mps.",
    )(command)
    command = click.option(
        "--option",
        "generation",
        type=(str, str),
        multiple=True,
        metavar="NAME VALUE",
        help="a generation option, e.g. --option repetition_penalty 1.1 (repeatable; see models/README.md)",
    )(command)
    return click.option(
        "--quantize",
        type=click.Choice(QUANTIZE_CHOICES),
        help="llm weights: int8 (default, fast on CPU) or none (bf16).",
    )(command)


def _summary_options(command: Callable[..., Any], style_default: str | None) -> Callable[..., Any]:
    from zhaiyao.summarise.base import STYLES
    from zhaiyao.summarise.registry import backend_names

    limits = ", ".join(f"{name} ≤ {style.max_chars} 字" for name, style in STYLES.items())
    command = click.option(
        "--max-chars",
        type=click.IntRange(*option_range("max_chars")),
        help="summary length limit in characters (default: the style's).",
    )(command)
    command = click.option(
        "--style",
        type=click.Choice(list(STYLES)),
        default=style_default,
        show_default=style_default is not None,
        help=f"summary style ({limits}; default: the configured one, brief).",
    )(command)
    command = click.option(
        "--model", help="model name from models/manifest.toml, a local model folder or a HF id."
    )(command)
    return click.option(
        "--backend",
        type=click.Choice(backend_names()),
        help=f"summariser backend (default: the configured one, {Settings.backend}).",
    )(command)


def summariser_options(
    style_default: str | None = None, batch_help: str | None = None
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """The shared options, folded into the command's ``overrides: Overrides`` parameter;
    ``--batch-size`` too when ``batch_help`` says what a batch is for this command."""

    def decorate(command: Callable[..., Any]) -> Callable[..., Any]:
        command = _fold(command)
        if batch_help is not None:
            command = click.option(
                "--batch-size", type=click.IntRange(*option_range("batch_size")), help=batch_help
            )(command)
        return _summary_options(_model_options(command), style_default)

    return decorate
