"""Digests of a day (``zhaiyao digest``), kept like summaries: by what they were made from and by what
made them. The digest itself travels as a JSON-ready dict (the stories room, above this floor, owns its
shape)."""

from __future__ import annotations

import json
from typing import Any

from zhaiyao.documents import Article
from zhaiyao.store.connection import timestamp, to_json


class DigestsMixin:
    """``put_digest``/``get_digest``/``digest_days``, and the stored articles of an issue date
    (``issue_days``/``day_articles``): the day side of ``Store``."""

    def issue_days(self) -> list[tuple[str, int]]:
        """(issue date, articles) of the stored articles that have one, newest day first."""
        with self._guard():
            rows = self._conn.execute(
                """SELECT json_extract(a.data, '$.issue_date') AS day, count(*)
                   FROM page_articles pa JOIN articles a ON a.key = pa.article_key
                   WHERE day IS NOT NULL AND day != '' GROUP BY day ORDER BY day DESC"""
            ).fetchall()
        return [(str(day), int(n)) for day, n in rows]

    def day_articles(self, day: str) -> list[Article]:
        """Every stored article of issue date ``day``, pages in the order they were stored, articles in
        page order (an article printed on two pages comes once per page)."""
        with self._guard():
            rows = self._conn.execute(
                """SELECT pa.page, pa.idx, a.data
                   FROM page_articles pa JOIN articles a ON a.key = pa.article_key
                   JOIN pages p ON p.source = pa.page
                   WHERE json_extract(a.data, '$.issue_date') = ? ORDER BY p.rowid, pa.idx""",
                (day,),
            ).fetchall()
        out = []
        for page, idx, data in rows:
            fields = json.loads(data)
            fields["page"], fields["index"] = page, idx
            out.append(Article.from_dict(fields))
        return out

    def put_digest(
        self, day: str, sources: str, model: str, prompt_version: str, data: dict[str, Any]
    ) -> None:
        with self._write() as conn:
            conn.execute(
                """INSERT OR REPLACE INTO digests (day, sources, model, prompt_version, data, created_at)
                   VALUES (?, ?, ?, ?, ?, ?)""",
                (day, sources, model, prompt_version, to_json(data), timestamp()),
            )

    def get_digest(
        self,
        day: str,
        sources: str | None = None,
        model: str | None = None,
        prompt_version: str | None = None,
    ) -> dict[str, Any] | None:
        """The newest digest of ``day`` matching the given keys (any, where a key is None)."""
        with self._guard():
            row = self._conn.execute(
                """SELECT data FROM digests WHERE day = :day
                     AND (:sources IS NULL OR sources = :sources)
                     AND (:model IS NULL OR model = :model)
                     AND (:pv IS NULL OR prompt_version = :pv)
                   ORDER BY created_at DESC LIMIT 1""",
                {"day": day, "sources": sources, "model": model, "pv": prompt_version},
            ).fetchone()
        return json.loads(row[0]) if row else None

    def digest_days(self) -> list[str]:
        """Days with a stored digest, newest first."""
        with self._guard():
            rows = self._conn.execute("SELECT DISTINCT day FROM digests ORDER BY day DESC").fetchall()
        return [r[0] for r in rows]
