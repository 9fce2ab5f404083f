"""Where the llm backend's time goes on the sample page: reading prompts, decoding, everything else.

    python bench/bench_phases.py [--batch-size 4] [--input-budget 600] [--style brief] [--runs 1]
    python bench/bench_phases.py --smoke [--model DIR]     # one article, one run, tiny model

Runs the real pipeline (``summarise_articles``, default model and weights) over the seed page's articles,
timing the decoder's phases: the shared prompt prefix, each prompt's own tokens (prompt reading), and
batched decoding. Also counts tokens, so the prompt-reading rate (tokens/s) can be compared with the
matrix-product ceiling of the machine. Use it to see which lever is worth pulling before pulling it;
whole-page throughput comparisons belong to bench_summarise.py (baselines measured in the same run).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path
from typing import ClassVar

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def timed_decoder_class(base):
    """A Decoder subclass that adds each phase's seconds and tokens to ``self.stats``."""

    class TimedDecoder(base):
        stats: ClassVar[dict[str, float]] = {}

        def _add(self, key: str, value: float) -> None:
            self.stats[key] = self.stats.get(key, 0.0) + value

        def _read_prefix(self, tokens):
            began = time.perf_counter()
            result = super()._read_prefix(tokens)
            self._add("prefix_s", time.perf_counter() - began)
            self._add("prefix_tokens", len(tokens))
            return result

        def _read_prompt(self, prompt, prefix):
            began = time.perf_counter()
            result = super()._read_prompt(prompt, prefix)
            self._add("read_s", time.perf_counter() - began)
            self._add("read_tokens", len(prompt) - (prefix[0] if prefix else 0))
            return result

        def _step(self, batch, tokens):
            began = time.perf_counter()
            super()._step(batch, tokens)
            self._add("decode_s", time.perf_counter() - began)
            self._add("decode_steps", 1)
            self._add("decode_rows", len(tokens))  # tokens fed back: the batch's width summed over steps

    return TimedDecoder


def _time_joins(decoder_class) -> None:
    """Count rebuilding the batch's cache when rows join (continuous batching) as its own phase."""
    from zhaiyao.runtime import batching

    join = batching.Batch.join

    def timed(self, joining):
        began = time.perf_counter()
        join(self, joining)
        decoder_class.stats["join_s"] = decoder_class.stats.get("join_s", 0.0) + time.perf_counter() - began

    batching.Batch.join = timed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch-size", type=int, default=4)
    parser.add_argument("--input-budget", type=int, help="tokens (default: the generation options')")
    parser.add_argument("--style", default="brief")
    parser.add_argument("--runs", type=int, default=1, help="runs (median of each figure reported)")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--model", help="model folder (default: the default model; --smoke: a tiny one)")
    parser.add_argument("--smoke", action="store_true", help="one article, one run, tiny model")
    args = parser.parse_args()
    if args.smoke:
        import bench_summarise
        from smoke import ARTICLES, announce, resized, smoke_files

        bench_summarise.ARTICLES = ARTICLES  # _seed_articles reads it there
        with smoke_files(args.model, gguf=False) as (folder, _):
            announce(folder)
            measure(resized(args, model=str(folder), runs=1))
        return
    measure(args)


def measure(args: argparse.Namespace) -> None:
    """Summarise the seed page ``args.runs`` times with the timed decoder and print the phases."""

    import jieba

    jieba.initialize()
    from bench_summarise import _seed_articles
    from zhaiyao.config import load_settings
    from zhaiyao.runtime.decoding import Decoder
    from zhaiyao.runtime.prefix_cache import PrefixCache
    from zhaiyao.summarise import load_summariser, summarise_articles

    settings = load_settings().replace(
        backend="llm", batch_size=args.batch_size, threads=args.threads, model=args.model
    )
    if args.input_budget:
        settings = settings.replace(generation=(("input_budget_tokens", args.input_budget),))
    summariser = load_summariser(settings)
    decoder_class = timed_decoder_class(Decoder)
    _time_joins(decoder_class)
    decoder = summariser.decoder
    decoder.__class__ = decoder_class
    # The prefix cache holds the method bound before the class changed: give it the timed one.
    decoder.prefixes = PrefixCache(decoder._read_prefix, decoder.prefixes.capacity)
    articles = _seed_articles()
    runs = []
    for _ in range(args.runs):
        decoder_class.stats = {}
        summariser.decoder.prefixes.clear()  # each run reads its prefixes as a first run would
        began = time.perf_counter()
        out = summarise_articles(articles, summariser, style=args.style)
        stats = dict(decoder_class.stats, total_s=time.perf_counter() - began)
        stats["other_s"] = stats["total_s"] - sum(
            stats.get(k, 0.0) for k in ("prefix_s", "read_s", "decode_s", "join_s")
        )
        stats["guards"] = {g: sum(s.guard == g for s in out) for g in ("ok", "retried", "fallback")}
        runs.append(stats)
    keys = [k for k in runs[0] if k != "guards"]
    median = {k: statistics.median(r.get(k, 0.0) for r in runs) for k in keys}
    m = median
    per_min = len(articles) / m["total_s"] * 60
    ms_per_step = m["decode_s"] / max(1, m["decode_steps"]) * 1000
    print(
        f"seed page, {len(articles)} articles, {args.style}, batch {args.batch_size}, input budget "
        f"{summariser.input_budget} tokens, weights {summariser.weights}, "
        f"median of {args.runs} run(s)"
    )
    print(f"  total            {m['total_s']:7.1f} s  ({per_min:.1f} articles/min)")
    print(f"  shared prefix    {m.get('prefix_s', 0):7.1f} s  ({m.get('prefix_tokens', 0):.0f} tokens)")
    rate = m["read_tokens"] / m["read_s"]
    print(f"  reading prompts  {m['read_s']:7.1f} s  ({m['read_tokens']:.0f} tokens, {rate:.0f} tokens/s)")
    steps = f"{m['decode_rows']:.0f} tokens in {m['decode_steps']:.0f} steps, {ms_per_step:.0f} ms/step"
    print(f"  decoding         {m['decode_s']:7.1f} s  ({steps})")
    print(f"  rows joining     {m.get('join_s', 0):7.1f} s  (rebuilding the batch's cache)")
    print(f"  everything else  {m['other_s']:7.1f} s  (condensing, guard, keywords)")
    print(f"  guard            {runs[-1]['guards']}")
    print(json.dumps({"median": median, "runs": runs}))


if __name__ == "__main__":
    main()
