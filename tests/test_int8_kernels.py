"""The int8 layers without the deprecated quantised tensors (oneDNN's packed product, ``torch._int_mm``):
their products, fused siblings, packing in the background, and a load that never makes a quantised
tensor."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from zhaiyao.config import load_settings
from zhaiyao.errors import ConfigError
from zhaiyao.runtime.cpu import int8_kernel, int_mm_exact
from zhaiyao.runtime.device import place
from zhaiyao.runtime.fusion import SharedProduct
from zhaiyao.runtime.int8 import (
    INT8_FILE,
    ensure_int8_copy,
    int8_linear_class,
    load_int8_model,
    packing_done,
    quantize_weight,
)
from zhaiyao.summarise.llm import model_identity

pytestmark = pytest.mark.skipif(not int_mm_exact(), reason="torch._int_mm is not exact on this CPU (no VNNI)")

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def model_copy(tiny_model_dir: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "tiny"
    shutil.copytree(tiny_model_dir, folder, ignore=shutil.ignore_patterns(INT8_FILE))
    return folder


def _smoothed_like_inputs(rows: int, features: int):
    """Unit-scale rows with a few loud channels, as smoothing leaves a layer's inputs."""
    import torch

    x = torch.randn(rows, features)
    x[:, :3] *= 8
    return x


@pytest.mark.parametrize("kernel", ["onednn", "int_mm"])
def test_product_is_within_int8_rounding_of_the_dequantised_weights(kernel: str) -> None:
    import torch

    torch.manual_seed(1)
    weight, bias = torch.randn(80, 96) * 0.05, torch.randn(80)
    qweight, scale = quantize_weight(weight)
    layer = int8_linear_class(kernel)(qweight, scale, bias)
    x = _smoothed_like_inputs(24, 96).reshape(2, 12, 96)  # batch × tokens, as the model calls it
    with torch.inference_mode():
        got = layer(x)
    exact = x @ (qweight.float() * scale[:, None]).T + bias
    assert got.shape == (2, 12, 80)
    assert float((got - exact).norm() / exact.norm()) < 0.01
    # a wrong scale (per input instead of per output channel) or a missing bias is far outside that
    assert float((got - exact + bias).norm() / exact.norm()) > 0.05


@pytest.mark.parametrize("kernel", ["onednn", "int_mm"])
def test_a_row_gets_the_same_result_alone_and_in_any_batch(kernel: str) -> None:
    import torch

    torch.manual_seed(2)
    layer = int8_linear_class(kernel)(*quantize_weight(torch.randn(64, 128) * 0.05), None)
    rows = _smoothed_like_inputs(40, 128)
    with torch.inference_mode():
        alone = torch.cat([layer(rows[i : i + 1]) for i in range(len(rows))])
        together = layer(rows)
        shuffled = layer(rows.flip(0)).flip(0)
    assert torch.equal(alone, together)
    assert torch.equal(together, shuffled)


def test_an_unpacked_onednn_layer_gives_what_the_packed_one_gives() -> None:
    import torch

    torch.manual_seed(3)
    weight, bias = torch.randn(72, 96) * 0.05, torch.randn(72)
    onednn = int8_linear_class("onednn")
    waiting = onednn(*quantize_weight(weight), bias, pack=False)
    x = _smoothed_like_inputs(9, 96)
    with torch.inference_mode():
        before = waiting(x)
        waiting.pack()
        after = waiting(x)
    assert waiting.packed
    # The same int32 products; only the float scaling may round differently.
    assert torch.allclose(before, after, rtol=1e-5, atol=1e-5)
    assert torch.allclose(after, onednn(*quantize_weight(weight), bias)(x))


def test_siblings_share_one_product_and_still_answer_out_of_order() -> None:
    import torch

    torch.manual_seed(4)
    weights = [torch.randn(n, 32) * 0.1 for n in (24, 8, 8)]
    onednn = int8_linear_class("onednn")
    alone = [onednn(*quantize_weight(w), None) for w in weights]
    fused = onednn(*quantize_weight(torch.cat(weights)), None)
    calls = []
    fused.register_forward_hook(lambda *_: calls.append(1))
    shared = SharedProduct(fused, [24, 8, 8])
    x, y = torch.randn(3, 32), torch.randn(3, 32)
    with torch.inference_mode():
        parts = [shared.part(x, i) for i in range(3)]
        assert len(calls) == 1  # one product for the three
        for got, layer in zip(parts, alone, strict=True):
            assert torch.allclose(got, layer(x), rtol=1e-5, atol=1e-5)
        # Another order, a repeat, a new input between: every answer is still its own input's.
        assert torch.allclose(shared.part(y, 2), alone[2](y), rtol=1e-5, atol=1e-5)
        assert torch.allclose(shared.part(x, 0), alone[0](x), rtol=1e-5, atol=1e-5)
        assert torch.allclose(shared.part(y, 1), alone[1](y), rtol=1e-5, atol=1e-5)


def test_fused_background_loaded_model_matches_the_unfused_packed_one(model_copy: Path) -> None:
    import torch

    plain = load_int8_model(model_copy, threads=1, background=False, fuse=False)
    ids = torch.arange(5, 45)[None]
    with torch.inference_mode():
        want = plain(input_ids=ids).logits
        early = load_int8_model(model_copy, threads=1)  # packing starts in the background
        got_early = early(input_ids=ids).logits
        assert packing_done(early, timeout=120)
        got = early(input_ids=ids).logits
    assert all(m.packed for m in early.modules() if hasattr(m, "pack"))
    assert torch.allclose(got, want, rtol=1e-4, atol=1e-4)
    assert torch.allclose(got_early, want, rtol=1e-4, atol=1e-4)


def test_the_kernel_can_be_chosen_and_a_bad_choice_is_a_clear_error() -> None:
    assert int8_kernel() == "onednn"
    assert int8_kernel("int_mm") == "int_mm"
    with pytest.raises(ConfigError, match="int8_kernel: 'int4' is not one of"):
        int8_kernel("int4")
    # The setting reaches the identity summaries are stored under: the kernels round differently.
    assert model_identity("m", "int8") == "m+int8-onednn"
    assert model_identity("m", "int8", "fbgemm") == "m+int8"  # the name fbgemm's summaries were stored under
    assert model_identity("m", "int8", "int_mm") == "m+int8-int_mm"
    assert place("cpu", "int8", "int_mm").int8_kernel == "int_mm"
    assert load_settings(environ={"ZHAIYAO_INT8_KERNEL": "int_mm"}).int8_kernel == "int_mm"


def test_a_model_loads_with_the_chosen_kernel(model_copy: Path) -> None:
    default = load_int8_model(model_copy, threads=1)
    assert type(default.lm_head) is int8_linear_class(int8_kernel())
    assert type(default.lm_head).__name__ == "OneDnnInt8Linear"
    fbgemm = load_int8_model(model_copy, threads=1, kernel="fbgemm")
    assert type(fbgemm.lm_head).__name__ == "DynamicInt8Linear"
    assert type(load_int8_model(model_copy, threads=1, kernel="int_mm").lm_head).__name__ == "Int8Linear"


# Run in a fresh process: torch warns about quantised tensors once per process, so an earlier test
# (or an fbgemm load, whose own warning filter is not thread-safe) would hide it.
_LOAD_AND_PROBE = """
import sys, warnings
from pathlib import Path
import torch
from zhaiyao.runtime.int8 import load_int8_model, packing_done

with warnings.catch_warnings(record=True) as on_load:
    warnings.simplefilter("always")
    packing_done(load_int8_model(Path(sys.argv[1]), threads=2, kernel=sys.argv[2]))
quantised = [str(w.message)[:80] for w in on_load if "quantiz" in str(w.message).lower()]
assert not quantised, f"warned on load: {quantised}"
# The once-per-process warning must still be unspent: the load made no quantised tensor at all.
with warnings.catch_warnings(record=True) as later:
    warnings.simplefilter("always")
    weight, scale = torch.zeros(2, 4, dtype=torch.int8), torch.ones(2, dtype=torch.double)
    torch._make_per_channel_quantized_tensor(weight, scale, torch.zeros(2, dtype=torch.long), 0)
assert any("deprecated" in str(w.message) for w in later), "the load had already made a quantised tensor"
"""


def _load_in_fresh_process(folder: Path, kernel: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(_LOAD_AND_PROBE), str(folder), kernel],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        check=False,
        timeout=300,
    )


def test_loading_makes_no_quantised_tensor_and_warns_nothing(model_copy: Path) -> None:
    ensure_int8_copy(model_copy)
    for kernel in ("onednn", "int_mm"):
        done = _load_in_fresh_process(model_copy, kernel)
        assert done.returncode == 0, done.stderr[-1500:]
    # the probe does tell: today's fbgemm path spends the warning (or leaks it) on load
    old = _load_in_fresh_process(model_copy, "fbgemm")
    assert old.returncode != 0
    assert "made a quantised tensor" in old.stderr or "warned on load" in old.stderr
