"""The decoding cache: one buffer per layer for a whole batch, allocated once and written in place.

transformers' DynamicCache concatenates every layer's keys and values onto a new tensor at each step,
which with int8 weights costs a large share of a decoding step; writing a column into a buffer sized for
the whole generation does not.
"""

from __future__ import annotations


def preallocated_cache(rows: list, lengths: list[int], capacity: int):
    """A cache holding each row's per-layer (k, v), left-padded to the longest, with room to grow."""
    import torch
    from transformers.cache_utils import Cache, DynamicLayer

    class PreallocatedLayer(DynamicLayer):
        """Keys and values live in one buffer per layer; ``keys``/``values`` are views of its filled
        part, so appending a step writes a column in place instead of copying the whole cache."""

        def __init__(self, keys: torch.Tensor, values: torch.Tensor, length: int) -> None:
            super().__init__()
            self.device, self.is_initialized = keys.device, True
            self._k, self._v, self._length = keys, values, length
            self._view()

        def _view(self) -> None:
            self.keys = self._k[:, :, : self._length]
            self.values = self._v[:, :, : self._length]

        def update(self, key_states, value_states, *args, **kwargs):
            end = self._length + key_states.shape[-2]
            if end > self._k.shape[-2]:  # more steps than planned: grow once, generously
                grow = (0, 0, 0, end + self._k.shape[-2])
                self._k = torch.nn.functional.pad(self._k, grow)
                self._v = torch.nn.functional.pad(self._v, grow)
            self._k[:, :, self._length : end] = key_states
            self._v[:, :, self._length : end] = value_states
            self._length = end
            self._view()
            return self.keys, self.values

        def batch_select_indices(self, indices: torch.Tensor) -> None:
            self._k, self._v = self._k[indices], self._v[indices]
            self._view()

    width = max(lengths)
    layers = []
    for layer in range(len(rows[0])):
        k0, v0 = rows[0][layer][0], rows[0][layer][1]
        keys = k0.new_zeros((len(rows), k0.shape[1], capacity, k0.shape[3]))
        values = v0.new_zeros((len(rows), v0.shape[1], capacity, v0.shape[3]))
        for row, (kv, length) in enumerate(zip(rows, lengths, strict=True)):
            keys[row, :, width - length : width] = kv[layer][0][0]  # left-padded
            values[row, :, width - length : width] = kv[layer][1][0]
        layers.append(PreallocatedLayer(keys, values, width))
    return Cache(layers=layers)
