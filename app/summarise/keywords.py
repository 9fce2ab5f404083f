"""Five keywords per article with jieba's TF-IDF (its built-in IDF table for news text)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache

_WORDLIKE = re.compile(r"^[\u4e00-\u9fffA-Za-z][\u4e00-\u9fffA-Za-z0-9·]*$")
# Words that are everywhere in news copy and say nothing about one article.
_NEWS_STOPWORDS = frozenset(
    [
        "记者",
        "通讯员",
        "日报",
        "本报讯",
        "报讯",
        "今年",
        "去年",
        "目前",
        "同时",
        "进一步",
        "我们",
        "他们",
        "表示",
        "要求",
        "工作",
        "相关",
        "进行",
        "开展",
        "一个",
        "没有",
        "已经",
        "以及",
        "还是",
        "这个",
        "这些",
        "一些",
        "通过",
        "其中",
        "可以",
        "实习生",
        "编辑",
    ]
)


@lru_cache(maxsize=1)
def _idf() -> tuple[dict[str, float], float]:
    import jieba.analyse

    table = jieba.analyse.default_tfidf.idf_loader
    return table.idf_freq, table.median_idf


def keywords_from_words(words: Iterable[str], k: int = 5) -> tuple[str, ...]:
    """Top-``k`` words by TF-IDF from an already segmented text (so segmentation is done once)."""
    idf, median = _idf()
    counts = Counter(w for w in words if len(w) >= 2 and w not in _NEWS_STOPWORDS and _WORDLIKE.match(w))
    scored = sorted(counts.items(), key=lambda kv: (-kv[1] * idf.get(kv[0], median), kv[0]))
    return tuple(word for word, _ in scored[:k])


def keywords(text: str, k: int = 5) -> tuple[str, ...]:
    """The ``k`` most characteristic words of ``text``, best first."""
    import jieba

    return keywords_from_words(jieba.lcut(text), k)
