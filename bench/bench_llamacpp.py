"""Zhaiyao's llm backend against llama.cpp running the same GGUF, on this machine, in one run.

    pip install -e '.[bench]'        # llama-cpp-python: compiles llama.cpp (~13 minutes on 2 cores)
    python bench/bench_llamacpp.py [--runs 3] [--threads 2] [--articles 10]
    python bench/bench_llamacpp.py --smoke [--model DIR]   # each row once, tiny model and its GGUF;
                                                           # llama.cpp rows skipped without the package

The speed target in issue 3 (16 articles/min) was llama.cpp's figure on another machine; what it means
is "at least as fast as llama.cpp with the same model", so this measures llama.cpp here. Rows, each in
a child process of its own (its own peak memory), median of ``--runs``:

* ``zhaiyao int8 bs=N``: the default llm backend at the default batch size N, the seed page, brief style.
* ``llama.cpp, same job``: the very same pipeline (``summarise_articles``: condensing, the same prompts
  as token ids from the model's tokenizer, guard with retry/fallback, keywords, headlines) with
  generation done by llama.cpp on the Q4_K_M GGUF the default model comes from, one article at a
  time (llama-cpp-python's API decodes one sequence), greedy, the same new-token limits and
  repetition penalty over the whole context; it keeps the previous prompt's cache for a shared prefix.
* ``llama.cpp, one sentence``: the setting of the issue's figure: a one-sentence user prompt
  (用一句话概括下面的新闻), one article at a time, nothing else.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import bench_summarise  # noqa: E402
from bench_summarise import (  # noqa: E402
    _child,
    _seed_articles,
    default_model_files,
    guard_counts,
    one_sentence_chat,
    rate_row,
    summarise_runs,
)
from zhaiyao.config import Settings  # noqa: E402
from zhaiyao.summarise.llm import chat_prompt_ids  # noqa: E402

STOP_TOKENS = ("<|im_end|>", "<|endoftext|>")
BATCH = Settings().batch_size  # the default's
OURS = f"zhaiyao int8 bs={BATCH}"


def _llama(gguf: Path, threads: int, context: int):
    try:
        from llama_cpp import Llama
    except ImportError:
        raise SystemExit("llama-cpp-python is not installed: pip install -e '.[bench]'") from None
    # last_n_tokens_size = the whole context: the repetition penalty then sees the prompt too, as
    # Zhaiyao's decoder's does (llama.cpp's default window is the last 64 tokens).
    return Llama(
        model_path=str(gguf),
        n_ctx=context,
        n_batch=512,
        n_threads=threads,
        n_threads_batch=threads,
        last_n_tokens_size=context,
        verbose=False,
    )


class LlamaCppGenerator:
    """The ``Summariser`` interface over llama.cpp, so the pipeline around it is Zhaiyao's own."""

    backend = "llama.cpp"
    verbatim = False
    batch_size = 1

    def __init__(self, folder: Path, gguf: Path, threads: int) -> None:
        from transformers import AutoTokenizer
        from zhaiyao.summarise import prompts
        from zhaiyao.summarise.options import GenerationOptions

        self.options = GenerationOptions()
        self.model_name = f"llama.cpp:{gguf.name}"
        self.prompt_version = prompts.PROMPT_VERSION
        self.input_budget = self.options.input_budget
        self.tokenizer = AutoTokenizer.from_pretrained(folder, trust_remote_code=False)
        self.stop = {self.tokenizer.convert_tokens_to_ids(t) for t in STOP_TOKENS}
        self.llama = _llama(gguf, threads, 4096)
        self.prompt_tokens = self.new_tokens = 0

    def input_tokens(self, text: str) -> int:
        return len(self.tokenizer(text, add_special_tokens=False).input_ids)

    def generate(self, requests: Sequence) -> list[list[str]]:
        out = []
        for r in requests:
            ids = chat_prompt_ids(self.tokenizer, r)  # the llm backend's own prompts, token for token
            limit = self.options.new_tokens(r.max_chars)
            tokens = greedy(self.llama, ids, limit, self.stop, self.options.repetition_penalty)
            self.prompt_tokens += len(ids)
            self.new_tokens += len(tokens)
            out.append([self.tokenizer.decode(tokens, skip_special_tokens=True).strip()])
        return out


def greedy(llama, ids: list[int], limit: int, stop: set[int], penalty: float) -> list[int]:
    tokens: list[int] = []
    # reset=True still keeps the longest common prefix with the previous prompt (llama-cpp-python).
    for token in llama.generate(ids, top_k=1, top_p=1.0, temp=0.0, repeat_penalty=penalty, reset=True):
        if token in stop:
            break
        tokens.append(token)
        if len(tokens) >= limit:
            break
    return tokens


def child_same_job(runs: int, threads: int, files: tuple[Path, Path]) -> dict:
    import jieba

    jieba.initialize()
    folder, gguf = files
    began = time.perf_counter()
    generator = LlamaCppGenerator(folder, gguf, threads)
    load_s = time.perf_counter() - began
    times, out = summarise_runs(generator, runs)
    tokens = {"prompt_tokens": generator.prompt_tokens // runs, "new_tokens": generator.new_tokens // runs}
    return rate_row(len(out), times, load_s, guards=guard_counts(out), **tokens)


def child_one_sentence(runs: int, threads: int, files: tuple[Path, Path]) -> dict:
    from transformers import AutoTokenizer
    from zhaiyao.summarise.options import GenerationOptions

    options = GenerationOptions()

    folder, gguf = files
    tokenizer = AutoTokenizer.from_pretrained(folder, trust_remote_code=False)
    stop = {tokenizer.convert_tokens_to_ids(t) for t in STOP_TOKENS}
    began = time.perf_counter()
    llama = _llama(gguf, threads, 4096)
    load_s = time.perf_counter() - began
    articles = _seed_articles()
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        for article in articles:
            text = tokenizer.apply_chat_template(
                one_sentence_chat(article.text), tokenize=False, add_generation_prompt=True
            )
            greedy(
                llama,
                tokenizer(text, add_special_tokens=False).input_ids,
                options.new_tokens(100),
                stop,
                options.repetition_penalty,
            )
        times.append(time.perf_counter() - began)
    return rate_row(len(articles), times, load_s)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs per row (median reported)")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--articles", type=int, default=10)
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--smoke", action="store_true", help="each row once: 1 article, 1 run, tiny model")
    parser.add_argument("--model", help="model folder (default: the default model; --smoke: a tiny one)")
    parser.add_argument("--gguf", help=argparse.SUPPRESS)  # the model's GGUF (a smoke run's, for children)
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        bench_summarise.ARTICLES = args.articles  # _seed_articles reads it there
        kind = args.child[0]
        run = child_same_job if kind == "same" else child_one_sentence
        print(json.dumps(run(args.runs, args.threads, default_model_files(args.model, args.gguf))))
        return
    if args.smoke:
        from smoke import ARTICLES, announce, resized, smoke_files

        with smoke_files(args.model) as (folder, gguf):
            announce(folder)
            model = ["--model", str(folder), "--gguf", str(gguf)]
            measure(resized(args, runs=1, articles=ARTICLES), model)
        return
    measure(args, ["--model", args.model] if args.model else [])


def measure(args: argparse.Namespace, model: list[str]) -> None:
    """Run each row in its child process and print the table; ``model``: arguments naming the model."""
    common = ["--runs", str(args.runs), "--threads", str(args.threads), "--articles", str(args.articles)]
    common += model
    rows: dict[str, dict] = {}
    print(f"measuring zhaiyao's default (int8, batch {BATCH}) ...", file=sys.stderr, flush=True)
    rows[OURS] = _child(["llm", str(BATCH), "int8", *common])
    if args.smoke and importlib.util.find_spec("llama_cpp") is None:
        # CI has no llama-cpp-python (it compiles for minutes); the Zhaiyao row still runs.
        print("llama.cpp rows skipped: llama-cpp-python is not installed (pip install -e '.[bench]')")
    else:
        print("measuring llama.cpp on the same job ...", file=sys.stderr, flush=True)
        rows["llama.cpp, same job"] = _child(["same", *common], __file__)
        print("measuring llama.cpp with a one-sentence prompt ...", file=sys.stderr, flush=True)
        rows["llama.cpp, one sentence"] = _child(["one", *common], __file__)

    print(f"\nseed page, brief style, {args.threads} threads, median of {args.runs} runs")
    header = f"{'row':<24} {'articles':>8} {'seconds':>8} {'articles/min':>13} {'load s':>7} {'peak MB':>8}"
    print(f"{header}  guard")
    for name, r in rows.items():
        if "error" in r:
            print(f"{name:<24} error: {r['error']}")
            continue
        guards = " ".join(f"{k}={v}" for k, v in r.get("guards", {}).items())
        print(
            f"{name:<24} {r['articles']:>8} {r['seconds']:>8.1f} {r['per_min']:>13.1f} "
            f"{r['load_s']:>7.1f} {r['peak_mb']:>8.0f}  {guards}"
        )
    ours, same = rows[OURS], rows.get("llama.cpp, same job", {})
    if "per_min" in ours and "per_min" in same:
        print(f"\nzhaiyao / llama.cpp on the same job: {ours['per_min'] / same['per_min']:.2f}x")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2, ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    main()
