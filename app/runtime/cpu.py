"""What this machine's CPU and PyTorch build offer: the facts that pick weights and kernels."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from zhaiyao.config import CHOICES
from zhaiyao.errors import ConfigError

INT8_KERNELS = CHOICES["int8_kernel"]
DEFAULT_INT8_KERNEL = INT8_KERNELS[0]


@cache
def cpu_flags() -> frozenset[str]:
    """The CPU's feature flags as Linux reports them (empty where /proc/cpuinfo is unreadable)."""
    try:
        text = Path("/proc/cpuinfo").read_text(encoding="ascii", errors="replace")
    except OSError:
        return frozenset()
    for line in text.splitlines():
        if line.startswith("flags"):
            return frozenset(line.split(":", 1)[1].split())
    return frozenset()


def native_bf16() -> bool:
    """Whether the CPU multiplies bf16 in hardware (AVX-512 BF16 or AMX); otherwise PyTorch emulates it."""
    return bool({"avx512_bf16", "amx_bf16"} & cpu_flags())


def int8_kernels() -> tuple[str, ...]:
    """The int8 kernels this PyTorch build runs here, best first (x86 CPU builds have all three)."""
    found = {"onednn": onednn_int8, "int_mm": int_mm_exact, "fbgemm": fbgemm_int8}
    return tuple(kernel for kernel in INT8_KERNELS if found[kernel]())


@cache
def onednn_int8() -> bool:
    """Whether oneDNN's int8 linear (``torch.ops.onednn.qlinear_*``) is in this build and runs here."""
    try:
        import torch

        if not torch.backends.mkldnn.is_available():
            return False
        packed = torch.ops.onednn.qlinear_prepack(torch.ones((8, 16), dtype=torch.int8), None)
        codes = torch.full((1, 16), 130, dtype=torch.uint8)
        y = torch.ops.onednn.qlinear_pointwise(
            codes,
            1.0,
            128,
            packed,
            torch.ones(8),
            torch.zeros(8, dtype=torch.int32),
            None,
            1.0,
            0,
            torch.float32,
            "none",
            [],
            "",
        )
        return bool(torch.equal(y, torch.full((1, 8), 32.0)))
    except (ImportError, AttributeError, RuntimeError):
        return False


@cache
def fbgemm_int8() -> bool:
    """Whether this PyTorch build has the fbgemm int8 kernels (x86 CPU builds do)."""
    try:
        import torch

        return "fbgemm" in torch.backends.quantized.supported_engines and hasattr(
            torch.ops.quantized, "linear_dynamic"
        )
    except (ImportError, AttributeError, RuntimeError):
        return False


@cache
def int_mm_exact() -> bool:
    """Whether ``torch._int_mm`` (oneDNN) multiplies full-range int8 exactly here. Without VNNI, oneDNN
    sums pairs of u8×s8 products in 16 bits, which saturates at full range (checked with
    ``ONEDNN_MAX_CPU_ISA=AVX2``: errors of 10⁵ on random int8 operands), so the worst case is tried once."""
    try:
        import torch

        a = torch.full((2, 64), 127, dtype=torch.int8)
        b = torch.full((64, 16), 127, dtype=torch.int8)
        b[:, 1::2] = -127
        return bool(torch.equal(torch._int_mm(a, b), a.int() @ b.int()))
    except (ImportError, AttributeError, RuntimeError):
        return False


def int8_kernel(asked: str = DEFAULT_INT8_KERNEL) -> str:
    """The int8 matrix product asked for, checked (int8_layers.py; docs/speed.md): ``onednn`` (the
    default: packed at load, no deprecated API), ``int_mm`` (nothing packed; slow batched decoding) or
    ``fbgemm`` (the deprecated quantised-tensor API)."""
    if asked not in INT8_KERNELS:
        raise ConfigError(f"int8_kernel: {asked!r} is not one of {', '.join(INT8_KERNELS)}")
    if asked == "int_mm" and not int_mm_exact():
        raise ConfigError("int8_kernel int_mm: torch._int_mm is not exact on this CPU (no VNNI)")
    if asked == "onednn" and not onednn_int8():
        raise ConfigError("int8_kernel onednn: this torch build has no oneDNN int8 linear (try fbgemm)")
    if asked == "fbgemm" and not fbgemm_int8():
        raise ConfigError("int8_kernel fbgemm: this torch build has no fbgemm kernels (try onednn)")
    return asked
