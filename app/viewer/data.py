"""What the viewer shows, computed without Streamlit: support highlighting, escaped HTML, upload checks.

The Streamlit page (``app/viewer.py``) only draws. Everything here is plain Python so it can be tested
directly, and every piece of input text that ends up in HTML passes through :func:`esc` first: a page
containing ``<script>`` must show the tag as text, never run it.
"""

from __future__ import annotations

import dataclasses
import hashlib
import html
import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from zhaiyao.config import Settings
from zhaiyao.documents import Article, ArticleResult, Summary
from zhaiyao.errors import InputError
from zhaiyao.sources.files import size_problem
from zhaiyao.store import PageInfo, SummaryKey, SummarySet
from zhaiyao.summarise.registry import backend_names, find, uses_model
from zhaiyao.text.safe import one_line
from zhaiyao.text.sentences import sentence_spans as split_spans

# What the upload box accepts: the page formats a reader would have at hand (issue 6).
# Every format the command line reads (zhaiyao.sources.files.FORMATS).
UPLOAD_TYPES: tuple[str, ...] = ("txt", "md", "html", "htm", "jsonl", "json", "csv")
# The registry's backends, the default (llm) first.
BACKENDS: tuple[str, ...] = tuple(sorted(backend_names(), key=lambda name: name != Settings.backend))

GUARD_LABELS: dict[str, tuple[str, str]] = {
    # status: (label, why it matters to a reader)
    "ok": ("核查通过 · guard ok", "the summary passed the faithfulness check"),
    "unsure": ("待核 · unsure", "the check passed the summary but found something a reader should look at"),
    "retried": ("重试后通过 · retried", "the first summary failed the check; a stricter retry passed"),
    "fallback": ("抽取式兜底 · fallback", "generated summaries failed the check; sentences from the article"),
}


def esc(text: object) -> str:
    """HTML-escape any input value (quotes included, so it is safe inside attributes too)."""
    return html.escape("" if text is None else str(text), quote=True)


# --- uploads --------------------------------------------------------------------------------------


def check_upload(name: str, size: int, settings: Settings) -> None:
    """Refuse an upload the viewer cannot read, before any bytes are decoded.

    Raises InputError with a message meant for the page: the file name and what to do about it.
    """
    suffix = PurePath(name).suffix.lower().lstrip(".")
    if suffix not in UPLOAD_TYPES:
        shown = f".{suffix}" if suffix else "no extension"
        raise InputError(name, f"unsupported format ({shown}); upload one of: .{', .'.join(UPLOAD_TYPES)}")
    limit = int(settings.max_file_mb * 1024 * 1024)
    if size > limit:
        raise InputError(name, size_problem(size, settings.max_file_mb, "upload limit"))
    if size == 0:
        raise InputError(name, "file is empty")


def paste_name(text: str, fmt: str) -> str:
    """A stable source name for pasted text, so pasting the same page twice reuses the cache."""
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]
    return f"pasted-{digest}.{fmt}"


# --- sentence support -----------------------------------------------------------------------------

_KEEP = re.compile(r"[\w\u3400-\u4dbf\u4e00-\u9fff]")


@dataclass(frozen=True)
class Span:
    """A sentence of the article body and how much of the summary it supports (0 = none)."""

    start: int
    end: int
    score: float = 0.0
    summary_sentence: int | None = None  # 1-based index of the summary sentence it supports most


def sentence_spans(text: str) -> list[Span]:
    """Sentences of ``text`` as character offsets; line breaks end a sentence too."""
    return [Span(start, end) for start, end in split_spans(text)]


def _bigrams(text: str) -> set[str]:
    chars = [c.lower() for c in text if _KEEP.match(c)]
    if len(chars) == 1:
        return {chars[0]}
    return {a + b for a, b in itertools.pairwise(chars)}


def summary_sentences(summary: str) -> list[str]:
    """Summary sentences; bullet markers are dropped so they do not count as content."""
    lines = [re.sub(r"^\s*(?:[-*•·]|\d+[.、)）])\s*", "", line) for line in summary.splitlines()]
    text = "\n".join(line for line in lines if line.strip())
    return [text[s.start : s.end] for s in sentence_spans(text)]


def support(text: str, summary: str, *, min_gain: float = 0.2, per_sentence: int = 3) -> list[Span]:
    """Score each article sentence by how much of the summary it supports.

    Character bigrams (not words: Chinese has no spaces, and bigrams survive a model's light rewording)
    of each summary sentence are covered greedily by article sentences: the sentence that covers most
    of what is still uncovered is taken, until none adds at least ``min_gain`` of the summary sentence.
    An article sentence's score is the share of a summary sentence it covered.
    """
    spans = sentence_spans(text)
    grams = [_bigrams(text[s.start : s.end]) for s in spans]
    scores = [0.0] * len(spans)
    which: list[int | None] = [None] * len(spans)
    for number, sentence in enumerate(summary_sentences(summary), start=1):
        target = _bigrams(sentence)
        if not target:
            continue
        left = set(target)
        for _ in range(per_sentence):
            best, gain = -1, 0
            for i, g in enumerate(grams):
                covered = len(left & g)
                if covered > gain:
                    best, gain = i, covered
            if best < 0 or gain / len(target) < min_gain:
                break
            share = gain / len(target)
            if share > scores[best]:
                scores[best], which[best] = share, number
            left -= grams[best]
    return [Span(s.start, s.end, scores[i], which[i]) for i, s in enumerate(spans)]


def highlighted_html(text: str, summary: str | None) -> str:
    """The article body as escaped HTML paragraphs, supporting sentences wrapped in ``<mark>``."""
    spans = [s for s in support(text, summary) if s.score > 0] if summary else []
    out: list[str] = []
    pos = 0
    for span in spans:
        out.append(esc(text[pos : span.start]))
        strength = "strong" if span.score >= 0.5 else "weak"
        tip = f"supports summary sentence {span.summary_sentence} ({span.score:.0%} of its character pairs)"
        out.append(
            f'<mark class="zy-support zy-{strength}" title="{esc(tip)}">{esc(text[span.start : span.end])}'
            f'<sup class="zy-ref">{span.summary_sentence}</sup></mark>'
        )
        pos = span.end
    out.append(esc(text[pos:]))
    body = "".join(out)
    paragraphs = [p for p in body.split("\n") if p.strip()]
    return "".join(f'<p class="zy-para">{p}</p>' for p in paragraphs)


# --- cards ----------------------------------------------------------------------------------------


def display_title(article: Article, summary: Summary | None) -> tuple[str, bool]:
    """The title to show and whether it was generated (the page printed none)."""
    if article.title:
        return article.title, False
    if summary is not None and summary.generated_title:
        return summary.generated_title, True
    return f"（无标题）第 {article.index} 篇", False


def summary_html(summary: Summary) -> str:
    lines = [line.strip() for line in summary.text.splitlines() if line.strip()]
    if summary.style == "bullets" or len(lines) > 1:
        items = [re.sub(r"^(?:[-*•·]|\d+[.、)）])\s*", "", line) for line in lines]
        return '<ul class="zy-summary">' + "".join(f"<li>{esc(i)}</li>" for i in items) + "</ul>"
    return f'<p class="zy-summary">{esc(summary.text.strip())}</p>'


def guard_badge_html(
    summary: Summary | None, status: str = "done", error: str | None = None, *, computing: bool = False
) -> str:
    if status == "failed":
        return f'<span class="zy-badge zy-failed" title="{esc(error)}">失败 · failed</span>'
    if summary is None and computing:
        return '<span class="zy-badge zy-pending">摘要中… · pending</span>'
    if summary is None:
        return '<span class="zy-badge zy-missing">无摘要 · no summary</span>'
    label, why = GUARD_LABELS.get(summary.guard, (summary.guard, ""))
    reasons = "; ".join(summary.guard_reasons)
    tip = f"{why}. {reasons}" if reasons else why
    return f'<span class="zy-badge zy-{esc(summary.guard)}" title="{esc(tip)}">{esc(label)}</span>'


def byline_parts(article: Article) -> list[str]:
    parts = []
    if article.reporters:
        parts.append("记者 " + "、".join(article.reporters))
    if article.correspondents:
        parts.append("通讯员 " + "、".join(article.correspondents))
    if article.photographers:
        parts.append("摄影 " + "、".join(article.photographers))
    if article.dateline:
        parts.append(article.dateline.rstrip("，,: ："))
    return parts


def card_html(result: ArticleResult, *, computing: bool = False) -> str:
    """One article as a card: title, subtitle, byline, dateline, continued-on, summary, keywords, guard.

    ``computing``: its summary is being made right now, for this reader; a card without a summary says
    so only then, and otherwise that there is none for these settings.
    """
    article, summary = result.article, result.summary
    title, generated = display_title(article, summary)
    gen = (
        '<span class="zy-gen" title="the page printed no title; this one was generated">生成标题</span>'
        if generated
        else ""
    )
    head = (
        f'<div class="zy-card-top"><span class="zy-index">{article.index}</span>'
        f"{guard_badge_html(summary, result.status, result.error, computing=computing)}"
        f'<span class="zy-chars">{article.chars} 字</span></div>'
    )
    pieces = [head, f'<h3 class="zy-title">{esc(title)}{gen}</h3>']
    if article.subtitle:
        pieces.append(f'<div class="zy-subtitle">{esc(article.subtitle)}</div>')
    byline = byline_parts(article)
    if byline:
        pieces.append('<div class="zy-byline">' + " · ".join(esc(p) for p in byline) + "</div>")
    if summary is not None:
        pieces.append(summary_html(summary))
    elif result.status == "failed":
        pieces.append(f'<p class="zy-error">{esc(result.error or "summary failed")}</p>')
    elif computing:
        pieces.append('<p class="zy-summary zy-waiting">正在生成摘要… · being summarised</p>')
    else:
        pieces.append(
            '<p class="zy-summary zy-waiting zy-none">No summary for these settings: '
            "“Summarise with these settings” on the page makes one.</p>"
        )
    if summary is not None and summary.keywords:
        pieces.append(
            '<div class="zy-keywords">'
            + "".join(f"<span>{esc(k)}</span>" for k in summary.keywords)
            + "</div>"
        )
    if article.continued_on:
        pieces.append(f'<div class="zy-continued">↪ {esc(article.continued_on)}</div>')
    return f'<div class="zy-card" data-index="{article.index}">' + "".join(pieces) + "</div>"


def article_details_html(result: ArticleResult) -> str:
    """The open-article view's body: highlighted clean text, then captions and sidebars."""
    article, summary = result.article, result.summary
    parts = [
        f'<div class="zy-article">{highlighted_html(article.text, summary.text if summary else None)}</div>'
    ]
    if article.captions:
        items = "".join(f"<li>{esc(c)}</li>" for c in article.captions)
        parts.append(f'<div class="zy-aside"><h4>图片说明 · captions</h4><ul>{items}</ul></div>')
    for sidebar in article.sidebars:
        heading = esc(sidebar.title) if sidebar.title else "边栏"
        text = "".join(f"<p>{esc(p)}</p>" for p in sidebar.text.splitlines() if p.strip())
        parts.append(f'<div class="zy-aside"><h4>{heading} · sidebar</h4>{text}</div>')
    return "".join(parts)


def removed_rows(article: Article) -> list[dict[str, str]]:
    return [{"rule": r.rule, "text": r.text} for r in article.removed]


def guard_counts(results: Iterable[ArticleResult]) -> dict[str, int]:
    counts = {"ok": 0, "retried": 0, "fallback": 0, "failed": 0, "missing": 0}
    for r in results:
        if r.status == "failed":
            counts["failed"] += 1
        elif r.summary is None:
            counts["missing"] += 1
        else:
            counts[r.summary.guard] = counts.get(r.summary.guard, 0) + 1
    return counts


CSS = """
<style>
.zy-card{border:1px solid #e3e6ea;border-radius:12px;padding:14px 18px 12px;margin:4px 0 2px;
  background:#fff;box-shadow:0 1px 2px rgba(16,24,40,.05);line-height:1.75;
  font-family:"Noto Sans CJK SC","Source Han Sans SC","PingFang SC","Microsoft YaHei",sans-serif}
.zy-card-top{display:flex;align-items:center;gap:8px;margin-bottom:4px;font-size:.8rem;color:#667085}
.zy-index{display:inline-flex;align-items:center;justify-content:center;min-width:22px;height:22px;
  border-radius:11px;background:#1d3557;color:#fff;font-weight:600;font-size:.75rem}
.zy-chars{margin-left:auto}
.zy-title{font-size:1.12rem;font-weight:700;margin:2px 0 4px;padding:0;color:#101828;line-height:1.5}
.zy-gen{display:inline-block;margin-left:8px;padding:0 6px;border:1px dashed #9b59b6;border-radius:6px;
  color:#7d3c98;font-size:.72rem;font-weight:500;vertical-align:middle}
.zy-subtitle{color:#344054;font-size:.92rem;margin-bottom:2px}
.zy-byline{color:#667085;font-size:.82rem;margin-bottom:6px}
.zy-summary{margin:6px 0;padding:8px 12px;background:#f6f8fb;border-left:4px solid #2a6fdb;
  border-radius:4px;color:#101828;font-size:.98rem}
ul.zy-summary{padding-left:30px}
.zy-waiting{color:#98a2b3;border-left-color:#d0d5dd}
.zy-error{color:#b42318}
.zy-keywords span{display:inline-block;margin:2px 6px 2px 0;padding:0 8px;border-radius:10px;
  background:#eef2f6;color:#364152;font-size:.78rem}
.zy-continued{color:#b54708;font-size:.82rem;margin-top:4px}
.zy-badge{display:inline-block;padding:1px 8px;border-radius:10px;font-size:.75rem;font-weight:600}
.zy-ok{background:#dcfae6;color:#067647}
.zy-unsure{background:#fef0c7;color:#93370d}
.zy-retried{background:#fef0c7;color:#93370d}
.zy-fallback{background:#fee4e2;color:#b42318}
.zy-failed{background:#b42318;color:#fff}
.zy-pending{background:#d1e9ff;color:#175cd3}
.zy-missing{background:#eaecf0;color:#475467}
.zy-article{line-height:1.9;font-size:1.02rem;
  font-family:"Noto Serif CJK SC","Source Han Serif SC","Songti SC",serif}
.zy-para{text-indent:2em;margin:0 0 .7em}
mark.zy-support{padding:1px 0;border-radius:3px}
mark.zy-strong{background:#ffe58f}
mark.zy-weak{background:#fff5cc}
sup.zy-ref{font-size:.65rem;color:#ad6800;margin-left:1px}
.zy-aside{border:1px solid #e3e6ea;border-radius:8px;padding:8px 14px;margin:10px 0;background:#fcfcfd}
.zy-aside h4{font-size:.9rem;margin:0 0 4px;padding:0;color:#475467}
</style>
"""


# --- pages and summary sets -----------------------------------------------------------------------

_PRESS = re.compile(r"^\s*(\S{2,12}?)讯")
_FULL_DATE = re.compile(r"(?<!\d)((?:19|20)\d{2})[-_./年]?(\d{1,2})[-_./月]?(\d{1,2})日?(?!\d)")
_DAY = re.compile(r"(\d{1,2})月(\d{1,2})日")


@dataclass(frozen=True)
class PageFacets:
    """What a reader finds a page by: the newspaper, the date and the file name."""

    newspaper: str
    date: str
    name: str

    @staticmethod
    def date_key(date: str) -> tuple[int, ...]:
        """Dates in time order whatever their form (2020-09-27, 9月27日)."""
        return tuple(int(n) for n in re.findall(r"\d+", date))


def _most_common(values: Iterable[str]) -> str:
    counts: dict[str, int] = {}
    for value in values:
        counts[value] = counts.get(value, 0) + 1
    return max(counts, key=lambda v: counts[v]) if counts else ""


def page_facets(info: PageInfo) -> PageFacets:
    """The newspaper from its articles' datelines (株洲日报讯 → 株洲日报), else the page's folder; the
    date from the page's path (2020-09-27, 20200927), else its datelines (9月27日)."""
    path = PurePath(info.source.split("#", 1)[0])
    press = [m.group(1) for d in info.datelines if (m := _PRESS.match(d))]
    folders = [
        part for part in path.parts[:-1] if not _FULL_DATE.search(part) and part not in ("/", ".", "..")
    ]
    # Not the page's title: that is an article's (a JSONL row's, an HTML article's), never a paper's.
    newspaper = _most_common(press) or (folders[-1] if folders else "")
    full = _FULL_DATE.search(str(path))
    if full:
        year, month, day = (int(g) for g in full.groups())
        date = f"{year:04d}-{month:02d}-{day:02d}"
    else:
        date = _most_common(
            f"{int(m.group(1))}月{int(m.group(2))}日" for d in info.datelines if (m := _DAY.search(d))
        )
    return PageFacets(newspaper, date, path.name)


def label(text: str) -> str:
    """Text for a dropdown or a caption: Streamlit shows it as it is, so ESC, BEL and the bidirectional
    overrides from a file name or a dateline are shown as escapes, never obeyed or hidden."""
    return one_line(text)


def page_label(info: PageInfo, facets: PageFacets) -> str:
    parts = [p for p in (facets.newspaper, facets.date, facets.name) if p]
    return label(" · ".join(parts) + f" · {info.done}/{info.articles} 篇")


def filter_pages(
    pages: Sequence[PageInfo], facets: dict[str, PageFacets], newspaper: str, date: str, name: str
) -> list[PageInfo]:
    """The pages matching every filter given (newspaper and date exactly, name as a substring)."""
    name = name.strip().lower()
    out = []
    for info in pages:
        f = facets[info.source]
        if newspaper and f.newspaper != newspaper:
            continue
        if date and f.date != date:
            continue
        if name and name not in info.source.lower():
            continue
        out.append(info)
    return out


def set_label(summary_set: SummarySet, total: int) -> str:
    """One stored set of summaries, e.g. ``llm · qwen2.5…+int8 · brief · 2026-11-26.3 — 10/10``."""
    key = summary_set.key
    model = key.model if len(key.model) <= 32 else key.model[:14] + "…" + key.model[-14:]
    parts = [key.backend]
    if uses_model(key.backend):
        parts.append(model)
    parts.append(key.style + (f" ≤{key.max_chars}字" if key.max_chars else ""))
    if key.prompt_version:
        parts.append(key.prompt_version)
    return label(" · ".join(parts) + f" — {summary_set.done}/{total}")


def follow(key: SummaryKey, base: Settings, models: Sequence[str]) -> Settings:
    """The settings that make the summaries under ``key``, so the sidebar can follow the set shown.

    A model backend's key names the model as its summariser reported it (``name+int8``, a folder's
    name): the first of ``models`` whose settings imply that key is taken, else the bare name.
    """
    from zhaiyao.run.pipeline import expected_key

    settings = dataclasses.replace(
        base, backend=key.backend, style=key.style, max_chars=key.max_chars or None
    )
    backend = find(key.backend)
    if backend is None or not backend.uses_model:
        return settings
    bare = backend.settings_for(settings, key.model)
    settings = dataclasses.replace(bare, model=settings.model)
    for name in models:
        candidate = dataclasses.replace(settings, model=name)
        implied = expected_key(candidate)
        # The model only: a set made under an older prompt version still came from this model.
        if implied is not None and implied.model == key.model:
            return candidate
    return bare


def report_line(report: Any) -> str:
    """One line about a finished ``pipeline.RunReport``, for the banner above the cards."""
    backend = report.summariser.backend if report.summariser else "-"
    line = (
        f"{report.done} of {report.total} articles from {report.pages} page(s) summarised with {backend}: "
        f"{report.summarised} new, {report.cached} from the cache, {report.failed} failed, "
        f"in {report.seconds:.1f} s"
    )
    if report.page_errors:
        line += " · " + "; ".join(report.page_errors)
    return line


def export_bytes(results: Sequence[ArticleResult], fmt: str) -> bytes:
    """The download's bytes (CSV with a BOM, so Excel opens the Chinese text correctly)."""
    from zhaiyao.export.formats import render_bytes

    return render_bytes(list(results), fmt)


def unexpected(exc: BaseException) -> str:
    """One line for an error that is not the reader's to fix (a bug, a library's own exception): its
    kind and message, so the page stays up and the line can be reported."""
    return one_line(f"Something went wrong ({type(exc).__name__}: {exc}); the page is still usable.")
