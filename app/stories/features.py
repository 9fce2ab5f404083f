"""Pair signals between one day's articles (n × n matrices), computed once per day.

- ``text``: cosine of the articles' headline + text vectors (character 2–4-gram TF-IDF, the day's IDF);
  reprinted wire copy scores near 1.
- ``headlead``: the larger of cos(headline of one, lead of the other) both ways: a commentary rarely
  repeats its report's headline, but the report's headline words come back in its first paragraphs.
- ``companion``: a 记者手记 / 延伸阅读 / 民生观 … printed right after an article of the same paper and 版.
- ``briefing``: two items out of one body's regular press briefing (外交部发言人…在例行记者会上): the
  labelling rule puts every article of one press conference in one story, and the items of a briefing
  answer unrelated questions, so no text overlap finds them.
- ``index_box``: 导读 boxes name other articles' headlines; they never join a story.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
from zhaiyao.documents import Article
from zhaiyao.stories.tfidf import DayTfidf, cosines

LEAD_CHARS = 400
_COLUMN_TAG = re.compile(r"（[^（）]{1,40}）$")  # a trailing （人民时评）, （记者手记） ...
COMPANION = re.compile(r"记者手记|编辑手记|延伸阅读|子夜走笔|民生观|短评|编后|今日谈|评论员|快评|述评")
INDEX_TITLES = frozenset({"导读", "本版导读", "今日导读"})
BRIEFING_CHARS = 300  # a briefing item names its briefing in the lead
_BRIEFING = re.compile(r"例行(?:记者会|新闻发布会)")
# The bodies that hold regular briefings; 国务院台办 is 国台办 written out.
_SPOKESMAN = re.compile(r"(外交部|国防部|商务部|国台办|国务院台办)(?:新闻)?发言人")


def headline(article: Article) -> str:
    """引题 + 标题 (without its column tag in brackets) + 副题, joined by spaces."""
    title = _COLUMN_TAG.sub("", (article.title or "").strip())
    return " ".join(x for x in (article.kicker, title, article.subtitle) if x)


def placement(article: Article) -> tuple[str, str]:
    """(paper, 版): where the article was printed; the page source stands in for a missing 版."""
    return (article.newspaper or "", article.page_number or article.page)


class Signals:
    def __init__(self, articles: Sequence[Article]) -> None:
        n = len(articles)
        self.n = n
        heads = [headline(a) for a in articles]
        if n == 0:
            self.text = self.headlead = self.companion = self.briefing = np.zeros((0, 0))
            self.index_box = np.zeros(0, dtype=bool)
            return
        vec = DayTfidf([h + "\n" + a.text for h, a in zip(heads, articles, strict=True)])
        self.text = cosines(vec.matrix, vec.matrix)
        h = vec.transform(heads)
        lead = vec.transform([a.text[:LEAD_CHARS] for a in articles])
        hl = cosines(h, lead)
        self.headlead = np.maximum(hl, hl.T)
        self.companion = _companions(articles)
        self.briefing = _briefings(articles)
        self.index_box = np.array([(a.title or "").strip() in INDEX_TITLES for a in articles], dtype=bool)
        np.fill_diagonal(self.text, 0)
        np.fill_diagonal(self.headlead, 0)


def _companions(articles: Sequence[Article]) -> np.ndarray:
    """1 where a companion piece follows the article printed just before it on the same paper and 版."""
    n = len(articles)
    out = np.zeros((n, n))
    previous: dict[tuple[str, str], int] = {}
    for i, article in enumerate(articles):
        where = placement(article)
        if where in previous and COMPANION.search(article.title or ""):
            j = previous[where]
            out[i, j] = out[j, i] = 1.0
        previous[where] = i
    return out


def briefing_of(article: Article) -> str | None:
    """The body whose regular press briefing the article reports from (its headline or lead says so),
    or None."""
    head = headline(article) + "\n" + article.text[:BRIEFING_CHARS]
    if not _BRIEFING.search(head):
        return None
    body = _SPOKESMAN.search(head)
    return body.group(1).replace("国务院台办", "国台办") if body else None


def _briefings(articles: Sequence[Article]) -> np.ndarray:
    """1 where both articles are items of the same body's regular briefing (one a day)."""
    bodies = np.array([briefing_of(a) or "" for a in articles], dtype=object)
    same = (bodies[:, None] == bodies[None, :]) & (bodies[:, None] != "")
    return same.astype(float)
