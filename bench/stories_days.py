"""The labelled days of tests/data/stories through the app's own grouping: baseline, method, and
method + the model's judgement on borderline pairs, side by side (pairwise P/R/F1, B-cubed).

usage: python bench/stories_days.py tune|report [--arbitrate] [--json OUT]
       python bench/stories_days.py tune --replay OUT.json --threshold T   # margins of an earlier run
       python bench/stories_days.py tune --tune-baseline   # the baseline's threshold, tune days only

Articles are read as ``zhaiyao stories`` reads them (the rows through the input reader and the
splitter's cleaning). The baseline is the prototype's (bench/stories_eval.py): character 1-3-gram
TF-IDF over title + text, single link at a cosine threshold tuned on the tune days as the app reads them
(0.145; 0.155 on the raw rows, before the cleaner drops datelines and bylines). With --arbitrate the
default model is loaded (ZHAIYAO_MODELS_DIR) and every answer is printed with the label's verdict.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
from zhaiyao.config import Settings, load_settings
from zhaiyao.sources.files import read_inputs
from zhaiyao.split.page import split_page
from zhaiyao.stories.day import group_day
from zhaiyao.stories.group import components
from zhaiyao.stories.score import counts, scores
from zhaiyao.stories.tfidf import DayTfidf, cosines

DATA = Path(__file__).resolve().parents[1] / "tests" / "data" / "stories"
DAYS = {
    "tune": ["2026-04-27", "2026-05-01", "2026-05-19"],
    "report": ["2026-04-29", "2026-05-03", "2026-06-17", "2026-07-22"],
    # 人民日报 alone, labelled after the first method was frozen and scored once with it (bench/STORIES.md)
    "rmrb3": ["2026-05-19", "2026-06-17", "2026-07-22"],
}
BASELINE_T = 0.145  # --tune-baseline on the tune days


def baseline_sim(articles: list) -> np.ndarray:
    vec = DayTfidf([(a.title or "") + "\n" + a.text for a in articles], ngrams=(1, 3))
    sim = cosines(vec.matrix, vec.matrix)
    np.fill_diagonal(sim, 0)
    return sim


def linked(sim: np.ndarray, t: float) -> list[int]:
    return components(len(sim), [tuple(map(int, p)) for p in np.argwhere(np.triu(sim, 1) >= t)])


def tune_baseline(days: list[str]) -> float:
    data = [(baseline_sim(arts), gold) for arts, gold in map(load, days)]
    best = (-1.0, 0.0)
    for t in np.arange(0.05, 0.95, 0.005):
        f1 = scores([counts(gold, linked(sim, t)) for sim, gold in data])["F1"]
        if f1 > best[0] + 1e-12:
            best = (f1, round(float(t), 3))
    print(f"baseline threshold {best[1]} (tune F1 {best[0]:.3f})")
    return best[1]


def load(day: str) -> tuple[list, list[str]]:
    articles = [a for p in read_inputs([str(DATA / f"{day}.jsonl")], Settings()) for a in split_page(p)]
    gold = {r["id"]: r["story"] for r in map(json.loads, (DATA / f"{day}.labels.jsonl").open())}
    return articles, [gold[a.source_id] for a in articles]


def baseline(articles: list) -> list[int]:
    return linked(baseline_sim(articles), BASELINE_T)


class Replay:
    """The margins an earlier --arbitrate run logged, answered again at another threshold."""

    def __init__(self, path: str, threshold: float) -> None:
        pairs = json.loads(Path(path).read_text(encoding="utf-8"))["pairs"]
        self.margin = {(p["a"], p["b"]): p["margin"] for p in pairs}
        self.threshold = threshold
        self.model_name = f"replay of {path}"
        self.last: list[float] = []

    def __call__(self, pairs):
        self.last = [self.margin[(a.source_id, b.source_id)] for a, b in pairs]
        return [m >= self.threshold for m in self.last]


class LoggingArbiter:
    def __init__(self, arbiter, gold_of: dict) -> None:
        self.arbiter, self.gold_of, self.log = arbiter, gold_of, []

    def __call__(self, pairs):
        began = time.perf_counter()
        answers = self.arbiter(pairs)
        seconds = time.perf_counter() - began
        for (a, b), yes, margin in zip(pairs, answers, self.arbiter.last, strict=True):
            same = self.gold_of[id(a)] == self.gold_of[id(b)]
            self.log.append(
                {"a": a.source_id, "b": b.source_id, "margin": margin, "model": yes, "gold": same}
            )
            verdict = "是" if yes else "否"
            print(f"  {verdict} {margin:+.2f} gold={'same' if same else 'diff'}  {a.title} | {b.title}")
        print(f"  {len(pairs)} pairs in {seconds:.1f} s")
        return answers


def main(argv: list[str]) -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("days", choices=sorted(DAYS))
    ap.add_argument("--arbitrate", action="store_true")
    ap.add_argument("--json")
    ap.add_argument("--tune-baseline", action="store_true")
    ap.add_argument("--replay", help="answer from the margins logged in this --json file")
    ap.add_argument("--threshold", type=float, default=None, help="margin of 是 over 否 to say yes")
    args = ap.parse_args(argv)
    if args.tune_baseline:
        tune_baseline(DAYS["tune"])
        return
    arbiter = None
    if args.arbitrate:
        from zhaiyao.stories.arbitrate import ModelArbiter
        from zhaiyao.stories.model import ChatModel
        from zhaiyao.summarise import load_summariser

        began = time.perf_counter()
        arbiter = ModelArbiter(ChatModel(load_summariser(load_settings().replace(backend="llm"))))
        if args.threshold is not None:
            arbiter.threshold = args.threshold
        print(f"model {arbiter.model_name} loaded in {time.perf_counter() - began:.1f} s")
    if args.replay:
        arbiter = Replay(args.replay, 0.0 if args.threshold is None else args.threshold)
    parts: dict[str, list] = {"baseline": [], "method": [], "method+model": []}
    out: dict = {"days": {}, "pairs": []}
    for day in DAYS[args.days]:
        articles, gold = load(day)
        runs = {"baseline": baseline(articles), "method": group_day(articles)[0]}
        if arbiter is not None:
            logger = LoggingArbiter(arbiter, {id(a): g for a, g in zip(articles, gold, strict=True)})
            runs["method+model"] = group_day(articles, logger)[0]
            out["pairs"] += [dict(p, day=day) for p in logger.log]
        for name, pred in runs.items():
            c = counts(gold, pred)
            parts[name].append(c)
            row = scores([c])
            out["days"].setdefault(day, {})[name] = row
            print(f"{day} {name:13} " + " ".join(f"{k} {v:.3f}" for k, v in row.items()))
    out["pooled"] = {name: scores(p) for name, p in parts.items() if p}
    for name, row in out["pooled"].items():
        print(f"pooled     {name:13} " + " ".join(f"{k} {v:.3f}" for k, v in row.items()))
    if args.json:
        Path(args.json).write_text(json.dumps(out, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1:])
