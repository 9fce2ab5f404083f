"""The ``llm`` backend: a chat-template causal LM (Qwen2.5 by default), bf16 on CPU, greedy.

Speed on 2 cores comes from batching: decoding one sequence is memory-bandwidth-bound, so several
sequences share each pass over the weights. Prompts are sorted by length before batching so a batch
holds similar lengths (little left padding to waste), and outputs are put back in request order.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from pathlib import Path

from app.errors import ModelError
from app.summarise import prompts
from app.summarise.base import Request

# Rows (batch × tokens) from which a bf16 linear layer is computed in fp32 instead (see _upcast_prefill).
UPCAST_ROWS = 32


def _cpu_has_native_bf16() -> bool:
    try:
        flags = Path("/proc/cpuinfo").read_text(encoding="ascii", errors="replace")
    except OSError:
        return False
    return "avx512_bf16" in flags or "amx_bf16" in flags


def _upcast_prefill(model) -> int:
    """Compute big bf16 matrix products (reading the prompt) in fp32, small ones (decoding) in bf16.

    Without native bf16 (AVX2 CPUs), PyTorch emulates bf16 GEMMs: decoding a few rows is fine, since it
    is bound by reading the weights (half the bytes of fp32), but a prompt's hundreds of rows run ~6×
    slower than fp32. Upcasting one layer's weight for such a product costs far less than that, and
    weights stay bf16 in memory. Returns how many layers were switched.
    """
    import torch
    import torch.nn.functional as F

    class PrefillUpcastLinear(torch.nn.Linear):
        def forward(self, x):
            if x.dtype == torch.bfloat16 and x.numel() // x.shape[-1] >= UPCAST_ROWS:
                bias = None if self.bias is None else self.bias.float()
                return F.linear(x.float(), self.weight.float(), bias).to(x.dtype)
            return F.linear(x, self.weight, self.bias)

    switched = 0
    for module in model.modules():
        if type(module) is torch.nn.Linear:
            module.__class__ = PrefillUpcastLinear
            switched += 1
    return switched


def _stop_ids(tokenizer, model) -> list[int]:
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


class LLMSummariser:
    backend = "llm"
    verbatim = False

    def __init__(self, path: Path, name: str, *, batch_size: int = 4, threads: int = 2) -> None:
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer, GenerationConfig

        torch.set_num_threads(max(1, threads))
        self.model_name = name
        self.prompt_version = prompts.PROMPT_VERSION
        self.batch_size = max(1, batch_size)
        self.input_budget = int(prompts.GENERATION["input_budget_tokens"])
        try:
            self.tokenizer = AutoTokenizer.from_pretrained(path, trust_remote_code=False)
            self.model = AutoModelForCausalLM.from_pretrained(
                path, dtype=torch.bfloat16, trust_remote_code=False, use_safetensors=True
            )
        except (OSError, ValueError) as exc:
            raise ModelError(f"{path}: cannot load a causal language model: {exc}") from exc
        if getattr(self.tokenizer, "chat_template", None) is None:
            raise ModelError(
                f"{path}: the tokenizer has no chat template (not a chat model): try --backend seq2seq"
            )
        self.model.eval()
        self.upcast_layers = 0 if _cpu_has_native_bf16() else _upcast_prefill(self.model)
        stop = _stop_ids(self.tokenizer, self.model)
        self.pad_id = self.tokenizer.pad_token_id if self.tokenizer.pad_token_id is not None else stop[0]
        # A fresh config: the model's own one may ask for sampling (temperature, top_p) we do not want.
        self.generation = GenerationConfig(
            do_sample=False,
            eos_token_id=stop,
            pad_token_id=self.pad_id,
            repetition_penalty=float(prompts.GENERATION["repetition_penalty"]),
        )

    def input_tokens(self, text: str) -> int:
        return len(self.tokenizer(text, add_special_tokens=False).input_ids)

    def prompt_ids(self, request: Request) -> list[int]:
        messages = prompts.chat_messages(
            request.style.name, request.max_chars, request.title, request.text, request.strict
        )
        text = self.tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
        return self.tokenizer(text, add_special_tokens=False).input_ids

    def generate(self, requests: Sequence[Request]) -> list[str]:
        import torch

        encoded = [self.prompt_ids(r) for r in requests]
        order = sorted(range(len(requests)), key=lambda i: -len(encoded[i]))
        outputs: list[str] = [""] * len(requests)
        for start in range(0, len(order), self.batch_size):
            batch = order[start : start + self.batch_size]
            width = max(len(encoded[i]) for i in batch)
            ids = torch.full((len(batch), width), self.pad_id, dtype=torch.long)
            mask = torch.zeros((len(batch), width), dtype=torch.long)
            for row, i in enumerate(batch):
                seq = encoded[i]
                ids[row, width - len(seq) :] = torch.tensor(seq, dtype=torch.long)
                mask[row, width - len(seq) :] = 1
            config = copy.copy(self.generation)
            config.max_new_tokens = max(prompts.max_new_tokens(requests[i].max_chars) for i in batch)
            with torch.inference_mode():
                out = self.model.generate(input_ids=ids, attention_mask=mask, generation_config=config)
            for row, i in enumerate(batch):
                outputs[i] = self.tokenizer.decode(out[row, width:], skip_special_tokens=True).strip()
        return outputs
