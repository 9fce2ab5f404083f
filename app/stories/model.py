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
