"""Cited sentences: reading ``[2][5]`` marks out of a model's summary, and checking each sentence
against the articles it cites with the faithfulness guard."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from itertools import pairwise

from zhaiyao.summarise import guard
from zhaiyao.text.sentences import split_sentences

_ASCII_MARKS = str.maketrans(
    {"［": "[", "］": "]", "【": "[", "】": "]"} | {chr(0xFF10 + d): str(d) for d in range(10)}
)
_MARK = re.compile(r"\[(\d{1,3})\]")
_MARKS_RUN = re.compile(r"\s*(?:\[\d{1,3}\]\s*)+")
_MARKS_AFTER_END = re.compile(r"([。！？!?；;])((?:\s*\[\d{1,3}\])+)")


@dataclass(frozen=True)
class Sentence:
    text: str  # without its citation marks
    cites: tuple[int, ...]
    source: str = "model"  # model | extract
    reasons: tuple[str, ...] = field(default=())

    def rendered(self) -> str:
        marks = "".join(f"[{n}]" for n in self.cites)
        body = self.text
        if body and body[-1] in "。！？!?；;" and marks:
            return body[:-1] + marks + body[-1]
        return body + marks


def _canonical(text: str) -> str:
    # ［３］ and 【3】 as the model may write them (the sentence's own punctuation is left as it is)
    text = text.translate(_ASCII_MARKS)
    # "…。[2]" → "…[2]。": the marks stay with the sentence they close, not the next one
    return _MARKS_AFTER_END.sub(lambda m: m.group(2).strip() + m.group(1), text)


def cited_sentences(summary: str) -> list[Sentence]:
    """The summary's sentences, each with the numbers it cites (marks after the end punctuation, as in
    "…。[2]", belong to the sentence before them)."""
    text = _canonical(summary).strip()
    out: list[Sentence] = []
    for raw in split_sentences(text):
        cites = tuple(dict.fromkeys(int(n) for n in _MARK.findall(raw)))
        body = _MARKS_RUN.sub("", raw).strip()
        if not body and out and cites:  # a run of marks on its own: the previous sentence's
            last = out[-1]
            out[-1] = Sentence(last.text, tuple(dict.fromkeys(last.cites + cites)), last.source)
            continue
        if body:
            out.append(Sentence(body, cites))
    if out and out[-1].text[-1] in "，、：,:":
        out.pop()  # cut off mid-sentence (the answer ran out of tokens): not a sentence to print
    return out


def merge_repeats(sentences: list[Sentence]) -> list[Sentence]:
    """One sentence said twice (a small model repeats itself, citing another article each time) is kept
    once, citing every article it was checked against."""
    kept: dict[str, Sentence] = {}
    for s in sentences:
        if s.text in kept:
            first = kept[s.text]
            s = Sentence(s.text, tuple(dict.fromkeys(first.cites + s.cites)), first.source, first.reasons)
        kept[s.text] = s
    return list(kept.values())


MATCH_SHARE = 0.6  # of an uncited sentence's character pairs, found in one article, to cite it


def _pairs(text: str) -> set[str]:
    chars = [ch for ch in text if ch.isalnum()]
    return {a + b for a, b in pairwise(chars)}


def attribute(sentence: Sentence, allowed: Mapping[int, str]) -> Sentence:
    """An uncited sentence cites the one article that holds most of its character pairs, when that is
    at least ``MATCH_SHARE`` of them (the small model often copies a sentence and leaves its mark off);
    the guard then checks it against that article like any other citation. Otherwise it stays uncited."""
    if sentence.cites or not allowed:
        return sentence
    pairs = _pairs(sentence.text)
    if not pairs:
        return sentence
    share = {n: len(pairs & _pairs(text)) / len(pairs) for n, text in allowed.items()}
    best = max(share, key=lambda n: (share[n], -n))
    if share[best] < MATCH_SHARE:
        return sentence
    return Sentence(sentence.text, (best,), "model, cited by match")


def check_sentence(sentence: Sentence, allowed: Mapping[int, str]) -> Sentence:
    """``sentence`` with the reasons it fails: no citation, a citation outside the story (``allowed``:
    number → the article's source text), or the guard's findings against the cited articles."""
    reasons: list[str] = []
    if not sentence.cites:
        reasons.append("cites no article")
    outside = [n for n in sentence.cites if n not in allowed]
    reasons += [f"cites [{n}], not an article of this story" for n in outside]
    cited = [allowed[n] for n in sentence.cites if n in allowed]
    if cited:
        reasons += guard.check(sentence.text, "\n".join(cited)).reasons
    return Sentence(sentence.text, sentence.cites, sentence.source, tuple(reasons))
