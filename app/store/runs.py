"""Runs: what each run set out to do, how far every article of it got, and the summaries it made."""

from __future__ import annotations

import json
import os
import socket
import sqlite3
from collections.abc import Iterable
from typing import Any

from zhaiyao.documents import Article, Summary
from zhaiyao.errors import StoreError
from zhaiyao.store.connection import alive, timestamp, to_json
from zhaiyao.store.records import RunInfo, SummaryKey
from zhaiyao.text.safe import shown_name


class RunsMixin:
    """The runs and per-article status part of ``Store`` (its connection comes from ``Connection``)."""

    def start_run(self, settings: dict[str, Any], inputs: Iterable[str], engine: str) -> int:
        host = socket.gethostname()
        with self._write() as conn:
            # Runs this host left "running" from a process that no longer exists were killed.
            stale = conn.execute("SELECT id, pid FROM runs WHERE status = 'running' AND host = ?", (host,))
            for run_id, pid in stale.fetchall():
                if pid is not None and not alive(pid):
                    conn.execute("UPDATE runs SET status = 'interrupted' WHERE id = ?", (run_id,))
            names = [shown_name(i) for i in inputs]  # a name that is not UTF-8 cannot be stored as is
            cur = conn.execute(
                """INSERT INTO runs (started_at, status, engine, settings, inputs, host, pid)
                   VALUES (?, 'running', ?, ?, ?, ?, ?)""",
                (timestamp(), engine, to_json(settings), to_json(names), host, os.getpid()),
            )
            return int(cur.lastrowid or 0)

    def set_run_summariser(self, run_id: int, key: SummaryKey) -> None:
        with self._write() as conn:
            conn.execute(
                "UPDATE runs SET summariser = ? WHERE id = ?",
                (
                    to_json(
                        {"backend": key.backend, "model": key.model, "prompt_version": key.prompt_version}
                    ),
                    run_id,
                ),
            )

    def add_run_error(self, run_id: int, message: str) -> None:
        with self._write() as conn:
            row = conn.execute("SELECT errors FROM runs WHERE id = ?", (run_id,)).fetchone()
            errors = json.loads(row[0]) if row else []
            errors.append(message)
            conn.execute("UPDATE runs SET errors = ? WHERE id = ?", (to_json(errors), run_id))

    def add_run_articles(self, run_id: int, articles: Iterable[Article]) -> None:
        """Enter a run's articles as pending, so an interrupted run shows what it had left to do."""
        now = timestamp()
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
                    to_json(summary.as_dict()),
                    run_id,
                    timestamp(),
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
            (status, error, int(cached), *values, timestamp(), run_id, article_key),
        )

    def finish_run(self, run_id: int, status: str = "finished") -> RunInfo:
        with self._write() as conn:
            counts = self._run_counts(conn, run_id)
            conn.execute(
                """UPDATE runs SET ended_at = ?, status = ?, total = ?, done = ?, cached = ?, failed = ?
                   WHERE id = ?""",
                (timestamp(), status, *(counts[k] for k in ("total", "done", "cached", "failed")), run_id),
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
