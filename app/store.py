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

import hashlib
import json
import os
import socket
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from app.documents import Article, ArticleResult, Page, Summary
from app.errors import StoreError
from app.migrations import MIGRATIONS

DEFAULT_BUSY_TIMEOUT = 10.0  # seconds a writer waits for another before the store is called locked


@dataclass(frozen=True)
class SummaryKey:
    """What, besides the article, decides a summary: two runs with equal keys share their summaries."""

    backend: str
    model: str
    style: str
    max_chars: int  # the requested limit; 0 means "the style's own"
    prompt_version: str

    @classmethod
    def of(
        cls, backend: str, model: str, style: str, max_chars: int | None, prompt_version: str
    ) -> SummaryKey:
        return cls(backend, model, style, int(max_chars or 0), prompt_version or "")

    @classmethod
    def of_summariser(cls, summariser: Any, style: str, max_chars: int | None) -> SummaryKey:
        """The key of what a loaded summariser makes in this style and length."""
        return cls.of(summariser.backend, summariser.model_name, style, max_chars, summariser.prompt_version)

    def as_tuple(self) -> tuple[str, str, str, int, str]:
        return (self.backend, self.model, self.style, self.max_chars, self.prompt_version)

    def as_params(self) -> dict[str, Any]:
        """Named SQL parameters (``:backend`` …); see ``_KEY_MATCH``."""
        return dict(zip(_KEY_COLUMNS, self.as_tuple(), strict=True))


_KEY_COLUMNS = ("backend", "model", "style", "max_chars", "prompt_version")
_NO_KEY = dict.fromkeys(_KEY_COLUMNS)


def _key_match(alias: str) -> str:
    """SQL true when ``alias``'s key columns equal the named key parameters (or no key was given)."""
    columns = " AND ".join(f"{alias}.{c} = :{c}" for c in _KEY_COLUMNS)
    return f"(:backend IS NULL OR ({columns}))"


@dataclass(frozen=True)
class SummarySet:
    """The summaries a page holds under one key: how many of its articles have one, and when the newest
    was made."""

    key: SummaryKey
    done: int
    newest: str


@dataclass(frozen=True)
class PageInfo:
    source: str
    title: str | None
    format: str
    encoding: str
    chars: int
    articles: int
    done: int  # articles with a summary under any settings
    split_error: str | None
    added_at: str
    datelines: tuple[str, ...] = ()  # its articles' datelines (株洲日报讯 9月27日), for the page picker


@dataclass(frozen=True)
class RunInfo:
    id: int
    started_at: str
    ended_at: str | None
    status: str
    engine: str
    settings: dict[str, Any]
    inputs: list[str]
    summariser: dict[str, Any] | None
    total: int
    done: int
    cached: int
    failed: int
    pending: int
    errors: list[str]

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def _describe(path: Path, exc: sqlite3.Error, busy_timeout: float) -> StoreError:
    message = str(exc)
    low = message.lower()
    if "locked" in low or "busy" in low:
        text = (
            f"{path}: the store is locked by another process (waited {busy_timeout:g}s); "
            "wait for it to finish or use another --db"
        )
    elif "not a database" in low or "malformed" in low or "encrypted" in low or "corrupt" in low:
        text = (
            f"{path}: the store file is corrupt or not a Zhaiyao store ({message}); "
            "restore it from a backup or point --db / ZHAIYAO_DB at another file"
        )
    elif "full" in low:
        text = f"{path}: the disk is full ({message}); everything committed before this write is kept"
    elif "unable to open" in low or "readonly" in low or "read-only" in low:
        text = f"{path}: cannot open the store for writing ({message})"
    else:
        text = f"{path}: store error: {message}"
    return StoreError(text)


def _statements(script: str) -> Iterator[str]:
    # executescript() would commit on its own; splitting keeps a migration inside one transaction.
    buffer = ""
    for line in script.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            yield buffer
            buffer = ""
    leftover = [line for line in buffer.splitlines() if line.strip() and not line.strip().startswith("--")]
    if leftover:
        raise StoreError(f"migration ends with an incomplete statement: {buffer.strip()[:60]}")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


class Store:
    """One open SQLite store. Safe to share between threads of one process (calls are serialised)."""

    def __init__(
        self, path: Path | str, *, busy_timeout: float = DEFAULT_BUSY_TIMEOUT, readonly: bool = False
    ) -> None:
        self.path = Path(path)
        self.busy_timeout = busy_timeout
        self.readonly = readonly
        self._lock = threading.RLock()
        if readonly:
            self._open_readonly()
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"{self.path}: cannot create the store's folder: {exc.strerror}") from exc
        if self.path.is_dir():
            raise StoreError(f"{self.path}: is a folder, not a store file")
        try:
            # isolation_level=None: transactions are opened explicitly, so each commit is exactly one
            # unit of work (one summary, one page) and nothing lingers uncommitted.
            self._conn = sqlite3.connect(
                self.path, timeout=busy_timeout, isolation_level=None, check_same_thread=False
            )
        except sqlite3.Error as exc:
            raise _describe(self.path, exc, busy_timeout) from exc
        try:
            with self._guard():
                self._conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")
                self._refuse_foreign(self._table_names())  # before anything here changes the file
                mode = self._conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
                if mode.lower() != "wal":
                    raise StoreError(f"{self.path}: cannot switch the store to WAL mode (got {mode})")
                self._conn.execute("PRAGMA synchronous = FULL")
                self._migrate()
        except BaseException:
            self._conn.close()
            raise

    def _open_readonly(self) -> None:
        """Open for reading only (export, info, runs): works on a store the user may not write, and
        never creates, upgrades or converts anything."""
        if not self.path.is_file():
            raise StoreError(f"{self.path}: no store here")
        uri = self.path.absolute().as_uri() + "?mode=ro"
        try:
            self._conn = sqlite3.connect(uri, uri=True, timeout=self.busy_timeout, check_same_thread=False)
            try:
                names = self._table_names()
            except sqlite3.OperationalError:
                # A WAL store needs its shared-memory file, which a reader without write access to the
                # folder cannot create: read it as a file nobody is writing to (immutable) instead.
                self._conn.close()
                self._conn = sqlite3.connect(
                    uri + "&immutable=1", uri=True, timeout=self.busy_timeout, check_same_thread=False
                )
                names = self._table_names()
        except sqlite3.Error as exc:
            raise _describe(self.path, exc, self.busy_timeout) from exc
        try:
            with self._guard():
                self._refuse_foreign(names)
                if "schema_migrations" not in names:
                    raise StoreError(f"{self.path}: an empty database, not a Zhaiyao store yet")
                applied = {row[0] for row in self._conn.execute("SELECT name FROM schema_migrations")}
                self._refuse_newer(applied)
                if set(name for name, _ in MIGRATIONS) - applied:
                    raise StoreError(
                        f"{self.path}: written by an older Zhaiyao; open it once for writing "
                        "(e.g. `zhaiyao batch`) to upgrade it"
                    )
        except BaseException:
            self._conn.close()
            raise

    def _table_names(self) -> set[str]:
        rows = self._conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        return {r[0] for r in rows if not r[0].startswith("sqlite_")}

    def _refuse_foreign(self, names: set[str]) -> None:
        # Someone else's database (a --db typo, another app's file) must not be given our schema.
        if names and "schema_migrations" not in names:
            shown = ", ".join(sorted(names)[:5]) + (", …" if len(names) > 5 else "")
            raise StoreError(
                f"{self.path}: a SQLite database that is not a Zhaiyao store (its tables: {shown}); "
                "point --db / ZHAIYAO_DB at another file"
            )

    def _refuse_newer(self, applied: set[str]) -> None:
        unknown = applied - {name for name, _ in MIGRATIONS}
        if unknown:
            raise StoreError(
                f"{self.path}: written by a newer Zhaiyao (unknown migrations: {', '.join(sorted(unknown))})"
            )

    # -- plumbing ------------------------------------------------------------------------------------

    @contextmanager
    def _guard(self) -> Iterator[None]:
        with self._lock:
            try:
                yield
            except sqlite3.Error as exc:
                raise _describe(self.path, exc, self.busy_timeout) from exc

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction; rolled back whole on any error so a half-written row never lands."""
        with self._guard():
            # IMMEDIATE takes the write lock up front: a busy store is reported before any work.
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                if self._conn.in_transaction:
                    self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    def _migrate(self) -> None:
        conn = self._conn
        conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)"
        )
        applied = {row[0] for row in conn.execute("SELECT name FROM schema_migrations")}
        self._refuse_newer(applied)
        for name, sql in MIGRATIONS:
            if name in applied:
                continue
            conn.execute("BEGIN IMMEDIATE")
            try:
                for statement in _statements(sql):
                    conn.execute(statement)
                conn.execute("INSERT INTO schema_migrations VALUES (?, ?)", (name, _now()))
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def migrations(self) -> list[str]:
        with self._guard():
            return [r[0] for r in self._conn.execute("SELECT name FROM schema_migrations ORDER BY name")]

    # -- pages and articles --------------------------------------------------------------------------

    def save_page(self, page: Page, articles: list[Article], split_error: str | None = None) -> None:
        """Record a page and where its articles stand on it (replacing an older reading of the page)."""
        text_hash = hashlib.sha256(page.text.encode("utf-8")).hexdigest()[:32]
        now = _now()
        with self._write() as conn:
            conn.execute(
                """INSERT INTO pages (source, text_hash, encoding, format, kind, title, chars, articles,
                                      split_error, added_at)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                   ON CONFLICT(source) DO UPDATE SET text_hash=excluded.text_hash,
                     encoding=excluded.encoding, format=excluded.format, kind=excluded.kind,
                     title=excluded.title, chars=excluded.chars, articles=excluded.articles,
                     split_error=excluded.split_error""",
                (
                    page.source,
                    text_hash,
                    page.encoding,
                    page.format,
                    page.kind,
                    page.title,
                    len(page.text),
                    len(articles),
                    split_error,
                    now,
                ),
            )
            conn.execute("DELETE FROM page_articles WHERE page = ?", (page.source,))
            for article in articles:
                conn.execute(
                    """INSERT INTO articles (key, title, text, reporters, dateline, data, added_at)
                       VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(key) DO NOTHING""",
                    (
                        article.key,
                        article.title,
                        article.text,
                        "、".join(article.reporters),
                        article.dateline,
                        _json(article.as_dict()),
                        now,
                    ),
                )
                conn.execute(
                    "INSERT OR REPLACE INTO page_articles (page, idx, article_key) VALUES (?, ?, ?)",
                    (page.source, article.index, article.key),
                )

    # -- runs ----------------------------------------------------------------------------------------

    def start_run(self, settings: dict[str, Any], inputs: Iterable[str], engine: str) -> int:
        host = socket.gethostname()
        with self._write() as conn:
            # Runs this host left "running" from a process that no longer exists were killed.
            stale = conn.execute("SELECT id, pid FROM runs WHERE status = 'running' AND host = ?", (host,))
            for run_id, pid in stale.fetchall():
                if pid is not None and not _alive(pid):
                    conn.execute("UPDATE runs SET status = 'interrupted' WHERE id = ?", (run_id,))
            cur = conn.execute(
                """INSERT INTO runs (started_at, status, engine, settings, inputs, host, pid)
                   VALUES (?, 'running', ?, ?, ?, ?, ?)""",
                (_now(), engine, _json(settings), _json(list(inputs)), host, os.getpid()),
            )
            return int(cur.lastrowid or 0)

    def set_run_summariser(self, run_id: int, key: SummaryKey) -> None:
        with self._write() as conn:
            conn.execute(
                "UPDATE runs SET summariser = ? WHERE id = ?",
                (
                    _json({"backend": key.backend, "model": key.model, "prompt_version": key.prompt_version}),
                    run_id,
                ),
            )

    def add_run_error(self, run_id: int, message: str) -> None:
        with self._write() as conn:
            row = conn.execute("SELECT errors FROM runs WHERE id = ?", (run_id,)).fetchone()
            errors = json.loads(row[0]) if row else []
            errors.append(message)
            conn.execute("UPDATE runs SET errors = ? WHERE id = ?", (_json(errors), run_id))

    def add_run_articles(self, run_id: int, articles: Iterable[Article]) -> None:
        """Enter a run's articles as pending, so an interrupted run shows what it had left to do."""
        now = _now()
        with self._write() as conn:
            conn.executemany(
                """INSERT OR IGNORE INTO run_articles (run_id, page, idx, article_key, status, updated_at)
                   VALUES (?, ?, ?, ?, 'pending', ?)""",
                [(run_id, a.page, a.index, a.key, now) for a in articles],
            )

    def cached_summaries(self, keys: Iterable[str], key: SummaryKey) -> dict[str, Summary]:
        """Summaries already in the store for these article keys under these settings."""
        wanted = list(dict.fromkeys(keys))
        found: dict[str, Summary] = {}
        with self._guard():
            for start in range(0, len(wanted), 500):
                chunk = wanted[start : start + 500]
                marks = ",".join("?" * len(chunk))
                rows = self._conn.execute(
                    f"""SELECT article_key, data FROM summaries WHERE article_key IN ({marks})
                        AND backend = ? AND model = ? AND style = ? AND max_chars = ?
                        AND prompt_version = ?""",
                    (*chunk, *key.as_tuple()),
                )
                for article_key, data in rows:
                    found[article_key] = Summary.from_dict(json.loads(data))
        return found

    def save_summary(self, run_id: int | None, article_key: str, summary: Summary, key: SummaryKey) -> None:
        """Commit one summary and mark every placement of its article in this run done, atomically."""
        with self._write() as conn:
            conn.execute(
                """INSERT OR REPLACE INTO summaries (article_key, backend, model, style, max_chars,
                     prompt_version, text, keywords, guard, data, run_id, created_at)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                (
                    article_key,
                    *key.as_tuple(),
                    summary.text,
                    " ".join(summary.keywords),
                    summary.guard,
                    _json(summary.as_dict()),
                    run_id,
                    _now(),
                ),
            )
            if run_id is not None:
                self._mark(conn, run_id, article_key, "done", None, key, cached=False)

    def mark_cached(self, run_id: int, article_keys: Iterable[str], key: SummaryKey) -> None:
        with self._write() as conn:
            for article_key in article_keys:
                self._mark(conn, run_id, article_key, "done", None, key, cached=True)

    def mark_failed(self, run_id: int, article_key: str, error: str, key: SummaryKey | None = None) -> None:
        """``key``: the settings the failure happened under; None for a failure that any settings would
        meet (an article with no text)."""
        with self._write() as conn:
            self._mark(conn, run_id, article_key, "failed", error, key, cached=False)

    @staticmethod
    def _mark(
        conn: sqlite3.Connection,
        run_id: int,
        article_key: str,
        status: str,
        error: str | None,
        key: SummaryKey | None,
        *,
        cached: bool,
    ) -> None:
        values = key.as_tuple() if key else (None,) * 5
        conn.execute(
            """UPDATE run_articles SET status = ?, error = ?, cached = ?, backend = ?, model = ?, style = ?,
                 max_chars = ?, prompt_version = ?, updated_at = ?
               WHERE run_id = ? AND article_key = ?""",
            (status, error, int(cached), *values, _now(), run_id, article_key),
        )

    def finish_run(self, run_id: int, status: str = "finished") -> RunInfo:
        with self._write() as conn:
            counts = self._run_counts(conn, run_id)
            conn.execute(
                """UPDATE runs SET ended_at = ?, status = ?, total = ?, done = ?, cached = ?, failed = ?
                   WHERE id = ?""",
                (_now(), status, counts["total"], counts["done"], counts["cached"], counts["failed"], run_id),
            )
        return self.run(run_id)

    @staticmethod
    def _run_counts(conn: sqlite3.Connection, run_id: int) -> dict[str, int]:
        row = conn.execute(
            """SELECT count(*), coalesce(sum(status = 'done'), 0),
                      coalesce(sum(status = 'done' AND cached), 0),
                      coalesce(sum(status = 'failed'), 0), coalesce(sum(status = 'pending'), 0)
               FROM run_articles WHERE run_id = ?""",
            (run_id,),
        ).fetchone()
        return dict(zip(("total", "done", "cached", "failed", "pending"), map(int, row), strict=True))

    # -- reading -------------------------------------------------------------------------------------

    # One statement for a run listing, counts included: a fixed number of queries however many runs.
    _RUNS = """SELECT r.id, r.started_at, r.ended_at, r.status, r.engine, r.settings, r.inputs, r.summariser,
                      r.errors, count(ra.run_id), coalesce(sum(ra.status = 'done'), 0),
                      coalesce(sum(ra.status = 'done' AND ra.cached), 0),
                      coalesce(sum(ra.status = 'failed'), 0), coalesce(sum(ra.status = 'pending'), 0)
               FROM ({runs}) r LEFT JOIN run_articles ra ON ra.run_id = r.id
               GROUP BY r.id ORDER BY r.id DESC"""

    @staticmethod
    def _run_info(row: tuple[Any, ...]) -> RunInfo:
        return RunInfo(
            id=row[0],
            started_at=row[1],
            ended_at=row[2],
            status=row[3],
            engine=row[4],
            settings=json.loads(row[5]),
            inputs=json.loads(row[6]),
            summariser=json.loads(row[7]) if row[7] else None,
            errors=json.loads(row[8]),
            **dict(zip(("total", "done", "cached", "failed", "pending"), map(int, row[9:]), strict=True)),
        )

    def run(self, run_id: int) -> RunInfo:
        with self._guard():
            row = self._conn.execute(
                self._RUNS.format(runs="SELECT * FROM runs WHERE id = ?"), (run_id,)
            ).fetchone()
        if row is None:
            raise StoreError(f"{self.path}: no run with id {run_id} (see `zhaiyao runs`)")
        return self._run_info(row)

    def runs(self, limit: int = 20) -> list[RunInfo]:
        with self._guard():
            rows = self._conn.execute(
                self._RUNS.format(runs="SELECT * FROM runs ORDER BY id DESC LIMIT ?"), (limit,)
            ).fetchall()
        return [self._run_info(row) for row in rows]

    def latest_run_id(self) -> int | None:
        with self._guard():
            row = self._conn.execute("SELECT max(id) FROM runs").fetchone()
        return row[0]

    def list_pages(self) -> list[PageInfo]:
        with self._guard():
            rows = self._conn.execute(
                """SELECT p.source, p.title, p.format, p.encoding, p.chars, p.articles,
                          (SELECT count(DISTINCT pa.idx) FROM page_articles pa
                             JOIN summaries s ON s.article_key = pa.article_key WHERE pa.page = p.source),
                          p.split_error, p.added_at,
                          (SELECT group_concat(a.dateline, char(31)) FROM page_articles pa
                             JOIN articles a ON a.key = pa.article_key
                           WHERE pa.page = p.source AND a.dateline IS NOT NULL)
                   FROM pages p ORDER BY p.source"""
            ).fetchall()
        return [
            PageInfo(*row[:-1], datelines=tuple(row[-1].split("\x1f")) if row[-1] else ()) for row in rows
        ]

    def summary_sets(self, page: str) -> list[SummarySet]:
        """Every key the page has summaries under, the most recently made first."""
        with self._guard():
            rows = self._conn.execute(
                """SELECT s.backend, s.model, s.style, s.max_chars, s.prompt_version,
                          count(DISTINCT pa.idx), max(s.created_at)
                   FROM page_articles pa JOIN summaries s ON s.article_key = pa.article_key
                   WHERE pa.page = ?
                   GROUP BY s.backend, s.model, s.style, s.max_chars, s.prompt_version
                   ORDER BY max(s.created_at) DESC, max(s.rowid) DESC""",
                (page,),
            ).fetchall()
        return [SummarySet(SummaryKey(*row[:5]), int(row[5]), row[6]) for row in rows]

    def counts(self) -> dict[str, int]:
        with self._guard():
            return {
                table: int(self._conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
                for table in ("pages", "articles", "summaries", "runs")
            }

    def last_change(self) -> str:
        """A cheap value that changes whenever anything is written, by this or another process.

        ``data_version`` moves when another connection commits; ``total_changes`` when this one does;
        the max rowids cover a reader that opened its connection after the writes.
        """
        with self._guard():
            version = self._conn.execute("PRAGMA data_version").fetchone()[0]
            row = self._conn.execute(
                """SELECT (SELECT coalesce(max(rowid), 0) FROM summaries),
                          (SELECT coalesce(max(id), 0) FROM runs),
                          (SELECT count(*) FROM run_articles WHERE status != 'pending')"""
            ).fetchone()
            return f"{version}.{self._conn.total_changes}.{row[0]}.{row[1]}.{row[2]}"

    def page_articles(self, page: str) -> list[Article]:
        """A page's articles in page order; an unknown page is an error naming it."""
        with self._guard():
            known = self._conn.execute("SELECT 1 FROM pages WHERE source = ?", (page,)).fetchone()
            rows = self._conn.execute(
                """SELECT pa.page, pa.idx, a.data
                   FROM page_articles pa JOIN articles a ON a.key = pa.article_key
                   WHERE pa.page = ? ORDER BY pa.idx""",
                (page,),
            ).fetchall()
        if known is None:
            raise StoreError(f"{self.path}: no page {page!r} in the store (see `zhaiyao info`)")
        return [self._article(*row) for row in rows]

    def page_results(self, page: str, key: SummaryKey | None = None) -> list[ArticleResult]:
        """A page's articles in page order, each with its summary (``key``'s, else the newest).

        Two queries whatever the page's size: the articles with their summaries, then the failures.
        """
        with self._guard():
            rows = self._conn.execute(
                f"""SELECT pa.page, pa.idx, a.data, {self._SUMMARY_DATA}
                   FROM page_articles pa JOIN articles a ON a.key = pa.article_key
                   WHERE pa.page = :page ORDER BY pa.idx""",
                {"page": page, **(key.as_params() if key else _NO_KEY)},
            ).fetchall()
            return self._results(rows, key)

    def run_results(self, run_id: int, status: str | None = None) -> list[ArticleResult]:
        """A run's articles in input order with the summary that run produced or reused."""
        self.run(run_id)  # a clear error for an unknown id
        with self._guard():
            rows = self._conn.execute(
                """SELECT ra.page, ra.idx, a.data, ra.status, ra.error, ra.cached, s.data
                   FROM run_articles ra JOIN articles a ON a.key = ra.article_key
                   LEFT JOIN summaries s ON ra.status = 'done' AND s.article_key = ra.article_key
                     AND s.backend = ra.backend
                     AND s.model = ra.model AND s.style = ra.style AND s.max_chars = ra.max_chars
                     AND s.prompt_version = ra.prompt_version
                   WHERE ra.run_id = ? AND (? IS NULL OR ra.status = ?)
                   ORDER BY ra.rowid""",
                (run_id, status, status),
            ).fetchall()
        results = []
        for page, idx, adata, st, error, cached, sdata in rows:
            article = self._article(page, idx, adata)
            summary = Summary.from_dict(json.loads(sdata)) if sdata else None
            results.append(
                ArticleResult(article, summary, st, error, extra={"run_id": run_id, "cached": bool(cached)})
            )
        return results

    def search(
        self,
        keyword: str | None = None,
        *,
        reporter: str | None = None,
        page: str | None = None,
        date: str | None = None,
        limit: int = 200,
    ) -> list[ArticleResult]:
        """Articles across the store matching every filter given (substring matches), in page order.

        ``keyword`` looks in title, body, summary and keywords; ``date`` in the dateline and the page
        name (pages are usually named by date).
        """

        def like(value: str | None) -> str | None:
            if value is None or not value.strip():
                return None
            escaped = value.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            return f"%{escaped}%"

        kw, rep, pg, dt = like(keyword), like(reporter), like(page), like(date)
        with self._guard():
            rows = self._conn.execute(
                rf"""SELECT pa.page, pa.idx, a.data, {self._SUMMARY_DATA}
                   FROM page_articles pa JOIN articles a ON a.key = pa.article_key
                   WHERE (:kw IS NULL OR a.title LIKE :kw ESCAPE '\' OR a.text LIKE :kw ESCAPE '\'
                          OR EXISTS (SELECT 1 FROM summaries s WHERE s.article_key = a.key
                                     AND (s.text LIKE :kw ESCAPE '\' OR s.keywords LIKE :kw ESCAPE '\')))
                     AND (:rep IS NULL OR a.reporters LIKE :rep ESCAPE '\')
                     AND (:pg IS NULL OR pa.page LIKE :pg ESCAPE '\')
                     AND (:dt IS NULL OR a.dateline LIKE :dt ESCAPE '\' OR pa.page LIKE :dt ESCAPE '\')
                   ORDER BY pa.page, pa.idx LIMIT :limit""",
                {"kw": kw, "rep": rep, "pg": pg, "dt": dt, "limit": limit, **_NO_KEY},
            ).fetchall()
            return self._results(rows, None)

    @staticmethod
    def _article(page: str, idx: int, data: str) -> Article:
        fields = json.loads(data)
        # The articles row holds the first placement seen; this placement may be another page's.
        fields["page"], fields["index"] = page, idx
        return Article.from_dict(fields)

    # The newest summary of the row's article under the key parameters (any key when none is given).
    _SUMMARY_DATA = f"""(SELECT s.data FROM summaries s WHERE s.article_key = pa.article_key
                        AND {_key_match("s")} ORDER BY s.created_at DESC LIMIT 1)"""

    def _results(
        self, rows: list[tuple[str, int, str, str | None]], key: SummaryKey | None
    ) -> list[ArticleResult]:
        """Rows of (page, index, article data, summary data) as results, in one more query: an article
        without a summary is ``failed`` when its last run under ``key`` (or under no key: it has no text)
        failed it, else ``pending``."""
        open_rows = sorted({page for page, _, _, sdata in rows if sdata is None})
        failed: dict[tuple[str, int], str | None] = {}
        if open_rows:
            marks = ",".join("?" * len(open_rows))
            params = key.as_tuple() if key else (None,) * 5
            latest = self._conn.execute(
                f"""SELECT page, idx, article_key, error FROM (
                      SELECT page, idx, article_key, status, error,
                             row_number() OVER (PARTITION BY page, idx, article_key ORDER BY run_id DESC) AS n
                      FROM run_articles ra
                      WHERE page IN ({marks}) AND (ra.backend IS NULL OR ? IS NULL OR (ra.backend = ?
                        AND ra.model = ? AND ra.style = ? AND ra.max_chars = ? AND ra.prompt_version = ?)))
                    WHERE n = 1 AND status = 'failed'""",
                (*open_rows, params[0], *params),
            )
            failed = {(page, idx, article_key): error for page, idx, article_key, error in latest}
        results = []
        for page, idx, adata, sdata in rows:
            article = self._article(page, idx, adata)
            if sdata is not None:
                results.append(ArticleResult(article, Summary.from_dict(json.loads(sdata)), "done"))
            elif (page, idx, article.key) in failed:
                results.append(ArticleResult(article, None, "failed", failed[(page, idx, article.key)]))
            else:
                results.append(ArticleResult(article, None, "pending"))
        return results
