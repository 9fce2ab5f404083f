"""``zhaiyao view`` (the viewer on the store) and ``zhaiyao start`` (the main job, ending in the viewer)."""

from __future__ import annotations

import signal
import sys
import time
import webbrowser
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

import click
from zhaiyao.cli import settings_from
from zhaiyao.cli.inputs import open_sources, source_options
from zhaiyao.cli.options import Overrides, summariser_options
from zhaiyao.cli.output import echo
from zhaiyao.cli.quiet import libraries_to_log
from zhaiyao.config import SAMPLE_PAGE, Settings
from zhaiyao.errors import InputError, StoreError
from zhaiyao.run.pipeline import Progress
from zhaiyao.sources.inputs import SourceOptions
from zhaiyao.summarise.registry import uses_model
from zhaiyao.text.safe import one_line
from zhaiyao.viewer.server import has_display, pick_port, start_server, stop_server, viewer_url, wait_ready


def _serve(
    settings: Settings, port: int | None, *, page: str | None, no_browser: bool, env: dict[str, str]
) -> None:
    """Run the viewer server in the foreground until Ctrl-C, then stop it and everything it started."""
    chosen = pick_port(port)
    url = viewer_url(chosen, page)
    _stop_on_signals()
    proc = start_server(settings.db_path, chosen, max_upload_mb=settings.max_file_mb, env=env, log=None)
    try:
        click.echo(f"starting the viewer on port {chosen} (store: {settings.db_path}) …", err=True)
        wait_ready(proc, chosen)
        click.echo(f"viewer: {url}")
        if no_browser or not has_display():
            click.echo("open that address in a browser; Ctrl-C stops the viewer", err=True)
        else:
            webbrowser.open(url)
            click.echo("opened in your browser; Ctrl-C stops the viewer", err=True)
        while proc.poll() is None:
            time.sleep(0.5)
        if proc.returncode:
            click.echo(f"error: the viewer server stopped with code {proc.returncode}", err=True)
            sys.exit(1)
    finally:
        stop_server(proc)


def _stop_on_signals() -> None:
    # `kill` (SIGTERM) or a closed terminal (SIGHUP) must stop the viewer as Ctrl-C does: their default
    # action ends this process without running its `finally`, which would leave the server listening.
    def stop(signum: int, _frame: object) -> None:
        raise SystemExit(128 + signum)

    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, stop)


def _settings_env(settings: Settings) -> dict[str, str]:
    # The server reads its Settings like any other process (load_settings); these make its controls
    # start where the command's options left them.
    env = {
        "ZHAIYAO_BACKEND": settings.backend,
        "ZHAIYAO_MODEL": settings.model,
        "ZHAIYAO_STYLE": settings.style,
        "ZHAIYAO_MODELS_DIR": str(settings.models_dir),
        "ZHAIYAO_MAX_FILE_MB": f"{settings.max_file_mb:g}",
        "ZHAIYAO_QUANTIZE": settings.quantize,
        "ZHAIYAO_DEVICE": settings.device,
    }
    if settings.generation:
        env["ZHAIYAO_GENERATION"] = ",".join(f"{k}={v}" for k, v in settings.generation)
    if settings.max_chars:
        env["ZHAIYAO_MAX_CHARS"] = str(settings.max_chars)
    return env


_port = click.option(
    "--port", type=click.IntRange(1, 65535), help="port on localhost (default: first free from 8501)"
)
_db = click.option(
    "--db", type=click.Path(path_type=Path, dir_okay=False), help="the store (default: ZHAIYAO_DB)"
)
_no_browser = click.option("--no-browser", is_flag=True, help="only print the address; do not open a browser")


@click.command("view")
@_port
@_db
@_no_browser
@click.option("--page", "page", help="open this page of the store first (its source name)")
@click.pass_context
def view_command(
    ctx: click.Context, port: int | None, db: Path | None, no_browser: bool, page: str | None
) -> None:
    """Browse the store in a web page: pages, summaries, sources highlighted; upload or paste new pages."""
    settings = settings_from(ctx).replace(db_path=db)
    if db is not None:
        _check_named_store(db)
    _serve(settings, port, page=page, no_browser=no_browser, env=_settings_env(settings))


def _check_named_store(db: Path) -> None:
    """A store named with --db must be one: a typo must not leave a new folder and an empty store
    behind, nor an empty file be turned into one (the default store may be made by the first upload)."""
    from zhaiyao.store import Store

    if not db.exists():
        hint = f"check the path, or make one with `zhaiyao batch PAGE --db {db}`"
        raise StoreError(f"{db}: no store here; {hint}")
    Store(db, readonly=True).close()  # an empty file, a foreign database: refused, untouched


def _progress_printer(own: TextIO) -> object:
    """Weights-fetch progress as one updating line per stage (plain lines when not a terminal)."""
    state: dict[str, object] = {"stage": None, "last": 0.0}
    tty = own.isatty()

    def progress(stage: str, done: int, total: int) -> None:
        now = time.monotonic()
        finished = total and done >= total
        if stage == state["stage"] and not finished and now - float(state["last"]) < (0.2 if tty else 5.0):
            return
        state["stage"], state["last"] = stage, now
        amount = f"{done / total:.0%}" if total else f"{done:,}"
        if stage in ("join", "hash", "verify") and total:
            amount += f" of {total / 1e9:.2f} GB"
        elif total:
            amount += f" ({done}/{total})"
        line = f"model {stage}: {amount}"
        if tty:
            click.echo("\r" + line.ljust(60), nl=bool(finished), file=own)
        else:
            click.echo(line, file=own)

    return progress


@click.command("start")
@click.argument("paths", nargs=-1)
@summariser_options()
@_port
@_db
@_no_browser
@click.option("--no-view", is_flag=True, help="summarise and report, but do not start the viewer")
@source_options
@click.pass_context
def start_command(
    ctx: click.Context,
    paths: tuple[str, ...],
    overrides: Overrides,
    port: int | None,
    db: Path | None,
    no_browser: bool,
    no_view: bool,
    sources: SourceOptions,
) -> None:
    """The main job: summarise the sample page (or PATHs: files, feed, e-paper 版面 or article URLs)
    into the store, then open the viewer on it.

    The first run fetches the default model (about 1.1 GB, once) with progress.
    """
    settings = overrides.apply(settings_from(ctx)).replace(db_path=db)
    inputs = list(paths) or [str(SAMPLE_PAGE)]
    with libraries_to_log(settings.db_path.parent) as (own, log):
        pages, report, results = _summarise_into_store(settings, inputs, sources, own)
        if log is not None and log.stat().st_size:
            click.echo(f"libraries: {log} (their own messages and progress bars)", file=own)
    _print_report(report, results, settings)
    if no_view:
        return
    _serve_afresh(settings, port, page=pages[0].source, no_browser=no_browser)


def _serve_afresh(settings: Settings, port: int | None, *, page: str, no_browser: bool) -> None:
    """Become ``zhaiyao view`` on the store just filled: a fresh process image, so the model this process
    loaded (gigabytes that Python and torch never hand back to the system) is not held while the
    viewer, which needs none of it, serves for hours."""
    import os

    args = [sys.executable, "-m", "zhaiyao", "view", "--db", str(settings.db_path), "--page", page]
    args += (["--port", str(port)] if port else []) + (["--no-browser"] if no_browser else [])
    sys.stdout.flush()
    sys.stderr.flush()
    os.execve(sys.executable, args, {**os.environ, **_settings_env(settings)})


def _summarise_into_store(
    settings: Settings, inputs: list[str], sources: SourceOptions, own: TextIO
) -> tuple[list, object, list]:
    """Read, summarise and store ``inputs``; Zhaiyao's lines about it go to ``own``."""
    from zhaiyao.run.local import LocalEngine
    from zhaiyao.run.pipeline import run_pages
    from zhaiyao.store import Store

    skipped: list[str] = []

    def on_error(exc: Exception) -> None:
        skipped.append(str(exc))
        click.echo(one_line(f"skipped: {exc}"), file=own)

    with open_sources(settings, sources) as reader:
        pages = reader.read(inputs, on_error=on_error)
    if not pages:
        raise InputError(", ".join(inputs), "nothing readable to summarise (every input was skipped)")
    # The engine loads the summariser only if something is not in the store yet: a rerun of the main
    # job is instant and needs no model in memory.
    using = f"{settings.model}, " if uses_model(settings.backend) else ""
    click.echo(f"summarising with {settings.backend} ({using}{settings.style}) …", file=own)
    engine = LocalEngine(settings, progress=_progress_printer(own))
    with Store(settings.db_path) as store:
        report = run_pages(
            pages,
            settings,
            store,
            engine=engine,
            inputs=inputs,
            input_errors=skipped,
            on_progress=_run_progress(own),
        )
        results = [r for p in pages for r in store.page_results(p.source, report.summariser)]
    return pages, report, results


def _run_progress(own: TextIO) -> Callable[[Progress], None]:
    """One line redrawn in place on a terminal; a line per article elsewhere."""
    tty = own.isatty()

    def on_progress(p: Progress) -> None:
        line = f"{p.finished}/{p.total} articles ({p.cached} from the cache, {p.elapsed:.0f} s)"
        if tty:
            click.echo("\r" + line.ljust(50), nl=p.finished == p.total, file=own)
        elif p.finished:
            click.echo(line, file=own)

    return on_progress


def _print_report(report: object, results: list, settings: Settings) -> None:
    guard = {"ok": 0, "retried": 0, "fallback": 0}
    for r in results:
        if r.summary is not None:
            guard[r.summary.guard] = guard.get(r.summary.guard, 0) + 1
    click.echo(
        f"{report.done} of {report.total} articles from {report.pages} page(s) summarised "
        f"({report.summarised} new, {report.cached} from the cache, {report.failed} failed) "
        f"in {report.seconds:.1f} s"
    )
    click.echo(f"guard: {guard['ok']} ok, {guard['retried']} retried, {guard['fallback']} fallback")
    for r in results[:12]:
        title = r.article.title or (r.summary.generated_title if r.summary else None) or "（无标题）"
        text = r.summary.text.replace("\n", " / ") if r.summary else f"[{r.status}] {r.error or ''}"
        click.echo(f"{r.article.index:>3}. {one_line(title)}\n     {one_line(text)}")
    if len(results) > 12:
        click.echo(f"     … and {len(results) - 12} more")
    for failure in report.failures:
        echo(f"failed: {failure.page} #{failure.index}: {failure.error}", err=True)
    click.echo(f"store: {settings.db_path}")


COMMANDS = [view_command, start_command]
