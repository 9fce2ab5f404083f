"""Keeping freed memory in the process between forward passes (glibc's malloc).

Reading a prompt allocates activations of tens of megabytes (the MLP's alone is tokens × 4 × its
width). glibc serves blocks that large with ``mmap`` and unmaps them when they are freed, and trims
freed memory off the top of its heap, so every prompt page-faults its way through freshly zeroed pages
again: hundreds of thousands of faults per long prompt, a sizeable share of its time, and most of what
made a process's first prompts slower than later ones. Raising both thresholds makes freed blocks
stay for the next pass. Called once the model is loaded, so that the load's own temporary copies,
mapped before, are still returned to the system when freed.
"""

from __future__ import annotations

import ctypes
import platform

# mallopt parameters (malloc.h)
_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
# Above the largest activation of a long prompt; the model's weights are allocated before this is set.
MMAP_THRESHOLD = 1 << 30
TRIM_THRESHOLD = (1 << 31) - 1  # mallopt takes an int

_kept = False


def keep_freed_memory() -> bool:
    """Set glibc's thresholds once per process; whether they are set (False off glibc)."""
    global _kept
    if _kept:
        return True
    if platform.system() != "Linux" or platform.libc_ver()[0] != "glibc":
        return False
    try:
        libc = ctypes.CDLL(None)
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mapped = mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)
    _kept = bool(mapped) and bool(mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD))
    return _kept
