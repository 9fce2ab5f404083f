"""The URL cache: bodies fetched for feeds, e-paper pages and articles, kept by URL."""

from __future__ import annotations

from zhaiyao.sources.fetch import Response


class UrlsMixin:
    """``get_url``/``put_url`` make a ``Store`` a ``zhaiyao.sources.fetch.UrlCache``."""

    def get_url(self, url: str) -> Response | None:
        with self._guard():
            row = self._conn.execute(
                """SELECT url, final_url, status, content_type, body, etag, last_modified, fetched_at
                   FROM fetched WHERE url = ?""",
                (url,),
            ).fetchone()
        return Response(*row[:4], bytes(row[4]), *row[5:]) if row else None

    def put_url(self, response: Response) -> None:
        with self._write() as conn:
            conn.execute(
                """INSERT OR REPLACE INTO fetched
                   (url, final_url, status, content_type, etag, last_modified, body, fetched_at)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
                (
                    response.url,
                    response.final_url,
                    response.status,
                    response.content_type,
                    response.etag,
                    response.last_modified,
                    response.body,
                    response.fetched_at,
                ),
            )
