"""The default model's prompt reading and decoding steps with each int8 kernel, in one process.

    python bench/bench_int8_model.py [--repeats 5] [--batch 1 4 16] [--prompt-tokens 370] [--steps 16]
    python bench/bench_int8_model.py --threads 1 --clock cpu   # on a busy shared machine

The baseline is the int8 path as it was before oneDNN: fbgemm, one product per linear layer
(``fbgemm-unfused``). Each candidate is its own copy of the model loaded from the same int8 file (fully
packed before timing); rounds run them interleaved, in a rotating order, so a busy machine slows them
alike. Each round reads one prompt of random tokens (the prompt-reading rate) and then decodes
``--steps`` steps for a batch of each ``--batch`` size (ms per step), with the weights streaming from
memory as in a real run. Medians over the rounds; seed-page throughput belongs to bench_phases.py.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CLOCKS = {"wall": time.perf_counter, "cpu": time.process_time}


# (label, kernel, fused): the baseline first.
CANDIDATES = [
    ("fbgemm-unfused", "fbgemm", False),
    ("fbgemm", "fbgemm", True),
    ("onednn", "onednn", True),
    ("onednn-unfused", "onednn", False),
    ("int_mm", "int_mm", True),
]


def _round(model, args, clock, generator, batch: int) -> tuple[float, float]:
    """(seconds to read one prompt, seconds per decoding step of ``batch`` rows)."""
    import torch
    from transformers import DynamicCache

    vocab = model.config.vocab_size
    prompt = torch.randint(1000, vocab - 1000, (1, args.prompt_tokens), generator=generator)
    began = clock()
    model(input_ids=prompt, logits_to_keep=1)
    read = clock() - began
    rows = torch.randint(1000, vocab - 1000, (batch, 64), generator=generator)
    cache = {args.cache_arg: DynamicCache()}
    out = model(input_ids=rows, use_cache=True, logits_to_keep=1, **cache)
    token = out.logits[:, -1].argmax(-1, keepdim=True)
    began = clock()
    for _ in range(args.steps):
        out = model(input_ids=token, use_cache=True, logits_to_keep=1, **cache)
        token = out.logits[:, -1].argmax(-1, keepdim=True)
    return read, (clock() - began) / args.steps


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default=None, help="manifest name (default: the default model)")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--batch", type=int, nargs="+", default=[1, 4, 16], help="rows per decoding step")
    parser.add_argument("--kernels", nargs="+", default=[c[0] for c in CANDIDATES], help="labels to run")
    parser.add_argument("--prompt-tokens", type=int, default=370, help="a seed-page prompt's own tokens")
    parser.add_argument("--steps", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--clock", choices=sorted(CLOCKS), default="wall")
    parser.add_argument("--smoke", action="store_true", help="a tiny model, two short rounds (CI)")
    args = parser.parse_args()
    if args.smoke:
        from smoke import announce, smoke_files

        with smoke_files(args.model, gguf=False) as (folder, _):
            announce(folder, "2 rounds of 2 steps")
            args.model, args.repeats, args.steps, args.prompt_tokens = str(folder), 2, 2, 16
            measure(args)
        return
    measure(args)


def measure(args: argparse.Namespace) -> None:
    """Every candidate, each its own loaded model, in interleaved rounds; prints the medians."""
    import inspect
    import os

    import torch
    from bench_int8_kernels import cpu_model
    from zhaiyao.config import load_settings
    from zhaiyao.manifest import default_model_name
    from zhaiyao.runtime.cpu import int8_kernels
    from zhaiyao.runtime.int8 import load_int8_model
    from zhaiyao.weights import resolve_model

    torch.set_num_threads(args.threads)
    resolved = resolve_model(args.model or default_model_name(), load_settings().models_dir)
    runnable = int8_kernels()
    chosen = [c for c in CANDIDATES if c[0] in args.kernels and c[1] in runnable]
    models = {
        label: load_int8_model(resolved.path, args.threads, kernel=kernel, background=False, fuse=fused)
        for label, kernel, fused in chosen
    }
    # transformers renamed the argument (past_key_values → cache), as zhaiyao.runtime.decoding knows
    first = next(iter(models.values()))
    args.cache_arg = "cache" if "cache" in inspect.signature(first.forward).parameters else "past_key_values"
    clock = CLOCKS[args.clock]
    generator = torch.Generator().manual_seed(0)
    samples: dict[tuple[str, int], list[tuple[float, float]]] = {}
    labels = list(models)
    with torch.inference_mode():
        for label in labels:  # warm-up: oneDNN and fbgemm set up per shape on first use
            for batch in args.batch:
                _round(
                    models[label], argparse.Namespace(**{**vars(args), "steps": 2}), clock, generator, batch
                )
        for r in range(args.repeats):
            turn = labels[r % len(labels) :] + labels[: r % len(labels)]
            for label in turn:
                for batch in args.batch:
                    samples.setdefault((label, batch), []).append(
                        _round(models[label], args, clock, generator, batch)
                    )
    print(f"model: {resolved.name}   CPU: {cpu_model()}")
    print(
        f"threads {args.threads}, {args.clock} clock, {args.repeats} interleaved rounds, load avg now "
        f"{os.getloadavg()[0]:.1f}; prompt {args.prompt_tokens} tokens; speed-ups against {labels[0]}"
    )
    base = {batch: samples[(labels[0], batch)] for batch in args.batch}
    header = "".join(f"{f'ms/step @{b}':>18}" for b in args.batch)
    print(f"{'kernel':<16}{'prompt tokens/s':>22}{header}")
    for label in labels:
        rounds = samples[(label, args.batch[0])]
        read = statistics.median(r[0] for r in rounds)
        base_read = statistics.median(r[0] for r in base[args.batch[0]])
        cells = f"{args.prompt_tokens / read:>13.0f} ({base_read / read:.2f}×)"
        for batch in args.batch:
            step = statistics.median(r[1] for r in samples[(label, batch)])
            base_step = statistics.median(r[1] for r in base[batch])
            cells += f"{step * 1000:>11.1f} ({base_step / step:.2f}×)"
        print(f"{label:<16}{cells}")


if __name__ == "__main__":
    main()
