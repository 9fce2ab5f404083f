"""Which engine a run gets: ``local`` (this process) or ``ray`` (one model per worker actor)."""

from __future__ import annotations

from collections.abc import Callable

from zhaiyao.config import Settings
from zhaiyao.errors import ConfigError
from zhaiyao.run.engine import Engine
from zhaiyao.run.local import LocalEngine
from zhaiyao.summarise.base import Summariser

ENGINES = ("local", "ray")


def make_engine(
    name: str,
    settings: Settings,
    *,
    workers: int = 2,
    address: str | None = None,
    summariser: Summariser | None = None,
    on_event: Callable[[str], None] | None = None,
) -> Engine:
    """The engine called ``name``: ``local`` or ``ray``."""
    if name == "local":
        if address:
            raise ConfigError("--address is for --engine ray")
        return LocalEngine(settings, summariser)
    if name == "ray":
        from zhaiyao.run.ray_engine import RayEngine

        return RayEngine(settings, workers=workers, address=address, on_event=on_event)
    raise ConfigError(f"unknown engine {name!r} (known: {', '.join(ENGINES)})")
