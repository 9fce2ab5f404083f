"""Character n-gram TF-IDF over one day's articles, small and exact.

The same numbers as scikit-learn's ``TfidfVectorizer(analyzer="char", ngram_range=(2, 4),
sublinear_tf=True)`` (lowercased, runs of whitespace as one space, smooth IDF, L2 rows), without the
dependency: the vocabulary is the day's own, kept in a dict and never sorted (sorting it was most of the
time at 1,000 articles), and the products are scipy sparse matrix products.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

import numpy as np
from scipy.sparse import csr_matrix

_SPACES = re.compile(r"\s\s+")


def char_ngrams(text: str, shortest: int = 2, longest: int = 4) -> Counter[str]:
    text = _SPACES.sub(" ", text.lower())
    counts: Counter[str] = Counter()
    for n in range(shortest, longest + 1):
        counts.update(text[i : i + n] for i in range(len(text) - n + 1))
    return counts


class DayTfidf:
    """Fitted on the day's documents; ``transform`` weighs any other strings (headlines, leads) with the
    day's IDF. n-grams the day never saw are left out, as the fitted vectorizer does."""

    def __init__(self, docs: Sequence[str], ngrams: tuple[int, int] = (2, 4)) -> None:
        self.ngrams = ngrams
        self.vocabulary: dict[str, int] = {}
        # Each document's counts become two small arrays at once: a thousand Counters of n-gram
        # strings held together were most of the memory at 1,000 articles.
        rows = [self._row(char_ngrams(d, *ngrams), grow=True) for d in docs]
        df = np.zeros(len(self.vocabulary))
        for columns, _ in rows:
            df[columns] += 1
        self.idf = np.log((1 + len(docs)) / (1 + df)) + 1
        self.matrix = self._weigh(rows)

    def transform(self, texts: Sequence[str]) -> csr_matrix:
        return self._weigh([self._row(char_ngrams(t, *self.ngrams), grow=False) for t in texts])

    def _row(self, counts: Counter[str], grow: bool) -> tuple[np.ndarray, np.ndarray]:
        vocab = self.vocabulary
        if grow:
            columns = [vocab.setdefault(gram, len(vocab)) for gram in counts]
            tfs = list(counts.values())
        else:
            kept = [(vocab[gram], tf) for gram, tf in counts.items() if gram in vocab]
            columns, tfs = [c for c, _ in kept], [tf for _, tf in kept]
        return np.asarray(columns, dtype=np.int64), 1.0 + np.log(np.asarray(tfs, dtype=np.float64))

    def _weigh(self, rows: Sequence[tuple[np.ndarray, np.ndarray]]) -> csr_matrix:
        """Sublinear tf × idf, rows L2-normalised, on the stored values (no dense temporaries)."""
        lengths = np.array([len(c) for c, _ in rows], dtype=np.int64)
        indptr = np.concatenate([[0], np.cumsum(lengths)])
        indices = np.concatenate([c for c, _ in rows]) if rows else np.zeros(0, dtype=np.int64)
        values = np.concatenate([v for _, v in rows]) if rows else np.zeros(0)
        values = values * self.idf[indices]
        owner = np.repeat(np.arange(len(rows)), lengths)
        norms = np.sqrt(np.bincount(owner, weights=values * values, minlength=len(rows)))
        norms[norms == 0] = 1.0
        values /= norms[owner]
        return csr_matrix((values, indices, indptr), shape=(len(rows), len(self.vocabulary)))


def cosines(a: csr_matrix, b: csr_matrix) -> np.ndarray:
    """Dense matrix of row-by-row cosines (rows are L2-normalised already)."""
    return np.asarray((a @ b.T).toarray())
