"""The SQLite store: pages, articles, summaries (the cache) and runs, with per-article status.

Why it is shaped this way:
- every summary is committed in its own transaction the moment it exists, with ``synchronous=FULL``, so
  a kill -9 or a power cut loses at most the articles in flight;
- WAL mode lets the viewer read while a batch writes; ``busy_timeout`` makes a second writer wait
  instead of failing at once;
- summaries are keyed by (article content hash, backend, model, style, requested length, prompt
  version): the same article under the same settings is never summarised twice;
- every sqlite3 error leaves here as a ``StoreError`` saying whether the store is locked, corrupt or
  full, never as a raw traceback; a failed write is rolled back, so what was committed stays intact.
"""

from __future__ import annotations

from zhaiyao.store.connection import DEFAULT_BUSY_TIMEOUT, Connection
from zhaiyao.store.corrections import CorrectionsMixin
from zhaiyao.store.digests import DigestsMixin
from zhaiyao.store.pages import PagesMixin
from zhaiyao.store.reader import Marks, ReaderMixin, Speed
from zhaiyao.store.records import PageInfo, RunInfo, SummaryKey, SummarySet
from zhaiyao.store.runs import RunsMixin
from zhaiyao.store.urls import UrlsMixin

__all__ = [
    "DEFAULT_BUSY_TIMEOUT",
    "Marks",
    "PageInfo",
    "RunInfo",
    "Speed",
    "Store",
    "SummaryKey",
    "SummarySet",
]


class Store(PagesMixin, RunsMixin, UrlsMixin, CorrectionsMixin, ReaderMixin, DigestsMixin, Connection):
    """One open SQLite store: ``Connection`` (opening, migrations, transactions), ``RunsMixin`` (runs,
    per-article status, the summary cache), ``PagesMixin`` (pages, articles, reads and search),
    ``UrlsMixin`` (fetched bodies by URL), ``CorrectionsMixin`` (a reader's merges and splits, by
    page content hash), ``ReaderMixin`` (a reader's marks and preferences, page furniture, speed) and
    ``DigestsMixin`` (a day's digests and its stored articles)."""

    def __enter__(self) -> Store:
        return self
