"""The ``llm`` backend: a chat-template causal LM (Qwen2.5 by default) on CPU, greedy (headlines: the
consensus of the greedy one and a few samples, consensus.py).

Weights are int8 by default (``quantize``; see quantize.py for why and what it costs), bf16 otherwise.
Decoding (decoding.py) reads the shared prompt prefix once, each article's tokens without padding, and
generates in batches, which is where int8 kernels make several sequences nearly as cheap as one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from app.errors import ModelError
from app.summarise import guard, prompts
from app.summarise.base import Request
from app.summarise.consensus import consensus_index
from app.summarise.decoding import GreedyDecoder
from app.summarise.limits import limit_output
from app.summarise.quantize import int8_supported, load_int8_model

# Rows (batch × tokens) from which a bf16 linear layer runs in fp32 instead (see upcast_prompt_reading).
UPCAST_ROWS = 32


def _cpu_has_native_bf16() -> bool:
    try:
        flags = Path("/proc/cpuinfo").read_text(encoding="ascii", errors="replace")
    except OSError:
        return False
    return "avx512_bf16" in flags or "amx_bf16" in flags


def upcast_prompt_reading(model) -> int:
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


def chat_prompt_ids(tokenizer, request: Request, shot_set: int = 0) -> list[int]:
    """The request's prompt (prompts.py, with its style's ``shot_set``-th set of examples) in the
    tokenizer's chat template, as token ids."""
    messages = prompts.chat_messages(
        request.style.name, request.max_chars, request.title, request.text, request.strict, shot_set
    )
    text = tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
    return tokenizer(text, add_special_tokens=False).input_ids


def model_identity(name: str, weights: str) -> str:
    """The name summaries are stored under: the model's, marked when its weights are int8."""
    return f"{name}+int8" if weights == "int8" else name


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


def _choose(texts: list[str], request: Request) -> int:
    """The consensus candidate, preferring those the faithfulness guard passes: a sampled headline
    that keeps to the article beats a retry with the strict prompt or the extractive fallback."""
    # Compared as they will be shown: cleaned and cut to the request's limit.
    shown = [limit_output(t, request.style, request.max_chars) for t in texts]
    source = "\n".join(p for p in (request.title, request.text) if p)
    faithful = [k for k, text in enumerate(shown) if text and guard.check(text, source).ok]
    grounding = float(prompts.GENERATION["consensus_grounding"])
    return consensus_index(shown, faithful or None, source=source, grounding=grounding)


class LLMSummariser:
    backend = "llm"
    verbatim = False

    def __init__(
        self,
        path: Path,
        name: str,
        *,
        batch_size: int = 4,
        threads: int = 2,
        quantize: str = "int8",
        progress: Callable[[str, int, int], None] | None = None,
    ) -> None:
        import torch
        from transformers import AutoTokenizer

        torch.set_num_threads(max(1, threads))
        self.prompt_version = prompts.PROMPT_VERSION
        self.batch_size = max(1, batch_size)
        self.input_budget = int(prompts.GENERATION["input_budget_tokens"])
        try:
            self.tokenizer = AutoTokenizer.from_pretrained(path, trust_remote_code=False)
        except (OSError, ValueError) as exc:
            raise ModelError(f"{path}: cannot load the tokenizer: {exc}") from exc
        if getattr(self.tokenizer, "chat_template", None) is None:
            raise ModelError(
                f"{path}: the tokenizer has no chat template (not a chat model): try --backend seq2seq"
            )
        # What actually runs, recorded for the bench and the README (int8 needs fbgemm: x86 builds).
        self.weights = "int8" if quantize == "int8" and int8_supported() else "bf16"
        # Part of every cached summary's key: int8 and bf16 write different summaries.
        self.model_name = model_identity(name, self.weights)
        self.model = self._load(path, threads, progress)
        self.upcast_layers = 0
        if self.weights == "bf16" and not _cpu_has_native_bf16():
            self.upcast_layers = upcast_prompt_reading(self.model)
        self.decoder = GreedyDecoder(
            self.model,
            stop_ids=_stop_ids(self.tokenizer, self.model),
            batch_size=self.batch_size,
            repetition_penalty=float(prompts.GENERATION["repetition_penalty"]),
        )

    def _load(self, path: Path, threads: int, progress):
        import torch
        from transformers import AutoModelForCausalLM

        try:
            if self.weights == "int8":
                return load_int8_model(path, threads, progress)
            model = AutoModelForCausalLM.from_pretrained(
                path, dtype=torch.bfloat16, trust_remote_code=False, use_safetensors=True
            )
        except (OSError, ValueError) as exc:
            raise ModelError(f"{path}: cannot load a causal language model: {exc}") from exc
        return model.eval()

    def input_tokens(self, text: str) -> int:
        return len(self.tokenizer(text, add_special_tokens=False).input_ids)

    def prompt_ids(self, request: Request) -> list[int]:
        return chat_prompt_ids(self.tokenizer, request)

    def generate(self, requests: Sequence[Request]) -> list[str]:
        limits = [prompts.max_new_tokens(r.max_chars) for r in requests]
        answers: list[str] = [""] * len(requests)
        by_style: dict[str, list[int]] = {}
        for i, request in enumerate(requests):
            by_style.setdefault(request.style.name, []).append(i)
        for style, group in by_style.items():
            count = prompts.CANDIDATES.get(style, 1)
            if count <= 1:
                encoded = [self.prompt_ids(requests[i]) for i in group]
                tokens = self.decoder.generate(encoded, [limits[i] for i in group])
                for i, t in zip(group, tokens, strict=True):
                    answers[i] = self._text(t)
                continue
            options: list[list[str]] = [[] for _ in group]
            sets = len(prompts.shot_sets(style))
            # The candidates are shared out among the example sets, the first set's greedy answer first.
            for shot_set in range(sets):
                encoded = [chat_prompt_ids(self.tokenizer, requests[i], shot_set) for i in group]
                found = self.decoder.candidates(
                    encoded,
                    [limits[i] for i in group],
                    count // sets + (1 if shot_set < count % sets else 0),
                    temperature=float(prompts.GENERATION["candidate_temperature"]),
                    top_k=int(prompts.GENERATION["candidate_top_k"]),
                )
                for texts, tokens in zip(options, found, strict=True):
                    texts.extend(self._text(t) for t in tokens)
            for i, texts in zip(group, options, strict=True):
                answers[i] = texts[_choose(texts, requests[i])]
        return answers

    def _text(self, tokens: list[int]) -> str:
        return self.tokenizer.decode(tokens, skip_special_tokens=True).strip()
