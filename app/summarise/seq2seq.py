"""The ``seq2seq`` backend: encoder-decoder summarisation models (Pegasus, mT5, BART) via transformers.

These models are trained to summarise bare text, so there is no instruction prompt: the style shows
only in the output length (new tokens sized to the limit) and in the shared length limiting after.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Sequence
from pathlib import Path

from zhaiyao.errors import ModelError
from zhaiyao.summarise import prompts
from zhaiyao.summarise.base import Request
from zhaiyao.summarise.options import GenerationOptions, identity_suffix

# BERT-style Chinese vocabularies decode as characters joined by spaces; a space touching a non-ASCII
# character is an artefact, one between two Latin words is not.
_JOIN_CJK = re.compile(r"(?<=[^\x00-\x7f]) +| +(?=[^\x00-\x7f])")


class Seq2SeqSummariser:
    backend = "seq2seq"
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
        device: str = "auto",
    ) -> None:
        import torch
        from transformers import AutoModelForSeq2SeqLM, AutoTokenizer, GenerationConfig
        from zhaiyao.runtime.device import choose_device

        torch.set_num_threads(max(1, threads))
        self.model_name = name
        self.options = options or GenerationOptions()
        self.prompt_version = prompts.PROMPT_VERSION + identity_suffix(overrides)
        self.batch_size = max(1, batch_size)
        try:
            self.tokenizer = AutoTokenizer.from_pretrained(path, trust_remote_code=False)
            self.model = AutoModelForSeq2SeqLM.from_pretrained(
                path, dtype=torch.float32, trust_remote_code=False, use_safetensors=True
            )
        except (OSError, ValueError) as exc:
            raise ModelError(f"{path}: cannot load a seq2seq summarisation model: {exc}") from exc
        self.device, _ = choose_device(device)
        self.model.to(self.device).eval()
        limit = getattr(self.model.config, "max_position_embeddings", None) or 512
        self.input_budget = min(self.options.input_budget, int(limit))
        config = self.model.generation_config
        pad = config.pad_token_id if config.pad_token_id is not None else self.tokenizer.pad_token_id
        start = config.decoder_start_token_id
        if start is None:
            start = self.model.config.decoder_start_token_id
        self.generation = GenerationConfig(
            do_sample=False,
            num_beams=self.options.num_beams,
            no_repeat_ngram_size=self.options.no_repeat_ngram_size,
            eos_token_id=config.eos_token_id,
            pad_token_id=pad,
            decoder_start_token_id=start,
            repetition_penalty=self.options.repetition_penalty,
        )

    def input_tokens(self, text: str) -> int:
        return len(self.tokenizer(text).input_ids)

    def generate(self, requests: Sequence[Request]) -> list[list[str]]:
        import torch

        texts = [prompts.SEQ2SEQ_PREFIX + r.text for r in requests]
        lengths = [self.input_tokens(t) for t in texts]
        order = sorted(range(len(texts)), key=lambda i: -lengths[i])
        outputs = [""] * len(texts)
        for start in range(0, len(order), self.batch_size):
            batch = order[start : start + self.batch_size]
            enc = self.tokenizer(
                [texts[i] for i in batch], return_tensors="pt", padding=True, truncation=False
            ).to(self.device)
            config = copy.copy(self.generation)
            config.max_new_tokens = max(self.options.new_tokens(requests[i].max_chars) for i in batch)
            with torch.inference_mode():
                out = self.model.generate(**enc, generation_config=config)
            for row, i in enumerate(batch):
                text = self.tokenizer.decode(out[row], skip_special_tokens=True)
                outputs[i] = _JOIN_CJK.sub("", text).strip()
        return [[text] for text in outputs]
