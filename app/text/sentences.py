"""Chinese sentences and clauses: the one place that says where they end.

Sentences end at 。！？；… (and their half-width twins typed between CJK characters); closing quotes
and brackets that follow the end mark stay with their sentence, and a final sentence without end
punctuation is still a sentence. Clause boundaries (，、：) are where a too-long sentence may be cut.
The summarisers split text into sentences, the viewer needs their offsets (``sentence_spans``), and the
cleaner asks whether a paragraph is finished (it builds on ``SENTENCE_ENDS`` too).
"""

from __future__ import annotations

import re

SENTENCE_ENDS = "。！？；…!?;"
CLOSERS = "”’」』）)》〉】\"'"
CLAUSE_ENDS = "，、：,:"

# An end mark (runs like "！？" or "……" count once), then any closing quotes/brackets.
_ENDS, _CLOSE = re.escape(SENTENCE_ENDS), re.escape(CLOSERS)
_SENTENCE_RE = re.compile(rf"[^{_ENDS}]*?(?:[{_ENDS}]+[{_CLOSE}]*|$)")
# A half-width "." ends a sentence only when it is not inside a number (2.4亿) or a Latin word.
_ASCII_DOT_RE = re.compile(r"(?<=[\u4e00-\u9fff])\.(?=[\u4e00-\u9fff“]|$)")


def split_sentences(text: str) -> list[str]:
    """Split ``text`` into sentences, keeping every character except surrounding whitespace.

    Line breaks also end a sentence, so a heading or a list item never fuses with the next line.
    """
    out: list[str] = []
    for line in text.splitlines():
        line = _ASCII_DOT_RE.sub("。", line.strip())
        if not line:
            continue
        for match in _SENTENCE_RE.finditer(line):
            piece = match.group(0).strip()
            if piece:
                out.append(piece)
    return out


_SPAN_RE = re.compile(rf"[^{_ENDS}\n]+(?:[{_ENDS}]+[{_CLOSE}]*)?")


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) offsets of the sentences of ``text``, blanks around each trimmed; line breaks end a
    sentence too."""
    spans = []
    for match in _SPAN_RE.finditer(text):
        start, end = match.span()
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if end > start:
            spans.append((start, end))
    return spans


def split_clauses(sentence: str) -> list[str]:
    """Split one sentence at clause marks, each clause keeping its mark."""
    pieces = re.findall(rf"[^{re.escape(CLAUSE_ENDS)}]+[{re.escape(CLAUSE_ENDS)}]*", sentence)
    return [p for p in pieces if p.strip()] or [sentence]


def is_cjk(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf"
