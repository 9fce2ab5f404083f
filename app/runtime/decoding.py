"""The decoder: continuations of prompts given as token ids, shaped for CPUs where reading the prompt is
the big cost.

What ``model.generate`` on a padded batch does not do:

* The prompt prefix every request shares is read once and its key/value cache reused
  (``prefix_cache``); only each prompt's own tokens are read per request. The prefix is found as the
  longest common token prefix, so nothing about the prompt layout is assumed.
* Each prompt is read on its own, without padding: on a CPU every pad token costs as much as a real
  one. Only decoding runs batched (left-aligned caches, padding masked), where a batch of several
  sequences costs little more per step than one with int8 weights.
* Continuous batching (``batching``): a finished sequence leaves the batch at once and the next waiting
  prompt takes its place, so a batch does not wait for its longest member; the caller may answer a
  finished job with more jobs (a retry), which go to the front of the queue (``run``).
* The decoding cache is allocated for the batch and written in place (``kv_cache``).

Greedy output equals ``generate``'s with the same repetition penalty (tested). ``candidates`` adds
seeded top-k samples of the same prompt beside the greedy continuation: the prompt is read once and the
samples decode in the same batch, where extra rows cost little. Choosing among them is the caller's.
"""

from __future__ import annotations

import inspect
from collections import deque
from collections.abc import Callable, Iterable, Sequence

from zhaiyao.runtime.batching import Batch, Job, Picker, Row
from zhaiyao.runtime.prefix_cache import PrefixCache
from zhaiyao.runtime.processors import Greedy, RepetitionPenalty, TopKSampler, prompt_seed

__all__ = ["MAX_ROWS", "Decoder", "Job", "Picker"]

# Rows decoded together at most (sampled candidates: each row holds its own copy of the prompt's cache).
MAX_ROWS = 16

OnDone = Callable[[Job, list[list[int]]], Iterable[Job]]  # a finished job's continuations → more jobs


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
        return [found[0] for found in self._each(prompts, max_new, lambda _prompt: [Greedy()])]

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
        return self._each(prompts, max_new, lambda prompt: self.pickers(prompt, count, temperature, top_k))

    def _each(
        self, prompts: Sequence[Sequence[int]], max_new: Sequence[int], pickers_of
    ) -> list[list[list[int]]]:
        """Every prompt's continuations (one per picker ``pickers_of(prompt)`` gives), in order."""
        outputs: list[list[list[int]]] = [[] for _ in prompts]

        def done(job: Job, found: list[list[int]]) -> list[Job]:
            outputs[job.tag] = found
            return []

        # Longest prompts first: the slow ones do not trail at the end.
        order = sorted(range(len(prompts)), key=lambda i: -len(prompts[i]))
        self.run([Job(prompts[i], max_new[i], pickers_of(prompts[i]), i) for i in order], done)
        return outputs

    @staticmethod
    def pickers(prompt: Sequence[int], count: int, temperature: float, top_k: int) -> list[Picker]:
        """Greedy, then ``count - 1`` top-k samplers seeded from the prompt."""
        seed = prompt_seed(prompt)
        return [Greedy()] + [TopKSampler(seed + k, temperature, top_k) for k in range(1, max(1, count))]

    def run(self, jobs: Iterable[Job], on_done: OnDone, on_join: Callable[[Job], None] | None = None) -> None:
        """Decode ``jobs`` with continuous batching: up to ``batch_size`` jobs (and ``MAX_ROWS`` rows) at
        once, a finished row's place taken by the next job at once. ``on_done(job, continuations)`` is
        called as each job finishes, one continuation per picker; the jobs it returns run next.
        ``on_join(job)`` is told as each job's rows join the batch (its own time starts then)."""
        import torch

        queue = deque(jobs)
        batch = Batch(queue, self.batch_size, MAX_ROWS)
        members: dict[int, list[Row]] = {}  # each running job's rows, finished ones included
        with torch.inference_mode():
            prefixes = self._family_prefixes(queue)
            while True:
                picking = list(batch.rows)  # every row has fresh scores after a step
                # Finished rows leave and waiting jobs join before the next step: no step runs short
                # of a row while a job waits.
                while True:
                    joined = self._admit(queue, batch, prefixes)
                    if not picking and not joined:
                        break
                    for row in joined:
                        if id(row.job) not in members and on_join is not None:
                            on_join(row.job)
                        members.setdefault(id(row.job), []).append(row)
                    self._pick(picking + joined)
                    self._hand_over(members, batch, queue, on_done)
                    picking = []
                if not batch.rows:
                    return
                self._step(batch, [row.tokens[-1] for row in batch.rows])

    def _pick(self, rows: list[Row]) -> None:
        """Each row's next token; a row is done at a stop token or its limit."""
        for row in rows:
            token = row.picker(self.penalty(row.logits, row.seen))
            if token in self.stop_ids:
                row.done = True
                continue
            row.tokens.append(token)
            row.seen.add(token)
            row.done = len(row.tokens) >= row.job.max_new

    def _hand_over(self, members: dict[int, list[Row]], batch: Batch, queue: deque, on_done: OnDone) -> None:
        """Drop finished rows; hand each job whose rows have all finished to ``on_done``."""
        batch.keep([slot for slot, row in enumerate(batch.rows) if not row.done])
        running = {id(row.job) for row in batch.rows}
        for key in [key for key in members if key not in running]:
            rows = members.pop(key)
            # A finished job's follow-ups go first: its article is then done the soonest.
            queue.extendleft(reversed(list(on_done(rows[0].job, [r.tokens for r in rows]))))

    def _family_prefixes(self, jobs: Iterable[Job]) -> dict:
        """Per family of two or more jobs, the prefix its prompts share (read now unless kept)."""
        families: dict = {}
        for job in jobs:
            families.setdefault(job.family, []).append(job.prompt)
        return {
            family: self.prefixes.for_prompts(prompts)
            for family, prompts in families.items()
            if len(prompts) > 1
        }

    def _admit(self, queue: deque, batch: Batch, prefixes: dict) -> list[Row]:
        """Read waiting jobs' prompts into the batch while it has room; the rows that joined."""
        joining: list[tuple[Row, list]] = []
        jobs, rows = batch.jobs(), len(batch.rows)
        while queue and jobs < self.batch_size:
            job = queue[0]
            if rows and rows + len(job.pickers) > MAX_ROWS:
                break
            queue.popleft()
            prefix = self.prefixes.fitting(job.prompt, prefixes.get(job.family))
            layers, logits = self._read_prompt(job.prompt, prefix)
            for index in range(len(job.pickers)):
                # The penalty rewrites scores in place: each row scores its own copy.
                scores = logits if index == 0 else logits.clone()
                joining.append((Row(job, index, set(job.prompt), len(job.prompt), scores), layers))
            jobs, rows = jobs + 1, rows + len(job.pickers)
        if joining:
            batch.join(joining)
        return [row for row, _ in joining]

    def _step(self, batch: Batch, tokens: list[int]) -> None:
        """Feed each live row its token; their next scores land on the rows."""
        out = self.model(
            **batch.inputs(tokens, self.device),
            use_cache=True,
            logits_to_keep=1,
            **{self._cache_arg: batch.cache},
        )
        batch.stepped(out.logits[:, -1].float())

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
