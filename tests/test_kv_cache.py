"""The slotted decoding cache: rows joining, leaving and growing the buffers keep every row's keys and
values where the attention mask expects them (left-padded, ending at the shared width)."""

from __future__ import annotations

import pytest
import torch
from zhaiyao.runtime.kv_cache import SlotCache

LAYERS, HEADS, DIM = 2, 2, 4


def _span(length: int, seed: int) -> list[tuple[torch.Tensor, torch.Tensor]]:
    generator = torch.Generator().manual_seed(seed)
    return [
        (
            torch.randn(1, HEADS, length, DIM, generator=generator),
            torch.randn(1, HEADS, length, DIM, generator=generator),
        )
        for _ in range(LAYERS)
    ]


def _row(cache: SlotCache, slot: int, length: int) -> list[torch.Tensor]:
    """The row's filled columns (its last ``length``), keys and values of every layer."""
    return [
        part[slot, :, cache.width - length : cache.width]
        for layer in cache.cache.layers
        for part in (layer.keys, layer.values)
    ]


def _expected(span, length: int) -> list[torch.Tensor]:
    return [part[0, :, :length] for keys, values in span for part in (keys, values)]


@pytest.mark.parametrize("size", [(1, 0), (8, 64)])  # grown on demand, or made big enough at once
def test_rows_keep_their_caches_through_joins_growth_and_leaving(size) -> None:
    cache = SlotCache(*size)
    first, shared, longer = _span(5, 1), _span(3, 2), _span(9, 3)
    cache.add([first, shared, shared], [5, 3, 3], room=4)  # two rows sharing one prompt (candidates)
    cache.add([longer], [9], room=30)  # longer than the width: every row shifts right; more room
    assert cache.width == 9 and cache.rows == 4
    rows = [(first, 5), (shared, 3), (shared, 3), (longer, 9)]
    for slot, (span, length) in enumerate(rows):
        assert all(
            torch.equal(a, b) for a, b in zip(_row(cache, slot, length), _expected(span, length), strict=True)
        )
        # The padding is zero: masked scores still meet it, so it must be finite.
        assert all(bool(part[slot, :, : 9 - length].eq(0).all()) for part in _row_parts(cache))
    cache.move(3, 1)  # row 1 leaves: the last row takes its slot
    cache.truncate(3)
    assert all(torch.equal(a, b) for a, b in zip(_row(cache, 1, 9), _expected(longer, 9), strict=True))
    assert cache.cache.layers[0].keys.shape == (3, HEADS, 9, DIM)


def _row_parts(cache: SlotCache) -> list[torch.Tensor]:
    return [part for layer in cache.cache.layers for part in (layer.keys, layer.values)]
