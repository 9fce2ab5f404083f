"""Turning one row's next-token scores into a token: the repetition penalty, greedy choice and seeded
top-k sampling, each a small callable (transformers' LogitsProcessor idea, per row)."""

from __future__ import annotations

import zlib
from collections.abc import Sequence


class RepetitionPenalty:
    """CTRL's penalty, as transformers applies it: a seen token's score is divided by ``penalty`` when
    positive and multiplied by it when negative."""

    def __init__(self, penalty: float) -> None:
        self.penalty = penalty

    def __call__(self, scores, seen: set[int]):
        import torch

        if self.penalty == 1.0 or not seen:
            return scores
        index = torch.tensor(sorted(seen), dtype=torch.long, device=scores.device)
        picked = scores[index]
        scores[index] = torch.where(picked < 0, picked * self.penalty, picked / self.penalty)
        return scores


class Greedy:
    """The highest-scoring token."""

    def __call__(self, scores) -> int:
        import torch

        return int(torch.argmax(scores))


class TopKSampler:
    """A token drawn from the ``top_k`` best at ``temperature``, from its own seeded generator, so a row
    draws the same tokens whatever it is batched with."""

    def __init__(self, seed: int, temperature: float, top_k: int) -> None:
        import torch

        self.generator = torch.Generator().manual_seed(seed)
        self.temperature, self.top_k = temperature, max(1, top_k)

    def __call__(self, scores) -> int:
        import torch

        # The draw happens on the CPU, where the seeded generator lives, whatever device scored.
        top = torch.topk(scores, min(self.top_k, scores.shape[-1]))
        weights = torch.softmax(top.values.cpu() / self.temperature, dim=-1)
        pick = torch.multinomial(weights, 1, generator=self.generator)
        return int(top.indices.cpu()[pick])


def prompt_seed(prompt: Sequence[int]) -> int:
    """A seed from the prompt's own tokens: the same request samples alike on every run."""
    return zlib.crc32(",".join(map(str, prompt)).encode("ascii"))
