"""The loaded chat model (the ``llm`` summariser's tokenizer and decoder) asked plain chat questions:
the arbiter's 是/否 and the digest's headline and cited summary."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


class ChatModel:
    def __init__(self, summariser: Any) -> None:
        self.tokenizer = summariser.tokenizer
        self.decoder = summariser.decoder
        self.model_name: str = getattr(summariser, "model_name", "")

    def prompt_ids(self, messages: list[dict[str, str]]) -> list[int]:
        text = self.tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
        return self.tokenizer(text, add_special_tokens=False).input_ids

    def ask(self, conversations: Sequence[list[dict[str, str]]], max_new: int) -> list[str]:
        """Each conversation's greedy answer (the decoder batches them and reads a shared prefix once)."""
        if not conversations:
            return []
        prompts = [self.prompt_ids(m) for m in conversations]
        found = self.decoder.generate(prompts, [max_new] * len(prompts))
        return [self.tokenizer.decode(tokens, skip_special_tokens=True).strip() for tokens in found]


class _Margin:
    """A picker that notes how far ``yes`` leads ``no`` in the scores, then picks greedily."""

    def __init__(self, yes: int, no: int) -> None:
        self.yes, self.no = yes, no
        self.margin = 0.0

    def __call__(self, scores) -> int:
        import torch

        self.margin = float(scores[self.yes] - scores[self.no])
        return int(torch.argmax(scores))


def margins(
    model: ChatModel, conversations: Sequence[list[dict[str, str]]], yes: str, no: str
) -> list[float]:
    """For each conversation, the score of answering ``yes`` minus that of ``no`` (first token of
    each), read from one decoding step; the prompts share their instruction, read once."""
    from zhaiyao.runtime.decoding import Job

    yes_id = model.tokenizer(yes, add_special_tokens=False).input_ids[0]
    no_id = model.tokenizer(no, add_special_tokens=False).input_ids[0]
    pickers = [_Margin(yes_id, no_id) for _ in conversations]
    jobs = [
        Job(model.prompt_ids(c), 1, [p], i, family="yes-no")
        for i, (c, p) in enumerate(zip(conversations, pickers, strict=True))
    ]
    model.decoder.run(sorted(jobs, key=lambda j: -len(j.prompt)), lambda job, found: [])
    return [p.margin for p in pickers]
