"""``zhaiyao digest``: one day's stories, by weight, with cited headlines and summaries; kept in the store."""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Any

import click
from zhaiyao.cli import settings_from
from zhaiyao.cli.inputs import source_options
from zhaiyao.cli.output import echo, open_output, output_option
from zhaiyao.cli.stories_cmd import EXIT_NOTHING_READ, EXIT_SOME_SKIPPED, read_articles
from zhaiyao.errors import InputError
from zhaiyao.sources.inputs import SourceOptions
from zhaiyao.text.safe import json_text


def _one_day(articles: list, date: str | None) -> tuple[str | None, list]:
    from zhaiyao.stories.day import days

    by_day = days(articles)
    if date is not None:
        if date not in by_day:
            found = ", ".join(d or "undated" for d in by_day) or "none"
            raise click.UsageError(f"no article of {date} in the inputs (days: {found})")
        return date, [articles[i] for i in by_day[date]]
    if len(by_day) > 1:
        found = ", ".join(d or "undated" for d in by_day)
        raise click.UsageError(f"the inputs hold {len(by_day)} days ({found}): choose one with --date")
    ((day, positions),) = by_day.items()
    return day, [articles[i] for i in positions]


@click.command("digest")
@click.argument("paths", nargs=-1, required=True)
@click.option("--date", "date", metavar="YYYY-MM-DD", help="the day to digest when the inputs hold several")
@click.option("--format", "fmt", type=click.Choice(["md", "json", "html"]), default="md", show_default=True)
@output_option()
@click.option(
    "--no-model",
    is_flag=True,
    help="titles and first sentences only: no model is loaded (fast; nothing is written by a model)",
)
@click.option("--model", help="model name, local folder or HF id (default: the configured one)")
@click.option("--fresh", is_flag=True, help="write the digest again even if the store has it")
@source_options
@click.pass_context
def digest_command(
    ctx: click.Context,
    paths: tuple[str, ...],
    date: str | None,
    fmt: str,
    output: Path,
    no_model: bool,
    model: str | None,
    fresh: bool,
    sources: SourceOptions,
) -> None:
    """The digest of one day of PATHS (files, folders, globs, '-'; URLs): its stories ordered by weight
    (articles, papers, front-page placement), each story of several articles with a headline and a short
    summary whose every sentence cites its articles ([2][5], numbers in the source list) and passed the
    faithfulness guard against them; single-article stories with their own first sentence."""
    import jieba
    from zhaiyao.stories.day import group_stories

    jieba.setLogLevel(logging.WARNING)  # its dictionary-loading chatter (the guard loads it)
    settings = settings_from(ctx)
    errors: list[InputError] = []
    articles = read_articles(paths, settings, sources, errors)
    if not articles:
        echo("nothing read", err=True)
        sys.exit(EXIT_NOTHING_READ)
    day, articles = _one_day(articles, date)
    stories, _ = group_stories(articles)
    data = _digest(settings, articles, stories, day, no_model, model, fresh)
    with open_output(output, paths) as out:
        out.write(_render(data, fmt))
    several = sum(1 for s in data["stories"] if len(s["articles"]) > 1)
    echo(f"{len(articles)} articles, {len(stories)} stories ({several} of several articles)", err=True)
    if errors:
        sys.exit(EXIT_SOME_SKIPPED)


def _digest(
    settings: Any, articles: list, stories: list, day: str | None, no_model: bool, model, fresh: bool
):
    from zhaiyao.store import Store
    from zhaiyao.stories.digest import PROMPT_VERSION, build_digest, sources_hash

    key = sources_hash(articles)
    label = day or "undated"
    with Store(settings.db_path) as store:
        kept = None if fresh else store.get_digest(label, key, None, PROMPT_VERSION)
        if kept is not None and no_model == (kept["model"] == "extractive"):
            echo(f"digest of {label} from the store ({kept['model']})", err=True)
            return kept
        chat = None if no_model else _chat_model(settings, model)
        data = build_digest(articles, stories, day, chat)
        store.put_digest(label, key, data["model"], PROMPT_VERSION, data)
    return data


def _chat_model(settings: Any, model: str | None) -> Any:
    from zhaiyao.stories.model import ChatModel
    from zhaiyao.summarise import load_summariser

    chosen = settings.replace(backend="llm", **({"model": model} if model else {}))
    return ChatModel(load_summariser(chosen))


def _render(data: dict, fmt: str) -> str:
    from zhaiyao.stories.render import html_page, markdown

    if fmt == "json":
        return json_text(data, indent=2) + "\n"
    return html_page(data) if fmt == "html" else markdown(data)


COMMANDS = [digest_command]
