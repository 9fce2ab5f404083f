"""Where models run: ``--device auto|cpu|cuda|mps``, the weights and kernels chosen, and why.

This machine has no accelerator; the choices for one are exercised by telling the chooser what torch
sees, and the real decoding path is the CPU one (the decoder itself is device-agnostic).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from zhaiyao.cli import main
from zhaiyao.config import SAMPLE_PAGE, Settings
from zhaiyao.errors import ConfigError
from zhaiyao.run.ray_engine import gpus_per_worker
from zhaiyao.runtime import device
from zhaiyao.runtime.cpu import int8_kernels


def _sees(monkeypatch: pytest.MonkeyPatch, cuda: bool, mps: bool) -> None:
    monkeypatch.setattr(device, "_accelerators", lambda: (cuda, mps))


def test_auto_takes_cuda_then_mps_then_the_cpu(monkeypatch: pytest.MonkeyPatch) -> None:
    _sees(monkeypatch, True, True)
    assert device.choose_device("auto")[0] == "cuda"
    _sees(monkeypatch, False, True)
    assert device.choose_device("auto")[0] == "mps"
    _sees(monkeypatch, False, False)
    assert device.choose_device("auto") == ("cpu", "auto: torch sees no CUDA GPU and no MPS device")


def test_an_accelerator_torch_cannot_see_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    _sees(monkeypatch, False, False)
    with pytest.raises(ConfigError, match="torch sees no CUDA GPU"):
        device.choose_device("cuda")
    with pytest.raises(ConfigError, match="not one of auto, cpu, cuda, mps"):
        device.choose_device("tpu")


def test_accelerators_run_bf16_and_int8_stays_a_cpu_choice(monkeypatch: pytest.MonkeyPatch) -> None:
    _sees(monkeypatch, True, False)
    gpu = device.place("auto", "int8")
    assert (gpu.device, gpu.weights, gpu.accelerator) == ("cuda", "bf16", True)
    assert any("int8 layers are CPU kernels" in r for r in gpu.reasons)
    cpu = device.place("cpu", "int8")
    assert cpu.weights == ("int8" if int8_kernels() else "bf16")
    assert device.place("cpu", "none").weights == "bf16"


def test_ray_workers_ask_for_a_gpu_only_when_their_model_runs_on_one() -> None:
    llm = Settings(backend="llm")
    assert gpus_per_worker(llm.replace(device="cuda"), 0) == 1
    assert gpus_per_worker(llm, 2) == 1  # auto on a cluster with GPUs
    assert gpus_per_worker(llm, 0) == 0
    assert gpus_per_worker(llm.replace(device="cpu"), 4) == 0
    assert gpus_per_worker(Settings(backend="extractive", device="cuda"), 4) == 0


def test_a_missing_gpu_fails_before_any_download(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _sees(monkeypatch, False, False)
    models = tmp_path / "models"
    monkeypatch.setenv("ZHAIYAO_MODELS_DIR", str(models))
    result = CliRunner().invoke(main, ["summarise", "--device", "cuda", str(SAMPLE_PAGE)])
    assert result.exit_code == 2
    assert result.output.strip().splitlines()[-1].startswith("error: --device cuda: torch sees no CUDA GPU")
    assert not models.exists() or not any(models.iterdir())


def test_info_says_where_a_run_would_compute_and_why(monkeypatch: pytest.MonkeyPatch) -> None:
    _sees(monkeypatch, False, False)
    out = CliRunner().invoke(main, ["info"]).output
    assert "device:     cpu" in out
    assert "auto: torch sees no CUDA GPU and no MPS device" in out
    assert "kernels:" in out
    _sees(monkeypatch, True, False)
    out = CliRunner().invoke(main, ["info"]).output
    assert "device:     cuda   weights: bf16" in out
