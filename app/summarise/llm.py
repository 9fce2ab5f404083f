"""The ``llm`` backend: a chat-template causal LM (Qwen2.5 by default) turning requests into candidates.

This is where policy meets the runtime: the request's prompt (prompts.py) goes through the tokenizer's
chat template to token ids, and the runtime's decoder (zhaiyao.runtime) continues them, greedily, or with a
few seeded samples beside the greedy answer when the policy asks for several candidates (headlines: the
candidates are shared out among the style's example sets, so they agree on the article rather than on
one prompt's habits). Choosing among candidates is the policy's (zhaiyao.summarise.choose).

Weights are int8 by default on CPU (zhaiyao.runtime.int8), bf16 on an accelerator or when asked for
(zhaiyao.runtime.device says which, and why).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from zhaiyao.errors import ModelError
from zhaiyao.runtime.decoding import Decoder, Job
from zhaiyao.runtime.device import place
from zhaiyao.runtime.loading import load_causal_lm, stop_ids
from zhaiyao.runtime.processors import Greedy
from zhaiyao.runtime.tokenizer import load_tokenizer
from zhaiyao.summarise import prompts
from zhaiyao.summarise.base import OnAnswer, Request
from zhaiyao.summarise.options import GenerationOptions, identity_suffix


def chat_prompt_ids(tokenizer, request: Request, shot_set: int = 0) -> list[int]:
    """The request's prompt (prompts.py, with its style's ``shot_set``-th set of examples) in the
    tokenizer's chat template, as token ids."""
    messages = prompts.chat_messages(
        request.style.name,
        request.max_chars,
        request.title,
        request.text,
        request.strict,
        shot_set,
        request.hint,
    )
    text = tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
    return tokenizer(text, add_special_tokens=False).input_ids


def model_identity(name: str, weights: str, int8_kernel: str = "onednn") -> str:
    """The name summaries are stored under: the model's, marked when its weights are int8, and with
    which kernel (they round differently); fbgemm's summaries keep the plain ``+int8`` they were first
    stored under."""
    if weights != "int8":
        return name
    return f"{name}+int8" if int8_kernel == "fbgemm" else f"{name}+int8-{int8_kernel}"


def parse_model_identity(identity: str) -> tuple[str, str, str]:
    """(model name, weights, int8 kernel) back from ``model_identity``'s name."""
    name, sep, tail = identity.rpartition("+int8")
    if not sep or tail not in ("", "-int_mm", "-onednn"):
        return identity, "bf16", "onednn"
    return name, "int8", tail.removeprefix("-") or "fbgemm"


class LLMSummariser:
    backend = "llm"
    verbatim = False

    def __init__(
        self,
        path: Path,
        name: str,
        *,
        options: GenerationOptions | None = None,
        overrides: Sequence[tuple[str, object]] = (),
        batch_size: int = 4,
        threads: int = 2,
        quantize: str = "int8",
        device: str = "auto",
        int8_kernel: str = "onednn",
        progress: Callable[[str, int, int], None] | None = None,
    ) -> None:
        import torch

        torch.set_num_threads(max(1, threads))
        self.options = options or GenerationOptions()
        self.prompt_version = prompts.PROMPT_VERSION + identity_suffix(overrides)
        self.batch_size = max(1, batch_size)
        self.input_budget = self.options.input_budget
        self.tokenizer = load_tokenizer(path)
        if getattr(self.tokenizer, "chat_template", None) is None:
            raise ModelError(
                f"{path}: the tokenizer has no chat template (not a chat model): try --backend seq2seq"
            )
        # What actually runs (device, weights, kernels and why), recorded for the bench and `info`.
        self.placement = place(device, quantize, int8_kernel)
        self.weights = self.placement.weights
        # Part of every cached summary's key: int8 and bf16 (and the int8 kernels) write different ones.
        self.model_name = model_identity(name, self.weights, self.placement.int8_kernel)
        self.model = load_causal_lm(path, self.placement, threads, progress)
        self.decoder = Decoder(
            self.model,
            stop_ids=stop_ids(self.tokenizer, self.model),
            batch_size=self.batch_size,
            repetition_penalty=self.options.repetition_penalty,
        )

    def input_tokens(self, text: str) -> int:
        return len(self.tokenizer(text, add_special_tokens=False).input_ids)

    def prompt_ids(self, request: Request) -> list[int]:
        return chat_prompt_ids(self.tokenizer, request)

    def generate(self, requests: Sequence[Request]) -> list[list[str]]:
        """Per request, its candidates: the greedy answer first, then samples if it asks for more."""
        answers: dict[int, list[str]] = {}

        def keep(request: Request, candidates: list[str]) -> list[Request]:
            answers[id(request)] = candidates
            return []

        self.serve(requests, keep)
        return [answers[id(r)] for r in requests]

    def serve(
        self,
        requests: Iterable[Request],
        on_answer: OnAnswer,
        on_start: Callable[[Request], None] | None = None,
    ) -> None:
        """Answer ``requests`` as each finishes, with continuous batching (zhaiyao.runtime.decoding);
        ``on_answer(request, candidates)`` may return more requests (a retry), which run next;
        ``on_start(request)`` is told when a request's first job joins the batch.

        A request asking for several candidates (headlines) shares them out among its style's example
        sets: one job per set, the first set's greedy answer first."""
        parts: dict[int, list[list[str] | None]] = {}

        def done(job: Job, found: list[list[int]]) -> list[Job]:
            request, index = job.tag
            got = parts[id(request)]
            got[index] = [self._text(tokens) for tokens in found]
            if any(p is None for p in got):
                return []
            del parts[id(request)]
            follow = on_answer(request, [text for texts in got for text in texts])
            return [j for r in follow for j in jobs(r)]

        def jobs(request: Request) -> list[Job]:
            limit = self._limit(request)
            if request.candidates <= 1:
                parts[id(request)] = [None]
                family = (request.style.name, request.strict, 0)
                return [Job(self.prompt_ids(request), limit, [Greedy()], (request, 0), family)]
            sets = len(prompts.shot_sets(request.style.name))
            count = request.candidates
            shares = [count // sets + (1 if k < count % sets else 0) for k in range(sets)]
            shares = [n for n in shares if n]
            parts[id(request)] = [None] * len(shares)
            made = []
            for shot_set, share in enumerate(shares):
                ids = chat_prompt_ids(self.tokenizer, request, shot_set)
                options = self.options
                pickers = self.decoder.pickers(
                    ids, share, options.candidate_temperature, options.candidate_top_k
                )
                family = (request.style.name, request.strict, shot_set)
                made.append(Job(ids, limit, pickers, (request, shot_set), family))
            return made

        # Longest prompts first: the slow ones do not trail at the end of a run.
        queued = sorted((j for r in requests for j in jobs(r)), key=lambda j: -len(j.prompt))
        begun: set[int] = set()

        def joined(job: Job) -> None:
            request = job.tag[0]
            if on_start is not None and id(request) not in begun:
                begun.add(id(request))
                on_start(request)

        self.decoder.run(queued, done, on_join=joined)

    def _limit(self, request: Request) -> int:
        return self.options.new_tokens(request.max_chars)

    def _text(self, tokens: list[int]) -> str:
        return self.tokenizer.decode(tokens, skip_special_tokens=True).strip()
