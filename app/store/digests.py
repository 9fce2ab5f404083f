"""Digests of a day (``zhaiyao digest``), kept like summaries: by what they were made from and by what
made them. The digest itself travels as a JSON-ready dict (the stories room, above this floor, owns its
shape)."""

from __future__ import annotations

import json
from typing import Any

from zhaiyao.store.connection import timestamp, to_json


class DigestsMixin:
    """``put_digest``/``get_digest``/``digest_days``: the digests part of ``Store``."""

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
