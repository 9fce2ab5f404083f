"""Int8 linear kernels on this CPU, against fbgemm's ``linear_dynamic`` (today's int8 path), same process.

    python bench/bench_int8_kernels.py                 # Qwen2.5-1.5B shapes, M = 1 4 8 16 300 600
    python bench/bench_int8_kernels.py --repeats 9 --rows 1 8 600 --json kernels.json
    python bench/bench_int8_kernels.py --threads 1 --clock cpu   # on a busy shared machine
    python bench/bench_int8_kernels.py --smoke         # tiny shapes, a few seconds

Every candidate reads the same int8 weight (``qweight`` [out, in], one fp32 scale per output channel, as in
the cached int8 file) and computes ``x Wᵀ`` for fp32 rows ``x``:

- ``fbgemm``: today's path (quantised-tensor packing, per-row activation scaling, 7-bit activations)
- ``w8pack-f32`` / ``w8pack-bf16``: ``torch._weight_int8pack_mm`` (int8 weight only; activations fp32 / bf16)
- ``int_mm``: ``torch._int_mm`` (int8 × int8 → int32, oneDNN) with each row quantised to its own scale
- ``onednn``: ``torch.ops.onednn.qlinear_pointwise`` on a ``qlinear_prepack``-ed weight (packing, like
  fbgemm, at load), per-row scaled as above
- ``bf16``: a plain bf16 ``F.linear`` on the weight dequantised to bf16 once (twice the int8 memory)
- ``bf16-deq``: the same, dequantising the int8 weight to bf16 on every call (no extra memory)
- ``torchao-dyn8`` / ``torchao-w8``: torchao's ``Int8DynamicActivationInt8WeightConfig`` (fp32 layer) and
  ``Int8WeightOnlyConfig`` (bf16 layer) on the dequantised weight, eager (no ``torch.compile``: a
  model load cannot wait for compiling); only where torchao is installed (not a dependency)

Candidates run interleaved (round-robin, in a rotating order) so that a busy shared machine slows them
alike; each cell is the median over repeats of the mean time of a few calls. The error column is
``‖y − y_ref‖ / ‖y_ref‖`` against the fp32 product with the dequantised weight, on activations with a few
loud channels and tokens (what smoothing leaves behind), the worst over the shapes at that M.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

# (name, out_features, in_features, how many per decoder layer) of Qwen2.5-1.5B.
QWEN_SHAPES = [
    ("q/o", 1536, 1536, 2),
    ("k/v", 256, 1536, 2),
    ("gate/up", 8960, 1536, 2),
    ("down", 1536, 8960, 1),
]
HEAD = ("lm_head", 151936, 1536, 0)  # decoding only: prompts keep one row of logits
SMOKE_SHAPES = [("small", 96, 64, 2), ("wide", 64, 160, 1)]
DECODING_ROWS = 16  # the most rows a decoding step has (sampled candidates)


def cpu_model() -> str:
    """``lscpu``'s model name and the flags that pick int8/bf16 kernels."""
    from zhaiyao.runtime.cpu import cpu_flags

    name = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="ascii", errors="replace").splitlines():
            if line.startswith("model name"):
                name = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    wanted = ("avx2", "avx512f", "avx512_vnni", "avx_vnni", "avx512_bf16", "amx_bf16", "amx_int8")
    return f"{name} [{' '.join(f for f in wanted if f in cpu_flags())}]"


def make_kernels(qweight, scale) -> dict[str, tuple[Callable, float]]:
    """Each candidate's ``x → x Wᵀ`` (fp32 in, fp32 out) and the seconds its load-time preparation took."""
    import torch
    import torch.nn.functional as F

    out_features = qweight.shape[0]
    prepared: dict[str, float] = {}

    def prepare(name: str, build: Callable):
        began = time.perf_counter()
        result = build()
        prepared[name] = time.perf_counter() - began
        return result

    def fbgemm_pack():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            zero = torch.zeros(out_features, dtype=torch.long)
            quantised = torch._make_per_channel_quantized_tensor(qweight, scale.double(), zero, 0)
        return torch.ops.quantized.linear_prepack(quantised, None)

    packed = prepare("fbgemm", fbgemm_pack)

    def fbgemm(x):
        if x.shape[0] == 1:
            return torch.ops.quantized.linear_dynamic(x, packed, True)
        rows = x.abs().amax(dim=1, keepdim=True).clamp(min=1e-12)
        return torch.ops.quantized.linear_dynamic(x / rows, packed, True).mul_(rows)

    scale_bf16 = scale.to(torch.bfloat16)
    weight_kn = qweight.t()  # [in, out] view of the stored [out, in] layout: no copy
    scale_row = scale[None, :]

    def quantise_rows(x):
        peak = x.abs().amax(dim=1, keepdim=True).clamp_(min=1e-12)
        return torch.mul(x, 127 / peak).round_().to(torch.int8), peak / 127

    def int_mm(x):  # as zhaiyao.runtime.int8's Int8Linear
        xq, step = quantise_rows(x)
        return torch._int_mm(xq, weight_kn).float().mul_(step).mul_(scale_row)

    onednn_w = prepare("onednn", lambda: torch.ops.onednn.qlinear_prepack(qweight, None))
    zero_w = torch.zeros(out_features, dtype=torch.int32)

    def onednn(x):
        # u8 activations with zero point 128: oneDNN's s8-activation path is a slow reference kernel.
        xq, step = quantise_rows(x)
        xu = (xq.to(torch.int16) + 128).to(torch.uint8)
        y = torch.ops.onednn.qlinear_pointwise(
            xu, 1.0, 128, onednn_w, scale, zero_w, None, 1.0, 0, torch.float32, "none", [], ""
        )
        return y.mul_(step)

    weight_bf16 = prepare("bf16", lambda: (qweight.float() * scale[:, None]).to(torch.bfloat16))
    kernels = {
        "fbgemm": fbgemm,
        "w8pack-f32": lambda x: torch._weight_int8pack_mm(x, qweight, scale),
        "w8pack-bf16": lambda x: torch._weight_int8pack_mm(x.to(torch.bfloat16), qweight, scale_bf16).float(),
        "int_mm": int_mm,
        "onednn": onednn,
        "bf16": lambda x: F.linear(x.to(torch.bfloat16), weight_bf16).float(),
        "bf16-deq": lambda x: F.linear(
            x.to(torch.bfloat16), qweight.to(torch.bfloat16) * scale_bf16[:, None]
        ).float(),
    }
    kernels.update(_torchao_kernels(qweight, scale, prepare))
    return {k: (fn, prepared.get(k, 0.0)) for k, fn in kernels.items()}


def _torchao_kernels(qweight, scale, prepare: Callable) -> dict[str, Callable]:
    """torchao's int8 configs on an ``nn.Linear`` holding the dequantised weight; none without torchao."""
    import importlib.util

    if importlib.util.find_spec("torchao") is None:
        return {}
    import torch
    from torchao.quantization import Int8DynamicActivationInt8WeightConfig, Int8WeightOnlyConfig, quantize_

    def quantised(config, dtype):
        def build():
            layer = torch.nn.Linear(qweight.shape[1], qweight.shape[0], bias=False)
            layer.weight.data = (qweight.float() * scale[:, None]).to(dtype)
            quantize_(layer, config)
            return layer

        return build

    dynamic = prepare("torchao-dyn8", quantised(Int8DynamicActivationInt8WeightConfig(), torch.float32))
    weight_only = prepare("torchao-w8", quantised(Int8WeightOnlyConfig(), torch.bfloat16))
    return {"torchao-dyn8": dynamic, "torchao-w8": lambda x: weight_only(x.to(torch.bfloat16)).float()}


def activations(rows: int, features: int, generator):
    """Rows like a smoothed layer's inputs: mostly unit-scale, a few loud channels, one loud token."""
    import torch

    x = torch.randn(rows, features, generator=generator)
    loud = torch.randperm(features, generator=generator)[: max(1, features // 100)]
    x[:, loud] *= 8
    if rows > 1:
        x[0] *= 20
    return x


# A candidate whose first call takes this many times fbgemm's, and over SLOW_S, is not timed further
# (``_weight_int8pack_mm`` on fp32 prompt rows: seconds per call).
SLOW, SLOW_S = 10, 0.25


CLOCKS = {"wall": time.perf_counter, "cpu": time.process_time}


def measure_cell(kernels: dict, x, reference, repeats: int, budget_s: float, clock=time.perf_counter) -> dict:
    """{kernel: (median s, min s, relative error)} for one input; (None, None, error) for one too slow."""
    import torch

    errors, calls, first = {}, {}, {}
    with torch.inference_mode():
        for kernel, (fn, _) in kernels.items():
            fn(x)  # warm-up (oneDNN builds its primitive on the first call of a shape)
            began = time.perf_counter()
            y = fn(x)
            first[kernel] = time.perf_counter() - began
            errors[kernel] = float((y - reference).norm() / reference.norm())
            calls[kernel] = max(1, min(20, int(budget_s / max(first[kernel], 1e-6))))
        timed = [k for k in kernels if not (first[k] > SLOW * first["fbgemm"] and first[k] > SLOW_S)]
        samples: dict[str, list[float]] = {k: [] for k in timed}
        for r in range(repeats):
            for kernel in timed[r % len(timed) :] + timed[: r % len(timed)]:
                fn, n = kernels[kernel][0], calls[kernel]
                began = clock()
                for _ in range(n):
                    fn(x)
                samples[kernel].append((clock() - began) / n)
    return {
        k: (statistics.median(samples[k]), min(samples[k]), errors[k])
        if k in samples
        else (None, None, errors[k])
        for k in kernels
    }


def measure(shapes, row_counts, repeats: int, budget_s: float, clock, seed: int = 0):
    """Yields (shape name, M, {kernel: (median s, min s, error)}, {kernel: preparation s}), cell by cell."""
    import torch
    from zhaiyao.runtime.int8 import quantize_weight

    generator = torch.Generator().manual_seed(seed)
    for name, out_f, in_f, _count in shapes:
        weight = torch.randn(out_f, in_f, generator=generator) * 0.02
        qweight, scale = quantize_weight(weight)
        kernels = make_kernels(qweight, scale)
        prepared = {k: p for k, (_, p) in kernels.items()}
        exact_weight = qweight.float() * scale[:, None]
        for rows in row_counts:
            if name == HEAD[0] and rows > DECODING_ROWS:
                continue
            x = activations(rows, in_f, generator)
            cell = measure_cell(kernels, x, x @ exact_weight.T, repeats, budget_s, clock)
            yield name, rows, cell, prepared
        del kernels


def _ms(seconds: float | None, base: float) -> str:
    if seconds is None:
        return f"{'slow':>19}"
    return f"{seconds * 1e3:>11.3f} ({base / seconds:4.2f})"


def run_and_print(shapes, row_counts, repeats: int, budget_s: float, threads: int, clock: str) -> dict:
    """Prints each cell as it is measured, then the per-decoder-layer sums; returns the raw figures."""
    import os

    print(f"CPU: {cpu_model()}   threads: {threads}   load avg at start: {os.getloadavg()[0]:.1f}")
    print(f"median {clock} time per call in ms (speed-up over fbgemm in brackets: >1 is faster)", flush=True)
    results: dict = {}
    header = ""
    for name, rows, cell, prepared in measure(shapes, row_counts, repeats, budget_s, CLOCKS[clock]):
        if not header:
            header = f"{'layer':<9}{'M':>5}" + "".join(f"{k:>19}" for k in cell)
            print(header)
            print("-" * len(header))
        base = cell["fbgemm"][0]
        print(f"{name:<9}{rows:>5}" + "".join(_ms(t, base) for t, _, _ in cell.values()), flush=True)
        results[(name, rows)] = cell
        results[(name, "prepare")] = prepared
    kernels = list(next(iter(results.values())))
    print()
    print("preparation at load, ms per weight (fbgemm/onednn packing, bf16 dequantising; others none)")
    for name, *_ in shapes:
        prepared = results[(name, "prepare")]
        print(f"{name:<14}" + "".join(f"{prepared[k] * 1e3:>19.1f}" for k in kernels))
    print()
    print("one decoder layer (its 7 products), ms: median (speed-up), from the fastest repeat; worst error")
    print(header)
    print("-" * len(header))
    for rows in row_counts:
        for label, index in (("median", 0), ("fastest", 1)):
            totals = {}
            for k in kernels:
                parts = [results[(n, rows)][k][index] for n, _, _, count in shapes if count]
                counts = [count for *_, count in shapes if count]
                ok = all(t is not None for t in parts)
                totals[k] = sum(t * c for t, c in zip(parts, counts, strict=True)) if ok else None
            print(f"{label:<9}{rows:>5}" + "".join(_ms(totals[k], totals["fbgemm"]) for k in kernels))
        cells = [results[(n, rows)] for n, *_ in shapes if (n, rows) in results]
        worst = {k: max(cell[k][2] for cell in cells) for k in kernels}
        print(f"{'error':<9}{rows:>5}" + "".join(f"{worst[k]:>19.4f}" for k in kernels), flush=True)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[1, 4, 8, 16, 300, 600])
    parser.add_argument("--repeats", type=int, default=9, help="interleaved rounds (median reported)")
    parser.add_argument("--budget-ms", type=float, default=30, help="time per kernel per round")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument(
        "--clock",
        choices=sorted(CLOCKS),
        default="wall",
        help="cpu: the process's CPU seconds, which a busy machine barely inflates (use with --threads 1)",
    )
    parser.add_argument("--no-head", action="store_true", help="skip the 151936-row output head")
    parser.add_argument("--smoke", action="store_true", help="tiny shapes, two rounds: checks it runs")
    parser.add_argument("--json", type=Path, help="also write the raw figures here")
    args = parser.parse_args()

    import torch

    torch.set_num_threads(args.threads)
    if args.smoke:
        shapes, row_counts, repeats, budget = SMOKE_SHAPES, [1, 4, 33], 2, 0.002
    else:
        shapes = QWEN_SHAPES if args.no_head else [*QWEN_SHAPES, HEAD]
        row_counts, repeats, budget = args.rows, args.repeats, args.budget_ms / 1000
    results = run_and_print(shapes, row_counts, repeats, budget, args.threads, args.clock)
    if "lm_head" in {s[0] for s in shapes}:
        print("lm_head (151936 x 1536) is timed at decoding rows only and not in the per-layer sums")
    if args.json:
        rows = [
            {"layer": n, "rows": m, "kernel": k, "median_s": t[0], "fastest_s": t[1], "error": t[2]}
            for (n, m), cell in results.items()
            if m != "prepare"
            for k, t in cell.items()
        ]
        prepared = {n: cell for (n, m), cell in results.items() if m == "prepare"}
        document = {"cpu": cpu_model(), "results": rows, "prepare_s": prepared}
        args.json.write_text(json.dumps(document, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
