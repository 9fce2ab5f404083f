"""Extractive summaries without weights: TextRank over Chinese sentences (jieba words), with a lead bias.

News puts the main fact first, so earlier sentences get a bonus; chosen sentences are always shown
in their original order. The same ranking picks salient sentences when an article is condensed and
writes the fallback summary when a generated one fails the faithfulness guard.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from zhaiyao.summarise.base import Request, Style, VerbatimSummariser
from zhaiyao.summarise.keywords import keywords_from_words
from zhaiyao.summarise.limits import cut_to_limit
from zhaiyao.text.sentences import CLOSERS, SENTENCE_ENDS, split_sentences

_LEADING_DATE_RE = re.compile(
    r"^(?:\d{4}年)?\d{1,2}月\d{1,2}日[上下中]?午?(?:晚|早)?(?:\d{1,2}[点时:：]\d{0,2}分?)?[，,、]\s*"
)
LEAD_BONUS = 1.0  # the first sentence's score is multiplied by 1 + LEAD_BONUS, the n-th by 1 + LEAD_BONUS/n
DAMPING = 0.85
ITERATIONS = 30
SHORT_SENTENCE = 8  # headings and fragments shorter than this rarely make a summary on their own
# A summary sentence is read alone, so one that leans on its neighbour misleads: a quote whose speaker
# is named in the next sentence reads as the writer's claim, a bare "他说。" or a pronoun or connective
# opening (他/该/此外/其中…) points at a sentence the reader never sees, a clause ending in "：" at a list.
LEANS_ON_NEIGHBOUR = 0.2  # score factor; such a sentence is still chosen when nothing better fits
_LEADING_REFERENCE = re.compile(
    r"^(?:他们|她们|它们|他|她|它|其|该|此|这|那|对此|为此|因此|所以|但|而|然而|不过|同时|此外|另外|其中|"
    r"随后|之后|此后|与此同时)"
)
_SPEAKER = r"[^，。“”！？]{1,15}?(?:说|表示|介绍|指出|强调|称|认为|坦言|感慨|告诉记者)"
_SPEAKER_OPENS = re.compile(rf"^{_SPEAKER}[，。：:！]")
_SPEAKER_ONLY = re.compile(rf"^{_SPEAKER}[。！]?$")
# Up to FULL_GRAPH sentences every pair is compared (an n² matrix of at most 2.9 MB); beyond, each
# sentence is compared with its NEIGHBOURS on either side, so ranking stays linear in the length.
FULL_GRAPH = 600
NEIGHBOURS = 40


@lru_cache(maxsize=512)
def segment(text: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Sentences of ``text`` with their jieba words; cached so ranking and keywords cut only once."""
    import jieba

    return tuple((s, tuple(jieba.lcut(s))) for s in split_sentences(text))


def article_keywords(text: str, k: int = 5) -> tuple[str, ...]:
    return keywords_from_words((w for _, words in segment(text) for w in words), k)


def rank_sentences(text: str) -> list[tuple[int, str, float]]:
    """(position, sentence, score) for every sentence of ``text``, in original order."""
    segs = segment(text)
    n = len(segs)
    if n == 0:
        return []
    bags = [{w for w in words if len(w) >= 2} for _, words in segs]
    score = _full_graph_scores(bags) if n <= FULL_GRAPH else _band_graph_scores(bags, NEIGHBOURS)
    ranked = []
    for i, (sentence, _) in enumerate(segs):
        value = float(score[i]) * (1 + LEAD_BONUS / (i + 1))
        if len(sentence) < SHORT_SENTENCE:
            value *= 0.3
        ranked.append((i, sentence, value))
    return ranked


def leans_on_neighbour(sentences: Sequence[str], i: int) -> bool:
    """Whether sentence ``i`` needs a neighbour to be read right (see LEANS_ON_NEIGHBOUR)."""
    sentence = sentences[i].strip()
    if _LEADING_REFERENCE.match(sentence) or _SPEAKER_ONLY.match(sentence):
        return True
    if sentence.endswith(("：", ":", "——")):
        return True
    quote_alone = sentence.startswith(("“", "「")) and i + 1 < len(sentences)
    return quote_alone and bool(_SPEAKER_OPENS.match(sentences[i + 1].strip()))


def summary_ranking(text: str) -> list[tuple[int, str, float]]:
    """``rank_sentences`` for a summary made of lifted sentences: one that leans on a neighbour ranks
    low. (Condensing keeps the plain ranking: there the neighbours travel with it.)"""
    ranked = rank_sentences(text)
    sentences = [s for _, s, _ in ranked]
    return [(i, s, v * LEANS_ON_NEIGHBOUR if leans_on_neighbour(sentences, i) else v) for i, s, v in ranked]


def _similarity(a: set[str], b: set[str]) -> float:
    overlap = len(a & b)
    return overlap / (math.log(len(a)) + math.log(len(b))) if overlap else 0.0


def _full_graph_scores(bags: list[set[str]]) -> Any:
    """TextRank over every pair of sentences: n² memory and time, so only for articles of ordinary size."""
    import numpy as np

    n = len(bags)
    sim = np.zeros((n, n), dtype=np.float64)
    for i in range(n):
        if len(bags[i]) < 2:
            continue
        for j in range(i + 1, n):
            if len(bags[j]) >= 2:
                sim[i, j] = sim[j, i] = _similarity(bags[i], bags[j])
    out_weight = sim.sum(axis=1)
    out_weight[out_weight == 0] = 1.0
    transition = sim / out_weight[:, None]
    score = np.full(n, 1.0 / n)
    for _ in range(ITERATIONS):
        score = (1 - DAMPING) / n + DAMPING * transition.T @ score
    return score


def _band_graph_scores(bags: list[set[str]], width: int) -> Any:
    """TextRank where each sentence is linked to the ``width`` sentences on either side of it.

    Memory and time grow with n·width instead of n², so an article of any size under the file limit
    is ranked in bounded time; a sentence's salience is then judged against its neighbourhood, which
    is what a long text's local topics are. ``band[i, d - 1]`` is the similarity of i and i + d.
    """
    import numpy as np

    n = len(bags)
    band = np.zeros((n, width), dtype=np.float64)
    logs = [math.log(len(b)) if len(b) >= 2 else None for b in bags]
    for i in range(n):
        if logs[i] is None:
            continue
        bag, row = bags[i], band[i]
        for d in range(1, min(width, n - 1 - i) + 1):
            other = logs[i + d]
            if other is not None and (overlap := len(bag & bags[i + d])):
                row[d - 1] = overlap / (logs[i] + other)
    out_weight = band.sum(axis=1)
    for d in range(1, width + 1):
        out_weight[d:] += band[:-d, d - 1]
    out_weight[out_weight == 0] = 1.0
    score = np.full(n, 1.0 / n)
    for _ in range(ITERATIONS):
        share = score / out_weight
        incoming = np.zeros(n)
        for d in range(1, width + 1):
            incoming[d:] += band[:-d, d - 1] * share[:-d]  # from i to i + d
            incoming[:-d] += band[:-d, d - 1] * share[d:]  # from i + d to i
        score = (1 - DAMPING) / n + DAMPING * incoming
    return score


def _terminated(sentence: str) -> str:
    # A line without end punctuation (a heading, the last line) must not fuse with the next sentence.
    return sentence if sentence[-1] in SENTENCE_ENDS + CLOSERS else sentence + "。"


def select_sentences(text: str, budget: int, max_count: int | None = None, cost=len) -> list[str]:
    """Best-scoring sentences whose total ``cost`` fits ``budget``, in original order."""
    ranked = [(pos, _terminated(s), score) for pos, s, score in summary_ranking(text)]
    chosen: list[tuple[int, str]] = []
    used = 0
    for pos, sentence, _ in sorted(ranked, key=lambda r: -r[2]):
        if max_count is not None and len(chosen) >= max_count:
            break
        # A bare "某某说。" says nothing alone and, after a lifted sentence, hands it to the speaker;
        # short, it would otherwise fill whatever room is left.
        if _SPEAKER_ONLY.match(sentence.strip()):
            continue
        c = cost(sentence)
        if used + c <= budget:
            chosen.append((pos, sentence))
            used += c
    return [s for _, s in sorted(chosen)]


def extract(text: str, style: Style, limit: int) -> str:
    """An extractive summary of ``text`` in ``style`` within ``limit`` characters."""
    if style.max_points:
        points = select_sentences(text, limit, style.max_points, cost=lambda s: len(s) + 1)
        if len(points) < style.min_points:
            # Long sentences: cut the best ones at clause boundaries so there are enough points.
            per_point = max(8, limit // style.min_points - 1)
            best = sorted(summary_ranking(text), key=lambda r: -r[2])[: style.min_points]
            points = [cut_to_limit(s, per_point) for _, s in sorted((p, s) for p, s, _ in best)]
        return "\n".join(p for p in points if p)
    if style.one_line:
        # A headline is the best sentence cut short, not whichever fragment happens to be short.
        ranked = sorted(summary_ranking(text), key=lambda r: -r[2])
        if not ranked:
            return ""
        # "9月27日，……" would cut to a bare date: a headline starts after the dateline clause.
        best = _LEADING_DATE_RE.sub("", ranked[0][1]) or ranked[0][1]
        return cut_to_limit(best, limit, 1).rstrip("。；;，,")
    chosen = select_sentences(text, limit, style.max_sentences)
    if not chosen:
        ranked = sorted(summary_ranking(text), key=lambda r: -r[2])
        if not ranked:
            return ""
        chosen = [cut_to_limit(ranked[0][1], limit)]
    summary = "".join(chosen)
    # A clause chosen last ("优良率91.4%；") still ends the summary as a sentence.
    return summary[:-1] + "。" if summary[-1] in "；;，," else summary


class ExtractiveSummariser(VerbatimSummariser):
    """Always available, fast (no model), faithful by construction."""

    backend = "extractive"
    model_name = "textrank"

    def generate(self, requests: Sequence[Request]) -> list[list[str]]:
        return [[extract(r.text, r.style, r.max_chars)] for r in requests]
