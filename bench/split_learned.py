"""A learned article-boundary scorer against the rules, leave one paper out (issue 26).

    python bench/split_learned.py [--smoke] [--rules-json FILE]
    PYTHONPATH=DIR python bench/split_learned.py --dump-rules > FILE  # DIR/zhaiyao: an older app/

Every non-blank line of every ``tests/data/real`` page (``split.lines.read_lines``) is labelled 1
where a gold article starts: the line holding the item's kicker, else its title (whole, a tab part,
or the first line of a title broken over lines), the first such line after the previous start with
the item's ``first_words`` in the next lines; pages that cannot be aligned are skipped and counted.
A logistic regression (numpy: Newton steps, L2, classes weighted to balance) scores each line from
shape features that need no paper knowledge. Per paper group (``split_papers.paper_of``) it is
trained on the other three, its cut chosen on those three alone (out of fold, one left out in
turn), and scored on the held-out group's lines beside the rules: a kept ``split_page`` draft starts
at its header's kicker line, else its title line, else its first line. "rules+learned" adds starts
the model is very sure of and drops rule starts it finds very unlikely (cut-offs from the training
groups). ``--rules-json`` takes the rule starts from another splitter (``--dump-rules`` run with an
older checkout's package first on PYTHONPATH), e.g. the commit before a paper was looked at, so the
rules are blind too. Timing: lines + features + scoring against ``split_page``, one thread, median
of 3. ``--smoke``: the same path on one page per paper (CI); its figures are not the corpus's.
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # the timing is per core; before numpy loads
os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse
import json
import re
import statistics
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from logreg import LogReg, balanced, fit_logreg
from split_papers import corpus_pages, paper_of
from zhaiyao.documents import Page
from zhaiyao.split import clean
from zhaiyao.split.articles import build_article
from zhaiyao.split.lines import Line, read_lines, starts_with_bullet, title_shape
from zhaiyao.split.page import read_page, split_page

GROUPS = ("人民日报", "新华每日电讯", "学习时报", "hand-written")
KINDS = ("title", "heading", "sidebar", "byline", "caption", "marker", "furniture", "text")
_SPACE = re.compile(r"[\s\u3000\u00a0]+")
_DIGIT = re.compile(r"[0-9０-９]+")


def _sq(text: str | None) -> str:
    return clean.normalise_width(_SPACE.sub("", text or "")).strip("—－-")


@dataclass
class Labelled:
    name: str
    group: str
    text: str
    lines: list[Line]
    gold: list[int]  # 1 where a gold article starts
    rules: list[int]  # 1 where a rule article starts


def _holds(lines: list[Line], j: int, target: str) -> bool:
    """Line j is the header line ``target``: whole, one tab part, or the first of lines it spans."""
    want, got = _sq(target), _sq(lines[j].text)
    if want == got or want in (_sq(p) for p in lines[j].text.split("\t")):
        return True
    k = j + 1
    while want.startswith(got) and len(got) < len(want) and k < len(lines):
        got, k = got + _sq(lines[k].text), k + 1
    return got == want


def gold_starts(lines: list[Line], gold: dict) -> list[int] | None:
    """Line index of each gold item's first header line, or None when the page cannot be aligned."""
    starts, i = [], 0
    for title, kicker, words in zip(gold["titles"], gold["kickers"], gold["first_words"], strict=True):
        # A title alone can recur (a 导读 box, a repeated short title): its body must follow it.
        def body_at(k: int, words: str = words) -> bool:
            return "".join(_sq(ln.text) for ln in lines[k : k + 3]).startswith(_sq(words))

        target = kicker or title
        hits = (
            j
            for j in range(i, len(lines))
            if _holds(lines, j, target) and any(map(body_at, range(j + 1, j + 10)))
        )
        hit = next(hits, None)
        if hit is None:
            return None
        starts.append(hit)
        i = hit + 1
    return starts


def rule_numbers(page: Page) -> list[int]:
    """Page line numbers where the splitter's kept articles start (kicker line, else title, else first)."""
    out = []
    for draft in read_page(page)[1]:
        article = build_article(draft, page, 1)
        if article.title is None and not article.text and not article.sidebars:
            continue  # split_page drops it too
        head = draft.header
        numbers = [n for n, _, kind, _ in head.absorbed if kind in ("kicker", "title")] if head else []
        out.append(min(numbers) if numbers else head.number if head else draft.lines[0].number)
    return out


def to_index(lines: list[Line], numbers: list[int]) -> set[int]:
    """Line numbers to indices; a number inside a merged line goes to that line."""
    index = {ln.number: i for i, ln in enumerate(lines)}
    return {index.get(n, max((i for m, i in index.items() if m <= n), default=0)) for n in numbers}


def load(smoke: bool, ruled_at: dict[str, list[int]] | None = None) -> tuple[list[Labelled], Counter[str]]:
    """The aligned pages; the rule starts are this checkout's, or ``ruled_at``'s (per page name)."""
    pages, skipped = [], Counter()
    for gold_path, path, gold in corpus_pages(html=False, smoke=smoke):
        text = path.read_text(encoding="utf-8")
        lines = read_lines(text)
        starts = gold_starts(lines, gold)
        group = paper_of(gold_path, gold)
        if starts is None or len(set(starts)) != len(gold["titles"]):
            skipped[group] += 1
            continue
        numbers = ruled_at[path.name] if ruled_at else rule_numbers(Page(source=path.name, text=text))
        ruled, starts = to_index(lines, numbers), set(starts)
        gold_row, rule_row = ([int(i in c) for i in range(len(lines))] for c in (starts, ruled))
        pages.append(Labelled(path.stem, group, text, lines, gold_row, rule_row))
    return pages, skipped


def features(lines: list[Line]) -> np.ndarray:
    """One row of shape features per line; fixed before the first leave-one-paper-out run."""
    n = len(lines)
    lens = [len(ln.text) for ln in lines]
    body = [len(ln.text) for ln in lines if ln.kind == "text" and clean.ends_sentence(ln.text)]
    median = statistics.median(body or lens or [1])
    shapes = [_DIGIT.sub("0", _SPACE.sub("", ln.text)) for ln in lines]
    repeats = Counter(shapes)
    titleish = [title_shape(ln.text) is not None for ln in lines]
    rows = []
    for i, ln in enumerate(lines):
        text, size = ln.text, lens[i]
        prev = lines[i - 1] if i else None
        nxt = lines[i + 1] if i + 1 < n else None
        ahead = lines[i + 1 : i + 4]
        gap_before = ln.number - prev.number > 1 if prev else True
        gap_after = nxt.number - ln.number > 1 if nxt else True
        prev_stop = prev is not None and clean.ends_sentence(prev.text)
        meta_ahead = any(x.kind in ("byline", "furniture") for x in ahead)
        # own shape: length, indentation, punctuation, digits, the line's class
        row = [np.log1p(size), size <= 12, size <= 25, size <= 45, min(size / median, 3.0), ln.indented]
        row += [clean.ends_sentence(text), titleish[i], text.endswith("——"), text.startswith("—")]
        row += ["\t" in text, "：" in text or ":" in text, starts_with_bullet(text)]
        row += [sum(c.isdigit() for c in text) / max(size, 1), *(ln.kind == k for k in KINDS)]
        # place on the page, blank lines around, shapes repeating (a per-article stamp or byline)
        row += [gap_before, gap_after, i / max(n - 1, 1), i == 0, i == n - 1]
        row += [repeats[shapes[i]] >= 2, np.log(repeats[shapes[i]])]
        row += [i + 1 < n and repeats[shapes[i + 1]] >= 2, i + 2 < n and repeats[shapes[i + 2]] >= 2]
        # what follows: byline, stamp, date, dateline (the header's usual company)
        row += [meta_ahead, any(x.kind == "byline" for x in ahead), any(x.kind == "furniture" for x in ahead)]
        row += [any(clean.is_date_only(x.text) for x in ahead)]
        row += [nxt is not None and clean.parse_dateline(nxt.text) is not None]
        # a linear model needs the pairings spelled out: a header-shaped line after a full stop, etc.
        row += [titleish[i] and prev_stop, titleish[i] and meta_ahead]
        row += [titleish[i] and i > 0 and titleish[i - 1], titleish[i] and gap_before]
        for other, at in ((prev, i - 1), (nxt, i + 1)):
            row += [other is None, *(other is not None and other.kind == k for k in KINDS)]
            if other is None:
                row += [0.0, False, False, False]
            else:
                row += [np.log1p(lens[at]), clean.ends_sentence(other.text), titleish[at], other.indented]
        rows.append([float(v) for v in row])
    return np.array(rows)


def fit_lines(x: np.ndarray, y: np.ndarray) -> LogReg:
    """Start lines are a few per cent of all lines: both classes weigh alike."""
    return fit_logreg(x, y, balanced(y), l2=1.0, steps=30, tol=1e-6)


def learned(prob: np.ndarray, cut: float) -> np.ndarray:
    """Lines over the cut start an article, but not right under another start (the same header)."""
    out = prob >= cut
    out[1:] &= ~out[:-1]
    return out.astype(int)


def combined(rules: np.ndarray, prob: np.ndarray, high: float, low: float) -> np.ndarray:
    added = (prob >= high) & (rules == 0)
    added[1:] &= rules[:-1] == 0  # no new start just under a rule start
    return ((rules.astype(bool) & (prob > low)) | added).astype(int)


def prf(gold: np.ndarray, pred: np.ndarray) -> tuple[float, float, float]:
    tp = int((gold & pred).sum())
    p, r = tp / max(int(pred.sum()), 1), tp / max(int(gold.sum()), 1)
    return p, r, 2 * p * r / (p + r) if p + r else 0.0


CUTS = np.array([0.02, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.98, 0.99])
# Searched in this order, so that on a tie the rules are left alone (max keeps the first best).
HIGH = np.array([1.01, 0.999, 0.995, 0.99, 0.98, 0.95, 0.9])  # 1.01: never add
LOW = np.array([-1.0, 0.0001, 0.001, 0.005, 0.01, 0.02, 0.05])  # -1: never drop


def fit_predict(pages: list[Labelled], train: set[str], test: set[str]) -> tuple[list[np.ndarray], ...]:
    """Trained on the ``train`` groups' lines: per ``test`` page, its probabilities, gold and rules."""
    xs = {p.name: features(p.lines) for p in pages if p.group in train | test}
    fit = [p for p in pages if p.group in train]
    model = fit_lines(np.vstack([xs[p.name] for p in fit]), np.concatenate([p.gold for p in fit]))
    held = [p for p in pages if p.group in test]
    return (
        [model.prob(xs[p.name]) for p in held],
        [np.array(p.gold) for p in held],
        [np.array(p.rules) for p in held],
    )


def choose(pages: list[Labelled], groups: set[str]) -> tuple[float, float, float]:
    """The cut, and rules+learned's high and low cut-offs, best F1 out of fold on ``groups`` only."""
    parts = [fit_predict(pages, groups - {inner}, {inner}) for inner in groups]
    probs, golds, rules = ([x for part in parts for x in part[k]] for k in range(3))
    gold = np.concatenate(golds)

    def f1(make) -> float:
        return prf(gold, np.concatenate([make(p, r) for p, r in zip(probs, rules, strict=True)]))[2]

    cut = max(CUTS, key=lambda c: f1(lambda p, r: learned(p, c)))
    pairs = [(h, lo) for h in HIGH for lo in LOW]
    high, low = max(pairs, key=lambda hl: f1(lambda p, r: combined(r, p, *hl)))
    return float(cut), float(high), float(low)


def lopo(pages: list[Labelled]) -> list[tuple]:
    """Per held-out group (and all pooled): lines, gold starts, P/R/F1 of rules, learned, both; cut-offs."""
    rows, pooled = [], []
    present = [g for g in GROUPS if any(p.group == g for p in pages)]
    for held in present:
        cut, high, low = choose(pages, set(present) - {held})
        probs, golds, rules = fit_predict(pages, set(present) - {held}, {held})
        mine = [learned(p, cut) for p in probs]
        both = [combined(r, p, high, low) for p, r in zip(probs, rules, strict=True)]
        pooled.append([np.concatenate(v) for v in (golds, rules, mine, both)])
        gold, *preds = pooled[-1]
        rows.append((held, len(gold), int(gold.sum()), *(prf(gold, v) for v in preds), (cut, high, low)))
    gold, *preds = (np.concatenate(v) for v in zip(*pooled, strict=True))
    return [*rows, ("all", len(gold), int(gold.sum()), *(prf(gold, v) for v in preds), ())]


def timing(pages: list[Labelled], model: LogReg) -> tuple[float, float]:
    """Pages/min: read_lines + features + scoring, and split_page; median of 3 runs each."""

    def rate(one) -> float:
        runs = []
        for _ in range(3):
            start = time.perf_counter()
            for p in pages:
                one(p)
            runs.append(time.perf_counter() - start)
        return len(pages) / statistics.median(runs) * 60

    learned_rate = rate(lambda p: model.prob(features(read_lines(p.text))))
    return learned_rate, rate(lambda p: split_page(Page(source=p.name, text=p.text)))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--smoke", action="store_true", help="one page per paper, the same path (CI)")
    parser.add_argument("--dump-rules", action="store_true", help="print the rule starts as JSON, stop")
    parser.add_argument("--rules-json", type=Path, help="rule starts from an older splitter's --dump-rules")
    args = parser.parse_args()
    if args.dump_rules:  # only this and corpus_pages run, so an older zhaiyao on PYTHONPATH can serve
        starts = {
            path.name: rule_numbers(Page(source=path.name, text=path.read_text(encoding="utf-8")))
            for _, path, _ in corpus_pages(html=False, smoke=args.smoke)
        }
        print(json.dumps(starts, ensure_ascii=False))
        return 0
    ruled_at = json.loads(args.rules_json.read_text(encoding="utf-8")) if args.rules_json else None
    pages, skipped = load(args.smoke, ruled_at)
    if ruled_at:
        print(f"rules column: the splitter whose starts are in {args.rules_json}")
    if args.smoke:
        print(f"smoke run: one page per paper, {len(pages)} pages (not the corpus's figures)")
    print(f"{len(pages)} pages aligned, {sum(skipped.values())} skipped {dict(skipped)}; ", end="")
    print(f"{features(pages[0].lines).shape[1]} features")

    def cell(t: tuple) -> str:
        return "{:.3f} / {:.3f} / {:.3f}".format(*t)

    print("\n| group | lines | gold starts | rules P/R/F1 | learned P/R/F1 | rules+learned P/R/F1 |")
    print("|---|---|---|---|---|---|")
    rows = lopo(pages)
    for name, n, g, rule, mine, both, _ in rows:
        print(f"| {name} | {n} | {g} | {cell(rule)} | {cell(mine)} | {cell(both)} |")
    print("\ncut-offs chosen on the training groups (learned cut; rules+learned add ≥ high, drop ≤ low):")
    for name, *_, (cut, high, low) in rows[:-1]:
        print(f"  held out {name}: cut {cut}, high {high}, low {low}")
    model = fit_lines(np.vstack([features(p.lines) for p in pages]), np.concatenate([p.gold for p in pages]))
    learned_rate, rules_rate = timing(pages, model)
    print(f"\npages/min, one thread, median of 3 over {len(pages)} pages: ", end="")
    print(f"learned (lines + features + LR) {learned_rate:,.0f}; split_page {rules_rate:,.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
