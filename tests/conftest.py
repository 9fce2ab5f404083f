"""Shared fixtures. Every test gets its own data folder, so no test reads another's store or config."""

from __future__ import annotations

from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"
SEED_PAGE = Path(__file__).parents[1] / "examples" / "zhuzhou_front_page.txt"


@pytest.fixture(autouse=True)
def isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ZHAIYAO_DB", str(tmp_path / "store.db"))
    monkeypatch.delenv("ZHAIYAO_CONFIG", raising=False)
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny random Qwen2 chat model folder (real tokenizer, safetensors), built once per test session."""
    from tiny_model import build_tiny_model  # tests/ is on sys.path (pytest's rootdir conftest)

    return build_tiny_model(tmp_path_factory.mktemp("tiny-qwen2"))
