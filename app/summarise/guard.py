"""The faithfulness guard: cheap checks that catch the ways small models go wrong on news.

A summary passes when it is mostly Chinese, does not loop, and every number/date/percentage in it
occurs in the article (after NFKC, so ２．４亿 matches 2.4亿). Each failure is a short reason string
recorded with the summary. Names and the rules that read the summary against the article's sentences
live in ``zhaiyao.summarise.faithful``, which runs these checks first.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from zhaiyao.text.sentences import is_cjk, split_sentences

MIN_CHINESE_SHARE = 0.7  # of the letters (CJK + Latin words the article lacks) in the summary
LOOP_NGRAM = 4  # a 4-character run ...
LOOP_REPEATS = 3  # ... appearing this often is a loop (news summaries do not repeat themselves)

_NUMBER_RE = re.compile(r"\d+(?:\.\d+)?")
_LATIN_WORD_RE = re.compile(r"[A-Za-z]+")
_CN_DIGITS = {ch: i for i, ch in enumerate("零一二三四五六七八九")} | {"〇": 0, "两": 2}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}
_CN_NUMBER_RE = re.compile(r"[零〇一二两三四五六七八九十百千]+")


@dataclass(frozen=True)
class GuardResult:
    ok: bool
    reasons: tuple[str, ...]


def normalise(text: str) -> str:
    """NFKC (full-width digits and dots to ASCII) and no thousands separators."""
    text = unicodedata.normalize("NFKC", text)
    return re.sub(r"(?<=\d),(?=\d{3}(?!\d))", "", text)


def _canonical_number(raw: str) -> str:
    if "." in raw:
        raw = raw.rstrip("0").rstrip(".") or "0"
    return raw.lstrip("0") or "0"


def _cn_to_int(s: str) -> int | None:
    """Small Chinese numerals (三, 十五, 二百三十) as ints; None for forms not worth parsing."""
    if all(ch in _CN_DIGITS for ch in s):
        return int("".join(str(_CN_DIGITS[ch]) for ch in s)) if len(s) > 1 else _CN_DIGITS[s]
    total, current = 0, 0
    for ch in s:
        if ch in _CN_DIGITS:
            current = _CN_DIGITS[ch]
        elif ch in _CN_UNITS:
            total += (current or 1) * _CN_UNITS[ch]
            current = 0
        else:
            return None
    return total + current


def numbers_in(text: str) -> set[str]:
    return {_canonical_number(m) for m in _NUMBER_RE.findall(normalise(text))}


@lru_cache(maxsize=256)
def _article_numbers(article: str) -> frozenset[str]:
    found = numbers_in(article)
    # A model may write 3 for 三 or 15 for 十五: the article's Chinese numerals count as numbers too.
    for match in _CN_NUMBER_RE.findall(article):
        value = _cn_to_int(match)
        if value is not None:
            found.add(str(value))
    return frozenset(found)


def check_characters(summary: str) -> str | None:
    """Replacement and private-use characters: what a model emits when it splits a character's bytes."""
    bad = sum(
        1
        for ch in summary
        if ch == "\ufffd" or (unicodedata.category(ch) in ("Co", "Cs", "Cc") and ch != "\n")
    )
    return f"{bad} broken characters" if bad else None


@lru_cache(maxsize=256)
def _article_latin_words(article: str) -> frozenset[str]:
    # Cached like _article_numbers: headline candidates check one article eight times.
    return frozenset(w.lower() for w in _LATIN_WORD_RE.findall(normalise(article)))


def check_language(summary: str, article: str = "") -> str | None:
    """Mostly Chinese. Latin words the article itself uses (A350XWB, iPhone, IPO) are names, not a
    switch to English, so they do not count against the summary."""
    cjk = sum(1 for ch in summary if is_cjk(ch))
    article_words = _article_latin_words(article)
    latin = sum(len(w) for w in _LATIN_WORD_RE.findall(normalise(summary)) if w.lower() not in article_words)
    if cjk + latin == 0:
        return "no Chinese text"
    share = cjk / (cjk + latin)
    if share < MIN_CHINESE_SHARE:
        return f"not mostly Chinese ({share:.0%} Chinese characters)"
    return None


def check_repetition(summary: str, article: str = "") -> str | None:
    """A loop: a phrase repeated more often than the article itself repeats it, or a repeated sentence.

    Comparing with the article matters: a story about 生态环境 rightly says 生态环境 three times.
    """
    text = re.sub(r"\s+", "", summary)
    counts: dict[str, int] = {}
    for i in range(len(text) - LOOP_NGRAM + 1):
        gram = text[i : i + LOOP_NGRAM]
        counts[gram] = counts.get(gram, 0) + 1
    for gram, count in counts.items():
        if (
            count >= LOOP_REPEATS
            and count > article.count(gram)
            and any(is_cjk(ch) or ch.isalnum() for ch in gram)
        ):
            return f"repeats {gram!r} {count} times"
    sentences = split_sentences(summary)
    if len(sentences) != len(set(sentences)):
        return "repeats a sentence"
    return None


def check_numbers(summary: str, article: str) -> list[str]:
    known = _article_numbers(normalise(article))
    missing = sorted(n for n in numbers_in(summary) if n not in known)
    return [f"number {n} not in the article" for n in missing]


def lexical_reasons(summary: str, article: str) -> list[str]:
    """The checks that need no reading of the article's sentences: broken characters, language, loops
    and numbers the article lacks. The faithfulness check (``zhaiyao.summarise.faithful``) adds the
    names and the sentence-by-sentence rules on top."""
    reasons: list[str] = []
    singles = (
        check_characters(summary),
        check_language(summary, article),
        check_repetition(summary, article),
    )
    reasons += [single for single in singles if single]
    reasons += check_numbers(summary, article)
    return list(dict.fromkeys(reasons))


def check(summary: str, article: str) -> GuardResult:
    """The lexical checks alone, as a result (the summariser uses ``faithful.check``)."""
    if not summary.strip():
        return GuardResult(False, ("empty summary",))
    reasons = lexical_reasons(summary, article)
    return GuardResult(not reasons, tuple(reasons))
