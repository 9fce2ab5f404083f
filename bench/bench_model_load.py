"""How long a model takes to load: straight from the verified GGUF, from the bf16 safetensors cache,
and as the llm backend's default int8 model (from its int8 copy; fbgemm packing included).

Each load runs in a fresh Python process (so caches inside torch/transformers do not help the second
run and peak RSS is that load's alone); the table shows the median of several runs and the GGUF/bf16
ratio measured in this same run, since absolute times on a shared 2-core machine are noisy.

    python bench/bench_model_load.py                      # default model, 3 runs each
    python bench/bench_model_load.py --runs 5 --gguf-runs 2 --json load.json
    python bench/bench_model_load.py --smoke [--model DIR]     # each row once, tiny model and its GGUF

The model is fetched first if it is not in the models folder (ZHAIYAO_MODELS_DIR).
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _child(kind: str, folder: str, gguf_file: str | None, threads: int) -> None:
    """Load once and print one JSON line of timings; runs in its own process."""
    start = time.perf_counter()
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    torch.set_num_threads(threads)
    imported = time.perf_counter()
    rss_after_import = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    extra = {"gguf_file": gguf_file} if kind == "gguf" else {}
    cpu_start = _cpu()
    if kind.startswith("int8"):  # the llm backend's loader: from tokenizer.json once checked
        from zhaiyao.runtime.tokenizer import load_tokenizer

        tokenizer = load_tokenizer(Path(folder))
    else:
        tokenizer = AutoTokenizer.from_pretrained(folder, **extra)
    tokenized = time.perf_counter()
    packed = None
    if kind.startswith("int8"):
        from zhaiyao.runtime.int8 import load_int8_model, packing_done

        kernel = kind.partition(":")[2] or "onednn"
        model = load_int8_model(Path(folder), threads, kernel=kernel)
        loaded = time.perf_counter()
    else:
        model = AutoModelForCausalLM.from_pretrained(folder, dtype=torch.bfloat16, **extra)
        loaded = time.perf_counter()
    load_cpu = _cpu() - cpu_start
    # One forward pass touches every weight: a memory-mapped load is not really done before that.
    ids = tokenizer("摘要", return_tensors="pt")
    with torch.inference_mode():
        model(**ids)
    forwarded = time.perf_counter()
    if kind.startswith("int8"):
        packing_done(model)  # the default packs in the background once the model is usable
        packed = time.perf_counter() - imported
    print(
        json.dumps(
            {
                "import_s": imported - start,
                "tokenizer_s": tokenized - imported,
                "model_s": loaded - tokenized,
                "load_s": loaded - imported,
                "load_cpu_s": load_cpu,
                "packed_s": packed if packed is not None else loaded - imported,
                "first_forward_s": forwarded - loaded,
                "rss_after_import": rss_after_import,
                "peak_rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
                "dtype": str(model.dtype),
            }
        )
    )


def _cpu() -> float:
    # CPU seconds (user + system) of this process: unlike wall time, barely affected by other
    # people's jobs on a shared machine.
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _run(kind: str, folder: Path, gguf_file: str | None, threads: int) -> dict:
    command = [
        sys.executable,
        __file__,
        "--child",
        kind,
        str(folder),
        gguf_file or "",
        "--threads",
        str(threads),
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.exit(f"{kind} load failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--model",
        default=None,
        help="manifest name or folder (default: the default model; --smoke: a tiny one)",
    )
    parser.add_argument("--runs", type=int, default=3, help="bf16 loads to take the median of")
    parser.add_argument("--gguf-runs", type=int, default=3, help="GGUF loads (slow: dequantises every time)")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--json", type=Path, help="also write the raw runs here")
    parser.add_argument("--smoke", action="store_true", help="each row once, a tiny model and its GGUF")
    parser.add_argument("--child", nargs=3, metavar=("KIND", "FOLDER", "GGUF"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, folder, gguf_file = args.child
        _child(kind, folder, gguf_file or None, args.threads)
        return

    from zhaiyao.config import load_settings
    from zhaiyao.manifest import default_model_name
    from zhaiyao.weights import resolve_model

    if args.smoke:
        from smoke import announce, resized, smoke_files

        with smoke_files(args.model) as (folder, gguf):
            announce(folder, "1 load per row")
            smoke = resized(args, model=str(folder), runs=1, gguf_runs=1)
            measure(smoke, resolve_model(str(folder), load_settings().models_dir), gguf)
        return
    resolved = resolve_model(args.model or default_model_name(), load_settings().models_dir)
    if resolved.source_file is None:
        sys.exit(f"{resolved.name}: no verified GGUF on disk to compare with (fetch without --drop-source)")
    measure(args, resolved, resolved.source_file)


def measure(args: argparse.Namespace, resolved, source: Path) -> None:
    """Load ``resolved`` from ``source`` (its GGUF), its bf16 folder and its int8 copy; print the table."""
    # The int8 copy and the tokenizer's check are made on first use; make them now so that the int8
    # rows time loading only.
    from zhaiyao.runtime.int8 import ensure_int8_copy
    from zhaiyao.runtime.tokenizer import load_tokenizer
    from zhaiyao.weights import folder_size

    ensure_int8_copy(resolved.path)
    load_tokenizer(resolved.path)
    rows = {
        "gguf": [_run("gguf", source.parent, source.name, args.threads) for _ in range(args.gguf_runs)],
        "bf16": [_run("bf16", resolved.path, None, args.threads) for _ in range(args.runs)],
    }
    # Today's default and the fbgemm path before it, interleaved so that a busy machine slows both.
    for _ in range(args.runs):
        for kind in ("int8", "int8:fbgemm"):
            rows.setdefault(kind, []).append(_run(kind, resolved.path, None, args.threads))

    def med(kind: str, key: str) -> float:
        return statistics.median(r[key] for r in rows[kind])

    print(f"model: {resolved.name}   threads: {args.threads}   machine: {_machine()}")
    print(f"GGUF  {source}  {source.stat().st_size / 1e9:.2f} GB")
    print(f"bf16  {resolved.path}  {folder_size(resolved.path) / 1e9:.2f} GB")
    header = (
        f"{'from':<12}{'runs':>5}{'tokenizer s':>13}{'model s':>10}{'load s':>9}{'load CPU s':>12}"
        f"{'1st fwd s':>11}{'peak RSS GiB':>14}{'packed s':>10}{'from start s':>14}"
    )
    print(header)
    print("-" * len(header))
    for kind in ("gguf", "bf16", "int8", "int8:fbgemm"):
        print(
            f"{kind:<12}{len(rows[kind]):>5}{med(kind, 'tokenizer_s'):>13.2f}{med(kind, 'model_s'):>10.2f}"
            f"{med(kind, 'load_s'):>9.2f}{med(kind, 'load_cpu_s'):>12.2f}"
            f"{med(kind, 'first_forward_s'):>11.2f}"
            f"{max(r['peak_rss'] for r in rows[kind]) / 2**30:>14.2f}"
            f"{med(kind, 'packed_s'):>10.2f}"
            f"{statistics.median(r['import_s'] + r['load_s'] for r in rows[kind]):>14.2f}"
        )
    ratio = med("gguf", "load_s") / med("bf16", "load_s")
    cpu_ratio = med("gguf", "load_cpu_s") / med("bf16", "load_cpu_s")
    print(
        f"bf16 cache loads {ratio:.1f}x faster than the GGUF "
        f"({cpu_ratio:.1f}x in CPU time; medians, same run)"
    )
    print("load = tokenizer + model, after importing torch and transformers; from start = imports + load")
    print("1st fwd = one forward pass on 2 tokens; the int8 rows load the tokenizer as the llm backend does")
    print("int8 = the default (oneDNN, packed in the background: packed s = until that is done too);")
    print("int8:fbgemm = the int8 path before it (deprecated API, packed before the load returns)")
    if args.json:
        args.json.write_text(json.dumps({"model": resolved.name, "runs": rows}, indent=1), encoding="utf-8")


def _machine() -> str:
    import os
    import platform

    return f"{platform.machine()}, {os.cpu_count()} CPUs, load avg {os.getloadavg()[0]:.1f}"


if __name__ == "__main__":
    main()
