"""``zhaiyao batch``: summarise many pages into the store, resumably, locally or on Ray."""

from __future__ import annotations

import logging
import sys
import time
from pathlib import Path
from typing import TextIO

import click
from zhaiyao.cli import settings_from
from zhaiyao.cli.inputs import open_sources, source_options
from zhaiyao.cli.options import Overrides, summariser_options
from zhaiyao.cli.output import check_output, echo
from zhaiyao.cli.store_cmd import busy_timeout, db_option, store_location
from zhaiyao.config import Settings
from zhaiyao.documents import Page
from zhaiyao.errors import InputError
from zhaiyao.export.formats import FORMATS, export_results, format_for_path
from zhaiyao.run.engines import ENGINES
from zhaiyao.run.pipeline import Progress, RunReport, run_pages
from zhaiyao.sources.inputs import SourceOptions
from zhaiyao.store import Store
from zhaiyao.summarise.registry import uses_model

# Seconds between progress lines when stderr is not a terminal (a log file, CI).
PLAIN_EVERY = 10.0


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "?"
    seconds = round(seconds)
    if seconds >= 3600:
        return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"
    if seconds >= 60:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds}s"


class ProgressView:
    """A one-line bar redrawn in place on a terminal; plain periodic lines anywhere else."""

    def __init__(self, stream: TextIO, tty: bool | None = None) -> None:
        self.stream = stream
        self.tty = stream.isatty() if tty is None else tty
        self._last = 0.0
        self._drawn = False

    def line(self, p: Progress) -> str:
        rate = f"{p.rate * 60:.1f} articles/min" if p.rate else "- articles/min"
        extra = []
        if p.cached:
            extra.append(f"{p.cached} cached")
        if p.failed:
            extra.append(f"{p.failed} failed")
        tail = f" ({', '.join(extra)})" if extra else ""
        return f"{p.finished}/{p.total} articles{tail}, {rate}, ETA {_duration(p.eta)}"

    def __call__(self, p: Progress) -> None:
        now = time.monotonic()
        last = p.finished == p.total
        if self.tty:
            width = 24
            filled = int(width * p.finished / p.total) if p.total else width
            bar = "█" * filled + "·" * (width - filled)
            self.stream.write(f"\r[{bar}] {self.line(p)}\033[K")
            self.stream.flush()
            self._drawn = True
        elif last or now - self._last >= PLAIN_EVERY or p.finished == 0:
            self.stream.write(f"progress: {self.line(p)}\n")
            self.stream.flush()
            self._last = now

    def end(self) -> None:
        if self.tty and self._drawn:
            self.stream.write("\n")
            self.stream.flush()
            self._drawn = False


def _quiet_libraries(backend: str) -> None:
    # jieba logs its dictionary loading at DEBUG and resets its level on import, so import it first;
    # transformers draws a weight-loading bar. Neither belongs in a batch's progress output.
    import jieba

    jieba.setLogLevel(logging.WARNING)
    if uses_model(backend):
        try:
            from transformers.utils import logging as hf_logging
        except ImportError:
            return
        hf_logging.disable_progress_bar()


@click.command("batch")
@click.argument("paths", nargs=-1, required=True)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write this run's results to a file: .jsonl, .csv or .md.",
)
@click.option(
    "--format", "fmt", type=click.Choice(FORMATS), help="Output format when -o's suffix does not say."
)
@click.option("--engine", type=click.Choice(ENGINES), default="local", show_default=True)
@click.option(
    "--workers", type=click.IntRange(1, 64), default=2, show_default=True, help="Ray worker actors."
)
@click.option("--address", help="Join this Ray cluster (e.g. 10.0.0.5:6379 or auto) instead of a local one.")
@db_option
@summariser_options(batch_help="Articles per model call / per Ray task.")
@source_options
@click.option("--quiet", "-q", is_flag=True, help="No progress output.")
@click.pass_context
def batch(
    ctx: click.Context,
    paths: tuple[str, ...],
    output: Path | None,
    fmt: str | None,
    engine: str,
    workers: int,
    address: str | None,
    db: Path | None,
    overrides: Overrides,
    sources: SourceOptions,
    quiet: bool,
) -> None:
    """Summarise every article of PATH... into the store (files, folders, globs, - for stdin; feed,
    e-paper 版面 and article URLs, their fetched bodies cached in the store).

    Safe to interrupt: each summary is committed as it is made, and running the same command again
    reuses them and finishes the rest. Exit code 0: all done; 1: some articles failed; 2: usage or
    input errors (unreadable files are reported and skipped).
    """
    if address and engine != "ray":
        raise click.UsageError("--address needs --engine ray")
    if output is not None:
        fmt = format_for_path(output, fmt)  # a bad suffix is a usage error before any work is done
    settings = _checked_settings(overrides.apply(settings_from(ctx)), db)
    check_output(output, [*paths, str(settings.db_path)])
    _quiet_libraries(settings.backend)
    input_errors: list[str] = []
    pages = _read_pages(paths, settings, sources, input_errors)
    report = _run(pages, settings, paths, input_errors, engine, workers, address, output, fmt, quiet)
    _finish(report, input_errors, output)


def _checked_settings(settings: Settings, db: Path | None) -> Settings:
    """The command's settings, with the store it writes; a bad style or length is a usage error now."""
    from zhaiyao.summarise.base import effective_limit, get_style

    effective_limit(get_style(settings.style), settings.max_chars)
    db_path, _ = store_location(settings, db)
    return settings.replace(db_path=db_path)


def _read_pages(
    paths: tuple[str, ...], settings: Settings, sources: SourceOptions, input_errors: list[str]
) -> list[Page]:
    """Every readable page; each bad input is reported and recorded, and nothing readable is exit 2."""

    def on_error(exc: InputError) -> None:
        input_errors.append(str(exc))
        echo(f"skipped: {exc}", err=True)

    with open_sources(settings, sources) as reader:
        pages = reader.read(list(paths), on_error=on_error)
    if not pages:
        click.echo(
            f"error: no readable input among {len(paths)} path(s); {len(input_errors)} skipped", err=True
        )
        sys.exit(2)
    return pages


def _run(
    pages: list[Page],
    settings: Settings,
    paths: tuple[str, ...],
    input_errors: list[str],
    engine: str,
    workers: int,
    address: str | None,
    output: Path | None,
    fmt: str | None,
    quiet: bool,
) -> RunReport:
    from zhaiyao.run.engines import make_engine

    view = ProgressView(sys.stderr)

    def event(message: str) -> None:
        if not quiet:
            view.end()
            click.echo(message, err=True)

    eng = make_engine(engine, settings, workers=workers, address=address, on_event=event)
    with Store(settings.db_path, busy_timeout=busy_timeout()) as store:
        try:
            report = run_pages(
                pages,
                settings,
                store,
                engine=eng,
                inputs=list(paths),
                input_errors=input_errors,
                on_progress=None if quiet else view,
            )
        finally:
            view.end()
        if output is not None:
            export_results(store.run_results(report.run_id), output, fmt)
    return report


def _finish(report: RunReport, input_errors: list[str], output: Path | None) -> None:
    for error in report.page_errors:
        echo(f"skipped: {error}", err=True)
    for f in report.failures:
        echo(f"failed: {f.page} #{f.index} {f.title or '(no title)'}: {f.error}", err=True)
    who = f" with {report.summariser.backend} {report.summariser.model}" if report.summariser else ""
    click.echo(
        f"run #{report.run_id}: {report.done}/{report.total} articles done{who} "
        f"({report.summarised} summarised, {report.cached} from the store), {report.failed} failed, "
        f"in {_duration(report.seconds)}"
    )
    if output is not None:
        echo(f"results: {output}")
    skipped = len(input_errors) + len(report.page_errors)
    if report.failed:
        click.echo(
            f"{report.failed} article(s) failed; list them with: zhaiyao runs {report.run_id}"
            + (f" (and {skipped} input(s) skipped)" if skipped else "")
        )
    if skipped:
        if not report.failed:
            click.echo(
                f"{skipped} input(s) skipped (see above); list them with: zhaiyao runs {report.run_id}"
            )
        sys.exit(2)
    if report.failed:
        sys.exit(1)


COMMANDS = [batch]
