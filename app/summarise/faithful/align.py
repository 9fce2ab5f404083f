"""Summary clauses aligned to the article's sentences by character-bigram overlap.

Every rule compares a piece of the summary with the article sentence it came from, so alignment comes
first. Bigrams of letters and digits (after NFKC) are cheap, need no segmenter and survive the small
rewordings summaries make; an index from bigram to sentences keeps one alignment to a few dict look-ups.
An article's index is built once and cached: a summariser checks several candidates of one article.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

from zhaiyao.text.sentences import split_clauses, split_sentences

_SQUEEZE_RE = re.compile(r"[^\w%.]+")


def normalise(text: str) -> str:
    """NFKC (full-width digits and punctuation to ASCII) and no thousands separators."""
    text = unicodedata.normalize("NFKC", text)
    return re.sub(r"(?<=\d),(?=\d{3}(?!\d))", "", text)


def squeeze(text: str) -> str:
    """Letters, digits, % and dots only: the form substring checks use, so a page's "动力谷 文旅" or
    "宋 文摄" matches a summary's "动力谷文旅"."""
    return _SQUEEZE_RE.sub("", normalise(text))


def grams(text: str) -> frozenset[str]:
    chars = "".join(ch for ch in normalise(text).lower() if ch.isalnum())
    return frozenset(chars[i : i + 2] for i in range(len(chars) - 1)) or frozenset(chars)


@dataclass(frozen=True)
class Sentence:
    index: int
    paragraph: int
    text: str  # normalised
    grams: frozenset[str] = field(repr=False)


@dataclass(frozen=True)
class Alignment:
    sentence: Sentence
    coverage: float  # share of the span's bigrams found in the sentence
    segment: str  # the sentence's clauses that hold the shared bigrams
    clause: str  # the one clause of the sentence that shares most of them


class Source:
    """An article prepared for alignment: sentences with their paragraphs and a bigram index."""

    def __init__(self, article: str) -> None:
        self.text = normalise(article)
        self.squeezed = squeeze(article)
        self.paragraphs = [p.strip() for p in self.text.splitlines() if p.strip()]
        self.sentences: list[Sentence] = []
        for p, paragraph in enumerate(self.paragraphs):
            for sentence in split_sentences(paragraph):
                self.sentences.append(Sentence(len(self.sentences), p, sentence, grams(sentence)))
        self.index: dict[str, list[int]] = {}
        for sentence in self.sentences:
            for gram in sentence.grams:
                self.index.setdefault(gram, []).append(sentence.index)
        self.all_grams = frozenset(self.index)

    def align(self, span: str) -> Alignment | None:
        """The sentence sharing most of ``span``'s bigrams (ties: the earliest); None if none shares any."""
        wanted = grams(span)
        if not wanted:
            return None
        counts: Counter[int] = Counter()
        for gram in wanted:
            counts.update(self.index.get(gram, ()))
        if not counts:
            return None
        # Ties go to a sentence holding the span word for word (of 加快构建新发展格局 and 构建新发展格局,
        # the summary's 构建新发展格局 restates the second), then to the earliest.
        squeezed = squeeze(span)
        best = max(counts, key=lambda i: (counts[i], squeezed in squeeze(self.sentences[i].text), -i))
        sentence = self.sentences[best]
        segment, clause = _segment(sentence.text, wanted)
        return Alignment(sentence, counts[best] / len(wanted), segment, clause)

    def near_best(self, span: str, slack: float = 0.1) -> list[Sentence]:
        """Every sentence sharing nearly as many of ``span``'s bigrams as the best one: an article that
        repeats itself (a lead box of points, then the speech) restates the span in each."""
        wanted = grams(span)
        counts: Counter[int] = Counter()
        for gram in wanted:
            counts.update(self.index.get(gram, ()))
        if not counts:
            return []
        top = max(counts.values())
        return [self.sentences[i] for i in sorted(counts) if counts[i] >= top - slack * len(wanted)]

    def has(self, text: str) -> bool:
        """``text`` is in the article word for word (spaces and punctuation aside)."""
        squeezed = squeeze(text)
        return len(squeezed) >= 4 and squeezed in self.squeezed

    def support(self, span: str) -> float:
        """Share of ``span``'s bigrams found anywhere in the article."""
        wanted = grams(span)
        return len(wanted & self.all_grams) / len(wanted) if wanted else 1.0

    def neighbourhood(self, sentence: Sentence, before: int = 3) -> list[Sentence]:
        """The sentence's paragraph up to it, and up to ``before`` sentences ahead of it across
        paragraphs: where the speaker of a quoted sentence is named."""
        start = max(0, sentence.index - before)
        return [s for s in self.sentences[start : sentence.index + 1]] + [
            s for s in self.sentences if s.paragraph == sentence.paragraph and s.index < start
        ]


def _segment(sentence: str, wanted: frozenset[str]) -> tuple[str, str]:
    """The run of the sentence's clauses from the first to the last that shares two or more bigrams
    with the span (the part of the sentence a summary clause restates), and the clause sharing most."""
    clauses = split_clauses(sentence)
    overlaps = [len(grams(clause) & wanted) for clause in clauses]
    shared = [i for i, n in enumerate(overlaps) if n >= 2]
    best = clauses[max(range(len(clauses)), key=lambda i: (overlaps[i], -i))]
    if not shared:
        return sentence, best
    return "".join(clauses[shared[0] : shared[-1] + 1]), best


@lru_cache(maxsize=64)
def source_of(article: str) -> Source:
    return Source(article)


@lru_cache(maxsize=256)
def tagged(text: str) -> tuple[tuple[str, str], ...]:
    """jieba's (word, part of speech) pairs for ``text``, computed once: several rules read the same
    summary, and tagging is the slowest step of the check."""
    import jieba.posseg

    return tuple((pair.word, pair.flag) for pair in jieba.posseg.lcut(text))


@dataclass(frozen=True)
class Clause:
    """A clause of the summary, with the sentence it belongs to (rules look at the head of the
    sentence too: 会议将于…，审议… keeps 将 in the first clause only)."""

    text: str
    sentence: str
    head: str  # the sentence before this clause


def summary_clauses(summary: str) -> list[Clause]:
    out = []
    for sentence in split_sentences(normalise(summary)):
        head = ""
        for clause in split_clauses(sentence):
            out.append(Clause(clause, sentence, head))
            head += clause
    return out
