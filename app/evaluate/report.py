"""Measured summary quality: run a summariser over rows with human references and score it.

Rows are JSONL ``{"id", "text", "summary"}`` (other keys are ignored). Each row becomes one
``Article`` (no title: for headline-proxy data the reference *is* the title) and goes through the
same ``load_summariser`` / ``summarise_articles`` path as every other command, so the figures describe
what users get. The report holds character-level ROUGE (``zhaiyao.text.rouge``, variant stated in the
report), the faithfulness guard's outcome rates, the share of summaries with a number that is not in
the source (the guard's own check, so eval and guard cannot disagree), mean length and speed.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

from zhaiyao.documents import Article, Summary
from zhaiyao.errors import InputError, ModelError
from zhaiyao.sources.files import json_problem
from zhaiyao.text.rouge import VARIANT, RougeScore, corpus_score, score

REQUIRED_FIELDS = ("id", "text", "summary")
Split = Literal["all", "scored", "shots"]
# One row in ten (by a hash of its id, so the split is stable across files, orders and subsets) may
# serve as a few-shot example in prompts; the others are the ones scored when tuning, so a prompt is
# never scored on a row it quotes.
SHOT_BUCKETS = 10


@dataclass(frozen=True)
class EvalRow:
    id: str
    text: str
    summary: str
    line: int  # 1-based line in the eval file, for messages and the report


def is_shot_row(row_id: str) -> bool:
    """True for the rows set aside as few-shot material (about 1 in ``SHOT_BUCKETS``)."""
    digest = hashlib.sha256(row_id.encode("utf-8")).digest()
    return digest[0] % SHOT_BUCKETS == 0


def read_eval_rows(path: Path, *, split: Split = "all", limit: int | None = None) -> list[EvalRow]:
    """Parse an eval JSONL file; any bad row raises ``InputError`` naming the file and line.

    Blank lines are allowed (they hold no row). ``split`` keeps all rows, only the scored part or only
    the few-shot part (see ``is_shot_row``); ``limit`` keeps the first N rows after that, in file order.
    """
    source = str(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InputError(source, "eval file not found") from None
    except IsADirectoryError:
        raise InputError(source, "is a directory, expected a JSONL file") from None
    except OSError as exc:
        raise InputError(source, f"cannot read: {exc.strerror or exc}") from None
    try:
        content = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError(source, "not UTF-8 text", line) from None

    rows: list[EvalRow] = []
    seen: dict[str, int] = {}
    for number, text in enumerate(content.splitlines(), start=1):
        if not text.strip():
            continue
        row = _parse_row(source, number, text)
        if row.id in seen:
            raise InputError(source, f"duplicate id {row.id!r} (first on line {seen[row.id]})", number)
        seen[row.id] = number
        rows.append(row)
    if not rows:
        raise InputError(source, "empty eval file: expected JSONL rows with id, text and summary")

    if split == "scored":
        rows = [r for r in rows if not is_shot_row(r.id)]
    elif split == "shots":
        rows = [r for r in rows if is_shot_row(r.id)]
    if limit is not None:
        rows = rows[:limit]
    return rows


def _parse_row(source: str, number: int, text: str) -> EvalRow:
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise InputError(source, json_problem(exc), number) from None
    if not isinstance(data, dict):
        raise InputError(source, f"expected a JSON object, got {type(data).__name__}", number)
    missing = [name for name in REQUIRED_FIELDS if name not in data]
    if missing:
        raise InputError(source, f"missing field {', '.join(missing)} (rows need id, text, summary)", number)
    values: dict[str, str] = {}
    for name in REQUIRED_FIELDS:
        value = data[name]
        if name == "id" and isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str):
            raise InputError(source, f"field {name!r} must be a string, got {type(value).__name__}", number)
        if not value.strip():
            raise InputError(source, f"field {name!r} is empty", number)
        values[name] = value.strip()
    return EvalRow(id=values["id"], text=values["text"], summary=values["summary"], line=number)


def row_article(row: EvalRow, source: str) -> Article:
    """The article a row stands for: its text as the body and no title (the title may be the reference)."""
    return Article(page=f"{source}#L{row.line}", index=1, title=None, text=row.text)


@dataclass(frozen=True)
class RowResult:
    id: str
    line: int
    reference: str
    summary: str
    rouge1: float
    rouge2: float
    rougeL: float
    guard: str
    guard_reasons: tuple[str, ...]
    invented_numbers: tuple[str, ...]  # the guard's reasons, one per number not in the source
    chars: int


@dataclass(frozen=True)
class EvalReport:
    data: str
    rows: int
    backend: str
    model: str
    style: str
    max_chars: int | None
    prompt_version: str
    metric: str
    rouge1: float
    rouge2: float
    rougeL: float
    guard_ok: float  # shares in [0, 1]
    guard_unsure: float  # passed, with findings a reader should look at
    guard_retried: float
    guard_fallback: float
    invented_number_share: float
    mean_chars: float
    mean_reference_chars: float
    articles_per_min: float
    seconds: float  # summarising only, without model loading
    load_seconds: float
    results: tuple[RowResult, ...] = field(default=(), repr=False)

    def as_dict(self, *, with_rows: bool = True) -> dict[str, Any]:
        data = asdict(self)
        if with_rows:
            data["results"] = [asdict(r) for r in self.results]
        else:
            data.pop("results")
        return data


def invented_numbers(summary: str, source: str) -> tuple[str, ...]:
    """The guard's own number check ("number N not in the article" per number the source lacks)."""
    from zhaiyao.summarise.guard import check_numbers

    return tuple(check_numbers(summary, source))


def score_summaries(
    rows: Sequence[EvalRow],
    summaries: Sequence[Summary],
    *,
    data: str,
    backend: str,
    model: str,
    style: str,
    max_chars: int | None,
    seconds: float,
    load_seconds: float = 0.0,
) -> EvalReport:
    """Score summaries (one per row, same order) against the rows' references."""
    if len(rows) != len(summaries):
        raise ValueError(f"{len(summaries)} summaries for {len(rows)} rows")
    results: list[RowResult] = []
    for row, summ in zip(rows, summaries, strict=True):
        s = score(summ.text, row.summary)
        results.append(
            RowResult(
                id=row.id,
                line=row.line,
                reference=row.summary,
                summary=summ.text,
                rouge1=s.rouge1,
                rouge2=s.rouge2,
                rougeL=s.rougeL,
                guard=summ.guard,
                guard_reasons=tuple(summ.guard_reasons),
                invented_numbers=invented_numbers(summ.text, row.text),
                chars=len(summ.text),
            )
        )
    n = len(results) or 1
    total = corpus_score(RougeScore(r.rouge1, r.rouge2, r.rougeL) for r in results)
    versions = sorted({s.prompt_version for s in summaries if s.prompt_version})
    return EvalReport(
        data=data,
        rows=len(results),
        backend=backend,
        model=model,
        style=style,
        max_chars=max_chars,
        prompt_version=",".join(versions),
        metric=VARIANT,
        rouge1=total.rouge1,
        rouge2=total.rouge2,
        rougeL=total.rougeL,
        guard_ok=sum(r.guard == "ok" for r in results) / n,
        guard_unsure=sum(r.guard == "unsure" for r in results) / n,
        guard_retried=sum(r.guard == "retried" for r in results) / n,
        guard_fallback=sum(r.guard == "fallback" for r in results) / n,
        invented_number_share=sum(bool(r.invented_numbers) for r in results) / n,
        mean_chars=sum(r.chars for r in results) / n,
        mean_reference_chars=sum(len(r.reference) for r in results) / n,
        articles_per_min=60 * len(results) / seconds if seconds > 0 else 0.0,
        seconds=seconds,
        load_seconds=load_seconds,
        results=tuple(results),
    )


def _scored(row: EvalRow, outcome: Summary | BaseException) -> Summary:
    # A row the summariser failed on fails the eval, named (its figures would be meaningless without it).
    if isinstance(outcome, BaseException):
        raise ModelError(f"row {row.id}: cannot summarise: {outcome}") from outcome
    return outcome


def evaluate(
    path: Path,
    settings: Any,
    *,
    split: Split = "all",
    limit: int | None = None,
    on_load: Callable[..., Any] | None = None,
    on_summary: Callable[[int, Summary], None] | None = None,
    on_rows: Callable[[int], None] | None = None,
) -> EvalReport:
    """Summarise every row of an eval file with ``settings``' backend/model/style and score it.

    ``on_rows`` hears the row count once the file is parsed (before the model loads, so a bad file
    fails fast); ``on_load`` is the summariser's loading progress; ``on_summary(i, summary)`` hears each
    summary as it is ready (in length order, not row order).
    """
    from zhaiyao.run.local import LocalEngine, summarise_all
    from zhaiyao.summarise import load_summariser

    rows = read_eval_rows(path, split=split, limit=limit)
    if on_rows is not None:
        on_rows(len(rows))
    articles = [row_article(row, str(path)) for row in rows]

    started = time.perf_counter()
    summariser = load_summariser(settings, progress=on_load)
    load_seconds = time.perf_counter() - started

    started = time.perf_counter()

    def on_result(i: int, outcome: Summary | BaseException) -> None:
        if on_summary is not None and isinstance(outcome, Summary):
            on_summary(i, outcome)

    outcomes = summarise_all(articles, LocalEngine(settings, summariser), on_result)
    seconds = time.perf_counter() - started
    summaries = [_scored(rows[i], outcome) for i, outcome in enumerate(outcomes)]
    model = sorted({s.model for s in summaries if s.model})
    return score_summaries(
        rows,
        summaries,
        data=str(path),
        backend=settings.backend,
        model=",".join(model) or str(settings.model),
        style=settings.style,
        max_chars=settings.max_chars,
        seconds=seconds,
        load_seconds=load_seconds,
    )
