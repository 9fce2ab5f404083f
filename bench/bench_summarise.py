"""Summarisation speed and memory, all in one run on one machine (numbers from a shared CPU are noisy:
compare the ratios, which are measured against a baseline taken in the same run).

    python bench/bench_summarise.py [--runs 3] [--baseline-runs 1] [--batch-sizes 1,4,8] [--threads 2]
    python bench/bench_summarise.py --smoke [--model DIR]     # every row once, tiny model (bench/smoke.py)

Each measurement runs in a child process of its own, so every row's peak memory (max RSS) is its own
and one model's memory never inflates another's. Rows:

* ``llm bs=N``: the real pipeline (``summarise_articles``: condensing, batched greedy generation, guard
  with retry/fallback, keywords, headlines) over the seed page's articles, default model, default
  (int8) weights; ``llm bf16 bs=N`` the same with ``--quantize none``.
* ``naive baseline``: a transformers ``pipeline("text-generation")`` with the model loaded straight from
  its GGUF in fp32, one article at a time, a one-sentence prompt, the same new-token limit.
* ``extractive``: the weight-free backend over the seed articles repeated (each copy made unique so no
  cache helps), articles per second.
* ``load s`` (llm rows): ``load_summariser`` after the imports: the bf16 folder, or its int8 copy
  (built on the first int8 run, so run the bench twice or after ``zhaiyao models fetch``).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


ARTICLES = 10  # how many seed articles the model rows use (--articles; the page has 10)


def _seed_articles():
    from zhaiyao.config import SAMPLE_PAGE, load_settings
    from zhaiyao.sources.files import read_inputs
    from zhaiyao.split.page import split_page

    settings = load_settings()
    return [a for page in read_inputs([str(SAMPLE_PAGE)], settings) for a in split_page(page)][:ARTICLES]


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child_llm(batch_size: int, runs: int, threads: int, quantize: str, model: str | None = None) -> dict:
    import jieba

    jieba.initialize()
    from zhaiyao.config import load_settings
    from zhaiyao.summarise import load_summariser

    settings = load_settings().replace(
        backend="llm", batch_size=batch_size, threads=threads, quantize=quantize, model=model
    )
    # Import the model code first: "load" is reading the weights, not Python importing transformers.
    import zhaiyao.summarise.llm  # noqa: F401

    began = time.perf_counter()
    summariser = load_summariser(settings)
    load_s = time.perf_counter() - began
    times, out = summarise_runs(summariser, runs)
    return rate_row(len(out), times, load_s, guards=guard_counts(out), runs=runs, weights=summariser.weights)


def summarise_runs(summariser, runs: int) -> tuple[list[float], list]:
    """Each run's seconds for the real pipeline over the seed page, and the last run's summaries."""
    from zhaiyao.summarise import summarise_articles

    articles = _seed_articles()
    times, out = [], []
    for _ in range(runs):
        began = time.perf_counter()
        out = summarise_articles(articles, summariser, style="brief")
        times.append(time.perf_counter() - began)
    return times, out


def guard_counts(summaries: list) -> dict[str, int]:
    return {g: sum(s.guard == g for s in summaries) for g in ("ok", "retried", "fallback")}


def rate_row(articles: int, times: list[float], load_s: float, **extra) -> dict:
    """A model row: median seconds over the runs, articles/min, load time and this process's peak memory."""
    seconds = statistics.median(times)
    row = {"articles": articles, "seconds": seconds, "per_min": articles / seconds * 60, "load_s": load_s}
    return {**row, "peak_mb": _peak_mb(), **extra}


def default_model_files(model: str | None = None, gguf: str | None = None) -> tuple[Path, Path]:
    """(converted model folder, the verified GGUF it came from) for ``model`` (default: the default
    model), or the pair given (a smoke run's)."""
    if model and gguf:
        return Path(model), Path(gguf)
    from zhaiyao.config import Settings, load_settings
    from zhaiyao.weights import resolve_model

    resolved = resolve_model(model or Settings().model, load_settings().models_dir)
    gguf = resolved.source_file
    if gguf is None or not Path(gguf).is_file():
        raise SystemExit(f"{resolved.name}: its GGUF source is not on disk (zhaiyao models fetch)")
    return resolved.path, Path(gguf)


def one_sentence_chat(text: str) -> list[dict[str, str]]:
    """The naive setting's prompt: one user turn asking for a one-sentence summary."""
    return [{"role": "user", "content": f"用一句话概括下面的新闻：\n{text}"}]


def child_baseline(runs: int, threads: int, limit: int, files: tuple[Path, Path]) -> dict:
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer, pipeline
    from zhaiyao.summarise.options import GenerationOptions

    options = GenerationOptions()

    torch.set_num_threads(threads)
    _, gguf = files
    began = time.perf_counter()
    tokenizer = AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name)
    model = AutoModelForCausalLM.from_pretrained(gguf.parent, gguf_file=gguf.name, dtype=torch.float32)
    generator = pipeline("text-generation", model=model, tokenizer=tokenizer, device="cpu")
    load_s = time.perf_counter() - began
    articles = _seed_articles()[:limit]
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        for article in articles:
            generator(
                one_sentence_chat(article.text), max_new_tokens=options.new_tokens(100), do_sample=False
            )
        times.append(time.perf_counter() - began)
    return rate_row(len(articles), times, load_s, runs=runs)


def child_extractive(runs: int, copies: int, whole_page: bool = True) -> dict:
    import dataclasses

    import jieba

    jieba.initialize()
    from zhaiyao.config import Settings
    from zhaiyao.summarise import load_summariser, summarise_articles

    global ARTICLES
    if whole_page:  # the extractive row always uses the whole page (a smoke run: its one article)
        ARTICLES = 10
    seed = _seed_articles()
    summariser = load_summariser(Settings(backend="extractive"))
    # One unmeasured pass loads jieba's dictionaries and IDF table (~3 s, once per process).
    began = time.perf_counter()
    summarise_articles(seed, summariser, style="brief")
    warmup_s = time.perf_counter() - began
    times, cpu = [], []
    for run in range(runs):
        # Unique text per copy and per run: the segmentation cache must not make repeats free.
        articles = [
            dataclasses.replace(a, text=f"{a.text}\n（第{run}轮第{i}份）")
            for i in range(copies)
            for a in seed
        ]
        began, began_cpu = time.perf_counter(), time.process_time()
        summarise_articles(articles, summariser, style="brief")
        times.append(time.perf_counter() - began)
        cpu.append(time.process_time() - began_cpu)
    seconds = statistics.median(times)
    n = copies * len(seed)
    # Single-threaded: articles per CPU-second is what an idle core would manage, whatever the load now.
    per_cpu_s = n / statistics.median(cpu)
    return {
        "articles": n,
        "seconds": seconds,
        "per_s": n / seconds,
        "per_cpu_s": per_cpu_s,
        "warmup_s": warmup_s,
        "peak_mb": _peak_mb(),
    }


def _child(argv: list[str], script: str = __file__) -> dict:
    """``script --child ARGV`` in a fresh process (its own peak memory): the JSON row it prints last."""
    env = dict(os.environ, PYTHONWARNINGS="ignore", TOKENIZERS_PARALLELISM="false")
    proc = subprocess.run(
        [sys.executable, script, "--child", *argv], capture_output=True, text=True, env=env, check=False
    )
    if proc.returncode != 0:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-5:]
        return {"error": " | ".join(tail)}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs per llm row (median reported)")
    parser.add_argument("--baseline-runs", type=int, default=1)
    parser.add_argument("--baseline-articles", type=int, default=10)
    parser.add_argument("--articles", type=int, default=10, help="seed articles for the llm rows")
    parser.add_argument("--batch-sizes", default="1,4,8", help="int8 llm rows (the default weights)")
    parser.add_argument("--bf16-batch-sizes", default="4", help="llm rows with --quantize none ('' for none)")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--skip-baseline", action="store_true")
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--smoke", action="store_true", help="every row once: 1 article, 1 run, tiny model")
    parser.add_argument("--model", help="model folder (default: the default model; --smoke: a tiny one)")
    parser.add_argument("--gguf", help=argparse.SUPPRESS)  # the model's GGUF (a smoke run's, for children)
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()

    global ARTICLES
    ARTICLES = args.articles
    if args.child:
        kind, *rest = args.child
        if kind == "llm":
            result = child_llm(int(rest[0]), args.runs, args.threads, rest[1], args.model)
        elif kind == "baseline":
            limit = min(args.baseline_articles, ARTICLES)
            files = default_model_files(args.model, args.gguf)
            result = child_baseline(args.baseline_runs, args.threads, limit, files)
        else:
            result = child_extractive(args.runs, 1 if args.smoke else 20, whole_page=not args.smoke)
        print(json.dumps(result))
        return
    if args.smoke:
        from smoke import announce, smoke_files

        with smoke_files(args.model, gguf=not args.skip_baseline) as (folder, gguf):
            smoke = ["--smoke", "--model", str(folder), *(["--gguf", str(gguf)] if gguf else [])]
            announce(folder)
            measure(smoke_args(args), smoke)
        return
    measure(args, ["--model", args.model] if args.model else [])


def smoke_args(args: argparse.Namespace) -> argparse.Namespace:
    """The arguments with every row once: one article, one run, batch size 1."""
    import smoke

    global ARTICLES
    ARTICLES = smoke.ARTICLES
    sizes = {"batch_sizes": "1", "bf16_batch_sizes": "1" if args.bf16_batch_sizes else ""}
    counts = {"runs": 1, "baseline_runs": 1, "articles": ARTICLES, "baseline_articles": ARTICLES}
    return smoke.resized(args, **sizes, **counts)


def print_table(rows: dict[str, dict], args: argparse.Namespace) -> None:
    """The rows as a table, then the ratios that matter (each llm row against batch 1 and the baseline)."""
    runs = f"median of {args.runs} runs (baseline: {args.baseline_runs})"
    print(f"\nseed page, brief style, {args.threads} threads, {runs}")
    print(f"{'row':<16} {'articles':>8} {'seconds':>8} {'rate':>16} {'load s':>7} {'peak MB':>8}  guard")
    for name, r in rows.items():
        if "error" in r:
            print(f"{name:<16} error: {r['error']}")
            continue
        rate = f"{r['per_s']:.0f} articles/s" if "per_s" in r else f"{r['per_min']:.1f} articles/min"
        load = f"{r['load_s']:.1f}" if "load_s" in r else "-"
        guards = " ".join(f"{k}={v}" for k, v in r.get("guards", {}).items())
        if "per_cpu_s" in r:
            guards = f"{r['per_cpu_s']:.0f} articles per CPU-second, first-use warm-up {r['warmup_s']:.1f} s"
        head = f"{name:<16} {r['articles']:>8} {r['seconds']:>8.1f} {rate:>16}"
        if r.get("weights"):
            guards = f"{guards} weights={r['weights']}"
        print(f"{head} {load:>7} {r['peak_mb']:>8.0f}  {guards}")
    llm = {k: v for k, v in rows.items() if k.startswith("llm") and "per_min" in v}
    base = rows.get("naive baseline", {})
    if llm:
        best_name, best = max(llm.items(), key=lambda kv: kv[1]["per_min"])
        print(f"\nbest llm row: {best_name}, {best['per_min']:.1f} articles/min")
        if "llm bs=1" in llm:
            for name, r in llm.items():
                print(f"  {name} / llm bs=1: {r['per_min'] / llm['llm bs=1']['per_min']:.2f}x")
        if "per_min" in base:
            print(f"  {best_name} / naive baseline: {best['per_min'] / base['per_min']:.2f}x")


def measure(args: argparse.Namespace, model: list[str]) -> None:
    """Run each row in its child process and print the table; ``model``: arguments naming the model."""
    common = ["--runs", str(args.runs), "--threads", str(args.threads), "--articles", str(args.articles)]
    common += model
    rows: dict[str, dict] = {}
    for bs in [int(b) for b in args.batch_sizes.split(",")]:
        print(f"measuring llm batch size {bs} ...", file=sys.stderr, flush=True)
        rows[f"llm bs={bs}"] = _child(["llm", str(bs), "int8", *common])
    for bs in [int(b) for b in args.bf16_batch_sizes.split(",") if b]:
        print(f"measuring llm bf16 batch size {bs} ...", file=sys.stderr, flush=True)
        rows[f"llm bf16 bs={bs}"] = _child(["llm", str(bs), "none", *common])
    if not args.skip_baseline:
        print("measuring the naive baseline (fp32 from GGUF, one at a time) ...", file=sys.stderr, flush=True)
        rows["naive baseline"] = _child(
            ["baseline", "--baseline-runs", str(args.baseline_runs),
             "--baseline-articles", str(args.baseline_articles), *common]
        )  # fmt: skip
    print("measuring extractive ...", file=sys.stderr, flush=True)
    rows["extractive"] = _child(["extractive", *common])

    print_table(rows, args)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
