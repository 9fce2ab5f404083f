"""Character n-gram TF-IDF over one day's articles, small and exact.

The same numbers as scikit-learn's ``TfidfVectorizer(analyzer="char", ngram_range=(2, 4),
sublinear_tf=True)`` (lowercased, runs of whitespace as one space, smooth IDF, L2 rows), without the
dependency: the vocabulary is the day's own, kept in a dict and never sorted (sorting it was most of the
time at 1,000 articles), and the products are scipy sparse matrix products.
"""

from __future__ import annotations

import math
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
        counts = [char_ngrams(d, *ngrams) for d in docs]
        for c in counts:
            for gram in c:
                self.vocabulary.setdefault(gram, len(self.vocabulary))
        df = np.zeros(len(self.vocabulary))
        for c in counts:
            df[[self.vocabulary[g] for g in c]] += 1
        self.idf = np.log((1 + len(docs)) / (1 + df)) + 1
        self.matrix = self._weigh(counts)

    def transform(self, texts: Sequence[str]) -> csr_matrix:
        return self._weigh([char_ngrams(t, *self.ngrams) for t in texts])

    def _weigh(self, counts: Sequence[Counter[str]]) -> csr_matrix:
        indptr, indices, data = [0], [], []
        vocab = self.vocabulary
        for c in counts:
            for gram, tf in c.items():
                col = vocab.get(gram)
                if col is not None:
                    indices.append(col)
                    data.append(1.0 + math.log(tf))  # sublinear tf
            indptr.append(len(indices))
        m = csr_matrix(
            (np.asarray(data, dtype=np.float64), np.asarray(indices, dtype=np.int64), indptr),
            shape=(len(counts), len(vocab)),
        )
        m = m.multiply(self.idf[None, :]).tocsr()
        norms = np.sqrt(np.asarray(m.multiply(m).sum(axis=1)).ravel())
        norms[norms == 0] = 1.0
        return csr_matrix(m.multiply(1.0 / norms[:, None]))


def cosines(a: csr_matrix, b: csr_matrix) -> np.ndarray:
    """Dense matrix of row-by-row cosines (rows are L2-normalised already)."""
    return np.asarray((a @ b.T).toarray())
