"""Which device a model runs on, and with which weights and kernels: one decision, with its reasons.

``auto`` takes a CUDA GPU when torch sees one, then Apple's MPS, else the CPU. On an accelerator the
weights are the model's bf16 (the int8 layers are CPU kernels); on the CPU they are int8 when asked for
and this PyTorch build has the kernels, else bf16, with prompt-sized products upcast to fp32 where the
CPU emulates bf16.
"""

from __future__ import annotations

from dataclasses import dataclass

from zhaiyao.config import CHOICES
from zhaiyao.errors import ConfigError
from zhaiyao.runtime.cpu import DEFAULT_INT8_KERNEL, cpu_flags, int8_kernels, int_mm_exact, native_bf16
from zhaiyao.runtime.cpu import int8_kernel as choose_int8_kernel

DEVICES = CHOICES["device"]


@dataclass(frozen=True)
class Placement:
    device: str  # cpu | cuda | mps (what torch calls it)
    weights: str  # int8 | bf16
    kernels: str  # what does the matrix products, in words
    reasons: tuple[str, ...]  # why, for `zhaiyao info` and the run log
    int8_kernel: str = "onednn"  # with int8 weights: onednn | int_mm | fbgemm (zhaiyao.runtime.cpu)

    @property
    def accelerator(self) -> bool:
        return self.device != "cpu"


def _accelerators() -> tuple[bool, bool]:
    try:
        import torch
    except ImportError:
        return False, False
    mps = getattr(torch.backends, "mps", None)
    return torch.cuda.is_available(), bool(mps and mps.is_available())


def choose_device(wanted: str = "auto") -> tuple[str, str]:
    """(device, why) for ``wanted``; asking for an accelerator torch cannot see is a ConfigError."""
    if wanted not in DEVICES:
        raise ConfigError(f"device: {wanted!r} is not one of {', '.join(DEVICES)}")
    cuda, mps = _accelerators()
    if wanted == "cuda" and not cuda:
        raise ConfigError("--device cuda: torch sees no CUDA GPU (a CPU-only torch build, or no driver)")
    if wanted == "mps" and not mps:
        raise ConfigError("--device mps: torch sees no Apple MPS device")
    if wanted != "auto":
        return wanted, f"{wanted}: asked for"
    if cuda:
        return "cuda", "auto: torch sees a CUDA GPU"
    if mps:
        return "mps", "auto: torch sees Apple's MPS, no CUDA GPU"
    return "cpu", "auto: torch sees no CUDA GPU and no MPS device"


def place(wanted: str = "auto", quantize: str = "int8", int8_kernel: str = "onednn") -> Placement:
    """Where a causal LM runs and with which weights, for the device, quantisation and int8 kernel asked
    for."""
    device, why = choose_device(wanted)
    reasons = [why]
    if device != "cpu":
        if quantize == "int8":
            reasons.append("int8 layers are CPU kernels: the model's bf16 weights on the accelerator")
        return Placement(device, "bf16", f"{device} bf16 matrix products", tuple(reasons))
    flags = cpu_flags()
    simd = ", ".join(f for f in ("avx2", "avx512_vnni", "avx512_bf16", "amx_bf16", "amx_int8") if f in flags)
    kernels = int8_kernels()
    if quantize == "int8" and kernels:
        reasons.append(
            f"int8 asked for; this torch runs {', '.join(kernels)} here (CPU: {simd or 'no x86 SIMD'})"
        )
        if int8_kernel == DEFAULT_INT8_KERNEL and int8_kernel not in kernels:
            reasons.append(f"no {int8_kernel} int8 kernel in this build: {kernels[0]} instead")
            int8_kernel = kernels[0]
        kernel = choose_int8_kernel(int8_kernel)
        what = {
            "onednn": "oneDNN int8, weights packed at load (per-token activation scales"
            + ("" if int_mm_exact() else ", 7-bit without VNNI")
            + ")",
            "fbgemm": "fbgemm int8, weights packed at load (deprecated API; per-token activation scales)",
            "int_mm": "torch._int_mm int8 on the stored weights (per-token activation scales)",
        }[kernel]
        return Placement("cpu", "int8", what, tuple(reasons), kernel)
    if quantize == "int8":
        reasons.append("int8 asked for, but this torch build has no int8 kernels: bf16")
    if native_bf16():
        return Placement("cpu", "bf16", "native bf16 matrix products", (*reasons, f"CPU: {simd}"))
    reasons.append(f"no native bf16 (CPU: {simd or 'no x86 SIMD'}): prompt-sized products run in fp32")
    return Placement("cpu", "bf16", "emulated bf16 for decoding, fp32 for prompts", tuple(reasons))
