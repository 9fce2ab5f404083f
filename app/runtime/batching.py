"""The rows decoding together, and how rows join and leave them (continuous batching).

A row is one continuation being decoded: a job (one prompt) has one row, or one per candidate when it
samples several. Every row keeps its keys and values in a slot of one buffer per layer (kv_cache),
left-padded so that all rows end at the same column; the attention mask hides the padding. A finished
row leaves at once and a joining row, its prompt read on its own, takes a free slot, so a batch keeps
its width for a whole run instead of shrinking to its last row.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from typing import Any

from zhaiyao.runtime.kv_cache import SlotCache

Picker = Callable[[Any], int]  # one row's scores → its next token

# Columns of padding every row has on its left (a long prompt has left) worth a copy to drop: the width
# otherwise only grows over a long run, and every step's attention reads all of it.
TRIM_COLUMNS = 128


@dataclass(eq=False)  # jobs are told apart by identity: two equal prompts are two jobs
class Job:
    """One prompt (token ids) to continue by at most ``max_new`` tokens, once per picker: the first
    picker's continuation is the answer, the others are candidates beside it. ``tag`` is the caller's.
    Jobs of one ``family`` share a prompt template: their common prefix is read once for them all."""

    prompt: Sequence[int]
    max_new: int
    pickers: Sequence[Picker]
    tag: Any = None
    family: Hashable = None


@dataclass(eq=False)
class Row:
    job: Job
    index: int  # which of the job's pickers this row follows
    seen: set[int]  # prompt and generated tokens, for the repetition penalty
    length: int  # tokens in the cache: the prompt, then every token fed back
    logits: Any  # scores for the next token
    tokens: list[int] = field(default_factory=list)
    done: bool = False

    @property
    def picker(self) -> Picker:
        return self.job.pickers[self.index]


class Batch:
    """The live rows and their shared cache (row ``i`` in slot ``i``)."""

    def __init__(self, jobs: Sequence[Job] = (), most_jobs: int = 1, most_rows: int = 1) -> None:
        """Sized for ``jobs`` (more may join later, at a cost): the rows of the widest ``most_jobs``
        of them, at most ``most_rows``, and their longest prompt and answer."""
        widest = sorted((len(job.pickers) for job in jobs), reverse=True)[:most_jobs]
        # The width reaches the longest live row plus up to TRIM_COLUMNS of padding before a trim, and
        # a joining row needs its answer's room beyond the width.
        longest = max((len(job.prompt) + job.max_new for job in jobs), default=0)
        columns = longest + max((job.max_new for job in jobs), default=0) + TRIM_COLUMNS
        self.rows: list[Row] = []
        self.slots = SlotCache(min(most_rows, max(1, sum(widest))), columns)

    @property
    def cache(self) -> Any:
        return self.slots.cache

    @property
    def width(self) -> int:
        return self.slots.width

    def jobs(self) -> int:
        return len({id(row.job) for row in self.rows})

    def join(self, joining: list[tuple[Row, list]]) -> None:
        """Add rows, each with its per-layer (keys, values) of shape [1, heads, length, dim]."""
        rows = [row for row, _ in joining]
        room = max(row.job.max_new - len(row.tokens) for row in self.rows + rows)
        self.slots.add([layers for _, layers in joining], [row.length for row in rows], room)
        self.rows += rows

    def keep(self, slots: list[int]) -> None:
        """Only the rows at ``slots`` stay: the live rows past the new end fill the holes."""
        if len(slots) == len(self.rows):
            return
        staying, count = set(slots), len(slots)
        holes = [slot for slot in range(count) if slot not in staying]
        movers = [slot for slot in range(count, len(self.rows)) if slot in staying]
        for hole, mover in zip(holes, movers, strict=True):
            self.slots.move(mover, hole)
            self.rows[hole] = self.rows[mover]
        self.rows = self.rows[:count]
        self.slots.truncate(count)
        padding = min((self.width - row.length for row in self.rows), default=0)
        if padding >= TRIM_COLUMNS:
            self.slots.trim(padding)

    def inputs(self, tokens: list[int], device) -> dict[str, Any]:
        """The model's inputs for one step that feeds ``tokens`` (one per row, in row order)."""
        import torch

        lengths = torch.tensor([row.length for row in self.rows], dtype=torch.long, device=device)
        columns = torch.arange(self.width + 1, device=device)
        # Row r holds columns [width - length_r, width) and writes its new token at column ``width``.
        mask = (columns[None, :] >= (self.width - lengths)[:, None]).long()
        ids = torch.tensor(tokens, dtype=torch.long, device=device)[:, None]
        return {"input_ids": ids, "attention_mask": mask, "position_ids": lengths[:, None]}

    def stepped(self, logits) -> None:
        """Every row has fed one token; ``logits`` [rows, vocabulary] score each row's next one."""
        self.slots.stepped()
        for slot, row in enumerate(self.rows):
            row.length += 1
            row.logits = logits[slot]
