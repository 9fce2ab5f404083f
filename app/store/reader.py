"""What a reader keeps and what the viewer reads besides pages: marks (read, starred), preferences, each
page's own furniture (newspaper, date, 版次, 版名) and how fast summaries were made."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from zhaiyao.store.connection import timestamp, to_json

FURNITURE = ("newspaper", "issue_date", "page_number", "page_name")


@dataclass(frozen=True)
class Marks:
    """A reader's marks on one article."""

    read: bool = False
    starred: bool = False


@dataclass(frozen=True)
class Speed:
    """Seconds per article of recent summaries by one backend and model (``count`` of them measured)."""

    seconds: float
    count: int


class ReaderMixin:
    """The reader's part of ``Store`` (its connection comes from ``Connection``)."""

    def set_marks(self, article_key: str, *, read: bool | None = None, starred: bool | None = None) -> None:
        """Mark an article read or unread, starred or not (a value left None is kept)."""
        now = timestamp()
        with self._write() as conn:
            conn.execute(
                """INSERT INTO article_marks (article_key, read_at, starred, updated_at)
                   VALUES (?, NULL, 0, ?) ON CONFLICT(article_key) DO NOTHING""",
                (article_key, now),
            )
            if read is not None:
                conn.execute(
                    "UPDATE article_marks SET read_at = ?, updated_at = ? WHERE article_key = ?",
                    (now if read else None, now, article_key),
                )
            if starred is not None:
                conn.execute(
                    "UPDATE article_marks SET starred = ?, updated_at = ? WHERE article_key = ?",
                    (int(starred), now, article_key),
                )

    def marks(self, article_keys: Iterable[str]) -> dict[str, Marks]:
        """The marks of the given articles (an article never marked is absent)."""
        keys = list(dict.fromkeys(article_keys))
        if not keys:
            return {}
        with self._guard():
            rows = self._conn.execute(
                f"""SELECT article_key, read_at IS NOT NULL, starred FROM article_marks
                    WHERE article_key IN ({",".join("?" * len(keys))})""",
                keys,
            ).fetchall()
        return {key: Marks(bool(read), bool(starred)) for key, read, starred in rows}

    def set_pref(self, name: str, value: Any) -> None:
        """Keep a viewer preference (any JSON value; None forgets it)."""
        with self._write() as conn:
            if value is None:
                conn.execute("DELETE FROM viewer_prefs WHERE name = ?", (name,))
                return
            conn.execute(
                """INSERT INTO viewer_prefs (name, value, updated_at) VALUES (?, ?, ?)
                   ON CONFLICT(name) DO UPDATE SET value = excluded.value,
                     updated_at = excluded.updated_at""",
                (name, to_json(value), timestamp()),
            )

    def pref(self, name: str) -> Any:
        with self._guard():
            row = self._conn.execute("SELECT value FROM viewer_prefs WHERE name = ?", (name,)).fetchone()
        return json.loads(row[0]) if row else None

    def page_furniture(self) -> dict[str, dict[str, str]]:
        """Each page's newspaper, issue date, 版次 and 版名 as its articles carry them (the value most of
        its articles agree on); a page whose articles carry none is absent."""
        with self._guard():
            rows = self._conn.execute(
                """SELECT pa.page, json_extract(a.data, '$.newspaper'), json_extract(a.data, '$.issue_date'),
                          json_extract(a.data, '$.page_number'), json_extract(a.data, '$.page_name')
                   FROM page_articles pa JOIN articles a ON a.key = pa.article_key
                   WHERE json_extract(a.data, '$.newspaper') IS NOT NULL
                      OR json_extract(a.data, '$.issue_date') IS NOT NULL
                      OR json_extract(a.data, '$.page_number') IS NOT NULL"""
            ).fetchall()
        votes: dict[str, dict[str, Counter[str]]] = {}
        for page, *values in rows:
            fields = votes.setdefault(page, {name: Counter() for name in FURNITURE})
            for name, value in zip(FURNITURE, values, strict=True):
                if value:
                    fields[name][str(value)] += 1
        return {
            page: {name: counts.most_common(1)[0][0] for name, counts in fields.items() if counts}
            for page, fields in votes.items()
        }

    def speed(self, backend: str, model: str, recent: int = 50) -> Speed | None:
        """How long the ``recent`` newest summaries by ``backend``/``model`` took each, on average; None
        when there are none to measure by."""
        with self._guard():
            row = self._conn.execute(
                """SELECT avg(secs), count(secs) FROM (
                     SELECT json_extract(data, '$.seconds') AS secs FROM summaries
                     WHERE backend = ? AND model = ? ORDER BY rowid DESC LIMIT ?)
                   WHERE secs > 0""",
                (backend, model, recent),
            ).fetchone()
        return Speed(float(row[0]), int(row[1])) if row and row[1] else None
