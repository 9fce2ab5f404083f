"""What the faithfulness check costs the summariser: articles/min with the check in the loop against the
lexical guard alone (the guard before issue 29), both in one run on one machine.

    python bench/faithful_cost.py [--runs 3] [--rows ROWS.jsonl --limit N]
    python bench/faithful_cost.py --smoke [--model DIR]      # one article, one run, tiny model

Rows, each in a child process of its own, the two alternating run by run so a slow spell of a shared
CPU does not fall on one of them:

* ``check``: the real pipeline (``summarise_articles``, default model and settings): a summary the check
  fails is retried with the reason, then falls back to the extractive summary.
* ``lexical``: the same pipeline with ``faithful.check`` cut down to the guard's lexical reasons (broken
  characters, language, loops, numbers the article lacks): what the summariser ran before the check.

Articles: the sample page's ten, or ``--limit`` rows ``{id, title, text}`` of ``--rows``. Each row
prints the median seconds per pass, articles/min, how many summaries were retried or fell back, and
the check's ratio to the lexical row. The CPU model is printed with the table.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from faithfulness_eval import _cpu as cpu_name  # noqa: E402

MODES = ("lexical", "check")


def _articles(rows: str | None, limit: int) -> list:
    """The first ``limit`` articles of the sample page or of ``rows``, read and split as `summarise` does."""
    from zhaiyao.config import SAMPLE_PAGE, load_settings
    from zhaiyao.sources.files import read_inputs
    from zhaiyao.split.page import split_page

    pages = read_inputs([rows or str(SAMPLE_PAGE)], load_settings())
    return [a for page in pages for a in split_page(page)][:limit]


def _lexical_only() -> None:
    """Cut the faithfulness check down to the lexical guard, in this process only."""
    from zhaiyao.summarise import faithful, guard

    def lexical(summary: str, article: str) -> faithful.Verdict:
        if not summary.strip():
            return faithful.Verdict(False, ("empty summary",))
        reasons = tuple(guard.lexical_reasons(summary, article))
        return faithful.Verdict(not reasons, reasons)

    faithful.check = lexical  # type: ignore[assignment]


def child(mode: str, rows: str | None, limit: int, model: str | None) -> dict:
    import jieba

    jieba.initialize()
    from zhaiyao.config import load_settings
    from zhaiyao.summarise import load_summariser, summarise_articles

    if mode == "lexical":
        _lexical_only()
    settings = load_settings().replace(backend="llm", **({"model": model} if model else {}))
    summariser = load_summariser(settings)
    articles = _articles(rows, limit)
    began = time.perf_counter()
    out = summarise_articles(articles, summariser, style="brief")
    seconds = time.perf_counter() - began
    guards = {g: sum(s.guard == g for s in out) for g in ("ok", "unsure", "retried", "fallback")}
    return {"mode": mode, "articles": len(out), "seconds": seconds, "guards": guards}


def _run_child(mode: str, args: argparse.Namespace) -> dict:
    cmd = [sys.executable, __file__, "--child", mode, "--limit", str(args.limit)]
    if args.rows:
        cmd += ["--rows", args.rows]
    if args.model:
        cmd += ["--model", args.model]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        return {"mode": mode, "error": done.stderr.strip().splitlines()[-1:]}
    return json.loads(done.stdout.strip().splitlines()[-1])


def measure(args: argparse.Namespace) -> dict[str, list[dict]]:
    passes: dict[str, list[dict]] = {m: [] for m in MODES}
    for run in range(args.runs):
        order = MODES if run % 2 == 0 else MODES[::-1]
        for mode in order:
            passes[mode].append(_run_child(mode, args))
            print(f"run {run + 1}/{args.runs} {mode}: {passes[mode][-1]}", file=sys.stderr, flush=True)
    return passes


def table(passes: dict[str, list[dict]]) -> str:
    lines = [f"CPU: {cpu_name()}", f"{'row':<10}{'articles':>9}{'median s':>10}{'art/min':>9}  guards  ratio"]
    rates: dict[str, float] = {}
    for mode in MODES:
        good = [p for p in passes[mode] if "error" not in p]
        if not good:
            error = passes[mode][-1].get("error") if passes[mode] else "no pass"
            lines.append(f"{mode:<10}error {error}")
            continue
        seconds = statistics.median(p["seconds"] for p in good)
        rates[mode] = good[0]["articles"] / seconds * 60
        guards = " ".join(f"{k}={v}" for k, v in good[-1]["guards"].items())
        ratio = f"{rates[mode] / rates['lexical']:.2f}" if "lexical" in rates else "-"
        count = good[0]["articles"]
        lines.append(f"{mode:<10}{count:>9}{seconds:>10.1f}{rates[mode]:>9.1f}  {guards}  {ratio}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--rows", help="JSONL rows {id, title, text} instead of the sample page")
    parser.add_argument("--limit", type=int, default=10, help="articles per pass")
    parser.add_argument("--model", help="a model folder or id (default: the default model)")
    parser.add_argument("--smoke", action="store_true", help="tiny model, one article, one run")
    parser.add_argument("--child", choices=MODES, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.rows, args.limit, args.model), ensure_ascii=False))
        return
    if args.smoke:
        import smoke

        with smoke.smoke_files(args.model, gguf=False) as (folder, _):
            smoke.announce(folder)
            args = smoke.resized(args, runs=1, limit=smoke.ARTICLES, model=str(folder))
            print(table(measure(args)))
        return
    print(table(measure(args)))


if __name__ == "__main__":
    main()
