"""The source options of every command that takes PATHs (``--follow-links``, ``--whole-issue``,
``--offline``), folded into one ``sources: SourceOptions`` parameter, and the run's reader of inputs."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import click
from zhaiyao.config import Settings
from zhaiyao.sources.inputs import SourceOptions, Sources

_FLAGS = ("follow_links", "whole_issue", "offline")


def source_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Adds the three flags and hands the command ``sources: SourceOptions`` instead."""

    @functools.wraps(command)
    def run(*args: Any, **kwargs: Any) -> Any:
        chosen = {name: bool(kwargs.pop(name)) for name in _FLAGS}
        return command(*args, sources=SourceOptions(**chosen), **kwargs)

    run = click.option(
        "--offline",
        is_flag=True,
        help="read URLs only from the cache of fetched pages; fetch nothing.",
    )(run)
    run = click.option(
        "--whole-issue", is_flag=True, help="from an e-paper 版面 URL, also read the day's other 版面."
    )(run)
    return click.option(
        "--follow-links",
        is_flag=True,
        help="for feed items that carry only a summary, fetch and read the linked articles.",
    )(run)


def open_sources(settings: Settings, options: SourceOptions) -> Sources:
    """The run's reader of inputs (files and URLs, one fetcher and the store's URL cache); its notes
    (a feed of summaries only, say) go to stderr as one line each."""
    from zhaiyao.cli.output import echo

    return Sources(settings, options, on_note=lambda message: echo(f"note: {message}", err=True))
