"""A model-based faithfulness score, tried against the labelled summaries: does it add to the rules?

    python bench/faithful_judge.py --summaries S.jsonl --labels L.jsonl --part tune --scores tune.json
    python bench/faithful_judge.py --from-scores tune.json --labels L.jsonl             # sweep, no model
    python bench/faithful_judge.py --from-scores check.json --labels L.jsonl --threshold T --blind
    python bench/faithful_judge.py --smoke [--method pmi] [--model DIR]                  # tiny model

The summariser's own model is asked, for each sentence of a summary, whether the article supports it
(who said it, who did it, done or planned, the figures, nothing added), and the score of the sentence is
the log-odds of its first answer token, 是 against 否. The article is read once per summary and its
cache cropped back after each sentence, so a sentence costs only its own tokens. A summary's score is its
weakest sentence's. ``--method pmi`` instead reads the summary as the answer to a plain request for one,
once after the article and once after no article, and keeps each token's log-probability both ways; its
features (``--feature``) are the weakest 4-token stretch of the log-probabilities after the article
(``with``) or of their gain over no article (``pmi``: a phrase the article does not make likelier).
``--context aligned`` gives the model, instead of the whole article, only the sentences each summary
sentence's clauses align to (the check's bigram alignment) with the sentence before each, where a quote's
speaker is named: a short passage in which an added evaluation, a borrowed speaker or a dropped 将 has
nothing to lean on, as the whole article (every word of which is somewhere) gave it. Each sentence is then
read against its own passage, so nothing is cached across sentences.
Scores go to ``--scores`` (id → scores) so that thresholds are chosen from a file, without the model, and
a blind part is scored once at a threshold chosen elsewhere.

Reported, per threshold: recall on unfaithful summaries and false alarms on faithful ones for the model
score alone, and for the model score or the rules (``zhaiyao.summarise.faithful.check``, unsure findings
counted as flags, as faithfulness_eval.py counts them). ``--blind`` prints only the chosen threshold's
figures. The CPU is named with the speed (summaries/s).
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from faithfulness_eval import _cpu as cpu_name  # noqa: E402
from faithfulness_eval import read_jsonl, source_text  # noqa: E402

SYSTEM = "你是严谨的新闻编辑，负责核对摘要是否忠实于原文。"
ASK = (
    "原文：\n{source}\n\n"
    "待核对的摘要句子：{sentence}\n\n"
    "这句话是否完全忠实于原文？逐项核对：话是不是原文里这个人说的；事是不是原文里这个机构做的（名称一致）；"
    "原文说的是已经完成还是计划、目标；数字、时间、地点是否一致；有没有原文没有的内容或评价。"
    "只回答“是”或“否”。"
)
MARK = "\x00SENTENCE\x00"
SMOKE_ROWS = [
    {"id": "s1", "text": "航天员乘组将于明天进入空间站。", "summary": "航天员乘组已进入空间站。"},
    {"id": "s2", "text": "航天员乘组将于明天进入空间站。", "summary": "航天员乘组将于明天进入空间站。"},
]
SMOKE_LABELS = {"s1": {"faithful": False}, "s2": {"faithful": True}}


def sentences(summary: str) -> list[str]:
    """The summary's sentences (。！？；), each with its end mark; a bullet line is one sentence too."""
    parts = re.findall(r"[^。！？；\n]+[。！？；]?", summary)
    return [p.strip() for p in parts if len(p.strip()) > 3]


class Judge:
    """The summariser's model asked whether an article supports a sentence."""

    def __init__(self, model_name: str | None, max_source_chars: int) -> None:
        from zhaiyao.config import load_settings
        from zhaiyao.summarise import load_summariser

        settings = load_settings().replace(backend="llm", **({"model": model_name} if model_name else {}))
        summariser = load_summariser(settings)
        self.tokenizer = summariser.tokenizer
        self.model = summariser.model
        self.max_source_chars = max_source_chars
        yes = self.tokenizer("是", add_special_tokens=False).input_ids
        no = self.tokenizer("否", add_special_tokens=False).input_ids
        if len(yes) != 1 or len(no) != 1:
            raise SystemExit(f"是/否 are not single tokens for this tokenizer: {yes} {no}")
        self.yes, self.no = yes[0], no[0]

    def _parts(self, source: str) -> tuple[list[int], str]:
        messages = [
            {"role": "system", "content": SYSTEM},
            {"role": "user", "content": ASK.format(source=source[: self.max_source_chars], sentence=MARK)},
        ]
        text = self.tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
        head, tail = text.split(MARK)
        return self.tokenizer(head, add_special_tokens=False).input_ids, tail

    def _margin(self, logits) -> float:
        """log P(是) − log P(否) at the last position."""
        import torch

        last = torch.log_softmax(logits[0, -1].float(), dim=-1)
        return round(float(last[self.yes] - last[self.no]), 3)

    def aligned_scores(self, source: str, summary: str) -> list[float]:
        """log P(是) − log P(否) for each sentence of ``summary``, read against only its aligned passage."""
        import torch

        found = []
        with torch.inference_mode():
            for sentence in sentences(summary) or [summary]:
                head, tail = self._parts(aligned_passage(source, sentence))
                ids = head + self.tokenizer(sentence + tail, add_special_tokens=False).input_ids
                found.append(self._margin(self.model(input_ids=torch.tensor([ids])).logits))
        return found

    def aligned_token_scores(self, source: str, summary: str) -> dict[str, list[float]]:
        """``token_scores`` with each sentence read after its own aligned passage (``with``) and after
        none (``without``), the sentences' values joined in order."""
        out: dict[str, list[float]] = {"with": [], "without": []}
        for sentence in sentences(summary) or [summary]:
            got = self.token_scores(aligned_passage(source, sentence), sentence)
            out["with"] += got["with"]
            out["without"] += got["without"]
        return out

    def scores(self, source: str, summary: str) -> list[float]:
        """log P(是) − log P(否) for each sentence of ``summary``, read against ``source``."""
        import torch
        from transformers import DynamicCache

        head, tail = self._parts(source)
        found = []
        with torch.inference_mode():
            cache = DynamicCache()
            self.model(input_ids=torch.tensor([head]), cache=cache, use_cache=True)
            for sentence in sentences(summary) or [summary]:
                ids = self.tokenizer(sentence + tail, add_special_tokens=False).input_ids
                found.append(
                    self._margin(
                        self.model(input_ids=torch.tensor([ids]), cache=cache, use_cache=True).logits
                    )
                )
                cache.crop(-len(ids))  # back to the article alone
        return found

    def token_scores(self, source: str, summary: str) -> dict[str, list[float]]:
        """Each summary token's log-probability after the article (``with``) and after no article
        (``without``), the summary read as the answer to a plain request for one."""
        import torch

        def logprobs(request: str) -> list[float]:
            messages = [{"role": "system", "content": SYSTEM}, {"role": "user", "content": request}]
            text = self.tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
            head = self.tokenizer(text, add_special_tokens=False).input_ids
            ids = self.tokenizer(summary, add_special_tokens=False).input_ids
            with torch.inference_mode():
                logits = self.model(input_ids=torch.tensor([head + ids])).logits[0, len(head) - 1 : -1]
            got = torch.log_softmax(logits.float(), dim=-1).gather(1, torch.tensor(ids)[:, None])[:, 0]
            return [round(float(x), 3) for x in got]

        return {
            "with": logprobs(f"原文：\n{source[: self.max_source_chars]}\n\n请用一两句话概括这篇报道。"),
            "without": logprobs("请用一两句话概括一篇新闻报道。"),
        }


def aligned_passage(source: str, sentence: str) -> str:
    """The article sentences the summary sentence's clauses align to, each with the one before it, in
    the article's order."""
    from zhaiyao.summarise.faithful.align import source_of, summary_clauses

    src = source_of(source)
    wanted: set[int] = set()
    for clause in summary_clauses(sentence):
        found = src.align(clause.text)
        if found is not None:
            wanted |= {max(0, found.sentence.index - 1), found.sentence.index}
    return "".join(src.sentences[i].text for i in sorted(wanted)) or source


def rule_flags(rows: list[dict]) -> dict[str, bool]:
    from zhaiyao.summarise import faithful

    flags = {}
    for row in rows:
        verdict = faithful.check(row["summary"], source_text(row))
        flags[row["id"]] = bool(verdict.sure or verdict.unsure)
    return flags


def window_min(values: list[float], width: int = 4) -> float:
    """The lowest mean over ``width`` consecutive tokens: one unsupported phrase, not one odd token."""
    if len(values) <= width:
        return sum(values) / max(1, len(values))
    return min(sum(values[i : i + width]) / width for i in range(len(values) - width + 1))


FEATURES = {
    "ask": lambda s: min(s),
    "with": lambda s: window_min(s["with"]),
    "pmi": lambda s: window_min([w - o for w, o in zip(s["with"], s["without"], strict=True)]),
}


def score_rows(args: argparse.Namespace, rows: list[dict]) -> dict:
    judge = Judge(args.model, args.max_source_chars)
    if args.context == "aligned":
        score = judge.aligned_token_scores if args.method == "pmi" else judge.aligned_scores
    else:
        score = judge.token_scores if args.method == "pmi" else judge.scores
    out = {}
    began = time.perf_counter()
    for n, row in enumerate(rows, 1):
        out[row["id"]] = score(source_text(row), row["summary"])
        if n % 10 == 0 or n == len(rows):
            rate = n / (time.perf_counter() - began)
            print(f"scored {n}/{len(rows)} ({rate:.2f} summaries/s, {cpu_name()})", file=sys.stderr)
    return out


def auc(scores: dict[str, float], labels: dict[str, dict]) -> float:
    """How often a faithful summary scores above an unfaithful one (0.5: no signal)."""
    bad = [v for i, v in scores.items() if not labels[i]["faithful"]]
    good = [v for i, v in scores.items() if labels[i]["faithful"]]
    wins = sum((g > b) + 0.5 * (g == b) for g in good for b in bad)
    return wins / max(1, len(good) * len(bad))


def figures(scores: dict[str, float], labels: dict[str, dict], rules: dict[str, bool], t: float) -> str:
    bad = [i for i in scores if i in labels and not labels[i]["faithful"]]
    good = [i for i in scores if i in labels and labels[i]["faithful"]]

    def flagged(i: str, with_rules: bool) -> bool:
        return scores[i] < t or (with_rules and rules.get(i, False))

    def share(ids: list[str], with_rules: bool) -> str:
        hit = sum(flagged(i, with_rules) for i in ids)
        return f"{hit}/{len(ids)} ({100 * hit / max(1, len(ids)):.1f} %)"

    return (
        f"threshold {t:+.2f}: model alone recall {share(bad, False)}, false alarms {share(good, False)}; "
        f"model or rules recall {share(bad, True)}, false alarms {share(good, True)}"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--summaries", type=Path)
    ap.add_argument("--labels", type=Path, action="append", default=[])
    ap.add_argument("--part", default=None, help="only rows of this part")
    ap.add_argument("--scores", type=Path, help="write the model's scores here")
    ap.add_argument("--from-scores", type=Path, help="read scores instead of running the model")
    ap.add_argument("--threshold", type=float, action="append", default=[])
    ap.add_argument("--blind", action="store_true", help="only the given thresholds' figures")
    ap.add_argument("--method", choices=("ask", "pmi"), default="ask")
    ap.add_argument("--feature", choices=sorted(FEATURES), default=None, help="default: the method's own")
    ap.add_argument("--context", choices=("article", "aligned"), default="article")
    ap.add_argument("--model", default=None)
    ap.add_argument("--max-source-chars", type=int, default=2400)
    ap.add_argument("--smoke", action="store_true")
    args = ap.parse_args()

    labels: dict[str, dict] = {}
    for path in args.labels:
        labels.update({r["id"]: r for r in read_jsonl(path)})
    if args.smoke:
        import smoke

        with smoke.smoke_files(args.model, gguf=False) as (folder, _):
            smoke.announce(folder, f"{len(SMOKE_ROWS)} rows")
            report(smoke.resized(args, model=str(folder)), SMOKE_ROWS, SMOKE_LABELS)
        return
    rows = read_jsonl(args.summaries) if args.summaries else []
    rows = [r for r in rows if r["id"] in labels and (args.part is None or r.get("part") == args.part)]
    report(args, rows, labels)


def report(args: argparse.Namespace, rows: list[dict], labels: dict[str, dict]) -> None:
    """Score ``rows`` (or read their scores) and print the figures at each threshold."""
    if args.from_scores:
        scores = json.loads(args.from_scores.read_text(encoding="utf-8"))
    else:
        scores = score_rows(args, rows)
        if args.scores:
            args.scores.write_text(json.dumps(scores, ensure_ascii=False, indent=0), encoding="utf-8")
    by_id = {r["id"]: r for r in rows}
    rules = rule_flags([by_id[i] for i in scores if i in by_id]) if by_id else {}
    feature = FEATURES[args.feature or args.method]
    values = {i: feature(s) for i, s in scores.items() if i in labels}
    cuts = statistics.quantiles(values.values(), n=20)[:6]  # the lowest 5 % … 30 % of scores
    thresholds = args.threshold or sorted({round(c, 2) for c in cuts})
    if not args.blind:
        name = args.feature or args.method
        print(f"{len(values)} summaries, feature {name}: AUC {auc(values, labels):.3f}")
    for t in thresholds:
        print(figures(values, labels, rules, t))


if __name__ == "__main__":
    main()
