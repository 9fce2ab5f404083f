"""The decoding cache: one buffer per layer for a whole batch, written in place, rows joining and leaving.

transformers' DynamicCache concatenates every layer's keys and values onto a new tensor at each step,
which with int8 weights costs a large share of a decoding step; writing a column into a buffer sized for
the generation does not. With continuous batching rows also come and go all the time, so they live in
slots of that buffer: a joining row is written into a free slot, a leaving row's slot is filled with the
last row; no other row is copied (rebuilding the buffer for every change cost seconds on a page).

Rows are left-padded so that they all end at the same column (``width``), the padding masked by the
caller; padding must be finite (masked scores still meet it), future columns are written before read.
"""

from __future__ import annotations

from functools import cache


class SlotCache:
    """The per-layer buffers and which slots hold rows; ``cache`` is what the model is given."""

    def __init__(self, rows: int = 1, columns: int = 0) -> None:
        self.cache = None  # a transformers Cache over the layers, made with the first rows
        # The size made at once: growing later copies every buffer (over a second with 16 rows).
        self.capacity = (rows, columns)
        self.rows = 0
        self.width = 0

    def add(self, spans: list, lengths: list[int], room: int) -> None:
        """Write rows (per row, per layer (keys, values) [1, heads, length, dim]) into the next slots,
        with ``room`` more columns for each row's continuation."""
        grow = max(lengths) - self.width
        if self.cache is None:
            rows, columns = self.capacity
            self._create(spans[0], max(len(spans), rows), max(max(lengths) + room, columns))
            self.width = max(lengths)
        elif grow > 0:
            self._shift(grow)
        layers = self.cache.layers
        layers[0].reserve(self.rows + len(spans), self.width + room, layers)
        slot = self.rows
        for span, length, count in _runs(spans, lengths):
            start = self.width - length
            for layer, (keys, values) in zip(layers, span, strict=True):
                for buffer, part in zip(layer.buffers, (keys, values), strict=True):
                    # One write for a run of rows sharing a prompt (sampled candidates).
                    buffer[slot : slot + count, :, :start] = 0
                    buffer[slot : slot + count, :, start : self.width] = part
            slot += count
        self.rows += len(spans)
        for layer in layers:
            layer.view(self.rows, self.width)

    def move(self, source: int, target: int) -> None:
        """Row ``source``'s keys and values into slot ``target`` (a leaving row's)."""
        for layer in self.cache.layers:
            for buffer in layer.buffers:
                buffer[target, :, : self.width] = buffer[source, :, : self.width]

    def truncate(self, rows: int) -> None:
        self.rows = rows
        if rows:
            for layer in self.cache.layers:
                layer.view(rows, self.width)
        else:
            self.cache, self.width = None, 0

    def stepped(self) -> None:
        self.width += 1

    def _create(self, span: list, rows: int, columns: int) -> None:
        from transformers.cache_utils import Cache

        layer_class = _slot_layer_class()
        self.cache = Cache(layers=[layer_class.empty(keys, values, rows, columns) for keys, values in span])

    def trim(self, by: int) -> None:
        """Drop the first ``by`` columns, padding in every live row (rows whose long prompts made the
        width have left): attention no longer reads them."""
        for layer in self.cache.layers:
            for buffer in layer.buffers:
                live = buffer[: self.rows, :, by : self.width].clone()
                buffer[: self.rows, :, : self.width - by] = live
        self.width -= by
        for layer in self.cache.layers:
            layer.view(self.rows, self.width)

    def _shift(self, by: int) -> None:
        """Make room on the left: every row moves ``by`` columns right (a longer prompt joined)."""
        for layer in self.cache.layers:
            layer.reserve(self.rows, self.width + by, [layer])
            for buffer in layer.buffers:
                live = buffer[: self.rows, :, : self.width].clone()
                buffer[: self.rows, :, by : by + self.width] = live
                buffer[: self.rows, :, :by] = 0
        self.width += by
        for layer in self.cache.layers:
            layer.view(self.rows, self.width)


def _runs(spans: list, lengths: list[int]) -> list[tuple[list, int, int]]:
    """(span, length, how many consecutive rows have that very span)."""
    runs: list[tuple[list, int, int]] = []
    for span, length in zip(spans, lengths, strict=True):
        if runs and runs[-1][0] is span:
            runs[-1] = (span, length, runs[-1][2] + 1)
        else:
            runs.append((span, length, 1))
    return runs


@cache
def _slot_layer_class():
    import torch
    from transformers.cache_utils import DynamicLayer

    class SlotLayer(DynamicLayer):
        """``keys``/``values`` are views of the live rows' filled columns; a decoding step writes one
        column in place."""

        def __init__(self, keys: torch.Tensor, values: torch.Tensor) -> None:
            super().__init__()
            self.device, self.is_initialized = keys.device, True
            self.buffers = [keys, values]
            self._rows = self._length = 0

        @classmethod
        def empty(cls, keys, values, rows: int, columns: int) -> SlotLayer:
            shape = (rows, keys.shape[1], columns, keys.shape[3])
            return cls(
                keys.new_empty(shape), values.new_empty((rows, values.shape[1], columns, values.shape[3]))
            )

        def reserve(self, rows: int, columns: int, layers: list) -> None:
            """At least ``rows`` slots and ``columns`` columns in every one of ``layers`` (grown
            generously: each growth copies the buffers)."""
            have_rows, have_columns = self.buffers[0].shape[0], self.buffers[0].shape[2]
            if rows <= have_rows and columns <= have_columns:
                return
            # Rows double; columns grow by half again (the width grows by one every step).
            rows = max(rows, 2 * have_rows) if rows > have_rows else have_rows
            columns = (
                max(columns, have_columns + have_columns // 2) if columns > have_columns else have_columns
            )
            for layer in layers:
                grown = []
                for buffer in layer.buffers:
                    bigger = buffer.new_empty((rows, buffer.shape[1], columns, buffer.shape[3]))
                    bigger[: buffer.shape[0], :, : buffer.shape[2]] = buffer
                    grown.append(bigger)
                layer.buffers = grown

        def view(self, rows: int, length: int) -> None:
            self._rows, self._length = rows, length
            self.keys = self.buffers[0][:rows, :, :length]
            self.values = self.buffers[1][:rows, :, :length]

        def update(self, key_states, value_states, *args, **kwargs):
            end = self._length + key_states.shape[-2]
            if end > self.buffers[0].shape[2]:  # more steps than planned: grow once, generously
                self.reserve(self._rows, end + self.buffers[0].shape[2], [self])
            self.buffers[0][: self._rows, :, self._length : end] = key_states
            self.buffers[1][: self._rows, :, self._length : end] = value_states
            self.view(self._rows, end)
            return self.keys, self.values

    return SlotLayer
