"""The ``llm`` backend: a chat-template causal LM (Qwen2.5 by default) turning requests into candidates.

This is where policy meets the runtime: the request's prompt (prompts.py) goes through the tokenizer's
chat template to token ids, and the runtime's decoder (app.runtime) continues them, greedily, or with a
few seeded samples beside the greedy answer when the policy asks for several candidates (headlines: the
candidates are shared out among the style's example sets, so they agree on the article rather than on
one prompt's habits). Choosing among candidates is the policy's (app.summarise.choose).

Weights are int8 by default on CPU (app.runtime.int8), bf16 on an accelerator or when asked for
(app.runtime.device says which, and why).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from app.errors import ModelError
from app.runtime.decoding import Decoder
from app.runtime.device import place
from app.runtime.loading import load_causal_lm, stop_ids
from app.summarise import prompts
from app.summarise.base import Request
from app.summarise.options import GenerationOptions, identity_suffix


def chat_prompt_ids(tokenizer, request: Request, shot_set: int = 0) -> list[int]:
    """The request's prompt (prompts.py, with its style's ``shot_set``-th set of examples) in the
    tokenizer's chat template, as token ids."""
    messages = prompts.chat_messages(
        request.style.name, request.max_chars, request.title, request.text, request.strict, shot_set
    )
    text = tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
    return tokenizer(text, add_special_tokens=False).input_ids


def model_identity(name: str, weights: str, int8_kernel: str = "fbgemm") -> str:
    """The name summaries are stored under: the model's, marked when its weights are int8 (and with
    which kernel, when not the default: the kernels round differently)."""
    if weights != "int8":
        return name
    return f"{name}+int8" if int8_kernel == "fbgemm" else f"{name}+int8-{int8_kernel}"


def parse_model_identity(identity: str) -> tuple[str, str, str]:
    """(model name, weights, int8 kernel) back from ``model_identity``'s name."""
    name, sep, tail = identity.rpartition("+int8")
    if not sep or tail not in ("", "-int_mm"):
        return identity, "bf16", "fbgemm"
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
        int8_kernel: str = "fbgemm",
        progress: Callable[[str, int, int], None] | None = None,
    ) -> None:
        import torch
        from transformers import AutoTokenizer

        torch.set_num_threads(max(1, threads))
        self.options = options or GenerationOptions()
        self.prompt_version = prompts.PROMPT_VERSION + identity_suffix(overrides)
        self.batch_size = max(1, batch_size)
        self.input_budget = self.options.input_budget
        try:
            self.tokenizer = AutoTokenizer.from_pretrained(path, trust_remote_code=False)
        except (OSError, ValueError) as exc:
            raise ModelError(f"{path}: cannot load the tokenizer: {exc}") from exc
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
        answers: list[list[str]] = [[] for _ in requests]
        groups: dict[int, list[int]] = {}
        for i, request in enumerate(requests):
            groups.setdefault(max(1, request.candidates), []).append(i)
        for count, group in groups.items():
            if count == 1:
                encoded = [self.prompt_ids(requests[i]) for i in group]
                tokens = self.decoder.generate(encoded, [self._limit(requests[i]) for i in group])
                for i, t in zip(group, tokens, strict=True):
                    answers[i] = [self._text(t)]
                continue
            for i, texts in zip(group, self._candidates([requests[i] for i in group], count), strict=True):
                answers[i] = texts
        return answers

    def _candidates(self, requests: list[Request], count: int) -> list[list[str]]:
        """``count`` candidates per request, shared out among the example sets of each request's style,
        the first set's greedy answer first."""
        options: list[list[str]] = [[] for _ in requests]
        by_style: dict[str, list[int]] = {}
        for i, request in enumerate(requests):
            by_style.setdefault(request.style.name, []).append(i)
        for style, group in by_style.items():
            sets = len(prompts.shot_sets(style))
            for shot_set in range(sets):
                found = self.decoder.candidates(
                    [chat_prompt_ids(self.tokenizer, requests[i], shot_set) for i in group],
                    [self._limit(requests[i]) for i in group],
                    count // sets + (1 if shot_set < count % sets else 0),
                    temperature=self.options.candidate_temperature,
                    top_k=self.options.candidate_top_k,
                )
                for i, tokens in zip(group, found, strict=True):
                    options[i].extend(self._text(t) for t in tokens)
        return options

    def _limit(self, request: Request) -> int:
        return self.options.new_tokens(request.max_chars)

    def _text(self, tokens: list[int]) -> str:
        return self.tokenizer.decode(tokens, skip_special_tokens=True).strip()
