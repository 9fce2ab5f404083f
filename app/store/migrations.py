"""The store's schema, as an ordered list of migrations.

Each migration runs once, in order, inside one transaction, and is recorded in ``schema_migrations``; a
store written by an older Zhaiyao is brought up to date when it is opened, and one written by a newer
Zhaiyao is refused rather than misread. Append new migrations; never edit one that has shipped.
"""

from __future__ import annotations

MIGRATIONS: list[tuple[str, str]] = [
    (
        "001_initial",
        """
        CREATE TABLE pages (
            source      TEXT PRIMARY KEY,
            text_hash   TEXT NOT NULL,
            encoding    TEXT NOT NULL,
            format      TEXT NOT NULL,
            kind        TEXT NOT NULL,
            title       TEXT,
            chars       INTEGER NOT NULL,
            articles    INTEGER NOT NULL DEFAULT 0,
            split_error TEXT,
            added_at    TEXT NOT NULL
        );

        -- One row per distinct clean article (content hash); the same text printed on two pages is
        -- summarised once. Where it stands on a page is in page_articles.
        CREATE TABLE articles (
            key        TEXT PRIMARY KEY,
            title      TEXT,
            text       TEXT NOT NULL,
            reporters  TEXT NOT NULL,   -- joined with "、" for search
            dateline   TEXT,
            data       TEXT NOT NULL,   -- Article.as_dict() as JSON
            added_at   TEXT NOT NULL
        );

        CREATE TABLE page_articles (
            page        TEXT NOT NULL REFERENCES pages(source) ON DELETE CASCADE,
            idx         INTEGER NOT NULL,
            article_key TEXT NOT NULL REFERENCES articles(key),
            PRIMARY KEY (page, idx)
        );
        CREATE INDEX page_articles_key ON page_articles(article_key);

        -- max_chars is the *requested* limit (0: the style's own), so a lookup can be made from the
        -- settings before any model is asked.
        CREATE TABLE summaries (
            article_key    TEXT NOT NULL REFERENCES articles(key),
            backend        TEXT NOT NULL,
            model          TEXT NOT NULL,
            style          TEXT NOT NULL,
            max_chars      INTEGER NOT NULL,
            prompt_version TEXT NOT NULL,
            text           TEXT NOT NULL,
            keywords       TEXT NOT NULL,   -- joined with " " for search
            guard          TEXT NOT NULL,
            data           TEXT NOT NULL,   -- Summary.as_dict() as JSON
            run_id         INTEGER,         -- the run that produced it
            created_at     TEXT NOT NULL,
            PRIMARY KEY (article_key, backend, model, style, max_chars, prompt_version)
        );

        CREATE TABLE runs (
            id          INTEGER PRIMARY KEY AUTOINCREMENT,
            started_at  TEXT NOT NULL,
            ended_at    TEXT,
            status      TEXT NOT NULL,      -- running | finished | interrupted
            engine      TEXT NOT NULL,
            settings    TEXT NOT NULL,      -- JSON
            inputs      TEXT NOT NULL,      -- JSON list of the paths asked for
            summariser  TEXT,               -- JSON {backend, model, prompt_version} once known
            total       INTEGER NOT NULL DEFAULT 0,
            done        INTEGER NOT NULL DEFAULT 0,
            cached      INTEGER NOT NULL DEFAULT 0,
            failed      INTEGER NOT NULL DEFAULT 0,
            errors      TEXT NOT NULL DEFAULT '[]'  -- JSON list of input / page errors
        );

        -- Every article of a run ends with a status; the summary columns name the summary it got.
        CREATE TABLE run_articles (
            run_id         INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
            page           TEXT NOT NULL,
            idx            INTEGER NOT NULL,
            article_key    TEXT NOT NULL,
            status         TEXT NOT NULL,   -- pending | done | failed
            cached         INTEGER NOT NULL DEFAULT 0,
            error          TEXT,
            backend        TEXT,
            model          TEXT,
            style          TEXT,
            max_chars      INTEGER,
            prompt_version TEXT,
            updated_at     TEXT NOT NULL,
            PRIMARY KEY (run_id, page, idx)
        );
        CREATE INDEX run_articles_status ON run_articles(run_id, status);
        CREATE INDEX run_articles_page ON run_articles(page, idx);
        """,
    ),
    (
        "002_run_owner",
        """
        -- Which process ran a run, so a run left "running" by a killed process can be told apart
        -- from one that is still going.
        ALTER TABLE runs ADD COLUMN host TEXT;
        ALTER TABLE runs ADD COLUMN pid INTEGER;
        """,
    ),
    (
        "003_url_cache",
        """
        -- Bodies fetched by URL (feeds, e-paper pages, articles), so a rerun or --offline costs no
        -- request; etag/last_modified revalidate an old one.
        CREATE TABLE fetched (
            url           TEXT PRIMARY KEY,
            final_url     TEXT NOT NULL,
            status        INTEGER NOT NULL,
            content_type  TEXT NOT NULL,
            etag          TEXT,
            last_modified TEXT,
            body          BLOB NOT NULL,
            fetched_at    REAL NOT NULL
        );
        """,
    ),
    (
        "004_corrections",
        """
        -- A reader's merges and splits of a page's articles, by the page's content hash (so a re-run
        -- or a re-import of the same page keeps them), applied in seq order after splitting.
        CREATE TABLE corrections (
            text_hash  TEXT NOT NULL,
            seq        INTEGER NOT NULL,
            action     TEXT NOT NULL CHECK (action IN ('merge', 'split')),
            article    INTEGER NOT NULL,   -- 1-based, as numbered after the corrections before it
            paragraph  INTEGER,            -- split: cut before this paragraph (0-based)
            created_at TEXT NOT NULL,
            PRIMARY KEY (text_hash, seq)
        );
        """,
    ),
    (
        "005_reader_marks",
        """
        -- A reader's marks on an article (read, starred), keyed by the article's content so they outlive
        -- a re-reading of its page; and the viewer's preferences (a pinned set of summaries).
        CREATE TABLE article_marks (
            article_key TEXT PRIMARY KEY REFERENCES articles(key),
            read_at     TEXT,
            starred     INTEGER NOT NULL DEFAULT 0,
            updated_at  TEXT NOT NULL
        );
        CREATE TABLE viewer_prefs (
            name       TEXT PRIMARY KEY,
            value      TEXT NOT NULL,   -- JSON
            updated_at TEXT NOT NULL
        );
        """,
    ),
    (
        "006_digests",
        """
        -- A day's digest (zhaiyao digest): its stories, headlines, cited summaries and source list as
        -- JSON, kept by the day and the content keys of the articles it was made from (sources) and by
        -- what made it, so the same day with the same articles and model is written once.
        CREATE TABLE digests (
            day            TEXT NOT NULL,
            sources        TEXT NOT NULL,   -- hash of the sorted article keys of the day
            model          TEXT NOT NULL,
            prompt_version TEXT NOT NULL,
            data           TEXT NOT NULL,
            created_at     TEXT NOT NULL,
            PRIMARY KEY (day, sources, model, prompt_version)
        );
        """,
    ),
    (
        "007_correction_undo",
        """
        -- A reader's split may name the new article's title (typed, or the line it cuts at) and cut
        -- inside a paragraph, before one of its sentences; each correction keeps the page's article
        -- keys from before it, so the viewer can undo it: the store keeps articles but not the page's
        -- text, so the splitter's reading cannot be rebuilt otherwise.
        ALTER TABLE corrections ADD COLUMN title TEXT;
        ALTER TABLE corrections ADD COLUMN sentence INTEGER;
        ALTER TABLE corrections ADD COLUMN before_keys TEXT;   -- JSON list, the page's keys before it
        """,
    ),
]
