"""Every input a command takes, as pages: files, folders, globs and stdin (``zhaiyao.sources.files``),
and URLs: a feed, an e-paper 版面 page or an article, told apart by what the URL returns.

``Sources`` is what the commands and the viewer read through: one fetcher (with its per-host limits
and its URL cache) for the whole run, and the run's choices (``--follow-links``, ``--whole-issue``,
``--offline``). Each bad input is one ``InputError`` to ``on_error``; the others are read.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from zhaiyao.config import Settings
from zhaiyao.documents import Page
from zhaiyao.errors import InputError
from zhaiyao.sources import files
from zhaiyao.sources.feeds import Follow, feed_pages, looks_like_feed
from zhaiyao.sources.fetch import Fetcher, FetchPolicy, Response, UrlCache, is_url

ErrorHandler = Callable[[InputError], None]


@dataclass(frozen=True)
class SourceOptions:
    follow_links: bool = False  # read the linked article of a feed item that carries only a teaser
    whole_issue: bool = False  # from a 版面 URL, also the day's other 版面
    offline: bool = False  # URLs only from the cache
    allow_private: bool = True  # the command line: yes; the viewer: its allow_private_urls setting


def policy_for(settings: Settings, options: SourceOptions) -> FetchPolicy:
    return FetchPolicy(
        timeout=settings.fetch_timeout,
        max_bytes=int(settings.max_file_mb * 1024 * 1024),
        allow_private=options.allow_private,
        offline=options.offline,
    )


class StoreCache:
    """The store as the URL cache, opened only when a URL is first looked up (a run of files alone
    never touches it)."""

    def __init__(self, db_path: Path) -> None:
        self.db_path = db_path
        self._store: Any = None
        self._lock = threading.Lock()  # the fetcher's threads may ask first at the same time

    def _open(self) -> Any:
        with self._lock:
            if self._store is None:
                from zhaiyao.store import Store

                self._store = Store(self.db_path)
            return self._store

    def get_url(self, url: str) -> Response | None:
        row = self._open().get_url(url)
        return Response(**row) if row else None

    def put_url(self, response: Response) -> None:
        self._open().put_url(response)

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None


class Sources:
    """Reads inputs of every kind into pages, with one fetcher for all the URLs of a run."""

    def __init__(
        self,
        settings: Settings,
        options: SourceOptions | None = None,
        *,
        cache: UrlCache | None = None,
        fetcher: Fetcher | None = None,
        on_note: Callable[[str], None] | None = None,
    ) -> None:
        self.settings = settings
        self.options = options or SourceOptions()
        self._own_cache = StoreCache(settings.db_path) if cache is None and fetcher is None else None
        self.fetcher = fetcher or Fetcher(policy_for(settings, self.options), cache or self._own_cache)
        self.on_note = on_note

    def __enter__(self) -> Sources:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._own_cache is not None:
            self._own_cache.close()

    @property
    def follow(self) -> Follow:
        return Follow(self.fetcher if self.options.follow_links else None, self.on_note)

    def read(self, specs: Sequence[str], on_error: ErrorHandler | None = None) -> list[Page]:
        return list(self.iter(specs, on_error))

    def iter(self, specs: Sequence[str], on_error: ErrorHandler | None = None) -> Iterator[Page]:
        """The pages of ``specs`` in order; each bad one to ``on_error`` (raised without it)."""
        for spec in specs:
            if not is_url(spec):
                yield from files.iter_inputs([spec], self.settings, on_error, self.follow)
                continue
            try:
                yield from self.read_url(spec, on_error)
            except InputError as exc:
                if on_error is None:
                    raise
                on_error(exc)

    def read_url(self, url: str, on_error: ErrorHandler | None = None) -> list[Page]:
        """A URL's pages: a feed's 版面, a 版面 page (or the whole issue), or one article."""
        from zhaiyao.sources.article import read_article
        from zhaiyao.sources.epaper import read_epaper

        response = self.fetcher.get(url)
        text, _ = response.text()
        if _is_feed(response, text):
            return feed_pages(
                url,
                response.body,
                self.settings,
                on_error,
                content_type=response.content_type,
                follow=self.follow,
            )
        if not text.strip():
            raise InputError(url, "the page is empty")
        pages = read_epaper(
            response.final_url,
            text,
            self.fetcher,
            whole_issue=self.options.whole_issue,
            on_error=on_error,
            on_note=self.on_note,
        )
        if pages is None:
            return [read_article(url, text)]
        if not pages:
            raise InputError(url, "no article of the 版面 page could be read")
        return pages


def _is_feed(response: Response, text: str) -> bool:
    kind = response.content_type.split(";")[0].strip().lower()
    if kind in ("application/rss+xml", "application/atom+xml", "application/rdf+xml"):
        return True
    if kind in ("application/xml", "text/xml") and "<html" not in text[:2000].lower():
        return True
    return looks_like_feed(text)


def read_sources(
    specs: Sequence[str],
    settings: Settings,
    on_error: ErrorHandler | None = None,
    options: SourceOptions | None = None,
    on_note: Callable[[str], None] | None = None,
) -> list[Page]:
    """``read_inputs`` for every kind of input: the pages of ``specs`` (files, folders, globs, ``-``,
    feed, 版面 and article URLs), fetched bodies cached in the store at ``settings.db_path``."""
    with Sources(settings, options, on_note=on_note) as sources:
        return sources.read(specs, on_error)


def read_viewer_url(url: str, settings: Settings, on_error: ErrorHandler | None = None) -> list[Page]:
    """A URL typed into the viewer: loopback, link-local and private addresses (and every redirect hop
    to one) are refused unless ``allow_private_urls`` is set; only http and https."""
    options = SourceOptions(allow_private=settings.allow_private_urls)
    with Sources(settings, options) as sources:
        return sources.read_url(url, on_error)
