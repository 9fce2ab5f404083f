"""What this machine's CPU and PyTorch build offer: the facts that pick weights and kernels."""

from __future__ import annotations

from functools import cache
from pathlib import Path


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
