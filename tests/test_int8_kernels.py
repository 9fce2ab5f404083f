"""The int8 layer on ``torch._int_mm``: its products, and a load that never makes a quantised tensor."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from app.config import load_settings
from app.errors import ConfigError
from app.runtime.cpu import int8_kernel, int_mm_exact
from app.runtime.device import place
from app.runtime.int8 import INT8_FILE, ensure_int8_copy, int8_linear_class, load_int8_model, quantize_weight
from app.summarise.llm import model_identity

pytestmark = pytest.mark.skipif(not int_mm_exact(), reason="torch._int_mm is not exact on this CPU")

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


def test_product_is_within_int8_rounding_of_the_dequantised_weights() -> None:
    import torch

    torch.manual_seed(1)
    weight, bias = torch.randn(80, 96) * 0.05, torch.randn(80)
    qweight, scale = quantize_weight(weight)
    layer = int8_linear_class("int_mm")(qweight, scale, bias)
    x = _smoothed_like_inputs(24, 96).reshape(2, 12, 96)  # batch × tokens, as the model calls it
    with torch.inference_mode():
        got = layer(x)
    exact = x @ (qweight.float() * scale[:, None]).T + bias
    assert got.shape == (2, 12, 80)
    assert float((got - exact).norm() / exact.norm()) < 0.01
    # a wrong scale (per input instead of per output channel) or a missing bias is far outside that
    assert float((got - exact + bias).norm() / exact.norm()) > 0.05


def test_a_row_gets_the_same_result_alone_and_in_any_batch() -> None:
    import torch

    torch.manual_seed(2)
    layer = int8_linear_class("int_mm")(*quantize_weight(torch.randn(64, 128) * 0.05), None)
    rows = _smoothed_like_inputs(40, 128)
    with torch.inference_mode():
        alone = torch.cat([layer(rows[i : i + 1]) for i in range(len(rows))])
        together = layer(rows)
        shuffled = layer(rows.flip(0)).flip(0)
    assert torch.equal(alone, together)
    assert torch.equal(together, shuffled)


def test_the_kernel_can_be_chosen_and_a_bad_choice_is_a_clear_error() -> None:
    assert int8_kernel() == "fbgemm"
    assert int8_kernel("int_mm") == "int_mm"
    with pytest.raises(ConfigError, match="int8_kernel: 'int4' is not one of"):
        int8_kernel("int4")
    # The setting reaches the identity summaries are stored under: the kernels round differently.
    assert model_identity("m", "int8") == "m+int8"
    assert model_identity("m", "int8", "int_mm") == "m+int8-int_mm"
    assert place("cpu", "int8", "int_mm").int8_kernel == "int_mm"
    assert load_settings(environ={"ZHAIYAO_INT8_KERNEL": "int_mm"}).int8_kernel == "int_mm"


def test_a_model_loads_with_the_chosen_kernel(model_copy: Path) -> None:
    assert type(load_int8_model(model_copy, threads=1).lm_head) is int8_linear_class(int8_kernel())
    fbgemm = load_int8_model(model_copy, threads=1, kernel="fbgemm")
    assert type(fbgemm.lm_head).__name__ == "DynamicInt8Linear"
    assert type(load_int8_model(model_copy, threads=1, kernel="int_mm").lm_head).__name__ == "Int8Linear"


# Run in a fresh process: torch warns about quantised tensors once per process, so an earlier test
# (or an fbgemm load, whose own warning filter is not thread-safe) would hide it.
_LOAD_AND_PROBE = """
import sys, warnings
from pathlib import Path
import torch
from app.runtime.int8 import load_int8_model

with warnings.catch_warnings(record=True) as on_load:
    warnings.simplefilter("always")
    load_int8_model(Path(sys.argv[1]), threads=2, kernel=sys.argv[2])
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
    done = _load_in_fresh_process(model_copy, "int_mm")
    assert done.returncode == 0, done.stderr[-1500:]
    # the probe does tell: today's fbgemm path spends the warning (or leaks it) on load
    old = _load_in_fresh_process(model_copy, "fbgemm")
    assert old.returncode != 0
    assert "made a quantised tensor" in old.stderr or "warned on load" in old.stderr
