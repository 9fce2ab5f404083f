"""Reader corrections: merges and splits of a page's articles, kept by the page's content hash.

Keyed by ``Page.text_hash``, not by the page's path, so the same page read again (a re-run, a re-import
from another folder) keeps its corrections; ``zhaiyao.split.corrections`` applies them after splitting.
"""

from __future__ import annotations

import json

from zhaiyao.documents import Article, Correction
from zhaiyao.errors import StoreError
from zhaiyao.store.connection import timestamp


class CorrectionsMixin:
    """The corrections part of ``Store`` (its connection comes from ``Connection``)."""

    def add_correction(self, text_hash: str, correction: Correction, before: list[str] | None = None) -> None:
        """Record a correction after the page's earlier ones (they apply in that order); ``before``: the
        page's article keys before it, which an undo puts back."""
        keys = json.dumps(before) if before is not None else None
        with self._write() as conn:
            seq = conn.execute(
                "SELECT coalesce(max(seq), 0) + 1 FROM corrections WHERE text_hash = ?", (text_hash,)
            ).fetchone()[0]
            conn.execute(
                """INSERT INTO corrections
                     (text_hash, seq, action, article, paragraph, title, sentence, before_keys, created_at)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                (
                    text_hash,
                    seq,
                    correction.action,
                    correction.article,
                    correction.paragraph,
                    correction.title,
                    correction.sentence,
                    keys,
                    timestamp(),
                ),
            )

    def corrections(self, text_hash: str) -> list[Correction]:
        """The page's corrections in the order they were made."""
        with self._guard():
            rows = self._conn.execute(
                """SELECT action, article, paragraph, title, sentence FROM corrections
                   WHERE text_hash = ? ORDER BY seq""",
                (text_hash,),
            ).fetchall()
        return [Correction(*row) for row in rows]

    def undo_correction(self, source: str) -> list[Article] | None:
        """Undo the stored page's last correction: forget it and put back the articles the page had
        before it (their rows and summaries are still in the store, kept by content hash). None when
        the page has no correction that can be undone (none, or one recorded before undo existed)."""
        text_hash = self.page_hash(source)
        with self._write() as conn:
            row = conn.execute(
                "SELECT seq, before_keys FROM corrections WHERE text_hash = ? ORDER BY seq DESC LIMIT 1",
                (text_hash,),
            ).fetchone()
            if row is None or row[1] is None:
                return None
            keys = json.loads(row[1])
            found = dict(
                conn.execute(
                    f"SELECT key, data FROM articles WHERE key IN ({','.join('?' * len(keys))})", keys
                ).fetchall()
            )
            if any(key not in found for key in keys):
                return None
            articles = [self._article(source, i, found[key]) for i, key in enumerate(keys, 1)]
            conn.execute("DELETE FROM corrections WHERE text_hash = ? AND seq = ?", (text_hash, row[0]))
            conn.execute("UPDATE pages SET articles = ? WHERE source = ?", (len(articles), source))
            self._put_articles(conn, source, articles, timestamp())
        return articles

    def replace_articles(self, source: str, articles: list[Article]) -> None:
        """Put ``articles`` in place of the stored page's (a reader's correction); an unknown page is an
        error naming it."""
        with self._write() as conn:
            if conn.execute("SELECT 1 FROM pages WHERE source = ?", (source,)).fetchone() is None:
                raise StoreError(f"no page {source!r} in the store")
            conn.execute("UPDATE pages SET articles = ? WHERE source = ?", (len(articles), source))
            self._put_articles(conn, source, articles, timestamp())

    def page_hash(self, source: str) -> str:
        """The stored page's content hash (what its corrections are kept under)."""
        with self._guard():
            row = self._conn.execute("SELECT text_hash FROM pages WHERE source = ?", (source,)).fetchone()
        if row is None:
            raise StoreError(f"no page {source!r} in the store")
        return str(row[0])

    def clear_corrections(self, text_hash: str) -> int:
        """Forget the page's corrections (the splitter's own reading comes back); how many there were."""
        with self._write() as conn:
            return conn.execute("DELETE FROM corrections WHERE text_hash = ?", (text_hash,)).rowcount
