"""Key/value caches of prompt prefixes, kept by their tokens (llama-cpp-python's LlamaRAMCache idea).

Every request of a style shares a long prefix (system message, instruction, worked examples); reading it
once and reusing its cache saves most of a prompt's cost. A few prefixes are kept, least recently used
dropped first, so prompts with different examples and a lone request after a batch still find theirs.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence

# A shorter shared prefix is not worth keeping: it saves less than bookkeeping costs.
MIN_PREFIX_TOKENS = 16
# Prefixes kept: each holds every layer's keys and values for its tokens (~35 MB for 600 tokens of
# Qwen2.5-1.5B).
MAX_PREFIXES = 4

Layers = list  # per layer (keys, values)


def shared_prefix_length(prompts: Sequence[Sequence[int]]) -> int:
    """Tokens every prompt starts with, leaving at least one token of each prompt to read."""
    if not prompts:
        return 0
    first, limit = prompts[0], min(len(p) for p in prompts) - 1
    n = 0
    while n < limit and all(p[n] == first[n] for p in prompts):
        n += 1
    return n


class PrefixCache:
    """Prefix tokens → their per-layer caches; ``read`` computes one for tokens not kept yet."""

    def __init__(self, read: Callable[[list[int]], Layers], capacity: int = MAX_PREFIXES) -> None:
        self._read = read
        self.capacity = capacity
        self._kept: OrderedDict[tuple[int, ...], Layers] = OrderedDict()

    def for_prompts(self, prompts: Sequence[Sequence[int]]) -> tuple[int, Layers] | None:
        """(length, caches) of a prefix all ``prompts`` start with, read now if none kept fits; None
        when they share too little for a prefix to pay."""
        n = shared_prefix_length(prompts)
        kept = self._longest_kept(prompts, n)
        # A kept prefix shorter than the shared one leaves each prompt the difference to read; that
        # beats reading the whole shared prefix again unless many prompts share a long difference.
        if kept is not None and len(prompts) * (n - len(kept)) < n:
            self._kept.move_to_end(kept)
            return len(kept), self._kept[kept]
        if n < MIN_PREFIX_TOKENS:
            return None
        tokens = tuple(prompts[0][:n])
        self._kept[tokens] = self._read(list(tokens))
        while len(self._kept) > self.capacity:
            self._kept.popitem(last=False)
        return n, self._kept[tokens]

    def fitting(self, prompt: Sequence[int], prefix: tuple[int, Layers] | None) -> tuple[int, Layers] | None:
        """``prefix`` if ``prompt`` starts with it (and goes on), else the longest kept prefix it starts
        with, else None; nothing is read."""
        if prefix is not None and len(prompt) > prefix[0] and self._starts(prompt, prefix):
            return prefix
        kept = self._longest_kept([prompt], len(prompt) - 1)
        return None if kept is None else (len(kept), self._kept[kept])

    def _starts(self, prompt: Sequence[int], prefix: tuple[int, Layers]) -> bool:
        n, layers = prefix
        found = next((tokens for tokens, kept in self._kept.items() if kept is layers), None)
        return found is not None and tuple(prompt[:n]) == found

    def _longest_kept(self, prompts: Sequence[Sequence[int]], shared: int) -> tuple[int, ...] | None:
        best: tuple[int, ...] | None = None
        for tokens in self._kept:
            longer = best is None or len(tokens) > len(best)
            if longer and len(tokens) <= shared and tuple(prompts[0][: len(tokens)]) == tokens:
                best = tokens
        return best

    def items(self) -> list[tuple[tuple[int, ...], Layers]]:
        return list(self._kept.items())

    def clear(self) -> None:
        self._kept.clear()

    def __len__(self) -> int:
        return len(self._kept)

    def __iter__(self) -> Iterator[tuple[int, ...]]:
        return iter(self._kept)
