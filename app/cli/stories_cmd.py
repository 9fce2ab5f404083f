"""``zhaiyao stories``: the articles of the inputs grouped into stories, one day at a time."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

import click
from zhaiyao.cli import settings_from
from zhaiyao.cli.inputs import open_sources, source_options
from zhaiyao.cli.output import echo, echo_error, open_output, output_option
from zhaiyao.documents import Article
from zhaiyao.errors import InputError
from zhaiyao.sources.inputs import SourceOptions
from zhaiyao.text.safe import json_text, markdown_text

EXIT_SOME_SKIPPED = 1
EXIT_NOTHING_READ = 2


def read_articles(
    paths: Sequence[str], settings, sources: SourceOptions, errors: list[InputError]
) -> list[Article]:
    """Every article of ``paths`` (pages split, rows as they are); each bad input to ``errors``."""
    from zhaiyao.split.page import split_page

    def report(exc: InputError) -> None:
        errors.append(exc)
        echo_error(exc)

    with open_sources(settings, sources) as reader:
        return [a for page in reader.iter(paths, on_error=report) for a in split_page(page)]


def write_jsonl(articles: Sequence[Article], stories, out: TextIO) -> None:
    from zhaiyao.stories.day import article_id, story_of

    ids = story_of(stories, len(articles))
    for article, story in zip(articles, ids, strict=True):
        row = {
            "id": article_id(article),
            "story": story,
            "paper": article.newspaper,
            "date": article.issue_date,
            "page": article.page_number or article.page,
            "title": article.title,
        }
        out.write(json_text(row) + "\n")


def write_markdown(articles: Sequence[Article], stories, out: TextIO) -> None:
    md = markdown_text
    date = object()
    for story in stories:
        if story.date != date:
            date = story.date
            out.write(f"# {md(story.date or '(无日期)', inline=True)}\n\n")
        members = [articles[i] for i in story.members]
        lead = members[0]
        out.write(f"## {md(lead.title or '(无标题)', inline=True)} `{story.id}`\n\n")
        for a in members:
            where = " ".join(x for x in (a.newspaper, a.page_number or a.page) if x)
            out.write(f"- {md(a.title or '(无标题)', inline=True)} ({md(where, inline=True)})\n")
        out.write("\n")


@click.command("stories")
@click.argument("paths", nargs=-1, required=True)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["jsonl", "md"]),
    default="jsonl",
    show_default=True,
    help="jsonl: one row per article {id, story, paper, date, page, title}; md: the stories, articles under",
)
@output_option()
@click.option(
    "--backend",
    type=click.Choice(["rules", "llm"]),
    default="rules",
    show_default=True,
    help="rules: the fast pair rules alone; llm: the summarisation model also judges borderline pairs",
)
@click.option("--model", help="with --backend llm: model name, local folder or HF id (default: configured)")
@source_options
@click.pass_context
def stories_command(
    ctx: click.Context,
    paths: tuple[str, ...],
    fmt: str,
    output: Path,
    backend: str,
    model: str | None,
    sources: SourceOptions,
) -> None:
    """Group the articles of PATHS (files, folders, globs, '-' for stdin; URLs) into stories: the
    articles of one issue date that report, or comment on, the same specific event. Inputs without a
    date are one day.

    A bad input (or row) is reported on stderr as one line and skipped. Exit code 0 when every input
    was read, 1 when some were skipped, 2 when nothing could be read."""
    from zhaiyao.stories.day import group_stories

    settings = settings_from(ctx)
    errors: list[InputError] = []
    articles = read_articles(paths, settings, sources, errors)
    if not articles and errors:
        echo(f"nothing read; skipped {len(errors)} bad input(s)", err=True)
        sys.exit(EXIT_NOTHING_READ)
    arbiter = None if backend == "rules" else _arbiter(settings, model)
    stories, reports = group_stories(articles, arbiter)
    with open_output(output, paths) as out:
        (write_jsonl if fmt == "jsonl" else write_markdown)(articles, stories, out)
    joined = sum(1 for s in stories if len(s.members) > 1)
    note = f"{len(articles)} articles, {len(stories)} stories ({joined} of several articles)"
    if arbiter is not None:
        asked, joined_pairs = sum(r.asked for r in reports), sum(r.accepted for r in reports)
        note += f"; model asked on {asked} borderline pairs, joined {joined_pairs}"
    echo(note, err=True)
    if errors:
        sys.exit(EXIT_SOME_SKIPPED)


def _arbiter(settings, model: str | None):
    from zhaiyao.stories.arbitrate import ModelArbiter
    from zhaiyao.stories.model import ChatModel
    from zhaiyao.summarise import load_summariser

    chosen = settings.replace(backend="llm", **({"model": model} if model else {}))
    return ModelArbiter(ChatModel(load_summariser(chosen)))


COMMANDS = [stories_command]
