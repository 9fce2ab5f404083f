"""Length limiting: every output fits its limit, cut at a sentence or clause boundary, never mid-word."""

from __future__ import annotations

import re

from zhaiyao.summarise.base import Style
from zhaiyao.text.sentences import CLOSERS, split_clauses, split_sentences

_BULLET_RE = re.compile(
    r"^\s*(?:[-*•·●▪]|\d{1,2}[.)、．]|[（(]?\d{1,2}[)）]|[一二三四五六七八九十][、.．])\s*"
)
_CLAUSE_TAIL = "，、：,:；;"
_NUMBER_PART = re.compile(r"[\d.．,，%％]")
_TRAILING_NUMBER = re.compile(r"[\d.．,，]*\d$")


def clean_output(text: str) -> str:
    """Strip the wrapping models like to add: labels, quotes around the whole text, blank lines."""
    text = text.strip()
    text = re.sub(r"^(?:摘要|总结|概括|标题|要点|答案|Summary|Headline)\s*[:：]\s*", "", text, flags=re.I)
    if len(text) >= 2 and text[0] in '“"《「' and text[-1] in '”"》」' and text.count(text[0]) == 1:
        text = text[1:-1].strip()
    return re.sub(r"\n\s*\n+", "\n", text)


def split_points(text: str) -> list[str]:
    """Bullet points: one per line, list markers removed."""
    points = []
    for line in text.splitlines():
        line = _BULLET_RE.sub("", line).strip()
        if line:
            points.append(line)
    return points


def _cut_words(text: str, limit: int) -> str:
    """The longest prefix of whole jieba words within ``limit`` characters."""
    import jieba

    out = ""
    for word in jieba.cut(text):
        if len(out) + len(word) > limit:
            break
        out += word
    if out and len(out) < len(text) and out[-1].isdigit() and _NUMBER_PART.match(text[len(out)]):
        # jieba splits some numbers (full-width digits one by one): "２００" cut from "２００８年" is a
        # number the article does not contain, so the whole number goes.
        out = _TRAILING_NUMBER.sub("", out)
    return out.rstrip("，、：,: ")


def cut_to_limit(text: str, limit: int, max_sentences: int | None = None) -> str:
    """Whole sentences while they fit; else whole clauses of the next one; else whole words."""
    sentences = split_sentences(text.replace("\n", ""))
    if max_sentences is not None:
        sentences = sentences[:max_sentences]
    out = ""
    for sentence in sentences:
        if len(out) + len(sentence) <= limit:
            out += sentence
            continue
        if not out:
            # Nothing whole fits: keep leading clauses, ending on a full stop rather than a comma.
            for clause in split_clauses(sentence):
                if len(out) + len(clause) > limit:
                    break
                out += clause
            if len(out) < limit // 2:
                # A lone short clause says little ("9月27日，"): whole words up to the limit say more.
                out = _cut_words(sentence, limit)
            if out and out[-1] in _CLAUSE_TAIL:
                out = out[:-1] + ("。" if len(out) <= limit else "")
        break
    return out.strip()


def limit_output(text: str, style: Style, limit: int) -> str:
    """Apply ``style``'s shape and ``limit`` (characters, the whole output) to a generated text."""
    text = clean_output(text)
    if style.max_points:
        points = [cut_to_limit(p, limit) for p in split_points(text)][: style.max_points]
        kept: list[str] = []
        used = 0
        for point in points:
            cost = len(point) + 1  # the newline between points
            if not point or used + cost > limit + 1:
                continue
            kept.append(point)
            used += cost
        return "\n".join(kept)
    if style.one_line:
        line = text.splitlines()[0] if text else ""
        line = line.strip().rstrip("。")
        cut = cut_to_limit(line, limit, 1)
        return cut.rstrip("。" if not line.endswith(tuple(CLOSERS)) else "")
    return cut_to_limit(text, limit, style.max_sentences)
