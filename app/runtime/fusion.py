"""One int8 product for sibling layers that read the same input: q/k/v in attention, gate/up in the MLP.

A decoding step multiplies a few rows by each weight, where a product's fixed costs (quantising the
rows, the kernel's setup) weigh as much as its arithmetic; three products of 1,536, 256 and 256 outputs
cost more than one of 2,048. The siblings stay modules of their own, so the model's code is untouched:
the first one called computes the fused product and keeps it, the others take their slices of it for
the same input. The input is recognised by identity and version counter (an in-place change counts as
a new input; tensors made under inference_mode have no counter, and transformers' modules do not change
a layer's input in place between its siblings), so a caller that calls the siblings in another order,
or twice, still gets right answers, only without the saving.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

# Sibling names that share an input, per module, in the order their outputs are concatenated.
GROUPS = (("q_proj", "k_proj", "v_proj"), ("gate_proj", "up_proj"))


def sibling_groups(names: Sequence[str]) -> list[tuple[str, ...]]:
    """Groups of linear layer names (full dotted names) that can share one product, per ``GROUPS``."""
    present = set(names)
    groups = []
    for name in names:
        parent, _, leaf = name.rpartition(".")
        for group in GROUPS:
            if leaf == group[0]:
                members = tuple(f"{parent}.{member}" if parent else member for member in group)
                if all(member in present for member in members):
                    groups.append(members)
    return groups


class SharedProduct:
    """The fused layer and the last input it was applied to."""

    def __init__(self, layer, sizes: Sequence[int]) -> None:
        self.layer, self.sizes = layer, list(sizes)
        self._input = None
        self._version = -1
        self._parts: tuple = ()
        self._unused = 0

    def part(self, x, index: int):
        version = _version(x)
        if x is not self._input or version != self._version or not self._unused:
            self._parts = self.layer(x).split(self.sizes, dim=-1)
            self._input, self._version, self._unused = x, version, len(self.sizes)
        self._unused -= 1
        part = self._parts[index]
        if not self._unused:  # every sibling has its slice: let the input and output go
            self._input, self._parts = None, ()
        return part


def _version(x) -> int:
    try:
        return x._version
    except RuntimeError:  # tensors made under inference_mode keep no version counter
        return -1


@cache  # one class, so that isinstance works across loads
def shared_linear_class():
    import torch

    class SharedLinear(torch.nn.Module):
        """One sibling: its slice of the shared product. The first sibling owns the fused layer (so
        that it shows, once, in the module tree)."""

        def __init__(self, shared: SharedProduct, index: int) -> None:
            super().__init__()
            self.shared, self.index = shared, index
            self.in_features = shared.layer.in_features
            self.out_features = shared.sizes[index]
            if index == 0:
                self.fused = shared.layer

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return self.shared.part(x, self.index)

        def extra_repr(self) -> str:
            return f"part {self.index} of a shared product, out_features={self.out_features}"

    return SharedLinear
