"""Could the summarisation model settle the splitter's unsure calls? Measured on the real-page corpus.

    python bench/split_arbitrate.py [--model DIR] [--smoke]

The splitter is unsure of two kinds of call (``split --explain`` shows both):
- a title read from two bare header lines (title confidence 0.55): 引题 + 标题 or 标题 + 副题, which the
  paper's own order decides (e-papers 引题 first, plain dumps 标题 first);
- a boundary held up by few signals (boundary confidence under 0.7).
For each, the default model is asked what a reader would decide, and its answer is scored against the
gold pages. Titles: "which of these two lines is the headline?", asked with the lines in both orders and
the margins (the first answer token's score of 1 minus 2) subtracted, so that a model that prefers a
position says nothing; the model picks the first printed line when the result is positive. Boundaries:
"does the paragraph after continue the article before?" (是/否 margin); a yes would merge two articles.
Every boundary the splitter makes on the corpus is right, so that part counts only the harm; as a
control, the same question on the articles either side cut at a middle paragraph (true continuations).

Prints the counts, how often the rule and the model are right, and the cost: model load, seconds per
question and per page of the corpus (the pages' unsure calls over all pages read). The CPU is named.
``--smoke`` reads one page per paper with the tiny random model (CI keeps the script working).
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from faithfulness_eval import _cpu as cpu_name  # noqa: E402
from split_papers import corpus_pages  # noqa: E402
from zhaiyao.config import Settings, load_settings  # noqa: E402
from zhaiyao.documents import Article  # noqa: E402
from zhaiyao.sources.files import read_inputs  # noqa: E402
from zhaiyao.split.page import split_page  # noqa: E402
from zhaiyao.split.score import _norm, gold_title_finder  # noqa: E402

UNSURE_TITLE = 0.6  # the two-bare-lines reading is 0.55; every cue-backed reading is 0.7 or more
UNSURE_BOUNDARY = 0.7
LEAD_CHARS = 120
TITLE_ASK = (
    "报纸文章的标题区有两行：一行是主标题（最醒目、概括这篇报道的那一行），另一行是引题或副题（补充背景、"
    "说明或口号）。根据这两行和正文开头，判断哪一行是主标题。只回答“1”或“2”。"
)
JOIN_ASK = (
    "下面是报纸版面上相邻的两段文字。判断乙段是接着甲段的同一篇文章，还是另一篇新文章的开始"
    "（新文章一般有自己的标题、电头或作者）。如果是同一篇文章，回答“是”；如果是新文章，回答“否”。"
    "只回答“是”或“否”。"
)


def _title_prompt(first: str, second: str, lead: str) -> list[dict[str, str]]:
    text = (
        f"{TITLE_ASK}\n\n第1行：{first}\n第2行：{second}\n正文开头：{lead[:LEAD_CHARS]}\n\n主标题是第几行？"
    )
    return [{"role": "user", "content": text}]


def _join_prompt(before: Article, after: Article) -> list[dict[str, str]]:
    tail = " ".join(before.text[-LEAD_CHARS:].split())
    head = "\n".join(x for x in (after.kicker, after.title, after.subtitle) if x)
    opening = after.text[:LEAD_CHARS]
    text = f"{JOIN_ASK}\n\n甲段（结尾）：{tail}\n\n乙段：{head}\n{opening}\n\n乙段是接着甲段的吗？"
    return [{"role": "user", "content": text}]


def _halves(article: Article) -> tuple[Article, Article] | None:
    """The article cut at its middle paragraph: a pair whose right answer is one article."""
    paragraphs = article.text.split("\n")
    if len(paragraphs) < 2:
        return None
    middle = len(paragraphs) // 2
    before = replace(article, text="\n".join(paragraphs[:middle]))
    after = replace(article, text="\n".join(paragraphs[middle:]), title=None, kicker=None, subtitle=None)
    return before, after


def unsure_calls(smoke: bool) -> tuple[int, list[dict], list[tuple[Article, Article]]]:
    """(pages read, unsure titles with their two lines and gold title, unsure boundaries as pairs)."""
    titles: list[dict] = []
    joins: list[tuple[Article, Article]] = []
    pages = 0
    for _gold_path, page, gold in corpus_pages(False, smoke):
        pages += 1
        gold_title = gold_title_finder(gold)
        articles = [a for p in read_inputs([str(page)], Settings()) for a in split_page(p)]
        for k, a in enumerate(articles):
            if k and a.boundary_confidence is not None and a.boundary_confidence < UNSURE_BOUNDARY:
                joins.append((articles[k - 1], a))
            other = a.kicker or a.subtitle
            if a.title_confidence is None or a.title_confidence > UNSURE_TITLE or not other or not a.title:
                continue
            hit = gold_title(a)
            first, second = (other, a.title) if a.kicker else (a.title, other)
            gold_line = 1 if _norm(first) == hit else 2 if _norm(second) == hit else 0
            titles.append({"first": first, "second": second, "lead": a.text, "rule": 2 if a.kicker else 1,
                           "gold": gold_line})  # fmt: skip
    return pages, titles, joins


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default=None, help="a model folder or id (default: the manifest's)")
    ap.add_argument("--smoke", action="store_true", help="one page per paper, tiny model (CI)")
    args = ap.parse_args()
    if args.smoke:
        import smoke

        with smoke.smoke_files(args.model, gguf=False) as (folder, _):
            smoke.announce(folder, "one page per paper")
            return measure(str(folder), smoke=True)
    return measure(args.model, smoke=False)


def measure(model_name: str | None, smoke: bool) -> int:
    from zhaiyao.stories.model import ChatModel, margins
    from zhaiyao.summarise import load_summariser

    pages, titles, joins = unsure_calls(smoke)
    began = time.perf_counter()
    settings = load_settings().replace(backend="llm", **({"model": model_name} if model_name else {}))
    model = ChatModel(load_summariser(settings))
    load_s = time.perf_counter() - began
    asks = [_title_prompt(t["first"], t["second"], t["lead"]) for t in titles]
    asks += [_title_prompt(t["second"], t["first"], t["lead"]) for t in titles]
    began = time.perf_counter()
    title_m = margins(model, asks, "1", "2") if asks else []
    halves = [h for pair in joins for x in pair if (h := _halves(x))]
    pairs = joins + halves
    both_m = margins(model, [_join_prompt(a, b) for a, b in pairs], "是", "否") if pairs else []
    join_m, control_m = both_m[: len(joins)], both_m[len(joins) :]
    ask_s = time.perf_counter() - began
    n = len(titles)
    scored = [(t, (title_m[k] - title_m[n + k]) / 2) for k, t in enumerate(titles) if t["gold"]]
    rule_right = sum(t["rule"] == t["gold"] for t, _ in scored)
    model_right = sum((1 if s > 0 else 2) == t["gold"] for t, s in scored)
    spread = max((abs(s) for _, s in scored), default=0.0)
    merges = sum(m > 0 for m in join_m)
    questions = len(asks) + len(both_m)
    print(f"{pages} pages; model {model.model_name} loaded in {load_s:.1f} s; CPU {cpu_name()}")
    print(f"titles from two bare lines: {n} ({len(scored)} with either line the gold title)")
    print(f"  rule right {rule_right}/{len(scored)}, model right {model_right}/{len(scored)}, "
          f"largest |margin| {spread:.2f}")  # fmt: skip
    print(f"unsure boundaries (< {UNSURE_BOUNDARY}): {len(joins)}, all right in the corpus; "
          f"the model would merge {merges}; it reads {sum(m > 0 for m in control_m)} of {len(control_m)} "
          "control cuts as one article")  # fmt: skip
    per_q = ask_s / max(1, questions)
    print(f"cost: {questions} questions in {ask_s:.1f} s ({per_q:.2f} s each), "
          f"{ask_s / max(1, pages):.2f} s per page over {pages} pages")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
