"""The lead baseline: the article's opening sentence(s) within the limit. The eval command's floor."""

from __future__ import annotations

from collections.abc import Sequence

from zhaiyao.summarise.base import Request, VerbatimSummariser
from zhaiyao.summarise.limits import cut_to_limit
from zhaiyao.text.sentences import split_sentences


def lead(text: str, limit: int, max_sentences: int | None = 1) -> str:
    sentences = split_sentences(text)
    if not sentences:
        return ""
    out = ""
    for sentence in sentences[: max_sentences or len(sentences)]:
        if len(out) + len(sentence) > limit:
            break
        out += sentence
    return out or cut_to_limit(sentences[0], limit)


class LeadSummariser(VerbatimSummariser):
    backend = "lead"
    model_name = "lead-1"

    def generate(self, requests: Sequence[Request]) -> list[list[str]]:
        out: list[list[str]] = []
        for r in requests:
            if r.style.max_points:
                per_point = r.max_chars // r.style.min_points - 1
                firsts = split_sentences(r.text)[: r.style.min_points]
                out.append(["\n".join(cut_to_limit(s, per_point) for s in firsts)])
            else:
                text = lead(r.text, r.max_chars)
                out.append([text.rstrip("。") if r.style.one_line else text])
        return out
