"""``zhaiyao eval``: summarise rows with human references and print how close the summaries come."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click
from zhaiyao.cli import settings_from
from zhaiyao.cli.options import Overrides, summariser_options
from zhaiyao.cli.output import check_output, open_output
from zhaiyao.evaluate.report import EvalReport, evaluate
from zhaiyao.text.safe import json_text


def _pct(share: float) -> str:
    return f"{100 * share:.1f}%"


def render_table(report: EvalReport) -> str:
    """The human summary of a report: one block of aligned ``name  value`` lines."""
    lines = [
        ("data", f"{report.data} ({report.rows} rows)"),
        ("backend / model", f"{report.backend} / {report.model}"),
        ("style / max chars", f"{report.style} / {report.max_chars or 'style default'}"),
        ("prompt version", report.prompt_version or "-"),
        ("ROUGE-1 / 2 / L F1", f"{report.rouge1:.1f} / {report.rouge2:.1f} / {report.rougeL:.1f}"),
        (
            "guard ok / unsure / retried / fallback",
            f"{_pct(report.guard_ok)} / {_pct(report.guard_unsure)} / {_pct(report.guard_retried)} / "
            f"{_pct(report.guard_fallback)}",
        ),
        ("number not in source", _pct(report.invented_number_share)),
        ("mean length (chars)", f"{report.mean_chars:.1f} (references {report.mean_reference_chars:.1f})"),
        (
            "speed",
            f"{report.articles_per_min:.1f} articles/min "
            f"({report.seconds:.1f} s summarising, {report.load_seconds:.1f} s loading)",
        ),
    ]
    width = max(len(name) for name, _ in lines)
    body = "\n".join(f"{name.ljust(width)}  {value}" for name, value in lines)
    return f"{body}\nmetric: {report.metric}"


@click.command("eval")
@click.argument("data", type=click.Path(path_type=Path, dir_okay=False))
@summariser_options(style_default="headline", batch_help="articles generated together")
@click.option("--limit", type=click.IntRange(min=1), help="score only the first N rows")
@click.option(
    "--split",
    type=click.Choice(["all", "scored", "shots"]),
    default="all",
    show_default=True,
    help="rows to use: all, or the tuning split (scored = rows never used as few-shot examples)",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(path_type=Path, dir_okay=False, allow_dash=True),
    help="write the JSON report (figures and every row) here; '-' for stdout",
)
@click.pass_context
def eval_command(
    ctx: click.Context,
    data: Path,
    overrides: Overrides,
    limit: int | None,
    split: str,
    output: Path | None,
) -> None:
    """Score summaries of DATA.jsonl (rows {id, text, summary}) with character-level ROUGE.

    Prints ROUGE-1/2/L F1, the faithfulness guard's rates, the share of summaries with a number not
    in the source, mean length and speed. `--backend lead` and `--backend extractive` give baselines.
    """
    settings = overrides.apply(settings_from(ctx))
    check_output(output, [str(data)])  # before scoring, so the report always has somewhere to go
    state: dict[str, Any] = {}

    def on_rows(count: int) -> None:
        state["bar"] = click.progressbar(length=count, label="summarising", file=sys.stderr, show_pos=True)

    def on_load(*args: Any, **_kwargs: Any) -> None:
        click.echo("loading: " + " ".join(str(a) for a in args), err=True)

    def on_summary(_index: int, _summary: Any) -> None:
        bar = state["bar"]
        if not state.get("started"):
            bar.__enter__()
            state["started"] = True
        bar.update(1)

    try:
        report = evaluate(
            data, settings, split=split, limit=limit, on_load=on_load, on_summary=on_summary, on_rows=on_rows
        )
    finally:
        if state.get("started"):
            state["bar"].__exit__(None, None, None)

    # With the JSON on stdout the table goes to stderr, so `-o - | jq` gets clean JSON.
    click.echo(render_table(report), err=str(output) == "-")
    if output is not None:
        with open_output(output, [str(data)]) as out:
            out.write(json_text(report.as_dict(), indent=2) + "\n")
        if str(output) != "-":
            click.echo(f"report: {output}", err=True)


COMMANDS = [eval_command]
