"""Pages → articles → summaries, recorded in the store as each one is done.

``run_pages`` is the one loop that the batch command, the Ray engine and the viewer share:
1. split every page and record it (a page that cannot be split is recorded with its reason);
2. enter every article of the run as *pending*;
3. mark the articles whose summary is already in the store *done* at once (the cache: a rerun makes
   no model calls);
4. hand the rest to an engine (local, or Ray in ``app.engines``), committing each summary, or the
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
from pathlib import Path
from typing import Any, Protocol

from app.config import Settings
from app.documents import Article, ArticleResult, Page, Summary
from app.errors import ConfigError, ZhaiyaoError
from app.store import Store, SummaryKey

Deliver = Callable[[int, "Summary | BaseException"], None]


class Engine(Protocol):
    """Where summaries are computed. ``identity`` may load models; it is asked only when needed."""

    name: str

    def identity(self) -> tuple[str, str, str]:
        """(backend, model name, prompt version) of the summaries this engine produces."""
        ...

    def summarise(self, articles: Sequence[Article], deliver: Deliver) -> None:
        """Summarise ``articles``, calling ``deliver(i, summary_or_exception)`` once per article as each is
        done, in any order. An exception raised by ``deliver`` must propagate (it is a store failure)."""
        ...

    def close(self) -> None: ...


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
    summariser: tuple[str, str, str] | None = None  # (backend, model, prompt version), once known

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


def describe_error(exc: BaseException) -> str:
    """A one-line reason: library errors speak for themselves, anything else is named by its type."""
    text = " ".join(str(exc).split())
    if isinstance(exc, ZhaiyaoError):
        return text or type(exc).__name__
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def settings_record(settings: Settings) -> dict[str, Any]:
    return {
        k: (str(v) if not isinstance(v, int | float | str | type(None)) else v)
        for k, v in dataclasses.asdict(settings).items()
    }


class _DeliveryFailed(BaseException):
    # A BaseException so that no "except Exception" inside a summariser can mistake a store failure
    # for an article failure and carry on without committing.
    def __init__(self, original: BaseException) -> None:
        super().__init__(str(original))
        self.original = original


def summarise_isolated(
    articles: Sequence[Article],
    summariser: Any,
    settings: Settings,
    deliver: Deliver,
) -> None:
    """Summarise in batches of ``settings.batch_size``; when a batch fails, retry its articles one by one
    so that one bad article costs only itself. ``deliver`` is called once per article."""
    from app.summarise import summarise_articles

    size = max(1, settings.batch_size)
    for start in range(0, len(articles), size):
        batch = list(articles[start : start + size])
        delivered: set[int] = set()

        def on_summary(i: int, summary: Summary, start: int = start, delivered: set[int] = delivered) -> None:
            if i in delivered:
                return
            delivered.add(i)
            try:
                deliver(start + i, summary)
            except BaseException as exc:
                raise _DeliveryFailed(exc) from exc

        try:
            results = summarise_articles(
                batch, summariser, style=settings.style, max_chars=settings.max_chars, on_summary=on_summary
            )
            # Backends that return without calling on_summary for some items still deliver them.
            for i, summary in enumerate(results):
                on_summary(i, summary)
        except _DeliveryFailed as exc:
            raise exc.original from None
        except ConfigError:
            raise  # a bad setting (style, length) fails every article alike: a usage error, not theirs
        except Exception as exc:
            if len(batch) == 1:
                deliver(start, exc)
                continue
            for i, article in enumerate(batch):
                if i in delivered:
                    continue
                try:
                    summary = summarise_articles(
                        [article], summariser, style=settings.style, max_chars=settings.max_chars
                    )[0]
                except Exception as one_exc:
                    deliver(start + i, one_exc)
                else:
                    deliver(start + i, summary)


class LocalEngine:
    """Summaries in this process, with a summariser loaded on first need (or the one handed in)."""

    name = "local"

    def __init__(self, settings: Settings, summariser: Any = None, progress: Callable | None = None) -> None:
        self.settings = settings
        self._summariser = summariser
        self._progress = progress

    @property
    def summariser(self) -> Any:
        if self._summariser is None:
            from app.summarise import load_summariser

            self._summariser = load_summariser(self.settings, progress=self._progress)
        return self._summariser

    def identity(self) -> tuple[str, str, str]:
        s = self.summariser
        return (s.backend, s.model_name, s.prompt_version)

    def summarise(self, articles: Sequence[Article], deliver: Deliver) -> None:
        summarise_isolated(articles, self.summariser, self.settings, deliver)

    def close(self) -> None:
        pass


def expected_identity(settings: Settings) -> tuple[str, str, str] | None:
    """(backend, model name, prompt version) as the settings imply it, without loading a model.

    Only a shortcut for fully cached runs: it is trusted only when the store holds a summary under it
    for every article, i.e. a loaded summariser once reported exactly this identity. None for the
    backends that cost nothing to load.
    """
    if settings.backend not in ("llm", "seq2seq"):
        return None
    from app.summarise import prompts

    folder = Path(settings.model).expanduser()
    name = folder.name if folder.is_dir() else settings.model
    if settings.backend == "llm":
        from app.summarise.llm import model_identity

        # Assumes the int8 kernels exist (x86); if not, the loaded model's name differs and the
        # shortcut simply finds nothing cached.
        name = model_identity(name, "int8" if settings.quantize == "int8" else "bf16")
    return (settings.backend, name, prompts.PROMPT_VERSION)


def _bad_text(article: Article) -> str | None:
    if not article.text.strip():
        return "the article has no body text to summarise"
    return None


def split_pages(pages: Sequence[Page]) -> list[tuple[Page, list[Article], str | None]]:
    from app.split import split_page

    out = []
    for page in pages:
        try:
            out.append((page, split_page(page), None))
        except Exception as exc:  # a page the splitter cannot handle is reported, not fatal
            out.append((page, [], f"{page.source}: cannot split the page: {describe_error(exc)}"))
    return out


def run_pages(
    pages: Sequence[Page],
    settings: Settings,
    store: Store,
    *,
    summariser: Any = None,
    engine: Engine | None = None,
    inputs: Sequence[str] = (),
    input_errors: Sequence[str] = (),
    on_progress: Callable[[Progress], None] | None = None,
    on_result: Callable[[ArticleResult], None] | None = None,
) -> RunReport:
    """Summarise every article of ``pages`` into ``store``; every article ends done, failed or (only if
    interrupted) pending. ``input_errors`` (files that could not be read) are recorded on the run."""
    engine = engine or LocalEngine(settings, summariser)
    started = time.monotonic()
    run_id = store.start_run(settings_record(settings), inputs or [p.source for p in pages], engine.name)
    report = RunReport(run_id=run_id)
    for message in input_errors:
        store.add_run_error(run_id, message)
    status = "interrupted"
    try:
        _run(pages, settings, store, engine, report, started, on_progress, on_result)
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


def _run(
    pages: Sequence[Page],
    settings: Settings,
    store: Store,
    engine: Engine,
    report: RunReport,
    started: float,
    on_progress: Callable[[Progress], None] | None,
    on_result: Callable[[ArticleResult], None] | None,
) -> None:
    run_id = report.run_id
    articles: list[Article] = []
    # A page named twice on the command line (a file and its folder) is one page.
    unique = list({page.source: page for page in reversed(pages)}.values())[::-1]
    for page, page_articles, error in split_pages(unique):
        store.save_page(page, page_articles, split_error=error)
        report.pages += 1
        if error:
            report.page_errors.append(error)
            store.add_run_error(run_id, error)
        articles.extend(page_articles)
    store.add_run_articles(run_id, articles)
    report.total = len(articles)

    # One placement per distinct article: the same text printed twice is summarised once.
    by_key: dict[str, list[Article]] = {}
    for article in articles:
        by_key.setdefault(article.key, []).append(article)

    # The rate counts from when the models are ready: loading weights or starting Ray is not
    # throughput, and counting it would make the ETA wrong for the rest of the run.
    clock = {"from": started}

    def progress() -> None:
        if on_progress:
            elapsed = time.monotonic() - clock["from"]
            on_progress(Progress(report.total, report.done, report.failed, report.cached, elapsed))

    def finish(key: str, summary: Summary | None, error: str | None, cached: bool = False) -> None:
        for article in by_key[key]:
            if summary is not None:
                report.done += 1
                report.cached += cached
                result = ArticleResult(article, summary, "done", extra={"cached": cached})
            else:
                report.failed += 1
                report.failures.append(Failure(article.page, article.index, article.title, error or ""))
                result = ArticleResult(article, None, "failed", error)
            if on_result:
                on_result(result)
        progress()

    progress()
    todo: list[Article] = []
    for key, placements in by_key.items():
        reason = _bad_text(placements[0])
        if reason:
            store.mark_failed(run_id, key, reason)
            finish(key, None, reason)
        else:
            todo.append(placements[0])
    if not todo:
        return

    # A run whose every article is already in the store must not load a model (or start Ray) at all:
    # try the identity the settings imply first, and load only if something is missing under it.
    guess = expected_identity(settings)
    cached: dict[str, Summary] = {}
    if guess is not None:
        skey = SummaryKey.of(guess[0], guess[1], settings.style, settings.max_chars, guess[2])
        cached = store.cached_summaries([a.key for a in todo], skey)
        if len(cached) < len(todo):
            cached = {}
    if cached:
        identity = guess
    else:
        identity = engine.identity()
        skey = SummaryKey.of(identity[0], identity[1], settings.style, settings.max_chars, identity[2])
        cached = store.cached_summaries([a.key for a in todo], skey)
    report.summariser = identity
    clock["from"] = time.monotonic()
    store.set_run_summariser(run_id, skey)

    if cached:
        store.mark_cached(run_id, cached, skey)
        for key, summary in cached.items():
            finish(key, summary, None, cached=True)
    todo = [a for a in todo if a.key not in cached]
    if not todo:
        return

    # Longest first: a batch of similar lengths pads less, and the slow ones do not trail at the end.
    todo.sort(key=lambda a: -a.chars)

    def deliver(i: int, outcome: Summary | BaseException) -> None:
        key = todo[i].key
        if isinstance(outcome, Summary):
            store.save_summary(run_id, key, outcome, skey)
            finish(key, outcome, None)
        else:
            reason = describe_error(outcome)
            store.mark_failed(run_id, key, reason)
            finish(key, None, reason)

    engine.summarise(todo, deliver)
