"""``zhaiyao summarise``: split pages into articles and print each with its summary (nothing is stored)."""

from __future__ import annotations

import logging
import time

import click
from zhaiyao.cli import settings_from
from zhaiyao.cli.options import Overrides, summariser_options
from zhaiyao.cli.output import stdout
from zhaiyao.config import Settings
from zhaiyao.documents import Article, ArticleResult, Summary
from zhaiyao.text.safe import json_text, markdown_text


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
@click.pass_context
def summarise(
    ctx: click.Context,
    paths: tuple[str, ...],
    overrides: Overrides,
    fmt: str,
) -> None:
    """Summarise the articles in PATHS (files, folders, globs, - for stdin) and print them."""
    import jieba
    from zhaiyao.sources.files import read_inputs
    from zhaiyao.split.page import split_page
    from zhaiyao.summarise import load_summariser, summarise_articles

    jieba.setLogLevel(logging.WARNING)  # its dictionary-loading chatter

    settings = overrides.apply(settings_from(ctx))
    articles = [a for page in read_inputs(list(paths), settings) for a in split_page(page)]
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
    out = stdout()
    ready: dict[int, Summary] = {}
    printed = finished = 0
    started = time.perf_counter()

    def show(i: int, summary: Summary) -> None:
        # Batches finish out of order (length-sorted); print in page order as soon as possible.
        nonlocal printed, finished
        ready[i] = summary
        finished += 1
        rate = finished / max(time.perf_counter() - started, 1e-9) * 60
        click.echo(f"summarised {finished}/{len(articles)} ({rate:.1f} articles/min)", err=True)
        while printed in ready:
            article, done = articles[printed], ready.pop(printed)
            if fmt == "jsonl":
                result = ArticleResult(article=article, summary=done, status="done")
                out.write(json_text(result.as_dict()) + "\n")
            else:
                out.write(_markdown(article, done) + "\n")
            out.flush()
            printed += 1

    summarise_articles(
        articles, summariser, style=settings.style, max_chars=settings.max_chars, on_summary=show
    )


COMMANDS = [summarise]
