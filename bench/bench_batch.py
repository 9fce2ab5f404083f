"""Batch throughput: articles/min for 50 articles with the local engine and with Ray (2 workers).

    python bench/bench_batch.py                          # the default model (llm backend)
    python bench/bench_batch.py --backend extractive     # no weights: measures the batch machinery
    python bench/bench_batch.py --articles 20 --engines local:1,local:2,ray
    python bench/bench_batch.py --smoke [--model DIR]     # 1 article, 1 Ray worker, tiny model

An engine may carry ``:N``, the torch threads per model process (default: the settings' ``threads``;
Ray's local instance gives each of its workers cores/workers threads), and ``REV@`` in front: that
engine then runs the code of git revision REV (a temporary worktree of this repository), so that a
change can be measured against the code before it in the same run:

    python bench/bench_batch.py --engines e28f80f@local,local --runs 2   # before/after, interleaved

Each engine runs in a child process of its own, into a fresh store, so its peak memory is its own
and neither benefits from the other's cache. Reported per engine:
- wall: the whole run, model loading and Ray start-up included (what a user waits for);
- work: articles/min from the moment the models were ready (the steady rate);
- peak memory of each process that holds a model: the local process, or each Ray worker actor.
Both engines run in the same invocation, on the same articles and machine, so their ratio is
meaningful even when the machine is shared and the absolute numbers are noisy.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SEED = ROOT / "examples" / "zhuzhou_front_page.txt"
TEST_PAGES = ROOT / "tests" / "data" / "inputs"
LCSTS = Path("/work/shared/eval/lcsts_dev.jsonl")


def build_inputs(folder: Path, wanted: int) -> list[str]:
    """The seed page and the test pages, topped up to ``wanted`` articles with one-article rows."""
    from zhaiyao.config import Settings
    from zhaiyao.sources.files import read_inputs
    from zhaiyao.split.page import split_page

    paths = [str(SEED), str(TEST_PAGES)]
    have = sum(len(split_page(p)) for p in read_inputs(paths, Settings(), on_error=lambda e: None))
    if wanted < have:  # a quick run: short one-article rows only
        paths, have = [], 0
    texts: list[str] = []
    if LCSTS.is_file():  # short real news texts; absent outside this workspace
        texts = [json.loads(line)["text"] for line in LCSTS.read_text(encoding="utf-8").splitlines()]
    if len(texts) < wanted:
        paragraphs = [p.strip() for p in SEED.read_text(encoding="utf-8").splitlines() if len(p.strip()) > 80]
        texts += [
            f"{p}（第{i}条）" for i, p in enumerate(paragraphs * (wanted // max(1, len(paragraphs)) + 1))
        ]
    rows = folder / "extra.jsonl"
    need = max(0, wanted - have)
    rows.write_text(
        "".join(json.dumps({"title": None, "text": t}, ensure_ascii=False) + "\n" for t in texts[:need]),
        encoding="utf-8",
    )
    return [*paths, str(rows)] if need else paths


def run_one(args: argparse.Namespace) -> dict:
    """One engine over the inputs, in this (child) process. Prints nothing but the JSON result."""
    import logging

    from zhaiyao.config import load_settings
    from zhaiyao.run.engines import make_engine
    from zhaiyao.run.pipeline import Progress, run_pages
    from zhaiyao.sources.files import read_inputs
    from zhaiyao.store import Store

    logging.getLogger("jieba").setLevel(logging.WARNING)
    settings = load_settings().replace(
        backend=args.backend, model=args.model, batch_size=args.batch_size, db_path=Path(args.db)
    )
    began = time.monotonic()
    pages = read_inputs(args.inputs, settings)
    last: list[Progress] = []
    name, _, threads = args.one.partition(":")
    if threads:
        settings = settings.replace(threads=int(threads))
    engine = make_engine(name, settings, workers=args.workers)
    with Store(settings.db_path) as store:
        report = run_pages(pages, settings, store, engine=engine, on_progress=last.append)
    wall = time.monotonic() - began
    own_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    workers_mb = getattr(engine, "worker_peak_mb", None) or [own_mb]
    work = last[-1].elapsed if last else wall
    return {
        "engine": args.one,
        "workers": args.workers if name == "ray" else 1,
        "threads": getattr(engine, "threads_per_worker", settings.threads),
        "articles": report.total,
        "done": report.done,
        "failed": report.failed,
        "summariser": list(report.summariser.as_tuple()) if report.summariser else [],
        "wall_s": round(wall, 1),
        "work_s": round(work, 1),
        "per_min_wall": round(report.done / wall * 60, 1),
        "per_min_work": round(report.done / work * 60, 1) if work else None,
        "driver_peak_mb": round(own_mb),
        "worker_peak_mb": [round(m) for m in workers_mb],
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument(
        "--backend", default=None, help="llm | seq2seq | extractive | lead (default: the settings')"
    )
    ap.add_argument("--model", default=None, help="model name or folder (default: the settings')")
    ap.add_argument("--articles", type=int, default=50)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--batch-size", type=int, default=None)
    ap.add_argument("--engines", default="local,ray", help="comma-separated, run in this order")
    ap.add_argument("--runs", type=int, default=1, help="rounds over the engines (medians reported)")
    ap.add_argument("--json", type=Path, help="also write the results here")
    ap.add_argument("--smoke", action="store_true", help="1 article, 1 Ray worker, llm backend, tiny model")
    ap.add_argument("--one", help=argparse.SUPPRESS)  # child mode: run this engine only
    ap.add_argument("--db", help=argparse.SUPPRESS)
    ap.add_argument("--inputs", nargs="*", help=argparse.SUPPRESS)
    args = ap.parse_args()

    if args.one:
        print(json.dumps(run_one(args)))
        return
    if args.smoke:
        from smoke import ARTICLES, announce, resized, smoke_files

        with smoke_files(args.model, gguf=False) as (folder, _):
            announce(folder, f"{ARTICLES} article, 1 Ray worker")
            measure(resized(args, backend="llm", model=str(folder), articles=ARTICLES, workers=1))
        return
    measure(args)


def _worktree(rev: str, tmp: Path) -> Path:
    """A checkout of ``rev`` of this repository under ``tmp`` (removed with it)."""
    folder = tmp / f"rev-{rev}"
    if not folder.exists():
        subprocess.run(
            ["git", "-C", str(ROOT), "worktree", "add", "--detach", str(folder), rev],
            check=True,
            capture_output=True,
        )
    return folder


def _run_engine(engine: str, args: argparse.Namespace, inputs: list[str], tmp: Path, round_: int) -> dict:
    rev, _, name = engine.rpartition("@")
    code = _worktree(rev, tmp) if rev else ROOT
    db = Path(tmp) / f"{engine.replace(':', '-').replace('@', '-')}-{round_}.db"
    cmd = [sys.executable, str(code / "bench" / "bench_batch.py"), "--one", name, "--db", str(db)]
    cmd += ["--workers", str(args.workers), "--inputs", *inputs]
    for flag, value in (
        ("--backend", args.backend),
        ("--model", args.model),
        ("--batch-size", args.batch_size),
    ):
        if value is not None:
            cmd += [flag, str(value)]
    print(f"running {engine} (round {round_ + 1}) ...", file=sys.stderr, flush=True)
    env = {**os.environ, "PYTHONPATH": str(code)}
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=tmp, env=env)
    if proc.returncode != 0:
        sys.exit(f"{engine} failed:\n{proc.stderr[-3000:]}")
    return {**json.loads(proc.stdout.strip().splitlines()[-1]), "engine": engine}


def _median_result(rounds: list[dict]) -> dict:
    """The round with the median work rate, with every round's rates listed."""
    ordered = sorted(rounds, key=lambda r: r["per_min_work"] or 0)
    middle = dict(ordered[(len(ordered) - 1) // 2])
    middle["rounds_per_min_work"] = [r["per_min_work"] for r in rounds]
    return middle


def measure(args: argparse.Namespace) -> None:
    """Run each engine in its child process over the same inputs, ``--runs`` rounds, and print the table."""
    engines = args.engines.split(",")
    rounds: dict[str, list[dict]] = {e: [] for e in engines}
    with tempfile.TemporaryDirectory(prefix="zhaiyao-bench-") as tmp:
        inputs = build_inputs(Path(tmp), args.articles)
        try:
            for round_ in range(max(1, args.runs)):
                for engine in engines:
                    rounds[engine].append(_run_engine(engine, args, inputs, Path(tmp), round_))
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "prune"], check=False, capture_output=True)
    results = [_median_result(rounds[e]) for e in engines]

    from bench_int8_kernels import cpu_model

    print(f"\nbatch over {results[0]['articles']} articles, {max(1, args.runs)} round(s); CPU: {cpu_model()}")
    for r in results:
        print(f"  {r['engine']}: {' '.join(map(str, r['summariser']))}")
    print()
    header = f"{'engine':<20} {'done':>5} {'wall s':>7} {'art/min (wall)':>15} {'art/min (work)':>15}"
    header += "  peak MB per worker"
    print(header)
    print("-" * len(header))
    for r in results:
        name = r["engine"].split(":")[0]
        name += f"×{r['workers']}" if name.endswith("ray") else ""
        name += f" {r['threads']}t"
        print(
            f"{name:<20} {r['done']:>5} {r['wall_s']:>7} {r['per_min_wall']:>15} {r['per_min_work']!s:>15}  "
            f"{', '.join(map(str, r['worker_peak_mb']))}   rounds: {r['rounds_per_min_work']}"
        )
    base = results[0]
    print()
    for r in results[1:]:
        work = r["per_min_work"] / base["per_min_work"]
        wall = r["per_min_wall"] / base["per_min_wall"]
        print(f"{r['engine']} / {base['engine']}: {work:.2f}× (work rate), {wall:.2f}× (wall rate)")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
