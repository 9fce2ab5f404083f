"""``zhaiyao split``: pages and article dumps into clean articles, printed as JSONL, JSON or Markdown."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TextIO

import click
from zhaiyao.cli import settings_from, split_report
from zhaiyao.cli.inputs import open_sources, source_options
from zhaiyao.cli.output import echo, echo_error, open_output, output_option
from zhaiyao.documents import Article
from zhaiyao.errors import InputError
from zhaiyao.sources.inputs import SourceOptions
from zhaiyao.split.page import split_page
from zhaiyao.text.safe import json_text, markdown_text

# Exit codes: 0 everything read; 1 some inputs were bad (reported and skipped, the rest written);
# 2 nothing readable at all.
EXIT_SOME_SKIPPED = 1
EXIT_NOTHING_READ = 2


class _NothingRead(Exception):
    pass


def render_markdown(article: Article) -> str:
    # Every piece is the input's own text: escaped, so it renders as text and never as HTML or a link.
    md = markdown_text
    lines = [f"## {md(article.title or '(无标题)', inline=True)}", ""]
    if article.subtitle:
        lines += [f"*{md(article.subtitle, inline=True)}*", ""]
    meta = [
        ("来源", f"{article.page} #{article.index}"),
        ("电头", article.dateline),
        ("记者", "、".join(article.reporters)),
        ("通讯员", "、".join(article.correspondents)),
        ("摄影", "、".join(article.photographers)),
        ("下转", article.continued_on),
    ]
    lines += [f"- {name}: {md(value, inline=True)}" for name, value in meta if value]
    lines.append("")
    lines += [md(p) for para in article.text.split("\n") for p in (para, "")]
    for caption in article.captions:
        lines += [f"> 图: {md(caption, inline=True)}", ""]
    for sidebar in article.sidebars:
        lines += [f"> **{md(sidebar.title or '链接', inline=True)}**", ">"]
        lines += [f"> {md(p, inline=True)}" for p in sidebar.text.split("\n")]
        lines.append("")
    return "\n".join(lines)


def write_articles(articles: Iterable[Article], fmt: str, out: TextIO) -> int:
    count = 0
    if fmt == "json":
        data = [a.as_dict() for a in articles]
        out.write(json_text(data, indent=2) + "\n")
        return len(data)
    for article in articles:
        if fmt == "jsonl":
            out.write(json_text(article.as_dict()) + "\n")
        else:
            out.write(render_markdown(article) + "\n")
        count += 1
    return count


@click.command("split")
@click.argument("paths", nargs=-1)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["jsonl", "json", "md"]),
    default="jsonl",
    show_default=True,
    help="jsonl: one article object per line; json: one array; md: readable Markdown",
)
@output_option("the articles")
@click.option(
    "--explain", "explain", metavar="PAGE", help="print each line of PAGE with its class and the rule"
)
@click.option(
    "--score", "score", metavar="GOLD_DIR", help="score the splitter on pages with .gold.json lists"
)
@source_options
@click.pass_context
def split_command(
    ctx: click.Context,
    paths: tuple[str, ...],
    fmt: str,
    output: Path,
    explain: str | None,
    score: str | None,
    sources: SourceOptions,
) -> None:
    """Split newspaper pages (PATH: files, directories, globs, '-' for stdin; feed, e-paper 版面 and
    article URLs) into clean articles. Feed items and e-paper links are one article each, unsplit.

    A bad input is reported on stderr as one line and skipped; the rest is processed. Exit code 0
    when every input was read, 1 when some were skipped, 2 when nothing could be read.
    """
    settings = settings_from(ctx)
    if explain or score:
        split_report.run(explain, score, settings)
        return
    if not paths:
        raise click.UsageError("Missing argument 'PATHS...'.")
    errors: list[InputError] = []
    pages = 0

    def report(exc: InputError) -> None:
        errors.append(exc)
        echo_error(exc)

    def articles() -> Iterable[Article]:
        nonlocal pages
        for page in reader.iter(paths, on_error=report):
            pages += 1
            yield from split_page(page)

    try:
        with open_sources(settings, sources) as reader, open_output(output, paths) as out:
            count = write_articles(articles(), fmt, out)
            if errors and not pages:
                raise _NothingRead  # leaves -o as it was: an empty result must not replace it
    except _NothingRead:
        count = 0
    if errors:
        echo(
            f"{count} articles from {pages} pages; skipped {len(errors)} bad "
            f"{'input' if len(errors) == 1 else 'inputs'}",
            err=True,
        )
        sys.exit(EXIT_NOTHING_READ if pages == 0 else EXIT_SOME_SKIPPED)


COMMANDS = [split_command]
