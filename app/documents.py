"""The data that flows through Zhaiyao: Page → Article → Summary.

All three are frozen so that a value can be cached, hashed and shared across threads and Ray workers
without anyone mutating it behind another's back. ``as_dict()`` gives the JSON shape used by every
export and by the store.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

PageKind = Literal["layout", "article"]
GuardStatus = Literal["ok", "unsure", "retried", "fallback"]


@dataclass(frozen=True)
class Page:
    """One input unit as read from disk: a newspaper page (``layout``) or a single article row.

    ``kind == "layout"`` means the text still has to be split into articles (txt/md dumps, HTML holding
    a whole page). ``kind == "article"`` is one article already (a JSONL/CSV row, an HTML article
    page): ``title`` then comes from the input and the splitter only cleans.

    ``parts`` are articles the source itself delimited (a feed's items, the articles an e-paper's
    版面 page links to): the splitter is skipped and they are the page's articles, in this order;
    ``text`` then holds their text joined, for the store's hash and size.
    """

    source: str  # file path (plus "#L12" for row formats, "#01版" for a feed's 版面), a URL, "-" / "<upload>"
    text: str
    encoding: str = "utf-8"
    format: str = "txt"  # txt | md | html | jsonl | json | csv | rss | atom | epaper | url
    kind: PageKind = "layout"
    title: str | None = None
    parts: tuple[Article, ...] = ()
    # A row's own fields kept for its article (files.ROW_FIELDS: id, paper, date, page, kicker, subtitle).
    fields: tuple[tuple[str, str], ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def text_hash(self) -> str:
        """Content hash of the page's text: the same page read again (another path, a re-import) has it."""
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()[:32]


@dataclass(frozen=True)
class Correction:
    """A reader's fix to how a page was split, kept with the page's ``text_hash`` and applied after
    splitting: ``merge`` joins article ``article`` (1-based, as numbered after the corrections before
    it) with the one after it; ``split`` cuts article ``article`` before its paragraph ``paragraph``
    (0-based; 1 or more), or inside that paragraph before its ``sentence`` (0-based; then paragraph 0
    too), the new article titled ``title`` where the reader named one."""

    action: Literal["merge", "split"]
    article: int
    paragraph: int | None = None
    title: str | None = None
    sentence: int | None = None


@dataclass(frozen=True)
class Sidebar:
    title: str | None
    text: str


@dataclass(frozen=True)
class Removal:
    """Something the cleaner took out of an article body, and why, so nothing vanishes silently."""

    rule: str  # e.g. "byline", "caption", "continuation", "duplicate_paragraph", "sidebar"
    text: str


@dataclass(frozen=True)
class Article:
    page: str
    index: int  # 1-based position on the page
    title: str | None
    text: str  # clean body, paragraphs separated by "\n"
    subtitle: str | None = None
    dateline: str | None = None
    reporters: tuple[str, ...] = ()
    correspondents: tuple[str, ...] = ()
    photographers: tuple[str, ...] = ()
    captions: tuple[str, ...] = ()
    sidebars: tuple[Sidebar, ...] = ()
    continued_on: str | None = None
    removed: tuple[Removal, ...] = ()
    # Lifted out of the page: the 引题 above the title, and the e-paper furniture around the text.
    kicker: str | None = None
    newspaper: str | None = None
    issue_date: str | None = None  # YYYY-MM-DD
    page_number: str | None = None  # 版次, e.g. "04", "A1"
    page_name: str | None = None  # 版名, e.g. 要闻
    column: str | None = None  # 栏目
    credits: tuple[str, ...] = ()  # the page's editor credit lines (本版责编：…), as printed
    word_count: int | None = None  # as the e-paper states it (字数)
    # How sure the splitter is (0..1) that this article starts where it does, and of its title; None
    # where nothing was split (an article row) or no title was printed.
    boundary_confidence: float | None = None
    title_confidence: float | None = None
    source_id: str | None = None  # the input row's own ``id`` field, when it had one

    @property
    def chars(self) -> int:
        return len(self.text)

    @property
    def key(self) -> str:
        """Content hash of the clean article: the cache key for its summaries."""
        payload = json.dumps([self.title or "", self.subtitle or "", self.text], ensure_ascii=False)
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:32]

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["chars"] = self.chars
        data["key"] = self.key
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Article:
        fields = {k: v for k, v in data.items() if k not in ("chars", "key")}
        for name in ("reporters", "correspondents", "photographers", "captions", "credits"):
            fields[name] = tuple(fields.get(name) or ())
        fields["sidebars"] = tuple(Sidebar(**s) for s in fields.get("sidebars") or ())
        fields["removed"] = tuple(Removal(**r) for r in fields.get("removed") or ())
        return cls(**fields)


@dataclass(frozen=True)
class Summary:
    article_key: str
    text: str
    style: str  # headline | brief | bullets
    backend: str  # llm | seq2seq | extractive | lead
    model: str
    max_chars: int
    keywords: tuple[str, ...] = ()
    generated_title: str | None = None  # set only when the article had no title on the page
    guard: GuardStatus = "ok"
    guard_reasons: tuple[str, ...] = ()
    condensed: str | None = None  # how an over-long article was shortened before generation
    prompt_version: str = ""
    seconds: float = 0.0

    @property
    def title_generated(self) -> bool:
        return self.generated_title is not None

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["title_generated"] = self.title_generated
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Summary:
        fields = {k: v for k, v in data.items() if k != "title_generated"}
        fields["keywords"] = tuple(fields.get("keywords") or ())
        fields["guard_reasons"] = tuple(fields.get("guard_reasons") or ())
        return cls(**fields)


@dataclass(frozen=True)
class ArticleResult:
    """An article with its outcome: every article has a status, whether it was summarised or not."""

    article: Article
    summary: Summary | None = None
    status: Literal["done", "failed", "pending"] = "pending"
    error: str | None = None
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    def as_dict(self) -> dict[str, Any]:
        data = self.article.as_dict()
        data["status"] = self.status
        data["error"] = self.error
        data["summary"] = self.summary.as_dict() if self.summary else None
        return data
