"""Viewer first screen on a big store: time from opening the address to the page's cards, headless Chromium.

    python bench/bench_viewer.py [--pages 1000] [--runs 7] [--db PATH] [--json]

Builds a store of ``--pages`` pages (the seed page under 5 newspapers x dates x page numbers, each copy's
titles made distinct so that every article is its own, summarised with the extractive backend through
the real pipeline), or reuses ``--db`` when it already holds that many pages. Then starts the real
viewer server as `zhaiyao view` does, on its defaults (the llm backend, with a models folder that holds
nothing: a model load would fail, not hide), and for each run opens a fresh browser context on the
address and waits until the open page's cards and the issue's 版次 list are drawn. Prints the first (cold: the
server's first script run) and the median of the later runs, the store's size, the server's peak
memory and whether torch was ever mapped into it, and the CPU model from `lscpu`.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from zhaiyao.config import Settings  # noqa: E402
from zhaiyao.documents import Page  # noqa: E402
from zhaiyao.run.pipeline import run_pages  # noqa: E402
from zhaiyao.store import Store  # noqa: E402
from zhaiyao.viewer.server import (  # noqa: E402
    VIEWER_FILE,
    server_command,
    server_env,
    start_server,
    stop_server,
    viewer_url,
    wait_ready,
)

SEED = ROOT / "examples" / "zhuzhou_front_page.txt"
PAPERS = ("株洲日报", "湘潭日报", "长沙晚报", "衡阳日报", "岳阳晚报")
CHROMIUM = Path("/usr/bin/chromium")
# The floor any Streamlit page has on this machine: ten cards and the picker's label, nothing read.
BASELINE = """
import streamlit as st
st.sidebar.radio("版次 · Pages", ["a"])
for i in range(10):
    st.html(f'<div class="zy-card"><h3>{i}</h3><p class="zy-summary">摘要</p></div>')
"""


def cpu_model() -> str:
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    found = re.search(r"^Model name:\s*(.+)$", out, re.MULTILINE)
    return found.group(1).strip() if found else "unknown"


def pages(n: int) -> list[Page]:
    seed = SEED.read_text(encoding="utf-8")
    out = []
    for i in range(n):
        paper = PAPERS[i % len(PAPERS)]
        day, number = 1 + (i // len(PAPERS)) // 10 % 28, 1 + (i // len(PAPERS)) % 10
        month = 1 + i // (len(PAPERS) * 10 * 28)
        text = seed.replace("株洲日报", paper).replace("9月27日", f"{month}月{day}日")
        text = re.sub(r"(?m)^## (.+)$", rf"## \1（{paper} {month}.{day} A{number:02d}）", text)
        out.append(Page(source=f"{paper}/2020-{month:02d}-{day:02d}/A{number:02d}.txt", text=text))
    return out


def build(db: Path, n: int) -> float:
    settings = Settings(backend="extractive", db_path=db)
    started = time.monotonic()
    with Store(db) as store:
        have = store.counts()["pages"]
        if have >= n:
            return 0.0
        todo = pages(n)[have:]
        for start in range(0, len(todo), 50):
            run_pages(todo[start : start + 50], settings, store)
            print(f"  store: {have + min(start + 50, len(todo))}/{n} pages", file=sys.stderr, flush=True)
    return time.monotonic() - started


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def first_screen(browser, url: str) -> float:
    context = browser.new_context(viewport={"width": 1440, "height": 1000})
    page = context.new_page()
    try:
        began = time.monotonic()
        page.goto(url)
        page.locator(".zy-card").nth(9).wait_for(timeout=60_000)
        page.locator(".zy-card .zy-summary").nth(9).wait_for(timeout=60_000)
        page.get_by_text("版次 · Pages").wait_for(timeout=60_000)
        return time.monotonic() - began
    finally:
        context.close()


def timed_server(
    proc: subprocess.Popen, port: int, runs: int
) -> tuple[float, list[float], tuple[float, bool]]:
    """Seconds until the server answers, each run's first-screen time, and the server's peak memory and
    whether torch was mapped into it; the server is stopped after."""
    from playwright import sync_api

    began = time.monotonic()
    try:
        wait_ready(proc, port, timeout=120)
        ready_s = time.monotonic() - began
        with sync_api.sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path=str(CHROMIUM), args=["--headless", "--no-sandbox", "--disable-gpu"]
            )
            try:
                times = [first_screen(browser, viewer_url(port)) for _ in range(runs)]
            finally:
                browser.close()
        return ready_s, times, server_memory(proc.pid)
    finally:
        stop_server(proc)


def baseline(tmp: Path, runs: int) -> list[float]:
    script = tmp / "baseline.py"
    script.write_text(BASELINE, encoding="utf-8")
    port = free_port()
    command = [str(script) if part == str(VIEWER_FILE) else part for part in server_command(port)]
    proc = subprocess.Popen(
        command,
        env=server_env(tmp / "unused.db"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    return timed_server(proc, port, runs)[1]


def server_memory(pid: int) -> tuple[float, bool]:
    status = Path(f"/proc/{pid}/status").read_text()
    peak = int(re.search(r"^VmHWM:\s+(\d+)", status, re.MULTILINE).group(1)) / 1024
    return peak, "libtorch" in Path(f"/proc/{pid}/maps").read_text()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--db", type=Path, help="the store to build or reuse (default: a temporary one)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--smoke", action="store_true", help="the same path at the smallest size (CI)")
    args = parser.parse_args()
    if args.smoke:
        args.pages, args.runs = 3, 2
    if not CHROMIUM.exists():
        print(f"{CHROMIUM} is not installed (apt-get install chromium)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        db = args.db or Path(tmp) / "store.db"
        build_s = build(db, args.pages)
        with Store(db) as store:
            counts = store.counts()
        port = free_port()
        env = {"ZHAIYAO_MODELS_DIR": str(Path(tmp) / "no-models")}
        with open(Path(tmp) / "server.log", "w") as log:
            proc = start_server(db, port, env=env, log=log)
            ready_s, times, (peak_mb, torch_mapped) = timed_server(proc, port, args.runs)
        floor = baseline(Path(tmp), args.runs)
    figures = {
        "cpu": cpu_model(),
        "cores": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "pages": counts["pages"],
        "articles": counts["articles"],
        "summaries": counts["summaries"],
        "build_s": round(build_s, 1),
        "server_ready_s": round(ready_s, 2),
        "first_screen_cold_s": round(times[0], 2),
        "first_screen_median_s": round(statistics.median(times[1:] or times), 2),
        "first_screen_all_s": [round(t, 2) for t in times],
        "baseline_median_s": round(statistics.median(floor[1:] or floor), 2),
        "server_peak_mb": round(peak_mb),
        "torch_mapped": torch_mapped,
    }
    if args.json:
        print(json.dumps(figures, ensure_ascii=False))
        return 0
    print(f"CPU: {figures['cpu']} ({figures['cores']} cores)")
    print(
        f"store: {figures['pages']} pages, {figures['articles']} articles, {figures['summaries']} summaries"
        + (f" (built in {figures['build_s']} s)" if build_s else "")
    )
    print(f"server ready after {figures['server_ready_s']} s")
    print(
        f"first screen: {figures['first_screen_cold_s']} s cold, median {figures['first_screen_median_s']} s "
        f"over {max(1, args.runs - 1)} more runs ({', '.join(map(str, figures['first_screen_all_s']))})"
    )
    print(f"a bare Streamlit page of ten cards, same way: median {figures['baseline_median_s']} s")
    print(f"server peak memory {figures['server_peak_mb']} MB; torch mapped: {figures['torch_mapped']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
