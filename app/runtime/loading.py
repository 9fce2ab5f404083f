"""A causal LM from its folder with the weights asked for, and the tokens that end its answers."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from zhaiyao.errors import ModelError
from zhaiyao.runtime.bf16 import load_bf16_model, upcast_prompt_reading
from zhaiyao.runtime.cpu import native_bf16
from zhaiyao.runtime.device import Placement
from zhaiyao.runtime.int8 import load_int8_model
from zhaiyao.runtime.memory import keep_freed_memory

Progress = Callable[[str, int, int], None]


def load_causal_lm(path: Path, placement: Placement, threads: int = 2, progress: Progress | None = None):
    """The model in ``path`` with the placement's weights, on its device, in eval mode."""
    if placement.weights == "int8":
        try:
            model = load_int8_model(path, threads, progress, placement.int8_kernel)
        except (OSError, ValueError) as exc:
            raise ModelError(f"{path}: cannot load a causal language model: {exc}") from exc
    else:
        model = load_bf16_model(path)
        if placement.accelerator:
            return model.to(placement.device)
        if not native_bf16():
            upcast_prompt_reading(model)
    keep_freed_memory()  # a CPU model reads its prompts in host memory
    return model


def stop_ids(tokenizer, model) -> list[int]:
    """Token ids that end an answer: the model's configured end tokens and the chat template's."""
    ids: set[int] = set()
    configured = getattr(model.generation_config, "eos_token_id", None)
    if isinstance(configured, int):
        ids.add(configured)
    elif configured:
        ids.update(configured)
    if tokenizer.eos_token_id is not None:
        ids.add(tokenizer.eos_token_id)
    for token in ("<|im_end|>", "<|endoftext|>"):
        tid = tokenizer.convert_tokens_to_ids(token)
        if isinstance(tid, int) and tid != tokenizer.unk_token_id:
            ids.add(tid)
    return sorted(ids)
