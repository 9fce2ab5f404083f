"""Every bench script runs end to end in its smoke mode (tiny model, one article), so none goes stale.

Each script runs as a user runs it (``python bench/X.py --smoke``, children and Ray included) and its
printed table must have every row, with figures and no error. The numbers themselves are not checked:
they measure a random model on a busy machine.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from zhaiyao.config import Settings

ROOT = Path(__file__).resolve().parents[1]

# Several child processes each import torch and transformers: minutes on 2 cores, all scripts together.
pytestmark = pytest.mark.slow

NUMBER = r"\d+(?:\.\d+)?"


@pytest.fixture(scope="module")
def model(tiny_model_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A copy of the tiny model: the scripts write an int8 copy into it; other tests share the original."""
    return str(shutil.copytree(tiny_model_dir, tmp_path_factory.mktemp("bench-smoke") / "tiny"))


def run_bench(script: str, *args: str, model_notice: bool = True) -> str:
    """``python bench/<script> --smoke ARGS`` from the repository root; its stdout, after exit code 0."""
    done = subprocess.run(
        [sys.executable, f"bench/{script}", "--smoke", *args],
        cwd=ROOT,
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert done.returncode == 0, f"{script} --smoke failed:\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}"
    assert not model_notice or "smoke run: model" in done.stderr
    return done.stdout


def table_row(out: str, name: str) -> list[str]:
    """The fields after ``name`` on the table line that starts with it (which must hold no error)."""
    row = re.compile(rf"{re.escape(name)}\s+(\d|error)")  # not a caption line that starts alike
    lines = [line for line in out.splitlines() if row.match(line)]
    assert len(lines) == 1, f"no single row {name!r} in:\n{out}"
    assert "error" not in lines[0], lines[0]
    return lines[0][len(name) :].split()


def test_bench_summarise_has_every_row(model: str) -> None:
    out = run_bench("bench_summarise.py", "--model", model)
    for name in ("llm bs=1", "llm bf16 bs=1", "naive baseline"):
        articles, seconds, per_min, unit, load_s, peak_mb, *_ = table_row(out, name)
        assert articles == "1" and unit == "articles/min"
        assert all(re.fullmatch(NUMBER, f) for f in (seconds, per_min, load_s, peak_mb))
    assert "weights=int8" in " ".join(table_row(out, "llm bs=1"))
    assert "weights=bf16" in " ".join(table_row(out, "llm bf16 bs=1"))
    assert table_row(out, "extractive")[3] == "articles/s"
    assert "best llm row:" in out


def test_bench_phases_counts_every_phase_with_a_tiny_model_it_builds() -> None:
    out = run_bench("bench_phases.py")  # no --model: the tiny model is built on the fly
    assert out.startswith("seed page, 1 articles, brief")
    for phase in ("total", "shared prefix", "reading prompts", "decoding", "everything else", "guard"):
        assert re.search(rf"^  {phase} ", out, re.M), f"no {phase!r} line in:\n{out}"
    median = json.loads(out.strip().splitlines()[-1])["median"]
    # One article: a lone prompt shares no prefix with another, so all of it is read as its own.
    assert median["read_tokens"] > 0 and median["read_s"] > 0
    assert median["decode_rows"] >= median["decode_steps"] > 0
    assert "rows joining" in out


def test_bench_model_load_loads_from_gguf_bf16_and_int8(model: str) -> None:
    out = run_bench("bench_model_load.py", "--model", model)
    assert re.search(r"^GGUF  \S+\.gguf ", out, re.M)
    for kind in ("gguf", "bf16", "int8", "int8:fbgemm"):
        runs, *figures = table_row(out, kind)
        assert runs == "1" and len(figures) == 8
        assert all(re.fullmatch(NUMBER, f) for f in figures)
    assert "bf16 cache loads" in out


@pytest.mark.ray
def test_bench_batch_runs_local_and_ray(model: str) -> None:
    out = run_bench("bench_batch.py", "--model", model)
    assert re.search(r"^batch over 1 articles, 1 round\(s\); CPU: ", out, re.M), out
    assert re.search(r"^  local: llm tiny\+int8-onednn ", out, re.M), out
    for name in ("local 2t", "ray×1 2t"):
        done, wall_s, *_ = table_row(out, name)
        assert done == "1" and re.fullmatch(NUMBER, wall_s)
    assert "ray / local:" in out


def test_bench_llamacpp_runs_its_zhaiyao_row(model: str) -> None:
    out = run_bench("bench_llamacpp.py", "--model", model)
    articles, *figures = table_row(out, f"zhaiyao int8 bs={Settings().batch_size}")
    assert articles == "1" and all(re.fullmatch(NUMBER, f) for f in figures[:4])
    if importlib.util.find_spec("llama_cpp") is None:
        assert "llama.cpp rows skipped: llama-cpp-python is not installed" in out
    else:
        table_row(out, "llama.cpp, same job")
        table_row(out, "llama.cpp, one sentence")


def run_plain_bench(script: str) -> str:
    """``python bench/<script> --smoke`` for the scripts that need no model; its stdout, after exit 0."""
    return run_bench(script, model_notice=False)


def test_bench_split_reports_its_rate() -> None:
    out = run_plain_bench("bench_split.py")
    assert re.search(rf"^split pages/min\s+{NUMBER}", out.replace(",", ""), re.M), out
    assert "floor 0 pages/min: ok" in out


def _papers_in_corpus(html: bool) -> set[str]:
    """The papers (hand-written pages as one) that have a page in the real corpus, as .txt or HTML."""
    real = ROOT / "tests" / "data" / "real"
    papers = set()
    for gold_path in real.glob("*.gold.json"):
        stem = gold_path.name[: -len(".gold.json")]
        if (real / "html" / f"{stem}.html" if html else real / f"{stem}.txt").exists():
            gold = json.loads(gold_path.read_text(encoding="utf-8"))
            papers.add("hand-written" if stem.startswith("hw_") else gold["newspaper"])
    return papers


@pytest.mark.parametrize("html", [False, True], ids=["txt", "html"])
def test_split_papers_scores_one_page_of_every_paper(html: bool) -> None:
    out = run_bench("split_papers.py", *(["--html"] if html else []), model_notice=False)
    papers = _papers_in_corpus(html)
    assert f"smoke run: one page per paper, {len(papers)} pages" in out, out
    for paper in papers:  # a row per paper, each from one page, with a score between 0 and 1
        pages, gold, split, matched, f1, titles, furniture = table_row(out, paper)
        assert pages == "1" and int(gold) > 0 and int(split) > 0 and int(matched) <= int(gold), out
        assert 0.0 <= float(f1) <= 1.0 and titles.endswith("%") and furniture.isdigit(), out
    assert table_row(out, "all")[0] == str(len(papers)), out


def test_split_confidence_bands_the_articles_of_one_page_per_paper() -> None:
    out = run_plain_bench("split_confidence.py")
    assert f"smoke run: one page per paper, {len(_papers_in_corpus(False))} pages" in out, out
    counts = {m[1]: int(m[2]) for m in re.finditer(r"^(boundary|title): (\d+) articles$", out, re.M)}
    assert counts.keys() == {"boundary", "title"} and counts["boundary"] >= counts["title"] > 0, out
    bands = re.findall(rf"^  \[{NUMBER}, {NUMBER}\]\s+(\d+) articles\s+{NUMBER}% right$", out, re.M)
    assert sum(map(int, bands)) == counts["boundary"] + counts["title"], out


def test_split_learned_scores_rules_and_learned_boundaries_per_paper() -> None:
    out = run_plain_bench("split_learned.py")
    papers = _papers_in_corpus(False)
    assert f"smoke run: one page per paper, {len(papers)} pages" in out, out
    prf = rf"{NUMBER} / {NUMBER} / {NUMBER}"
    for name in (*papers, "all"):  # rules, learned, rules+learned, each on the same lines
        row = rf"^\| {re.escape(name)} \| \d+ \| \d+ \| {prf} \| {prf} \| {prf} \|$"
        assert re.search(row, out, re.M), out
    assert re.search(
        rf"learned \(lines \+ features \+ LR\) {NUMBER}; split_page {NUMBER}$", out.replace(",", ""), re.M
    ), out


def test_bench_stories_times_the_grouping_and_states_memory() -> None:
    out = run_plain_bench("bench_stories.py")
    assert re.search(r"^articles\s+40$", out, re.M), out
    assert re.search(rf"^wall s\s+{NUMBER}", out, re.M) and re.search(rf"^peak rss MB\s+{NUMBER}", out, re.M)
    assert "limit 60 s: ok" in out


def test_bench_extractive_measures_both_graphs() -> None:
    out = run_plain_bench("bench_extractive.py")
    rows = [line for line in out.splitlines() if re.match(r"\| \d", line)]
    assert [("every pair" in r, "neighbours" in r) for r in rows] == [(False, True), (True, False)], out


def test_faithfulness_eval_scores_its_smoke_rows() -> None:
    out = run_plain_bench("faithfulness_eval.py")
    assert "recall on unfaithful      100.0% (1/1)" in out, out
    assert "false alarms on faithful  0.0% (0/2)" in out, out
    assert re.search(rf"speed: {NUMBER} checks/s", out), out


def test_faithfulness_share_keeps_the_label_of_an_unchanged_summary() -> None:
    out = run_plain_bench("faithfulness_share.py")
    assert "articles labelled before and after: 2 (1 after summaries differ from before)" in out, out
    assert "unfaithful before  50.0 % (1/2)" in out and "unfaithful after   0.0 % (0/2)" in out, out


def test_faithful_cost_times_the_summariser_with_and_without_the_check(model: str) -> None:
    out = run_bench("faithful_cost.py", "--model", model)
    assert "CPU:" in out, out
    for name in ("lexical", "check"):
        articles, seconds, per_min, *_ = table_row(out, name)
        assert articles == "1" and float(seconds) > 0 and float(per_min) > 0, out


def test_split_arbitrate_asks_the_model_about_the_unsure_calls(model: str) -> None:
    out = run_bench("split_arbitrate.py", "--model", model)
    assert re.search(r"^\d+ pages; model .* loaded in", out, re.M), out
    assert re.search(r"rule right \d+/\d+, model right \d+/\d+", out), out
    assert re.search(rf"questions in {NUMBER} s \({NUMBER} s each\), {NUMBER} s per page", out), out


@pytest.mark.parametrize("context", ["article", "aligned"])
@pytest.mark.parametrize("method", ["ask", "pmi"])
def test_faithful_judge_scores_labelled_rows_with_the_model(model: str, method: str, context: str) -> None:
    out = run_bench("faithful_judge.py", "--model", model, "--method", method, "--context", context)
    assert f"2 summaries, feature {method}: AUC" in out, out
    assert "model alone recall" in out and "model or rules recall 1/1" in out, out


@pytest.mark.browser
def test_bench_viewer_times_the_first_screen() -> None:
    out = run_plain_bench("bench_viewer.py")
    assert re.search(r"^store: 3 pages, \d+ articles, \d+ summaries", out, re.M), out
    assert re.search(rf"first screen: {NUMBER} s cold, median {NUMBER} s", out), out
    assert "torch mapped: False" in out


def _int_mm_exact() -> bool:
    from zhaiyao.runtime.cpu import int_mm_exact

    return int_mm_exact()


@pytest.mark.skipif(not _int_mm_exact(), reason="torch._int_mm is not exact on this CPU (no VNNI)")
def test_bench_int8_kernels_and_model_compare_the_kernels(model: str) -> None:
    out = run_plain_bench("bench_int8_kernels.py")
    assert re.search(r"^median\s+1\s", out, re.M) and re.search(r"^error\s+1\s", out, re.M), out
    out = run_bench("bench_int8_model.py", "--model", model)
    for kernel in ("fbgemm-unfused", "onednn", "int_mm"):
        assert re.search(rf"^{kernel}\s+{NUMBER} \({NUMBER}×\)\s+{NUMBER} \({NUMBER}×\)", out, re.M), out


def test_faithfulness_eval_scores_one_source_apart() -> None:
    script = Path(__file__).resolve().parent.parent / "bench" / "faithfulness_eval.py"
    out = subprocess.run(
        [sys.executable, str(script), "--smoke", "--ids-prefix", "s1,s2", "--by-source"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "2 labelled summaries, 1 unfaithful" in out, out
    assert re.search(r"^\s+s1\s+recall 100.0% \(1/1\)", out, re.M), out
    assert "s3" not in out, out
