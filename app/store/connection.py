"""Opening the SQLite file, migrating it, and every statement's error handling and transactions."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from zhaiyao.errors import StoreError
from zhaiyao.store.migrations import MIGRATIONS

DEFAULT_BUSY_TIMEOUT = 10.0  # seconds a writer waits for another before the store is called locked
_SQLITE_CANTOPEN = 14  # the primary result code for "unable to open database file"


def timestamp() -> str:
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


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True


def to_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


class Connection:
    """One open SQLite store. Safe to share between threads of one process (calls are serialised)."""

    def __init__(
        self, path: Path | str, *, busy_timeout: float = DEFAULT_BUSY_TIMEOUT, readonly: bool = False
    ) -> None:
        self.path = Path(path)
        self.busy_timeout = busy_timeout
        self.readonly = readonly
        self._lock = threading.RLock()
        self._snapshot: tempfile.TemporaryDirectory | None = None  # a read-only store's private copy
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
            except sqlite3.OperationalError as exc:
                # A lock or any other error is reported as it is: reading around it would be stale.
                if getattr(exc, "sqlite_errorcode", 0) & 0xFF != _SQLITE_CANTOPEN:
                    raise
                self._conn.close()
                self._conn = self._open_without_shm(uri)
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

    def _open_without_shm(self, uri: str) -> sqlite3.Connection:
        """The store when SQLite cannot create its shared-memory file (a reader without write access to
        the folder). With no write-ahead log the file is read as one nobody writes to (immutable); a log
        left by a killed writer holds committed rows that immutable would not see, so the store and its
        log are read from a private copy instead."""
        wal = self.path.with_name(self.path.name + "-wal")
        if not wal.exists() or wal.stat().st_size == 0:
            return sqlite3.connect(
                uri + "&immutable=1", uri=True, timeout=self.busy_timeout, check_same_thread=False
            )
        self._snapshot = tempfile.TemporaryDirectory(prefix="zhaiyao-store-")
        copy = Path(self._snapshot.name) / self.path.name
        try:
            shutil.copyfile(self.path, copy)
            shutil.copyfile(wal, copy.with_name(wal.name))
        except OSError as exc:
            self._snapshot.cleanup()
            raise StoreError(
                f"{self.path}: its write-ahead log ({wal.name}) can be read only with write access to "
                f"the folder or from a copy, and copying failed ({exc.strerror or exc})"
            ) from exc
        return sqlite3.connect(
            copy.as_uri() + "?mode=ro", uri=True, timeout=self.busy_timeout, check_same_thread=False
        )

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
                conn.execute("INSERT INTO schema_migrations VALUES (?, ?)", (name, timestamp()))
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    def close(self) -> None:
        with self._lock:
            self._conn.close()
            if self._snapshot is not None:
                self._snapshot.cleanup()

    def __exit__(self, *exc: object) -> None:
        self.close()

    def migrations(self) -> list[str]:
        with self._guard():
            return [r[0] for r in self._conn.execute("SELECT name FROM schema_migrations ORDER BY name")]
