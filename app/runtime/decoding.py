"""The decoder: continuations of prompts given as token ids, shaped for CPUs where reading the prompt is
the big cost.

What ``model.generate`` on a padded batch does not do:

* The prompt prefix every request shares is read once and its key/value cache reused
  (``prefix_cache``); only each prompt's own tokens are read per request. The prefix is found as the
  longest common token prefix, so nothing about the prompt layout is assumed.
* Each prompt is read on its own, without padding: on a CPU every pad token costs as much as a real
  one. Only decoding runs batched (left-aligned caches, padding masked), where a batch of several
  sequences costs little more per step than one with int8 weights.
* A finished sequence leaves the batch at once instead of being carried along to the longest one.
* The decoding cache is allocated once for the whole batch and written in place (``kv_cache``).

Greedy output equals ``generate``'s with the same repetition penalty (tested). ``candidates`` adds
seeded top-k samples of the same prompt beside the greedy continuation: the prompt is read once and the
samples decode in the same batch, where extra rows cost little. Choosing among them is the caller's.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence

from app.runtime.kv_cache import preallocated_cache
from app.runtime.prefix_cache import PrefixCache
from app.runtime.processors import Greedy, RepetitionPenalty, TopKSampler, prompt_seed

# Rows decoded together when sampling candidates: each row holds its own copy of the prompt's cache.
MAX_CANDIDATE_ROWS = 16

Picker = Callable[[object], int]  # one row's scores → its next token


class Decoder:
    def __init__(
        self,
        model,
        *,
        stop_ids: Sequence[int],
        batch_size: int = 4,
        repetition_penalty: float = 1.0,
    ) -> None:
        self.model = model
        # Where the model's inputs go: the embedding's device (the int8 layers themselves are CPU-only).
        self.device = model.get_input_embeddings().weight.device
        self.stop_ids = frozenset(stop_ids)
        self.batch_size = max(1, batch_size)
        self.penalty = RepetitionPenalty(repetition_penalty)
        self.prefixes = PrefixCache(self._read_prefix)
        # transformers renamed the argument (past_key_values → cache) and warns about the old name.
        self._cache_arg = (
            "cache" if "cache" in inspect.signature(model.forward).parameters else "past_key_values"
        )

    def generate(self, prompts: Sequence[Sequence[int]], max_new: Sequence[int]) -> list[list[int]]:
        """Greedy continuations (without stop tokens) of each prompt, in order."""
        import torch

        outputs: list[list[int]] = [[] for _ in prompts]
        if not prompts:
            return outputs
        with torch.inference_mode():
            prefix = self.prefixes.for_prompts(prompts)
            # Longest prompts together: a batch's cache is as wide as its longest member.
            order = sorted(range(len(prompts)), key=lambda i: -len(prompts[i]))
            # Even batches: nine requests at batch size 8 decode as 5 + 4, not 8 + a lone straggler.
            batches = -(-len(order) // self.batch_size)
            size = -(-len(order) // batches)
            for start in range(0, len(order), size):
                batch = order[start : start + size]
                rows = [self._read_prompt(prompts[i], prefix) for i in batch]
                pickers: list[Picker] = [Greedy()] * len(batch)
                done = self._decode(rows, [prompts[i] for i in batch], [max_new[i] for i in batch], pickers)
                for i, tokens in zip(batch, done, strict=True):
                    outputs[i] = tokens
        return outputs

    def candidates(
        self,
        prompts: Sequence[Sequence[int]],
        max_new: Sequence[int],
        count: int,
        *,
        temperature: float,
        top_k: int,
    ) -> list[list[list[int]]]:
        """For each prompt, ``count`` continuations: the greedy one first, then seeded samples.

        Each prompt's samples are seeded from its own tokens, so the same request gets the same
        candidates whatever it is batched with, on every run.
        """
        import torch

        outputs: list[list[list[int]]] = [[] for _ in prompts]
        if not prompts:
            return outputs
        count = max(1, count)
        per_batch = max(1, MAX_CANDIDATE_ROWS // count)
        with torch.inference_mode():
            prefix = self.prefixes.for_prompts(prompts)
            order = sorted(range(len(prompts)), key=lambda i: -len(prompts[i]))
            for start in range(0, len(order), per_batch):
                batch = order[start : start + per_batch]
                rows, batch_prompts, limits, pickers = [], [], [], []
                for i in batch:
                    row = self._read_prompt(prompts[i], prefix)
                    seed = prompt_seed(prompts[i])
                    for k in range(count):
                        rows.append(row)
                        batch_prompts.append(prompts[i])
                        limits.append(max_new[i])
                        pickers.append(Greedy() if k == 0 else TopKSampler(seed + k, temperature, top_k))
                done = self._decode(rows, batch_prompts, limits, pickers)
                for n, i in enumerate(batch):
                    outputs[i] = done[n * count : (n + 1) * count]
        return outputs

    def _new_cache(self, layers: list | None = None):
        from transformers import DynamicCache

        return DynamicCache(ddp_cache_data=layers) if layers else DynamicCache()

    def _forward(self, tokens: list[int], *, start: int, cache):
        import torch

        ids = torch.tensor([tokens], dtype=torch.long, device=self.device)
        positions = torch.arange(start, start + len(tokens), dtype=torch.long, device=self.device)[None]
        out = self.model(
            input_ids=ids,
            position_ids=positions,
            use_cache=True,
            logits_to_keep=1,
            **{self._cache_arg: cache},
        )
        return out.logits[0, -1].float()

    def _read_prefix(self, tokens: list[int]) -> list:
        cache = self._new_cache()
        self._forward(tokens, start=0, cache=cache)
        return [(k, v) for k, v, *_ in cache]

    def _read_prompt(self, prompt: Sequence[int], prefix: tuple[int, list] | None):
        """(per-layer (k, v) of the whole prompt, logits for the first new token)."""
        start, layers = prefix if prefix else (0, None)
        # Concatenating onto the shared tensors makes new ones: the prefix cache is never modified.
        cache = self._new_cache(layers)
        logits = self._forward(list(prompt[start:]), start=start, cache=cache)
        return [(k, v) for k, v, *_ in cache], logits

    def _decode(
        self,
        rows: list,
        prompts: list[Sequence[int]],
        max_new: list[int],
        pickers: list[Picker],
    ) -> list[list[int]]:
        import torch

        lengths = [len(p) for p in prompts]
        width = max(lengths)
        cache = preallocated_cache([kv for kv, _ in rows], lengths, width + max(max_new))
        mask = torch.zeros((len(rows), width), dtype=torch.long, device=self.device)
        for row, length in enumerate(lengths):
            mask[row, width - length :] = 1
        seen = [set(p) for p in prompts]
        outputs: list[list[int]] = [[] for _ in rows]
        live = list(range(len(rows)))  # which original rows the batch's rows are
        logits = [logits for _, logits in rows]
        positions = torch.tensor(lengths, dtype=torch.long, device=self.device)
        while True:
            next_tokens, keep = [], []
            for slot, row in enumerate(live):
                token = pickers[row](self.penalty(logits[slot], seen[row]))
                if token in self.stop_ids:
                    continue
                outputs[row].append(token)
                seen[row].add(token)
                if len(outputs[row]) < max_new[row]:
                    next_tokens.append(token)
                    keep.append(slot)
            if not keep:
                return outputs
            if len(keep) < len(live):
                index = torch.tensor(keep, dtype=torch.long, device=self.device)
                cache.batch_select_indices(index)
                mask, positions = mask[index], positions[index]
                live = [live[slot] for slot in keep]
            mask = torch.cat([mask, mask.new_ones((len(live), 1))], dim=1)
            out = self.model(
                input_ids=torch.tensor(next_tokens, dtype=torch.long, device=self.device)[:, None],
                attention_mask=mask,
                position_ids=positions[:, None],
                use_cache=True,
                logits_to_keep=1,
                **{self._cache_arg: cache},
            )
            positions = positions + 1
            logits = list(out.logits[:, -1].float())
