"""``zhaiyao info``, ``zhaiyao export`` and ``zhaiyao runs``: looking into the store from the shell."""

from __future__ import annotations

import os
from pathlib import Path

import click
from zhaiyao.cli import settings_from
from zhaiyao.cli.output import check_output, echo, stdout
from zhaiyao.config import Settings
from zhaiyao.documents import ArticleResult
from zhaiyao.errors import ConfigError, StoreError
from zhaiyao.export.formats import FORMATS, export_results, render_bytes
from zhaiyao.store import DEFAULT_BUSY_TIMEOUT, Store
from zhaiyao.summarise.registry import describe

STATUSES = ("done", "failed", "pending")
RUN_ID = click.IntRange(1, 2**63 - 1)  # SQLite's integers: a larger id cannot exist, only overflow


def store_location(settings: Settings, db: Path | None) -> tuple[Path, str]:
    """Where the store is and what decided it: --db, ZHAIYAO_DB, a configuration file, or the default."""
    if db is not None:
        return db.expanduser(), "--db"
    for var in ("ZHAIYAO_DB", "ZHAIYAO_DB_PATH"):
        if os.environ.get(var):
            return settings.db_path, var
    default = Settings().db_path
    if settings.db_path != default:
        return settings.db_path, "configuration file"
    return settings.db_path, "default (user data folder)"


def busy_timeout() -> float:
    raw = os.environ.get("ZHAIYAO_DB_TIMEOUT")
    if not raw:
        return DEFAULT_BUSY_TIMEOUT
    try:
        seconds = float(raw)
    except ValueError:
        raise ConfigError(f"ZHAIYAO_DB_TIMEOUT={raw!r} is not a number of seconds") from None
    if not 0 <= seconds <= 3600:  # also refuses NaN and infinity
        raise ConfigError(f"ZHAIYAO_DB_TIMEOUT={raw!r} is out of range (0 to 3600 seconds)")
    return seconds


def open_store(ctx: click.Context, db: Path | None) -> Store:
    path, _ = store_location(settings_from(ctx), db)
    # Only reading: a store the user may not write (or a copy on read-only media) still opens.
    return Store(path, busy_timeout=busy_timeout(), readonly=True)


def db_option(func):  # type: ignore[no-untyped-def]
    return click.option(
        "--db",
        type=click.Path(dir_okay=False, path_type=Path),
        help="Store file (default: $ZHAIYAO_DB, else the user data folder).",
    )(func)


@click.command("info")
@db_option
@click.pass_context
def info(ctx: click.Context, db: Path | None) -> None:
    """Where the store and the models are, and what the store holds."""
    settings = settings_from(ctx)
    path, source = store_location(settings, db)
    click.echo(f"store:      {path}")
    click.echo(f"decided by: {source}")
    if path.exists():
        with Store(path, busy_timeout=busy_timeout(), readonly=True) as store:
            counts = store.counts()
            click.echo(f"schema:     {', '.join(store.migrations())}")
            click.echo("holds:      " + ", ".join(f"{n} {name}" for name, n in counts.items()))
            latest = store.latest_run_id()
            if latest is not None:
                run = store.run(latest)
                click.echo(
                    f"last run:   #{run.id} {run.status}, {run.done}/{run.total} done, {run.failed} failed "
                    f"({run.started_at})"
                )
    else:
        click.echo("holds:      nothing yet (the file is created by the first batch)")
    click.echo(f"models dir: {settings.models_dir}")
    click.echo(f"backend:    {settings.backend}   model: {settings.model}   style: {settings.style}")
    _echo_placement(settings)


def _echo_placement(settings: Settings) -> None:
    """Where a model run with these settings would compute, with which weights and kernels, and why."""
    backend = describe(settings.backend)
    if not backend.uses_model:
        click.echo(f"device:     none needed ({settings.backend} uses no model)")
        return
    from zhaiyao.runtime.device import place

    quantize = settings.quantize if backend.quantizes else "none"
    placement = place(settings.device, quantize, settings.int8_kernel)
    click.echo(f"device:     {placement.device}   weights: {placement.weights}")
    click.echo(f"kernels:    {placement.kernels}")
    for reason in placement.reasons:
        click.echo(f"            - {reason}")


def _page_results(store: Store, page: str) -> list[ArticleResult]:
    # Pages are recorded under the source name ingestion gave them; accept the path as typed too.
    known = [p.source for p in store.list_pages()]
    candidates = [page, str(Path(page).expanduser().resolve())]
    for candidate in candidates:
        if candidate in known:
            return store.page_results(candidate)
    tail = [s for s in known if s.endswith(page) or Path(s.split("#")[0]).name == page]
    if len(tail) == 1:
        return store.page_results(tail[0])
    if len(tail) > 1:
        raise ConfigError(f"--page {page!r} matches {len(tail)} pages; give more of the path")
    raise ConfigError(f"--page {page!r}: no such page in the store (see `zhaiyao runs` or the viewer)")


@click.command("export")
@click.option(
    "--format", "fmt", type=click.Choice(FORMATS), help="Output format (default: from -o's suffix)."
)
@click.option("--run", "run_id", type=RUN_ID, help="Results of this run (default: the latest run).")
@click.option("--page", help="Results for this page (its path or file name), newest summaries.")
@click.option("--status", type=click.Choice(STATUSES), help="Only articles with this status.")
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="File (default: stdout)."
)
@db_option
@click.pass_context
def export(
    ctx: click.Context,
    fmt: str | None,
    run_id: int | None,
    page: str | None,
    status: str | None,
    output: Path | None,
    db: Path | None,
) -> None:
    """Write results from the store as JSONL, CSV (Excel-ready) or a Markdown digest."""
    if run_id is not None and page is not None:
        raise click.UsageError("give --run or --page, not both")
    if output is None and fmt is None:
        fmt = "jsonl"
    path, _ = store_location(settings_from(ctx), db)
    if not path.exists():
        raise StoreError(f"{path}: no store here yet; run `zhaiyao batch` first")
    check_output(output, [str(path)])
    with open_store(ctx, db) as store:
        if page is not None:
            results = _page_results(store, page)
            if status:
                results = [r for r in results if r.status == status]
        else:
            if run_id is None:
                run_id = store.latest_run_id()
                if run_id is None:
                    raise StoreError(f"{path}: the store holds no runs yet")
            results = store.run_results(run_id, status)
    if output is None:
        stdout().buffer.write(render_bytes(results, fmt or "jsonl"))
    else:
        n = export_results(results, output, fmt)
        echo(f"wrote {n} article(s) to {output}", err=True)


@click.command("runs")
@click.argument("run_id", type=RUN_ID, required=False)
@click.option("-n", "--limit", type=click.IntRange(1, 100_000), default=20, show_default=True)
@db_option
@click.pass_context
def runs(ctx: click.Context, run_id: int | None, limit: int, db: Path | None) -> None:
    """List recent batch runs, or show one run with its failed articles and why they failed."""
    path, _ = store_location(settings_from(ctx), db)
    if not path.exists():
        click.echo(f"no runs yet ({path} does not exist)")
        return
    with open_store(ctx, db) as store:
        if run_id is None:
            rows = store.runs(limit)
            if not rows:
                click.echo("no runs yet")
            for r in rows:
                click.echo(
                    f"#{r.id:<4} {r.started_at[:19]}  {r.status:<11} {r.engine:<5} "
                    f"{r.done}/{r.total} done ({r.cached} cached), {r.failed} failed, {r.pending} pending"
                )
            return
        r = store.run(run_id)
        click.echo(
            f"run #{r.id}: {r.status}, engine {r.engine}, started {r.started_at}, ended {r.ended_at or '-'}"
        )
        if r.summariser:
            click.echo(
                f"summariser: {r.summariser['backend']} {r.summariser['model']} "
                f"(prompt {r.summariser['prompt_version'] or '-'}), style {r.settings.get('style')}"
            )
        click.echo(
            f"articles: {r.total} total, {r.done} done ({r.cached} cached), "
            f"{r.failed} failed, {r.pending} pending"
        )
        for error in r.errors:
            echo(f"run error: {error}")  # an unreadable input, or why the run stopped
        for res in store.run_results(run_id, "failed"):
            title = res.article.title or "(no title)"
            echo(f"failed: {res.article.page} #{res.article.index} {title}: {res.error}")


COMMANDS = [info, export, runs]
