"""Activation smoothing before int8 quantisation (SmoothQuant, Xiao et al. 2023), folded into the weights.

Why: an input's quantisation scale is set by its largest values, so when a few input channels are
large (Qwen's MLP inputs reach many times their median) the small channels lose their bits, and plain
int8 summaries fall well below bf16's. Dividing each input channel j by
``s_j = max|X_j|^α / max|W_·j|^(1-α)`` and multiplying the weight's column j by ``s_j`` leaves every
product unchanged in exact arithmetic but evens out the ranges. α was chosen by how often int8 picks
bf16's token on bf16's own headlines (docs/speed.md has the figures).

The division is folded into whatever produces the input, so nothing runs at inference time:
the RMSNorm weight before q/k/v, before gate/up and before the output head, and the rows of up_proj
for down_proj's input (down_proj reads ``act(gate) * up``). Only decoder layouts known to have plain
``weight * x`` RMSNorms are smoothed; any other model is quantised as it is.

The input ranges come from one short calibration pass over two frozen prompts over the bundled sample
page (``CALIBRATION_FILE``), never from scored eval rows.
"""

from __future__ import annotations

import gc
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from zhaiyao.errors import ModelError
from zhaiyao.runtime.bf16 import load_bf16_model, upcast_prompt_reading

ALPHA = 0.75
# Norms here are ``weight * normalised(x)``; Gemma's ``(1 + weight) * …`` would need another fold.
SMOOTHABLE_MODEL_TYPES = frozenset({"qwen2", "qwen3", "llama", "mistral"})
# Two articles of the bundled sample page (400 characters each, enough for the ranges to settle and cheap
# on 2 cores) inside the headline and brief prompts of prompt version 2026-11-25.2. Kept as data rather
# than built from prompts.py and the splitter: the int8 copy is cached per model, so calibration that
# followed prompt tuning would give new users other weights than existing caches hold.
CALIBRATION_FILE = Path(__file__).resolve().parents[1] / "data" / "int8_calibration.json"


@dataclass(frozen=True)
class Group:
    """Linear layers reading the same input, and the tensor that produces that input."""

    producer: str  # a norm's weight (scaled elementwise) or a linear weight (scaled by rows)
    linears: tuple[str, ...]


def smoothing_groups(linear_names: Iterable[str], head: str, final_norm: str) -> list[Group]:
    names = set(linear_names)
    groups = []
    for name in sorted(names):
        match = re.fullmatch(r"(.+)\.self_attn\.q_proj", name)
        if match:
            p = match.group(1)
            qkv = tuple(f"{p}.self_attn.{x}_proj" for x in "qkv")
            mlp = (f"{p}.mlp.gate_proj", f"{p}.mlp.up_proj")
            if set(qkv) <= names:
                groups.append(Group(f"{p}.input_layernorm.weight", qkv))
            if set(mlp) <= names:
                groups.append(Group(f"{p}.post_attention_layernorm.weight", mlp))
            if f"{p}.mlp.down_proj" in names and f"{p}.mlp.up_proj" in names:
                groups.append(Group(f"{p}.mlp.up_proj.weight", (f"{p}.mlp.down_proj",)))
    if head in names and final_norm:
        groups.append(Group(final_norm, (head,)))
    return groups


def calibration_prompts(tokenizer) -> list[list[int]]:
    """Token ids of the frozen calibration chats (``CALIBRATION_FILE``) in the model's chat template."""
    import json

    try:
        chats = json.loads(CALIBRATION_FILE.read_text(encoding="utf-8"))["chats"]
    except (OSError, ValueError, KeyError) as exc:
        raise ModelError(f"{CALIBRATION_FILE}: cannot read the int8 calibration chats: {exc}") from exc
    rendered = [tokenizer.apply_chat_template(c, tokenize=False, add_generation_prompt=True) for c in chats]
    return [tokenizer(text, add_special_tokens=False).input_ids for text in rendered]


def input_ranges(model, prompts: list[list[int]], linear_names: Iterable[str]) -> dict[str, object]:
    """max |input| per input channel of each named linear layer over the prompts."""
    import torch

    ranges: dict[str, torch.Tensor] = {}
    modules = dict(model.named_modules())

    def watch(name: str):
        def hook(_module, args):
            x = args[0].detach().float()
            seen = x.reshape(-1, x.shape[-1]).abs().amax(dim=0)
            ranges[name] = seen if name not in ranges else torch.maximum(ranges[name], seen)

        return hook

    handles = [modules[n].register_forward_pre_hook(watch(n)) for n in linear_names]
    try:
        with torch.inference_mode():
            for ids in prompts:
                model(input_ids=torch.tensor([ids]), logits_to_keep=1)
    finally:
        for handle in handles:
            handle.remove()
    return ranges


def smoothing_factors(
    groups: list[Group], ranges: dict, column_max: Callable[[str], object], alpha: float | None = None
) -> dict[str, object]:
    """Per group, the factor s (one per input channel), keyed by the group's producer tensor."""
    import torch

    alpha = ALPHA if alpha is None else alpha
    factors = {}
    for group in groups:
        if any(n not in ranges for n in group.linears):
            continue
        activations = ranges[group.linears[0]].clamp(min=1e-5)
        weights = torch.stack([column_max(n) for n in group.linears]).amax(dim=0).clamp(min=1e-5)
        factors[group.producer] = (activations.pow(alpha) / weights.pow(1 - alpha)).clamp(min=1e-5)
    return factors


class Smoother:
    """Applies the factors to tensors as they are read: producers divided, consumers' columns scaled."""

    def __init__(self, groups: list[Group], factors: dict[str, object]) -> None:
        self.divide = dict(factors)  # producer tensor key → s
        self.columns = {}  # linear name → s
        for group in groups:
            if group.producer in factors:
                for name in group.linears:
                    self.columns[name] = factors[group.producer]

    def weight(self, linear: str, weight):
        """A linear layer's weight, smoothed (fp32)."""
        w = weight.float()
        if linear in self.columns:
            w = w * self.columns[linear][None, :]
        produced = self.divide.get(f"{linear}.weight")
        if produced is not None:  # this layer's output feeds a smoothed layer: scale its rows
            w = w / produced[:, None]
        return w

    def other(self, key: str, tensor):
        """Any other tensor (norm weights are divided when they produce a smoothed input)."""
        factor = self.divide.get(key)
        return tensor if factor is None else tensor.float() / factor


def plan(path: Path, model_type: str, linear_names: list[str], head: str, final_norm: str, column_max):
    """A Smoother for the model in ``path`` (calibrated on its bf16 weights), or None if not smoothable."""
    if model_type not in SMOOTHABLE_MODEL_TYPES:
        return None
    from transformers import AutoTokenizer

    groups = smoothing_groups(linear_names, head, final_norm)
    if not groups:
        return None
    tokenizer = AutoTokenizer.from_pretrained(path, trust_remote_code=False)
    # bf16 in memory (fp32 would need 6 GB for 1.5B parameters); the prompt's products run in fp32 on
    # every CPU, so the calibration does not depend on whether this one has native bf16.
    model = load_bf16_model(path)
    upcast_prompt_reading(model)
    linears = [n for g in groups for n in g.linears]
    try:
        ranges = input_ranges(model.eval(), calibration_prompts(tokenizer), linears)
    finally:
        del model
        gc.collect()
    return Smoother(groups, smoothing_factors(groups, ranges, column_max))
