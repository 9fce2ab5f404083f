"""The URL cache: bodies fetched for feeds, e-paper pages and articles, kept by URL.

Rows go in and out as plain fields: ``zhaiyao.sources.inputs.StoreCache`` turns them into the
fetcher's ``Response`` (the sources floor sits above the store's and may import it, not the reverse).
"""

from __future__ import annotations

from typing import Any

_FIELDS = ("url", "final_url", "status", "content_type", "body", "etag", "last_modified", "fetched_at")
_MARKS = ", ".join("?" * len(_FIELDS))


class UrlsMixin:
    """``get_url``/``put_url``: the fetched body of a URL, with its validators and when it was fetched."""

    def get_url(self, url: str) -> dict[str, Any] | None:
        with self._guard():
            row = self._conn.execute(
                f"SELECT {', '.join(_FIELDS)} FROM fetched WHERE url = ?", (url,)
            ).fetchone()
        if row is None:
            return None
        data = dict(zip(_FIELDS, row, strict=True))
        data["body"] = bytes(data["body"])
        return data

    def put_url(self, response: Any) -> None:
        """Keep ``response`` (anything with the fields of ``zhaiyao.sources.fetch.Response``)."""
        with self._write() as conn:
            conn.execute(
                f"INSERT OR REPLACE INTO fetched ({', '.join(_FIELDS)}) VALUES ({_MARKS})",
                tuple(getattr(response, name) for name in _FIELDS),
            )
