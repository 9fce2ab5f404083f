"""``zhaiyao summarise``: split pages into articles and print each with its summary (nothing is stored)."""

from __future__ import annotations

import logging
import sys
import time
from typing import Any

import click
from zhaiyao.cli import settings_from
from zhaiyao.cli.inputs import open_sources, source_options
from zhaiyao.cli.options import Overrides, summariser_options
from zhaiyao.cli.output import stdout
from zhaiyao.config import Settings
from zhaiyao.documents import Article, ArticleResult, Summary
from zhaiyao.run.engine import describe_error
from zhaiyao.sources.inputs import SourceOptions
from zhaiyao.text.safe import json_text, markdown_text


def _failed_markdown(result: ArticleResult) -> str:
    title = markdown_text(result.article.title or "（无标题）", inline=True)
    return (
        f"## {result.article.index}. {title}\n\n> failed: {markdown_text(result.error or '', inline=True)}\n"
    )


def _markdown(article: Article, summary: Summary) -> str:
    md = markdown_text  # the article's own words render as text, never as HTML or links
    title = md(article.title or f"{summary.generated_title}（生成标题）", inline=True)
    lines = [f"## {article.index}. {title}", ""]
    lines.append(f"*{md(article.page, inline=True)} · {article.chars} 字*")
    lines.append("")
    guard = summary.guard
    if summary.guard_reasons:
        guard += ": " + md("; ".join(summary.guard_reasons), inline=True)
    lines.append(f"**摘要**（{summary.style}, {summary.backend} {summary.model}, guard {guard}）")
    lines.append("")
    lines.append(md(summary.text))
    lines.append("")
    if summary.condensed:
        lines += [f"> condensed: {md(summary.condensed, inline=True)}", ""]
    lines.append(f"关键词：{md('、'.join(summary.keywords), inline=True)}")
    lines.append("")
    return "\n".join(lines)


def _model_progress(stage: str, done: int, total: int) -> None:
    if total:
        click.echo(f"\rmodel {stage}: {done * 100 // total}%", err=True, nl=done >= total)


@click.command("summarise")
@click.argument("paths", nargs=-1, required=True)
@summariser_options(batch_help=f"Articles generated together (default {Settings().batch_size}).")
@click.option("--format", "fmt", type=click.Choice(["jsonl", "md"]), default="md", show_default=True)
@source_options
@click.pass_context
def summarise(
    ctx: click.Context,
    paths: tuple[str, ...],
    overrides: Overrides,
    fmt: str,
    sources: SourceOptions,
) -> None:
    """Summarise the articles in PATHS (files, folders, globs, - for stdin; feed, e-paper 版面 and
    article URLs) and print them.

    An article the summariser fails on is printed with its reason and the rest go on (exit code 1)."""
    import jieba
    from zhaiyao.run.local import LocalEngine, summarise_all
    from zhaiyao.split.page import split_page
    from zhaiyao.summarise import load_summariser

    jieba.setLogLevel(logging.WARNING)  # its dictionary-loading chatter

    settings = overrides.apply(settings_from(ctx))
    with open_sources(settings, sources) as reader:
        articles = [a for page in reader.read(list(paths)) for a in split_page(page)]
    if not articles:
        click.echo("no articles found", err=True)
        return
    began = time.perf_counter()
    summariser = load_summariser(settings, progress=_model_progress)
    click.echo(
        f"{len(articles)} articles; {summariser.backend} {summariser.model_name} "
        f"loaded in {time.perf_counter() - began:.1f}s",
        err=True,
    )
    printer = _InOrder(articles, fmt, stdout())
    outcomes = summarise_all(articles, LocalEngine(settings, summariser), printer.take)
    failed = [o for o in outcomes if isinstance(o, BaseException)]
    if failed:
        click.echo(
            f"{len(failed)} of {len(articles)} article(s) failed: {describe_error(failed[0])}", err=True
        )
        sys.exit(1)


class _InOrder:
    """Prints each outcome in page order as soon as the ones before it are in (batches finish out of
    order), with a progress line per article."""

    def __init__(self, articles: list[Article], fmt: str, out: Any) -> None:
        self.articles, self.fmt, self.out = articles, fmt, out
        self.ready: dict[int, Summary | BaseException] = {}
        self.printed = self.finished = 0
        self.started = time.perf_counter()

    def take(self, i: int, outcome: Summary | BaseException) -> None:
        self.ready[i] = outcome
        self.finished += 1
        rate = self.finished / max(time.perf_counter() - self.started, 1e-9) * 60
        click.echo(f"summarised {self.finished}/{len(self.articles)} ({rate:.1f} articles/min)", err=True)
        while self.printed in self.ready:
            self._print(self.articles[self.printed], self.ready.pop(self.printed))
            self.printed += 1

    def _print(self, article: Article, outcome: Summary | BaseException) -> None:
        if isinstance(outcome, BaseException):
            result = ArticleResult(article=article, status="failed", error=describe_error(outcome))
            text = json_text(result.as_dict()) if self.fmt == "jsonl" else _failed_markdown(result)
        elif self.fmt == "jsonl":
            text = json_text(ArticleResult(article=article, summary=outcome, status="done").as_dict())
        else:
            text = _markdown(article, outcome)
        self.out.write(text + "\n")
        self.out.flush()


COMMANDS = [summarise]
