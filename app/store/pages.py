"""Pages and articles: saving what was read, and every way of reading it back with its summaries."""

from __future__ import annotations

import json
import sqlite3

from zhaiyao.documents import Article, ArticleResult, Page, Summary
from zhaiyao.errors import StoreError
from zhaiyao.store.connection import timestamp, to_json
from zhaiyao.store.records import NO_KEY, PageInfo, SummaryKey, SummarySet, key_match


class PagesMixin:
    """The pages, articles and search part of ``Store`` (its connection comes from ``Connection``)."""

    def save_page(self, page: Page, articles: list[Article], split_error: str | None = None) -> None:
        """Record a page and where its articles stand on it (replacing an older reading of the page)."""
        text_hash = page.text_hash
        now = timestamp()
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
            self._put_articles(conn, page.source, articles, now)

    @staticmethod
    def _put_articles(conn: sqlite3.Connection, source: str, articles: list[Article], now: str) -> None:
        conn.execute("DELETE FROM page_articles WHERE page = ?", (source,))
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
                    to_json(article.as_dict()),
                    now,
                ),
            )
            conn.execute(
                "INSERT OR REPLACE INTO page_articles (page, idx, article_key) VALUES (?, ?, ?)",
                (source, article.index, article.key),
            )

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
                {"page": page, **(key.as_params() if key else NO_KEY)},
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
                {"kw": kw, "rep": rep, "pg": pg, "dt": dt, "limit": limit, **NO_KEY},
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
                        AND {key_match("s")} ORDER BY s.created_at DESC LIMIT 1)"""

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
