"""Which sentences of an article support its summary: character bigrams of each summary sentence covered
greedily by article sentences, and the article as HTML with those sentences marked. Plain Python."""

from __future__ import annotations

import html
import itertools
import re
from dataclasses import dataclass

from zhaiyao.text.sentences import sentence_spans as split_spans


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


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
        out.append(_esc(text[pos : span.start]))
        strength = "strong" if span.score >= 0.5 else "weak"
        tip = f"supports summary sentence {span.summary_sentence} ({span.score:.0%} of its character pairs)"
        out.append(
            f'<mark class="zy-support zy-{strength}" title="{_esc(tip)}">{_esc(text[span.start : span.end])}'
            f'<sup class="zy-ref">{span.summary_sentence}</sup></mark>'
        )
        pos = span.end
    out.append(_esc(text[pos:]))
    body = "".join(out)
    paragraphs = [p for p in body.split("\n") if p.strip()]
    return "".join(f'<p class="zy-para">{p}</p>' for p in paragraphs)
