"""Int8 weights for the llm backend: the quantisation itself, the cached int8 copy, and loading."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from zhaiyao.config import Settings
from zhaiyao.errors import ConfigError
from zhaiyao.runtime.cpu import fbgemm_int8, int8_kernels, int_mm_exact, onednn_int8
from zhaiyao.runtime.int8 import INT8_FILE, int8_linear_class, load_int8_model, quantize_weight
from zhaiyao.summarise import load_summariser

pytestmark = pytest.mark.skipif(not int8_kernels(), reason="this PyTorch build has no int8 kernels")


@pytest.fixture
def model_copy(tiny_model_dir: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "tiny"
    shutil.copytree(tiny_model_dir, folder, ignore=shutil.ignore_patterns(INT8_FILE))
    return folder


def test_quantised_weight_is_within_half_a_step_of_the_original() -> None:
    import torch

    weight = torch.randn(64, 32) * torch.linspace(0.01, 3, 64)[:, None]  # rows of very different scale
    q, scale = quantize_weight(weight)
    assert q.dtype == torch.int8 and scale.shape == (64,)
    assert int(q.abs().max()) == 127
    error = (q.float() * scale[:, None] - weight).abs()
    assert bool((error <= scale[:, None] / 2 + 1e-6).all())


KERNELS = [
    pytest.param("onednn", marks=pytest.mark.skipif(not onednn_int8(), reason="no oneDNN int8 linear")),
    pytest.param("int_mm", marks=pytest.mark.skipif(not int_mm_exact(), reason="torch._int_mm inexact here")),
    pytest.param("fbgemm", marks=pytest.mark.skipif(not fbgemm_int8(), reason="no fbgemm kernels")),
]


@pytest.mark.parametrize("kernel", KERNELS)
def test_int8_model_writes_its_copy_once_and_stays_close_to_fp32(model_copy: Path, kernel: str) -> None:
    import torch
    from transformers import AutoModelForCausalLM

    model = load_int8_model(model_copy, threads=1, kernel=kernel, background=False)
    cached = model_copy / INT8_FILE
    assert cached.is_file()
    written = cached.stat().st_mtime_ns
    assert type(model.lm_head) is int8_linear_class(kernel)
    assert not any(isinstance(m, torch.nn.Linear) for m in model.modules())

    load_int8_model(model_copy, threads=1)
    assert cached.stat().st_mtime_ns == written  # reused, not rebuilt

    reference = AutoModelForCausalLM.from_pretrained(model_copy, dtype=torch.float32).eval()
    ids = torch.arange(5, 45)[None]
    with torch.inference_mode():
        got, want = model(input_ids=ids).logits, reference(input_ids=ids).logits
    similarity = torch.nn.functional.cosine_similarity(got.flatten(), want.flatten(), dim=0)
    assert float(similarity) > 0.99


def test_a_damaged_int8_copy_is_rebuilt(model_copy: Path) -> None:
    (model_copy / INT8_FILE).write_bytes(b"not safetensors at all")
    model = load_int8_model(model_copy, threads=1)
    assert model is not None
    assert (model_copy / INT8_FILE).stat().st_size > 1000


def test_llm_backend_uses_int8_by_default_and_bf16_on_request(model_copy: Path) -> None:
    fast = load_summariser(Settings(backend="llm", model=str(model_copy), threads=1))
    assert fast.weights == "int8"
    plain = load_summariser(Settings(backend="llm", model=str(model_copy), threads=1, quantize="none"))
    assert plain.weights == "bf16"
    assert fast.generate([]) == plain.generate([]) == []


def test_unknown_quantize_setting_is_a_clear_error(model_copy: Path) -> None:
    with pytest.raises(ConfigError, match="quantize: 'int4'"):
        load_summariser(Settings(backend="llm", model=str(model_copy), quantize="int4"))


@pytest.mark.parametrize("kernel", KERNELS)
def test_each_row_is_quantised_on_its_own_scale(kernel: str) -> None:
    """A loud token (down_proj inputs on a seed prompt: up to 43× the median token's range) must
    neither coarsen nor change the results of the rows beside it."""
    import torch

    torch.manual_seed(0)
    weight, bias = torch.randn(48, 64) * 0.1, torch.randn(48)
    layer = int8_linear_class(kernel)(*quantize_weight(weight), bias)
    quiet = torch.randn(6, 64)
    loud = quiet.clone()
    loud[0] *= 100
    with torch.inference_mode():
        alone, beside_loud, single = layer(quiet), layer(loud), layer(quiet[3:4])
    exact = quiet @ weight.T + bias
    assert torch.equal(alone[1:], beside_loud[1:])
    assert float((single - exact[3:4]).norm() / exact[3:4].norm()) < 0.03
    relative = (beside_loud[1:] - exact[1:]).norm() / exact[1:].norm()
    assert float(relative) < 0.03
    assert float((beside_loud[0] - loud[0] @ weight.T - bias).norm() / (loud[0] @ weight.T).norm()) < 0.03
