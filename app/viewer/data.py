"""What the viewer shows, computed without Streamlit: cards as escaped HTML, labels in plain words,
upload checks, summary sets and the settings they were made with, what a run costs.

The Streamlit modules (``page`` and its views) only draw. Everything here is plain Python so it can be
tested directly, and every piece of input text that ends up in HTML passes through :func:`esc` first: a
page containing ``<script>`` must show the tag as text, never run it. Support highlighting is
``support``'s and the stylesheet ``style``'s; both are re-exported here.
"""

from __future__ import annotations

import dataclasses
import hashlib
import html
import re
from collections.abc import Iterable, Sequence
from pathlib import PurePath
from typing import Any

from zhaiyao.config import Settings
from zhaiyao.documents import Article, ArticleResult, Summary
from zhaiyao.errors import InputError
from zhaiyao.sources.files import size_problem
from zhaiyao.store import SummaryKey, SummarySet
from zhaiyao.summarise.registry import backend_names, find, uses_model
from zhaiyao.text.byline import byline_parts
from zhaiyao.text.safe import one_line
from zhaiyao.viewer.style import CSS as CSS
from zhaiyao.viewer.support import Span as Span
from zhaiyao.viewer.support import highlighted_html as highlighted_html
from zhaiyao.viewer.support import sentence_spans as sentence_spans
from zhaiyao.viewer.support import summary_sentences as summary_sentences
from zhaiyao.viewer.support import support as support

# What the upload box accepts: the page formats a reader would have at hand (issue 6).
# Every format the command line reads (zhaiyao.sources.files.FORMATS).
UPLOAD_TYPES: tuple[str, ...] = ("txt", "md", "html", "htm", "jsonl", "json", "csv")
# The registry's backends, the default (llm) first.
BACKENDS: tuple[str, ...] = tuple(sorted(backend_names(), key=lambda name: name != Settings.backend))

# Plain names, Chinese first with the English beside, for what a reader picks or sees.
BACKEND_NAMES: dict[str, str] = {
    "llm": "大模型 · LLM",
    "seq2seq": "小模型 · seq2seq",
    "extractive": "抽取原句 · extractive",
    "lead": "导语 · lead",
}
STYLE_NAMES: dict[str, str] = {
    "headline": "一句话 · headline",
    "brief": "简要 · brief",
    "bullets": "要点 · bullets",
}
STATUS_FILTERS: dict[str, str] = {
    "fallback": "兜底 · fallback",
    "failed": "失败 · failed",
    "unsure": "存疑 · unsure",
}
# An article shorter than this (characters) is too short to summarise: flagged, not "guard ok".
TOO_SHORT = 30

GUARD_LABELS: dict[str, tuple[str, str]] = {
    # status: (label, why it matters to a reader)
    "ok": ("核查通过 · guard ok", "摘要中的数字和名称都见于原文 · every number and name is in the article"),
    "unsure": ("待核 · unsure", "通过核查但有存疑之处，请对照原文 · passed, with something to look at"),
    "retried": (
        "重试后通过 · retried",
        "首次摘要未通过核查，重试通过 · the first failed the check, a retry passed",
    ),
    "fallback": (
        "抽取兜底 · fallback",
        "生成的摘要未通过核查，改用原文句子 · generated summaries failed the check",
    ),
    "short": ("过短 · too short", "原文太短，无需摘要 · the article is too short to summarise"),
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


def paste_name(text: str, fmt: str, paper: str = "", date: str = "", number: str = "") -> str:
    """A stable source name for pasted text, so pasting the same page twice reuses the cache; the paper,
    date and 版次 a reader gave go into it as folders and a suffix (株洲日报/2020-09-27/pasted-…-A01.txt),
    where the page's name is read from."""
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]
    safe = [re.sub(r"[\\/#\s]+", "", part) for part in (paper, date)]
    folders = "".join(f"{part}/" for part in safe if part)
    number = re.sub(r"[^A-Za-z0-9]", "", number)
    return f"{folders}pasted-{digest}{'-' + number if number else ''}.{fmt}"


# --- cards ----------------------------------------------------------------------------------------


def display_title(article: Article, summary: Summary | None) -> tuple[str, bool]:
    """The title to show and whether it was generated (the page printed none)."""
    if article.title:
        return article.title, False
    if summary is not None and summary.generated_title:
        return summary.generated_title, True
    return f"（无标题）第 {article.index} 篇", False


def marked_html(text: str, terms: Sequence[str] = ()) -> str:
    """``text`` escaped, each occurrence of a search term wrapped in ``<mark class="zy-hit">``.

    Split on the raw text and escaped piece by piece, so a term can never cut an HTML entity."""
    terms = [t for t in terms if t]
    if not terms:
        return esc(text)
    pattern = re.compile("|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True)), re.IGNORECASE)
    out, pos = [], 0
    for found in pattern.finditer(text):
        out.append(esc(text[pos : found.start()]))
        out.append(f'<mark class="zy-hit">{esc(found.group(0))}</mark>')
        pos = found.end()
    out.append(esc(text[pos:]))
    return "".join(out)


def summary_html(summary: Summary, terms: Sequence[str] = ()) -> str:
    lines = [line.strip() for line in summary.text.splitlines() if line.strip()]
    if summary.style == "bullets" or len(lines) > 1:
        items = [re.sub(r"^(?:[-*•·]|\d+[.、)）])\s*", "", line) for line in lines]
        return (
            '<ul class="zy-summary">' + "".join(f"<li>{marked_html(i, terms)}</li>" for i in items) + "</ul>"
        )
    return f'<p class="zy-summary">{marked_html(summary.text.strip(), terms)}</p>'


def too_short(article: Article) -> bool:
    """An article too short to need a summary (a greeting pasted, a one-line notice)."""
    return len(article.text.strip()) < TOO_SHORT


def guard_status(result: ArticleResult) -> str:
    """What the badge says: failed, missing, short, or the summary's guard (ok, retried, fallback)."""
    if result.status == "failed":
        return "failed"
    if result.summary is None:
        return "missing"
    if too_short(result.article):
        return "short"
    return result.summary.guard


def needs_look(result: ArticleResult, wanted: str) -> bool:
    """Whether a result is one a reader reviewing ``wanted`` (fallback / failed / unsure) should see.

    Unsure: a summary the check passed with doubts (guard "unsure"), that passed only on a retry, or
    passed with notes, or of an article too short."""
    status = guard_status(result)
    if wanted == "unsure":
        noted = result.summary is not None and bool(result.summary.guard_reasons) and status == "ok"
        return status in ("unsure", "retried", "short") or noted
    return status == wanted


_REASONS: list[tuple[re.Pattern[str], str]] = [
    # The faithfulness check's kinds (zhaiyao.summarise.faithful), whatever "attempt 1: " or "unsure: "
    # stands before them.
    (re.compile(r"attribution:"), "引语归属与原文不符"),
    (re.compile(r"modality:"), "计划与完成的语气与原文不符"),
    (re.compile(r"time:"), "时间与原文不符"),
    (re.compile(r"polarity:"), "肯定否定或增减方向与原文相反"),
    (re.compile(r"organisation: "), "机构与原文不符"),
    (re.compile(r"actor:"), "做事的主体与原文不符"),
    (re.compile(r"invented:"), "原文没有的评价"),
    (re.compile(r"quantity:"), "数字的单位或对象与原文不符"),
    (re.compile(r"photo credit"), "把图片署名当成了人物"),
    (re.compile(r"unsupported:"), "原文中找不到这句话的依据"),
    (re.compile(r"^number (.+) not in the article$"), "数字 {0} 不见于原文"),
    (re.compile(r"^\w+ (.+) not in the article$"), "“{0}” 不见于原文"),
    (re.compile(r"^no Chinese text$"), "没有中文"),
    (re.compile(r"^not mostly Chinese"), "中文不足"),
    (re.compile(r"^repeats"), "有重复"),
    (re.compile(r"broken characters$"), "有乱码"),
]


def reason_label(reason: str) -> str:
    """A guard note, Chinese first with the guard's own English beside: ``数字 5 不见于原文 · number 5 …``."""
    for pattern, chinese in _REASONS:
        found = pattern.search(reason)
        if found:
            return f"{chinese.format(*found.groups())} · {reason}"
    return f"核查 · {reason}"


def guard_badge_html(result: ArticleResult, *, computing: bool = False) -> str:
    status = guard_status(result)
    if status == "failed":
        return f'<span class="zy-badge zy-failed" title="{esc(result.error)}">失败 · failed</span>'
    if status == "missing" and computing:
        return '<span class="zy-badge zy-pending">摘要中… · pending</span>'
    if status == "missing":
        return '<span class="zy-badge zy-missing">无摘要 · no summary</span>'
    label, why = GUARD_LABELS.get(status, (status, ""))
    reasons = "; ".join(reason_label(r) for r in result.summary.guard_reasons) if result.summary else ""
    tip = f"{why}. {reasons}" if reasons else why
    return f'<span class="zy-badge zy-{esc(status)}" title="{esc(tip)}">{esc(label)}</span>'


_URLISH = re.compile(r"(?i)^(?:https?|www|com|cn|net|org|html?|php|aspx?)$|[/:.=?&%]")
_LEADING_FUNCTION = "同和与跟在对将把被从向为于及并"


def clean_keywords(keywords: Sequence[str], text: str) -> list[str]:
    """Keywords a reader can use: never a URL's piece, never half a name (two keywords printed side by
    side in the text, 武切 + 维奇, are one: 武切维奇), never led by a function word (同塞方 → 塞方)."""
    url = re.compile(r"(?i)(?:https?://|www\.)[\w\-./?=&%#:]+")
    urls, rest = " ".join(url.findall(text)), url.sub(" ", text)
    words = [k.strip() for k in keywords if k.strip() and not _URLISH.search(k.strip())]
    words = [k for k in words if not (k in urls and k not in rest)]
    words = [k[1:] if len(k) >= 3 and k[0] in _LEADING_FUNCTION and k[1:] in text else k for k in words]
    merged: list[str] = []
    for word in words:
        joined = next((m for m in merged if m + word in text or word + m in text), None)
        if joined is not None:
            whole = joined + word if joined + word in text else word + joined
            merged[merged.index(joined)] = whole
        elif not any(word in m for m in merged):
            merged.append(word)
    return merged


def card_html(
    result: ArticleResult,
    *,
    computing: bool = False,
    terms: Sequence[str] = (),
    marks: Any = None,
) -> str:
    """One article as a card: title, subtitle, byline, dateline, continued-on, summary, keywords, guard.

    ``computing``: its summary is being made right now, for this reader; a card without a summary says
    so only then, and otherwise that there is none for these settings. ``terms``: search words to mark;
    ``marks``: the reader's marks on it (read, starred).
    """
    article, summary = result.article, result.summary
    title, generated = display_title(article, summary)
    gen = (
        '<span class="zy-gen" title="the page printed no title; this one was generated">生成标题</span>'
        if generated
        else ""
    )
    flags = ""
    if marks is not None and getattr(marks, "starred", False):
        flags += '<span class="zy-star" title="已加星 · starred">★</span>'
    if marks is not None and getattr(marks, "read", False):
        flags += '<span class="zy-read" title="已读 · read">已读</span>'
    head = (
        f'<div class="zy-card-top"><span class="zy-index">{article.index}</span>'
        f"{guard_badge_html(result, computing=computing)}{flags}"
        f'<span class="zy-chars">{article.chars} 字</span></div>'
    )
    pieces = [head, f'<h3 class="zy-title">{marked_html(title, terms)}{gen}</h3>']
    if article.subtitle:
        pieces.append(f'<div class="zy-subtitle">{marked_html(article.subtitle, terms)}</div>')
    byline = byline_parts(article)
    if byline:
        pieces.append('<div class="zy-byline">' + " · ".join(esc(p) for p in byline) + "</div>")
    pieces.append(_body_html(result, computing, terms))
    words = clean_keywords(summary.keywords, article.text) if summary is not None else []
    if words:
        pieces.append(
            '<div class="zy-keywords">' + "".join(f"<span>{esc(k)}</span>" for k in words) + "</div>"
        )
    if article.continued_on:
        pieces.append(f'<div class="zy-continued">↪ {esc(article.continued_on)}</div>')
    return f'<div class="zy-card" data-index="{article.index}">' + "".join(pieces) + "</div>"


def _body_html(result: ArticleResult, computing: bool, terms: Sequence[str]) -> str:
    summary = result.summary
    if summary is not None and too_short(result.article):
        return f'<p class="zy-summary zy-waiting">{marked_html(result.article.text.strip(), terms)}</p>'
    if summary is not None:
        return summary_html(summary, terms)
    if result.status == "failed":
        return f'<p class="zy-error">{esc(result.error or "summary failed")}</p>'
    if computing:
        return '<p class="zy-summary zy-waiting">正在生成摘要… · being summarised</p>'
    return (
        '<p class="zy-summary zy-waiting zy-none">此设置下尚无摘要 · No summary for these settings: '
        "“摘要 · Summarise” above makes one.</p>"
    )


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
    counts = {"ok": 0, "retried": 0, "fallback": 0, "failed": 0, "missing": 0, "short": 0}
    for r in results:
        status = guard_status(r)
        counts[status] = counts.get(status, 0) + 1
    return counts


# --- summary sets --------------------------------------------------------------------------------


def set_label(summary_set: SummarySet, total: int, *, with_model: bool = False) -> str:
    """One stored set of summaries in plain words: ``大模型 · 简要 · 2026-12-01 — 10/10``.

    ``with_model``: name the model too (two sets of one backend and style would read alike otherwise).
    """
    key = summary_set.key
    parts = [BACKEND_NAMES.get(key.backend, key.backend).split(" · ")[0]]
    if with_model and uses_model(key.backend):
        parts.append(key.model if len(key.model) <= 32 else key.model[:14] + "…" + key.model[-14:])
    style = STYLE_NAMES.get(key.style, key.style).split(" · ")[0]
    parts.append(style + (f" ≤{key.max_chars}字" if key.max_chars else ""))
    parts.append(summary_set.newest[:10])
    return label(" · ".join(parts) + f" — {summary_set.done}/{total}")


def label(text: str) -> str:
    """Text for a dropdown or a caption: Streamlit shows it as it is, so ESC, BEL and the bidirectional
    overrides from a file name or a dateline are shown as escapes, never obeyed or hidden."""
    return one_line(text)


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
        f"已摘要 {report.done}/{report.total} 篇 · {report.done} of {report.total} articles from "
        f"{report.pages} page(s) summarised with {backend}: "
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


def cost_line(todo: int, seconds_each: float | None, needs_load: bool) -> str:
    """What a run will cost, before it starts: ``10 篇 · 约 3 分钟（需先加载模型）``; the time per article
    comes from the store's recent summaries by the same backend and model (unknown: none yet)."""
    parts = [f"{todo} 篇 · {todo} article(s)"]
    if seconds_each:
        parts.append(
            "约 " + duration(todo * seconds_each) + " · about " + duration(todo * seconds_each, en=True)
        )
    elif needs_load:
        parts.append("时间未知（尚无测速）· time unknown (not measured yet)")
    if needs_load:
        parts.append(
            "需先加载模型（约 1 GB，最长约一分钟）· loads the model first (about 1 GB, up to a minute)"
        )
    return " · ".join(parts)


def duration(seconds: float, *, en: bool = False) -> str:
    if seconds < 60:
        return f"{max(1, round(seconds))} s" if en else f"{max(1, round(seconds))} 秒"
    minutes = seconds / 60
    shown = f"{minutes:.0f}" if minutes >= 10 else f"{minutes:.1f}".rstrip("0").rstrip(".")
    return f"{shown} min" if en else f"{shown} 分钟"


def unexpected(exc: BaseException) -> str:
    """One line for an error that is not the reader's to fix (a bug, a library's own exception): its
    kind and message, so the page stays up and the line can be reported."""
    return one_line(f"Something went wrong ({type(exc).__name__}: {exc}); the page is still usable.")
