"""A reader's corrections to a split: merging two articles, or splitting one at a paragraph.

Corrections are kept with the page's content hash (``store``) and applied here after every split, in
the order they were made, so a re-run or a re-import of the same page gives the corrected articles.
An article the correction does not touch keeps its content hash, so its summary is reused; only the
merged or split articles are new. A correction that no longer fits the page (an index past its
articles, a paragraph past an article's end) is skipped, never an error: the page may have been split
differently since, by a better splitter.
"""

from __future__ import annotations

from dataclasses import replace

from zhaiyao.documents import Article, Correction, Removal
from zhaiyao.split.clean import ends_sentence
from zhaiyao.text.sentences import sentence_spans

_HEADING_MAX = 45  # a paragraph this short without a full stop can head the new article


def merge(first: Article, second: Article) -> Article:
    """One article of two: the second's title (a 小标题 the splitter took for a headline) and subtitle
    become paragraphs between the two bodies; names, captions, sidebars and removals are joined."""
    middle = [t for t in (second.kicker, second.title, second.subtitle) if t]
    text = "\n".join(p for p in (first.text, *middle, second.text) if p)

    def both(name: str) -> tuple:
        mine = tuple(getattr(first, name))
        return mine + tuple(x for x in getattr(second, name) if x not in mine)

    return replace(
        first,
        text=text,
        reporters=both("reporters"),
        correspondents=both("correspondents"),
        photographers=both("photographers"),
        captions=both("captions"),
        sidebars=both("sidebars"),
        removed=(*first.removed, *second.removed, Removal("reader_merge", second.title or "")),
        continued_on=second.continued_on or first.continued_on,
    )


def _cut(text: str, paragraph: int, sentence: int | None) -> tuple[list[str], list[str]] | None:
    """The article's paragraphs before and after the cut: before ``paragraph``, or inside it before its
    ``sentence`` (a headline run into a paragraph); None when either side would be empty."""
    paragraphs = text.split("\n")
    if sentence:
        spans = sentence_spans(paragraphs[paragraph]) if 0 <= paragraph < len(paragraphs) else []
        if not 0 < sentence < len(spans):
            return None
        at = spans[sentence][0]
        whole = paragraphs[paragraph]
        paragraphs[paragraph : paragraph + 1] = [whole[:at].rstrip(), whole[at:]]
        paragraph += 1
    if not 1 <= paragraph < len(paragraphs):
        return None
    return paragraphs[:paragraph], paragraphs[paragraph:]


def split(
    article: Article, paragraph: int, title: str | None = None, sentence: int | None = None
) -> tuple[Article, Article] | None:
    """Two articles of one, cut before ``paragraph`` (or before its ``sentence``). The new article's
    title is ``title`` where the reader named one (the line at the cut, when it starts with that title,
    gives it up to the title); else a short heading-like paragraph there. None when the cut would leave
    either side empty."""
    parts = _cut(article.text, paragraph, sentence)
    if parts is None:
        return None
    head, tail = parts
    title = (title or "").strip() or None
    if title is not None:
        rest = tail[0].strip()[len(title) :].strip() if tail[0].strip().startswith(title) else None
        if rest is not None and (rest or len(tail) > 1):
            tail = ([rest] if rest else []) + tail[1:]
    elif len(tail) > 1 and len(tail[0]) <= _HEADING_MAX and not ends_sentence(tail[0]):
        title, tail = tail[0], tail[1:]
    first = replace(article, text="\n".join(head))
    second = Article(
        page=article.page,
        index=article.index + 1,
        title=title,
        text="\n".join(tail),
        removed=(Removal("reader_split", title or tail[0][:20]),),
        newspaper=article.newspaper,
        issue_date=article.issue_date,
        page_number=article.page_number,
        page_name=article.page_name,
        credits=article.credits,
        boundary_confidence=1.0,  # a reader put it there
        title_confidence=1.0 if title else None,
    )
    return first, second


def apply(articles: list[Article], corrections: list[Correction]) -> list[Article]:
    """The page's articles with the corrections applied in order, renumbered from 1."""
    out = list(articles)
    for fix in corrections:
        i = fix.article - 1
        if fix.action == "merge" and 0 <= i < len(out) - 1:
            out[i : i + 2] = [merge(out[i], out[i + 1])]
        elif fix.action == "split" and 0 <= i < len(out) and fix.paragraph is not None:
            parts = split(out[i], fix.paragraph, fix.title, fix.sentence)
            if parts is not None:
                out[i : i + 1] = list(parts)
    return [replace(a, index=k) for k, a in enumerate(out, 1)]
