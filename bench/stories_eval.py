"""Measure story clustering on the labelled days in tests/data/stories/ (prototype, not app code).

usage: python bench/stories_eval.py tune        # thresholds chosen on the tune days only, frozen to a file
       python bench/stories_eval.py report      # frozen thresholds, scored on the held-back days (+ ablation)
       python bench/stories_eval.py show-tune   # the same table for the tune days
       python bench/stories_eval.py lodo        # each of the 4 days scored with thresholds from the other 3
       python bench/stories_eval.py extras      # signals tried and left out, on the tune days
       python bench/stories_eval.py sample      # the sample page: articles 3, 4, 5 one story, alone
       python bench/stories_eval.py time N      # seconds to cluster N articles

Two methods, side by side:
- baseline: character 1-3-gram TF-IDF over title+text, cosine, single link above one threshold;
- method:   several pair channels (text cosine, headline-vs-lead cosine, reprint containment, headline
            cosine, companion piece beside its report), each with its own threshold; a pair is linked when
            any channel passes; stories are the connected components; index boxes (导读) never link.
Needs numpy, scipy and scikit-learn.
"""

from __future__ import annotations

import itertools
import json
import re
import sys
import time
from pathlib import Path

import numpy as np
from scipy.sparse import csr_matrix, vstack
from scipy.sparse.csgraph import connected_components
from sklearn.feature_extraction.text import (
    CountVectorizer,
    HashingVectorizer,
    TfidfTransformer,
    TfidfVectorizer,
)

DATA = Path(__file__).resolve().parent.parent / "tests" / "data" / "stories"
TUNE = ["2026-04-27", "2026-05-01"]
REPORT = ["2026-04-29", "2026-05-03"]


# ------------------------------------------------------------------ data and metrics
def load(day: str) -> tuple[list[dict], list[str]]:
    rows = [json.loads(x) for x in (DATA / f"{day}.jsonl").open(encoding="utf-8")]
    lab = {}
    labels_path = DATA / f"{day}.labels.jsonl"
    if labels_path.exists():
        lab = {r["id"]: r["story"] for r in map(json.loads, labels_path.open(encoding="utf-8"))}
    return rows, [lab.get(r["id"], "") for r in rows]


def pairs_of(labels: list) -> set[tuple[int, int]]:
    groups: dict = {}
    for i, s in enumerate(labels):
        groups.setdefault(s, []).append(i)
    return {p for g in groups.values() for p in itertools.combinations(g, 2)}


def scores(gold: list, pred: list) -> dict:
    """pairwise P/R/F1 over same-story pairs and B-cubed P/R/F1, as raw sums so that days can be pooled"""
    _, g = np.unique(np.asarray(gold, dtype=str), return_inverse=True)
    _, p = np.unique(np.asarray(pred, dtype=str), return_inverse=True)
    cell = np.zeros((g.max() + 1, p.max() + 1))
    np.add.at(cell, (g, p), 1)
    a, b = cell.sum(0), cell.sum(1)  # predicted and gold cluster sizes
    c2 = lambda x: (x * (x - 1) / 2).sum()  # noqa: E731
    return {
        "tp": c2(cell),
        "npred": c2(a),
        "ngold": c2(b),
        "n": len(gold),
        "bp": (cell**2 / a[None, :]).sum(),
        "br": (cell**2 / b[:, None]).sum(),
    }


def summarise(parts: list[dict]) -> dict:
    tp = sum(p["tp"] for p in parts)
    npred = sum(p["npred"] for p in parts)
    ngold = sum(p["ngold"] for p in parts)
    n = sum(p["n"] for p in parts)
    P = tp / npred if npred else 1.0
    R = tp / ngold if ngold else 1.0
    F = 2 * P * R / (P + R) if P + R else 0.0
    bP = sum(p["bp"] for p in parts) / n
    bR = sum(p["br"] for p in parts) / n
    bF = 2 * bP * bR / (bP + bR)
    return {"P": P, "R": R, "F1": F, "bP": bP, "bR": bR, "bF1": bF}


def components(n: int, edges: list[tuple[int, int]]) -> list[int]:
    parent = list(range(n))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in edges:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[ra] = rb
    return [find(i) for i in range(n)]


# ------------------------------------------------------------------ baseline
def baseline_sim(rows: list[dict], background: list[dict] = ()) -> np.ndarray:
    """background rows, when given, only widen the IDF statistics (no labels involved)"""
    docs = [r["title"] + "\n" + r["text"] for r in rows]
    vec = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True)
    vec.fit(docs + [r["title"] + "\n" + r["text"] for r in background])
    X = vec.transform(docs)
    return (X @ X.T).toarray()


def threshold_cluster(S: np.ndarray, t: float) -> list[int]:
    iu = np.argwhere(np.triu(S, 1) >= t)
    return components(len(S), [tuple(x) for x in iu])


# ------------------------------------------------------------------ method: signals
BRACKET = re.compile(r"（[^（）]{1,40}）$")
COMPANION = re.compile(r"记者手记|编辑手记|延伸阅读|子夜走笔|民生观|短评|编后|今日谈|评论员|快评|述评")
INDEX_TITLES = {"导读", "本版导读", "今日导读"}
DUP_FLOOR = 40


def headline(r: dict) -> str:
    """kicker + title + subtitle without the column tag in brackets (（人民时评）, （记者手记） ...)"""
    title = BRACKET.sub("", r["title"].strip())
    return " ".join(x for x in (r.get("kicker", ""), title, r.get("subtitle", "")) if x)


def body(r: dict, lead: int) -> str:
    return r["text"][:lead] if lead else r["text"]


class _HashedTfidf:
    """TfidfVectorizer(analyzer="char", ngram_range=(2, 4), sublinear_tf=True) over hashed features"""

    def __init__(self, background: list[str] = ()):
        self.hv = HashingVectorizer(
            analyzer="char", ngram_range=(2, 4), n_features=2**22, alternate_sign=False, norm=None
        )
        self.tt = TfidfTransformer(sublinear_tf=True)
        self.background = list(background)

    def fit_transform(self, docs: list[str]):
        C = self.hv.transform(docs)
        self.tt.fit(vstack([C, self.hv.transform(self.background)]) if self.background else C)
        return self.tt.transform(C)

    def transform(self, docs: list[str]):
        return self.tt.transform(self.hv.transform(docs))


class Signals:
    """per-day pair signals (n x n matrices), computed once and combined under different weights"""

    def __init__(
        self,
        rows: list[dict],
        lead: int = 0,
        background: list[dict] = (),
        extras: bool = False,
        shingles: bool = True,
    ):
        n = len(rows)
        self.n = n
        heads = [headline(r) for r in rows]
        docs = [h + "\n" + body(r, lead) for h, r in zip(heads, rows, strict=True)]
        # hashed character 2-4-grams (no vocabulary to build and sort: that was most of the time at 1,000
        # articles); IDF from the day plus an optional background of other days' articles
        vec = _HashedTfidf(background=[headline(r) + "\n" + body(r, lead) for r in background])
        X = vec.fit_transform(docs)
        self.text = (X @ X.T).toarray()
        # headlines against headlines, weighted with the IDF of the whole day's text (short strings need
        # the corpus statistics, not their own)
        H = vec.transform(heads)
        self.head = (H @ H.T).toarray()
        # headline of one against the lead of the other: a commentary's headline rarely repeats the
        # report's, but the report's headline words show up in the commentary's first paragraphs
        L = vec.transform([r["text"][:400] for r in rows])
        hl = (H @ L.T).toarray()
        self.headlead = np.maximum(hl, hl.T)
        # reprinted copy and documents quoted inside a report: share of the shorter text's 8-character
        # shingles found in the other (binary shingle matrix, so it is one sparse product)
        # (skipped when the settings in use leave the channel off: it is the slowest part at 1,000 articles)
        self.dup = np.zeros((n, n))
        if shingles or extras:
            B = CountVectorizer(
                analyzer=lambda t: list({t[i : i + 8] for i in range(max(len(t) - 7, 0))}), binary=True
            ).fit_transform([re.sub(r"\s+", "", r["text"]) for r in rows])
            inter = (B @ B.T).toarray().astype(float)
            size = np.maximum(np.asarray(B.sum(1)).ravel(), 1)
            # the floor keeps a one-line item from "containing" its dateline (新华社北京4月30日电)
            self.dup = inter / np.maximum(np.minimum(size[:, None], size[None, :]), DUP_FLOOR)
        # a 记者手记 / 延伸阅读 / 民生观 ... and the article printed just before it on the same page
        self.companion = np.zeros((n, n))
        prev: dict = {}
        for i, r in enumerate(rows):
            k = r["paper"] + "|" + r["page"]
            if k in prev and COMPANION.search(r["title"]):
                j = prev[k]
                self.companion[i, j] = self.companion[j, i] = 1.0
            prev[k] = i
        # index boxes (导读) name other articles' headlines; they are never part of a story
        self.index_box = np.array([r["title"].strip() in INDEX_TITLES for r in rows])
        for M in (self.text, self.head, self.headlead, self.dup):
            np.fill_diagonal(M, 0)
        if extras:  # two signals measured and left out of the method (see `extras`)
            self.anchor = anchor_lengths(heads, rows)
            self.phrase = rare_phrases(B)


ANCHOR_DF = (2, 3, 4, 5, 6)
PHRASE_DF = (2, 3, 4)
RUN = re.compile(r"[\u4e00-\u9fffA-Za-z0-9]+")


def substrings(text: str, shortest: int = 3, longest: int = 8) -> set[str]:
    out = set()
    for run in RUN.findall(text):
        for k in range(shortest, min(longest, len(run)) + 1):
            out.update(run[s : s + k] for s in range(len(run) - k + 1))
    return out


def anchor_lengths(heads: list[str], rows: list[dict], lead: int = 200) -> dict:
    """for each document-frequency cap D: A[D][i, j] = length of the longest string of 3..8 characters
    that stands in one article's headline (kicker, title, subtitle) and in the other's headline or lead,
    and in at most D articles of the day (a rare shared name: 北京车展, 亚沙会, 社会救助法)"""
    n = len(rows)
    where: dict = {}
    for i, (h, r) in enumerate(zip(heads, rows, strict=True)):
        for s in substrings(h + " " + r["text"][:lead]):
            where.setdefault(s, []).append(i)
    out = {D: np.zeros((n, n)) for D in ANCHOR_DF}
    for i, h in enumerate(heads):
        for s in substrings(h):
            docs = where.get(s, ())
            for D in ANCHOR_DF:
                if 2 <= len(docs) <= D:
                    A = out[D]
                    for j in docs:
                        if j != i:
                            A[i, j] = A[j, i] = max(A[i, j], len(s))
    return out


def rare_phrases(B) -> dict:
    """P[D][i, j] = how many 8-character shingles i and j share that at most D articles of the day contain
    (a press conference's full name, a quoted line; boilerplate is in too many articles to count)"""
    df = np.asarray(B.sum(0)).ravel()
    out = {}
    for D in PHRASE_DF:
        R = B[:, np.nonzero((df >= 2) & (df <= D))[0]]
        out[D] = (R @ R.T).toarray().astype(float)
        np.fill_diagonal(out[D], 0)
    return out


CHANNELS = ["text", "dup", "head", "headlead", "companion"]
OFF = None
GRIDS = {
    "text": [round(x, 3) for x in np.arange(0.06, 0.32, 0.01)] + [0.4, 0.5, 0.6],
    "dup": [0.2, 0.3, 0.4, 0.5, 0.7, OFF],
    "head": [0.2, 0.3, 0.4, 0.5, 0.7, OFF],
    "headlead": [0.08, 0.1, 0.11, 0.12, 0.13, 0.14, 0.16, 0.2, 0.25, 0.3, 0.4, OFF],
    "companion": [0.02, 0.04, 0.06, 0.08, OFF],
}


def links(sig: Signals, p: dict) -> np.ndarray:
    """a pair is linked when any channel passes its threshold (channels set to None are off)"""
    E = np.zeros((sig.n, sig.n), dtype=bool)
    if p.get("text") is not None:
        E |= sig.text >= p["text"]
    if p.get("dup") is not None:
        E |= sig.dup >= p["dup"]
    if p.get("head") is not None:
        E |= sig.head >= p["head"]
    if p.get("headlead") is not None:
        E |= sig.headlead >= p["headlead"]
    if p.get("companion") is not None:
        E |= (sig.companion > 0) & (sig.text >= p["companion"])
    if p.get("phrase") is not None:
        D, k = p["phrase"]
        E |= sig.phrase[D] >= k
    if p.get("anchor") is not None:
        D, length = p["anchor"]
        E |= sig.anchor[D] >= length
    E[sig.index_box, :] = False
    E[:, sig.index_box] = False
    np.fill_diagonal(E, False)
    return E


def predict(sig: Signals, p: dict) -> list[int]:
    return list(connected_components(csr_matrix(links(sig, p)), directed=False)[1])


def objective(p: dict, data: list) -> tuple[float, float]:
    m = summarise([scores(gold, predict(sig, p)) for sig, gold in data])
    return (round(m["F1"], 6), round(m["bF1"], 6))  # pairwise F1 first, B-cubed breaks ties


def select(channels: list[str], data: list) -> dict:
    """exhaustive search over the channel thresholds on the tune days (in-sample, like the baseline's);
    channels not in `channels` stay off"""
    grids = [GRIDS[c] if c in channels else [OFF] for c in CHANNELS]
    best, best_p = (-1.0, -1.0, -1), {}
    for combo in itertools.product(*grids):
        p = dict(zip(CHANNELS, combo, strict=True))
        f, bf = objective(p, data)
        # among settings that score the same (to 3 decimals), the one with the highest thresholds wins:
        # the tune days rarely have a negative pair near a channel's threshold, so the lowest passing
        # threshold is where the next day's false links are
        margin = sum(g.index(v) if v is not None else len(g) for g, v in zip(grids, combo, strict=True))
        o = (round(f, 3), round(bf, 3), margin)
        if o > best:
            best, best_p = o, p
    return dict(best_p, tune_F1=best[0], tune_bF1=best[1], channels=channels)


def run_method(rows: list[dict], p: dict) -> list[int]:
    return predict(Signals(rows, shingles=p.get("dup") is not None), p)


# ------------------------------------------------------------------ commands
def grid_baseline(days: list[str]) -> float:
    data = [load(d) for d in days]
    sims = [baseline_sim(rows) for rows, _ in data]
    best = (-1.0, 0.0)
    for t in np.arange(0.05, 0.95, 0.005):
        parts = [scores(gold, threshold_cluster(S, t)) for (_, gold), S in zip(data, sims, strict=True)]
        f = summarise(parts)["F1"]
        if f > best[0] + 1e-12:
            best = (f, round(float(t), 3))
    return best[1]


def table(days: list[str], bt: float, p: dict) -> None:
    print(f"{'day':12} {'method':9} {'P':>6} {'R':>6} {'F1':>6} {'B3-P':>6} {'B3-R':>6} {'B3-F1':>6}")
    pooled: dict = {"baseline": [], "method": []}
    for d in days:
        rows, gold = load(d)
        base = threshold_cluster(baseline_sim(rows), bt)
        for name, pred in (("baseline", base), ("method", run_method(rows, p))):
            s = scores(gold, pred)
            pooled[name].append(s)
            line(d, name, summarise([s]))
    for name, parts in pooled.items():
        line("pooled", name, summarise(parts))


def line(day: str, name: str, m: dict) -> None:
    cells = " ".join(f"{m[k]:6.3f}" for k in ("P", "R", "F1", "bP", "bR", "bF1"))
    print(f"{day:12} {name:9} {cells}")


FROZEN_PATH = Path(__file__).resolve().parent / "stories_frozen.json"


def cmd_tune() -> None:
    data = [(Signals(rows), gold) for rows, gold in map(load, TUNE)]
    bt = grid_baseline(TUNE)
    p = select(CHANNELS, data)
    ablation = {"text only": select(["text"], data)}
    for c in CHANNELS[1:]:
        ablation["text+" + c] = select(["text", c], data)
    for c in CHANNELS:
        ablation["all-" + c] = select([x for x in CHANNELS if x != c], data)
    FROZEN_PATH.write_text(
        json.dumps(
            {"baseline_t": bt, "method": p, "ablation": ablation}, indent=1, ensure_ascii=False, default=float
        )
        + "\n"
    )
    print("baseline threshold", bt)
    print("method", p)
    for k, v in ablation.items():
        print(f"  {k:18} tune F1 {v['tune_F1']:.3f}  " + " ".join(f"{c}={v[c]}" for c in CHANNELS))
    table(TUNE, bt, p)


def cmd_report(days: list[str]) -> None:
    fz = json.loads(FROZEN_PATH.read_text())
    table(days, fz["baseline_t"], fz["method"])
    print("ablation (each variant with its own thresholds chosen on the tune days):")
    for k, v in fz["ablation"].items():
        parts = [scores(gold, run_method(rows, v)) for rows, gold in map(load, days)]
        line("pooled", k[:9], summarise(parts))
        print("   ^", k)


def cmd_lodo() -> None:
    """every labelled day scored with thresholds chosen on the other three (same channels and selection
    rule as the frozen method); run only after the frozen method's report numbers were taken"""
    days = TUNE + REPORT
    sigs = {d: (Signals(load(d)[0]), load(d)[1]) for d in days}
    out: dict = {"baseline": [], "method": []}
    fold = {}
    for d in days:
        others = [o for o in days if o != d]
        bt = grid_baseline(others)
        p = select(CHANNELS, [sigs[o] for o in others])
        fold[d] = {"baseline_t": bt, "method": p}
        rows, gold = load(d)
        sb = scores(gold, threshold_cluster(baseline_sim(rows), bt))
        sm = scores(gold, predict(sigs[d][0], p))
        out["baseline"].append(sb)
        out["method"].append(sm)
        line(d, "baseline", summarise([sb]))
        line(d, "method", summarise([sm]))
        print("   thresholds from the other days:", bt, {c: p[c] for c in CHANNELS})
    for k, v in out.items():
        line("pooled", k, summarise(v))
    allp = select(CHANNELS, [sigs[d] for d in days])
    allb = grid_baseline(days)
    print("all four days:", allb, {c: allp[c] for c in CHANNELS}, allp["tune_F1"])
    out_all = {"baseline_t": allb, "method": allp, "folds": fold}
    FROZEN_PATH.with_name("stories_all4.json").write_text(
        json.dumps(out_all, indent=1, ensure_ascii=False, default=float) + "\n"
    )


def cmd_extras() -> None:
    """the two signals left out, each added to the frozen method, on the tune days only"""
    fz = json.loads(FROZEN_PATH.read_text())["method"]
    data = [(Signals(rows, extras=True), gold) for rows, gold in map(load, TUNE)]
    line("tune", "frozen", summarise([scores(g, predict(s, fz)) for s, g in data]))
    tries = [("phrase", (D, k)) for D in PHRASE_DF for k in (8, 12, 20, 30)]
    tries += [("anchor", (D, n)) for D in (2, 3) for n in (3, 4, 5)]
    for name, v in tries:
        m = summarise([scores(g, predict(s, dict(fz, **{name: v}))) for s, g in data])
        line("tune", f"{name[:3]}{v[0]},{v[1]}", m)


def cmd_time(n: int) -> None:
    fz = json.loads(FROZEN_PATH.read_text())
    rows = []
    for d in TUNE + REPORT:
        rows += load(d)[0]
    # distinct articles: each repeat gets a marker, so the copies are near-duplicates as reprints are
    rows = [
        dict(r, id=f"{r['id']}#{k}", text=f"{k} " + r["text"])
        for k in range(n // len(rows) + 1)
        for r in rows
    ][:n]
    t0 = time.perf_counter()
    pred = run_method(rows, fz["method"])
    print(f"{n} articles clustered in {time.perf_counter() - t0:.1f} s, {len(set(pred))} stories")


def cmd_sample() -> None:
    """the sample page (株洲日报 A1, split by `zhaiyao split`): articles 3, 4, 5 must be one story alone"""
    rows = [json.loads(x) for x in (DATA / "sample_page_000.jsonl").open(encoding="utf-8")]
    fz = json.loads(FROZEN_PATH.read_text())
    for name, pred in (
        ("baseline", threshold_cluster(baseline_sim(rows), fz["baseline_t"])),
        ("method", run_method(rows, fz["method"])),
    ):
        groups: dict = {}
        for r, s in zip(rows, pred, strict=True):
            groups.setdefault(int(s), []).append(r["id"].split("-")[1])
        want = {"3", "4", "5"}
        ok = any(set(g) == want for g in groups.values())
        shown = " ".join("{" + ",".join(g) + "}" for g in groups.values())
        print(f"{name:9} {'PASS' if ok else 'FAIL'} {shown}")


def main(argv: list[str]) -> None:
    cmd = argv[1] if len(argv) > 1 else ""
    if cmd == "tune":
        cmd_tune()
    elif cmd in ("report", "show-tune"):
        cmd_report(REPORT if cmd == "report" else TUNE)
    elif cmd == "lodo":
        cmd_lodo()
    elif cmd == "extras":
        cmd_extras()
    elif cmd == "sample":
        cmd_sample()
    elif cmd == "time":
        cmd_time(int(argv[2]) if len(argv) > 2 else 1000)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
