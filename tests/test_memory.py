"""Freed activations stay in the process (zhaiyao.runtime.memory): counted in page faults, in fresh processes
(the setting is process-wide and cannot be undone inside one)."""

from __future__ import annotations

import json
import platform
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]

# A forward pass in miniature: blocks above glibc's largest dynamic mmap threshold (32 MB), several
# alive at once, all freed at the end; minor page faults per pass.
PROBE = """
import json, resource, sys
import torch
from zhaiyao.runtime.memory import keep_freed_memory
kept = keep_freed_memory() if sys.argv[1] == "keep" else False
x = torch.ones(16 * 2**20)
faults = []
for _ in range(12):
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    h = x * 2
    g = torch.sigmoid(h) + h
    del h, g
    faults.append(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
print(json.dumps({"kept": kept, "faults": faults}))
"""


def _probe(mode: str) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, mode], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.skipif(
    platform.system() != "Linux" or platform.libc_ver()[0] != "glibc", reason="glibc's malloc only"
)
def test_freed_activations_are_reused_without_page_faults() -> None:
    pages = 3 * 64 * 2**20 // 4096  # three 64 MB blocks per pass
    default = _probe("default")
    assert min(default["faults"][1:]) > pages * 0.9  # mapped afresh and unmapped on every pass
    kept = _probe("keep")
    assert kept["kept"] is True
    # The heap grows for the first few passes while aligned blocks settle in, then serves them all.
    assert max(kept["faults"][-3:]) < pages // 50
    assert sum(kept["faults"][1:]) < sum(default["faults"][1:]) / 3


def test_setting_it_twice_is_harmless() -> None:
    from zhaiyao.runtime.memory import keep_freed_memory

    first = keep_freed_memory()
    assert keep_freed_memory() is first
