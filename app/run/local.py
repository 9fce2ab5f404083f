"""The local engine: summaries in this process, one bad article costing only itself."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from zhaiyao.config import Settings
from zhaiyao.documents import Article, Summary
from zhaiyao.errors import ConfigError
from zhaiyao.run.engine import Deliver
from zhaiyao.store import SummaryKey
from zhaiyao.summarise.base import Summariser


class _DeliveryFailed(BaseException):
    # A BaseException so that no "except Exception" inside a summariser can mistake a store failure
    # for an article failure and carry on without committing.
    def __init__(self, original: BaseException) -> None:
        super().__init__(str(original))
        self.original = original


# Articles handed to the backend at once, in batches: a backend that batches continuously keeps its
# batch full across them (a window's end drains it once); a failure retries at most this many alone.
WINDOW_BATCHES = 16


def summarise_isolated(
    articles: Sequence[Article],
    summariser: Summariser,
    settings: Settings,
    deliver: Deliver,
) -> None:
    """Summarise in windows of ``WINDOW_BATCHES`` batches, each article delivered as soon as it is done;
    when a window fails, its undelivered articles are retried one by one so that one bad article costs
    only itself. ``deliver`` is called once per article."""
    size = max(1, settings.batch_size) * WINDOW_BATCHES
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
            # Backends that return without calling on_summary for some items still deliver them.
            for i, summary in enumerate(_summaries(batch, summariser, settings, on_summary)):
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
                if i not in delivered:
                    _one_by_one(start + i, article, summariser, settings, deliver)


def _summaries(
    batch: list[Article], summariser: Summariser, settings: Settings, on_summary: Callable | None = None
) -> list[Summary]:
    from zhaiyao.summarise import summarise_articles

    style, limit = settings.style, settings.max_chars
    return summarise_articles(batch, summariser, style=style, max_chars=limit, on_summary=on_summary)


def _one_by_one(
    i: int, article: Article, summariser: Summariser, settings: Settings, deliver: Deliver
) -> None:
    try:
        summary = _summaries([article], summariser, settings)[0]
    except Exception as exc:
        deliver(i, exc)
    else:
        deliver(i, summary)


def _load(settings: Settings, progress: Callable | None = None) -> Summariser:
    from zhaiyao.summarise import load_summariser

    return load_summariser(settings, progress=progress)


class LocalEngine:
    """Summaries in this process, with a summariser loaded on first need (or the one handed in).

    ``load`` makes the summariser (the viewer passes its server-wide cache, so a model is loaded once
    per server and settings); ``on_load`` is told just before, so a page can say a model is loading.
    A run whose articles are all stored loads nothing."""

    name = "local"

    def __init__(
        self,
        settings: Settings,
        summariser: Summariser | None = None,
        progress: Callable | None = None,
        *,
        load: Callable[[Settings], Summariser] | None = None,
        on_load: Callable[[], None] | None = None,
    ) -> None:
        self.settings = settings
        self._summariser = summariser
        self._progress = progress
        self._load = load
        self._on_load = on_load

    @property
    def summariser(self) -> Summariser:
        if self._summariser is None:
            if self._on_load is not None:
                self._on_load()
            load = self._load or (lambda settings: _load(settings, self._progress))
            self._summariser = load(self.settings)
        return self._summariser

    def key(self) -> SummaryKey:
        return SummaryKey.of_summariser(self.summariser, self.settings.style, self.settings.max_chars)

    def summarise(self, articles: Sequence[Article], deliver: Deliver) -> None:
        summarise_isolated(articles, self.summariser, self.settings, deliver)

    def close(self) -> None:
        pass


def summarise_all(
    articles: Sequence[Article],
    engine: LocalEngine,
    on_result: Callable[[int, Summary | BaseException], None] | None = None,
) -> list[Summary | BaseException]:
    """Every article's summary, or the reason it failed, in the articles' order: the loop for callers
    without a store (``summarise`` printing, ``eval`` scoring). ``on_result(i, outcome)`` hears each as
    it is done (in the order the engine finishes them)."""
    outcomes: list[Summary | BaseException | None] = [None] * len(articles)

    def deliver(i: int, outcome: Summary | BaseException) -> None:
        outcomes[i] = outcome
        if on_result is not None:
            on_result(i, outcome)

    engine.summarise(articles, deliver)
    return [o if o is not None else RuntimeError("not delivered") for o in outcomes]
