"""What this machine's CPU and PyTorch build offer: the facts that pick weights and kernels."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from app.errors import ConfigError

INT8_KERNELS = ("fbgemm", "int_mm")


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


def int8_kernels() -> bool:
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


def int8_kernel(asked: str = "fbgemm") -> str:
    """The int8 matrix product asked for, checked: fbgemm's (weights packed at load; the default) or
    ``int_mm`` (oneDNN on the stored int8 weights: nothing packed and a faster load, prompts read about as
    fast, but decoding steps slower on an AVX-512 VNNI EPYC; docs/speed.md)."""
    if asked not in INT8_KERNELS:
        raise ConfigError(f"int8_kernel: {asked!r} is not one of {', '.join(INT8_KERNELS)}")
    if asked == "int_mm" and not int_mm_exact():
        raise ConfigError("int8_kernel int_mm: torch._int_mm is not exact on this CPU (no VNNI)")
    return asked
