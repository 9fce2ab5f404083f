"""The default model's prompt reading and decoding steps with each int8 kernel, in one process.

    python bench/bench_int8_model.py [--repeats 5] [--batch 4] [--prompt-tokens 370] [--steps 16]
    python bench/bench_int8_model.py --threads 1 --clock cpu   # on a busy shared machine

The model is loaded once (``int_mm`` layers, from the int8 copy); an fbgemm twin of every linear layer is
packed from the same int8 weights, and the two sets are swapped in place between rounds, so both kernels
run the very same model, inputs and caches, interleaved. Each round reads one prompt of random tokens (the
prompt-reading rate) and then decodes ``--steps`` steps for a batch of ``--batch`` rows (ms per step), with
the weights streaming from memory as in a real run. Medians over the rounds; seed-page throughput belongs
to bench_phases.py.
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


def _twins(model):
    """{layer name: (int_mm layer, fbgemm layer)} for every int8 linear layer of ``model``."""
    from app.runtime.int8 import int8_linear_class

    fbgemm = int8_linear_class("fbgemm")
    int_mm = int8_linear_class("int_mm")
    twins = {}
    for name, module in model.named_modules():
        if isinstance(module, int_mm):
            twins[name] = (module, fbgemm(module.qweight, module.scale[0], module.bias))
    return twins


def _use(model, twins, kernel: str) -> None:
    index = 0 if kernel == "int_mm" else 1
    for name, pair in twins.items():
        model.set_submodule(name, pair[index])


def _round(model, args, clock, generator) -> tuple[float, float]:
    """(seconds to read one prompt, seconds per batched decoding step)."""
    import torch
    from transformers import DynamicCache

    vocab = model.config.vocab_size
    prompt = torch.randint(1000, vocab - 1000, (1, args.prompt_tokens), generator=generator)
    began = clock()
    model(input_ids=prompt, logits_to_keep=1)
    read = clock() - began
    rows = torch.randint(1000, vocab - 1000, (args.batch, 64), generator=generator)
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
    parser.add_argument("--batch", type=int, default=4, help="rows per decoding step")
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
    """Both kernels on one loaded model, in interleaved rounds; prints the medians."""
    import inspect
    import os

    import torch
    from bench_int8_kernels import cpu_model

    from app.config import load_settings
    from app.manifest import default_model_name
    from app.runtime.int8 import load_int8_model
    from app.weights import resolve_model

    torch.set_num_threads(args.threads)
    resolved = resolve_model(args.model or default_model_name(), load_settings().models_dir)
    model = load_int8_model(resolved.path, args.threads, kernel="int_mm")
    twins = _twins(model)
    # transformers renamed the argument (past_key_values → cache), as app.runtime.decoding knows
    args.cache_arg = "cache" if "cache" in inspect.signature(model.forward).parameters else "past_key_values"
    clock = CLOCKS[args.clock]
    generator = torch.Generator().manual_seed(0)
    samples: dict[str, list[tuple[float, float]]] = {"fbgemm": [], "int_mm": []}
    with torch.inference_mode():
        for kernel in samples:  # warm-up: oneDNN and fbgemm set up per shape on first use
            _use(model, twins, kernel)
            _round(model, argparse.Namespace(**{**vars(args), "steps": 2}), clock, generator)
        for r in range(args.repeats):
            for kernel in ("fbgemm", "int_mm") if r % 2 == 0 else ("int_mm", "fbgemm"):
                _use(model, twins, kernel)
                samples[kernel].append(_round(model, args, clock, generator))
    print(f"model: {resolved.name}   CPU: {cpu_model()}")
    print(
        f"threads {args.threads}, {args.clock} clock, {args.repeats} interleaved rounds, load avg now "
        f"{os.getloadavg()[0]:.1f}; prompt {args.prompt_tokens} tokens; decoding batch {args.batch}"
    )
    print(f"{'kernel':<8}{'prompt tokens/s':>17}{'ms/step':>10}   (medians; all rounds' ms/step)")
    for kernel, rounds in samples.items():
        rate = args.prompt_tokens / statistics.median(r[0] for r in rounds)
        step = statistics.median(r[1] for r in rounds) * 1000
        every = " ".join(f"{r[1] * 1000:.0f}" for r in rounds)
        print(f"{kernel:<8}{rate:>17.0f}{step:>10.1f}   ({every})")


if __name__ == "__main__":
    main()
