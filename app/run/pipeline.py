"""Pages → articles → summaries, recorded in the store as each one is done.

``run_pages`` is the one loop that the batch command, the Ray engine and the viewer share (it also
runs pages already in the store, which keeps their articles but not their text):
1. split every page and record it (a page that cannot be split is recorded with its reason);
2. enter every article of the run as *pending*;
3. mark the articles whose summary is already in the store *done* at once (the cache: a rerun makes
   no model calls);
4. hand the rest to an engine (local, or Ray in ``zhaiyao.run.engines``), committing each summary, or the
   reason it failed, the moment the engine delivers it.

So an interrupted run leaves committed summaries plus pending rows, and running it again finishes the
rest. Library code: no printing; progress goes to the callbacks.
"""

from __future__ import annotations

import contextlib
import dataclasses
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from zhaiyao.config import Settings
from zhaiyao.documents import Article, ArticleResult, Correction, Page, Summary
from zhaiyao.errors import InputError, ZhaiyaoError
from zhaiyao.run.engine import Engine, describe_error
from zhaiyao.run.local import LocalEngine
from zhaiyao.store import Store, SummaryKey
from zhaiyao.summarise.base import Summariser


@dataclass(frozen=True)
class Progress:
    total: int
    done: int
    failed: int
    cached: int
    elapsed: float  # seconds since the models were ready (before that: since the run started)

    @property
    def finished(self) -> int:
        return self.done + self.failed

    @property
    def rate(self) -> float:
        """Articles per second actually summarised in this run (cached ones excluded: they are free)."""
        work = self.done - self.cached + self.failed
        return work / self.elapsed if self.elapsed > 0 and work > 0 else 0.0

    @property
    def eta(self) -> float | None:
        left = self.total - self.finished
        return left / self.rate if self.rate > 0 else (0.0 if left == 0 else None)


@dataclass(frozen=True)
class Failure:
    page: str
    index: int
    title: str | None
    error: str


@dataclass
class RunReport:
    run_id: int
    total: int = 0
    done: int = 0
    cached: int = 0
    failed: int = 0
    pages: int = 0
    page_errors: list[str] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    seconds: float = 0.0
    summariser: SummaryKey | None = None  # what the run's summaries are stored under, once known

    @property
    def summarised(self) -> int:
        return self.done - self.cached

    @property
    def pending(self) -> int:
        return self.total - self.done - self.failed

    def as_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data.update(summarised=self.summarised, pending=self.pending)
        return data


def settings_record(settings: Settings) -> dict[str, Any]:
    return {
        k: (str(v) if not isinstance(v, int | float | str | type(None)) else v)
        for k, v in dataclasses.asdict(settings).items()
    }


def expected_key(settings: Settings) -> SummaryKey | None:
    """The key the settings imply, without loading a model: what to look for in the store first.

    Only a guess for the model backends: it is trusted only where the store holds summaries under it,
    i.e. a loaded summariser once reported exactly this key. Extractive and lead have no model to load,
    so theirs is exact. None for a backend this cannot tell without loading it.
    """
    from zhaiyao.summarise import prompts
    from zhaiyao.summarise.options import identity_suffix
    from zhaiyao.summarise.registry import create, find

    backend = find(settings.backend)
    if backend is None:
        return None
    if not backend.uses_model:
        return SummaryKey.of_summariser(create(settings), settings.style, settings.max_chars)
    name = backend.model_identity(settings)
    if name is None:
        return None
    version = prompts.PROMPT_VERSION + identity_suffix(settings.generation)
    return SummaryKey.of(settings.backend, name, settings.style, settings.max_chars, version)


def _bad_text(article: Article) -> str | None:
    if not article.text.strip():
        return "the article has no body text to summarise"
    return None


def split_pages(
    pages: Sequence[Page], store: Store | None = None
) -> list[tuple[Page, list[Article], str | None]]:
    """Each page split into articles, with a reader's corrections kept in ``store`` for that page's
    text applied (so only the merged or split articles are new and summarised again)."""
    from zhaiyao.split import corrections
    from zhaiyao.split.page import split_page

    out = []
    for page in pages:
        try:
            articles = split_page(page)
            fixes = store.corrections(page.text_hash) if store is not None else []
            out.append((page, corrections.apply(articles, fixes) if fixes else articles, None))
        except Exception as exc:  # a page the splitter cannot handle is reported, not fatal
            out.append((page, [], f"{page.source}: cannot split the page: {describe_error(exc)}"))
    return out


def correct_page(store: Store, source: str, correction: Correction) -> list[Article]:
    """A reader's merge or split of a stored page's articles: kept by the page's content hash (so a
    re-run or re-import of the page applies it again) and applied to the stored articles now. The
    articles it does not touch keep their keys, so only the new ones need summarising."""
    from zhaiyao.split import corrections

    text_hash = store.page_hash(source)
    before = store.page_articles(source)
    articles = corrections.apply(before, [correction])
    if len(articles) == len(before):
        where = f" before paragraph {correction.paragraph}" if correction.action == "split" else ""
        where += f", sentence {correction.sentence}" if correction.sentence else ""
        problem = f"cannot {correction.action} article {correction.article}{where} on this page"
        raise InputError(source, problem)
    store.add_correction(text_hash, correction, before=[a.key for a in before])
    store.replace_articles(source, articles)
    return articles


def undo_correction(store: Store, source: str) -> list[Article]:
    """Undo the reader's last correction of a stored page: the page's articles as they were before it
    (their summaries are still stored, so nothing needs summarising again)."""
    articles = store.undo_correction(source)
    if articles is None:
        raise InputError(source, "no correction of this page to undo")
    return articles


def run_pages(
    pages: Sequence[Page],
    settings: Settings,
    store: Store,
    *,
    stored: Sequence[str] = (),
    summariser: Summariser | None = None,
    engine: Engine | None = None,
    inputs: Sequence[str] = (),
    input_errors: Sequence[str] = (),
    on_progress: Callable[[Progress], None] | None = None,
    on_result: Callable[[ArticleResult], None] | None = None,
) -> RunReport:
    """Summarise every article of ``pages``, and of the pages named in ``stored`` (already in the store,
    which keeps their articles but not their text), into ``store``; every article ends done, failed or
    (only if interrupted) pending. ``input_errors`` (files that could not be read) are recorded on the
    run. An unknown ``stored`` page is a ``StoreError``."""
    # A page named twice on the command line (a file and its folder) is one page.
    unique = list({page.source: page for page in reversed(pages)}.values())[::-1]
    new = {p.source for p in unique}
    known = [source for source in dict.fromkeys(stored) if source not in new]

    def articles(report: RunReport) -> list[Article]:
        found: list[Article] = []
        for page, page_articles, error in split_pages(unique, store):
            store.save_page(page, page_articles, split_error=error)
            report.pages += 1
            if error:
                report.page_errors.append(error)
                store.add_run_error(report.run_id, error)
            found.extend(page_articles)
        for source in known:
            found.extend(store.page_articles(source))
            report.pages += 1
        return found

    return _run(
        articles,
        settings,
        store,
        engine or LocalEngine(settings, summariser),
        inputs or [p.source for p in unique] + known,
        input_errors,
        on_progress,
        on_result,
    )


def _run(
    read_articles: Callable[[RunReport], list[Article]],
    settings: Settings,
    store: Store,
    engine: Engine,
    inputs: Sequence[str],
    input_errors: Sequence[str],
    on_progress: Callable[[Progress], None] | None,
    on_result: Callable[[ArticleResult], None] | None,
) -> RunReport:
    """One run: recorded in the store from start to finish, whatever happens in between."""
    started = time.monotonic()
    run_id = store.start_run(settings_record(settings), inputs, engine.name)
    report = RunReport(run_id=run_id)
    for message in input_errors:
        store.add_run_error(run_id, message)
    status = "interrupted"
    try:
        articles = read_articles(report)
        _summarise(articles, settings, store, engine, report, started, on_progress, on_result)
        status = "finished"
    except ZhaiyaoError as exc:
        # The run could not go on (a cluster out of reach, a bad setting, a full store): it failed,
        # which is not the same as being stopped; its row says why.
        status = "failed"
        with contextlib.suppress(ZhaiyaoError):
            store.add_run_error(run_id, str(exc))
        raise
    finally:
        engine.close()
        report.seconds = time.monotonic() - started
        # Interrupted or not, the run's row says how far it got; a store error here must not mask
        # the original one, so it is only attempted.
        try:
            store.finish_run(run_id, status)
        except ZhaiyaoError:
            if status == "finished":
                raise
    return report


@dataclass
class _Tally:
    """A run's bookkeeping as articles finish: the report's counts, each result to the caller, and
    progress. The rate counts from ``since``, moved to when the models are ready: loading weights or
    starting Ray is not throughput, and counting it would make the ETA wrong for the rest of the run."""

    report: RunReport
    by_key: dict[str, list[Article]]  # one entry per distinct article: its placements on the pages
    on_progress: Callable[[Progress], None] | None
    on_result: Callable[[ArticleResult], None] | None
    since: float

    def progress(self) -> None:
        if self.on_progress:
            r = self.report
            self.on_progress(Progress(r.total, r.done, r.failed, r.cached, time.monotonic() - self.since))

    def finish(self, key: str, summary: Summary | None, error: str | None, cached: bool = False) -> None:
        report = self.report
        for article in self.by_key[key]:
            if summary is not None:
                report.done += 1
                report.cached += cached
                result = ArticleResult(article, summary, "done", extra={"cached": cached})
            else:
                report.failed += 1
                report.failures.append(Failure(article.page, article.index, article.title, error or ""))
                result = ArticleResult(article, None, "failed", error)
            if self.on_result:
                self.on_result(result)
        self.progress()


def _stored_key(
    todo: list[Article], settings: Settings, store: Store, engine: Engine
) -> tuple[SummaryKey, dict[str, Summary]]:
    """The run's summary key and what the store already holds under it. A run whose every article is
    already stored must not load a model (or start Ray) at all: the key the settings imply is tried
    first, and the engine is asked (which may load one) only if something is missing under it."""
    guess = expected_key(settings)
    if guess is not None:
        cached = store.cached_summaries([a.key for a in todo], guess)
        if len(cached) == len(todo):
            return guess, cached
    key = engine.key()
    return key, store.cached_summaries([a.key for a in todo], key)


def _summarise(
    articles: list[Article],
    settings: Settings,
    store: Store,
    engine: Engine,
    report: RunReport,
    started: float,
    on_progress: Callable[[Progress], None] | None,
    on_result: Callable[[ArticleResult], None] | None,
) -> None:
    run_id = report.run_id
    store.add_run_articles(run_id, articles)
    report.total = len(articles)
    # One placement per distinct article: the same text printed twice is summarised once.
    by_key: dict[str, list[Article]] = {}
    for article in articles:
        by_key.setdefault(article.key, []).append(article)
    tally = _Tally(report, by_key, on_progress, on_result, started)
    tally.progress()
    todo: list[Article] = []
    for key, placements in by_key.items():
        reason = _bad_text(placements[0])
        if reason:
            store.mark_failed(run_id, key, reason)
            tally.finish(key, None, reason)
        else:
            todo.append(placements[0])
    if not todo:
        return
    skey, cached = _stored_key(todo, settings, store, engine)
    report.summariser = skey
    tally.since = time.monotonic()
    store.set_run_summariser(run_id, skey)
    if cached:
        store.mark_cached(run_id, cached, skey)
        for key, summary in cached.items():
            tally.finish(key, summary, None, cached=True)
    todo = [a for a in todo if a.key not in cached]
    if todo:
        _summarise_missing(todo, store, engine, run_id, skey, tally)


def _summarise_missing(
    todo: list[Article], store: Store, engine: Engine, run_id: int, skey: SummaryKey, tally: _Tally
) -> None:
    """Hand the engine what the store lacks, committing each summary (or its failure) as it comes."""
    # Longest first: a batch of similar lengths pads less, and the slow ones do not trail at the end.
    todo.sort(key=lambda a: -a.chars)

    def deliver(i: int, outcome: Summary | BaseException) -> None:
        key = todo[i].key
        if isinstance(outcome, Summary):
            store.save_summary(run_id, key, outcome, skey)
            tally.finish(key, outcome, None)
        else:
            reason = describe_error(outcome)
            store.mark_failed(run_id, key, reason, skey)
            tally.finish(key, None, reason)

    engine.summarise(todo, deliver)
