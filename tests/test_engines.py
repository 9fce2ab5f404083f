"""The local and Ray engines: same pipeline, same store, same summaries.

The Ray test starts a real local Ray instance (slow on 2 cores): select it with ``-m ray``, skip it
with ``-m "not ray"``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from zhaiyao.cli import main
from zhaiyao.config import Settings
from zhaiyao.errors import ConfigError
from zhaiyao.run.engines import make_engine
from zhaiyao.run.local import LocalEngine
from zhaiyao.run.ray_engine import RayEngine

DATA = Path(__file__).parent / "data" / "inputs"


def test_make_engine_checks_its_options() -> None:
    settings = Settings(backend="extractive")
    assert isinstance(make_engine("local", settings), LocalEngine)
    assert isinstance(make_engine("ray", settings, workers=3), RayEngine)
    with pytest.raises(ConfigError, match="unknown engine 'spark'"):
        make_engine("spark", settings)
    with pytest.raises(ConfigError, match="at least 1"):
        make_engine("ray", settings, workers=0)
    with pytest.raises(ConfigError, match="--address is for --engine ray"):
        make_engine("local", settings, address="auto")


def _results(path: Path) -> list[dict]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    for row in rows:
        row["summary"].pop("seconds")  # wall time differs; everything else must not
    return rows


@pytest.mark.ray
def test_ray_gives_the_same_results_as_local_with_the_tiny_model(
    tiny_model_dir: Path, tmp_path: Path
) -> None:
    inputs = [str(DATA / "articles.jsonl"), str(DATA / "benbao_page.md")]
    common = ["--backend", "llm", "--model", str(tiny_model_dir), "--batch-size", "2", "--max-chars", "40"]
    runner = CliRunner()
    local = runner.invoke(
        main,
        ["batch", *inputs, *common, "--db", str(tmp_path / "local.db"), "-o", str(tmp_path / "local.jsonl")],
    )
    assert local.exit_code == 0, local.output
    ray_db = ["--db", str(tmp_path / "ray.db"), "-o", str(tmp_path / "ray.jsonl")]
    ray = runner.invoke(main, ["batch", *inputs, *common, "--engine", "ray", "--workers", "2", *ray_db])
    assert ray.exit_code == 0, ray.output
    assert "starting a local Ray instance with 2 worker(s)" in ray.stderr
    assert "2 Ray worker(s) ready" in ray.stderr
    local_rows, ray_rows = _results(tmp_path / "local.jsonl"), _results(tmp_path / "ray.jsonl")
    assert len(local_rows) == 6
    assert all(r["summary"]["backend"] == "llm" for r in ray_rows)
    assert ray_rows == local_rows
    assert "(6 summarised, 0 from the store)" in ray.stdout
