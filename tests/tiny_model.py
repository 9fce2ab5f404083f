"""A tiny, randomly initialised Qwen2 chat model built on the fly, for fast tests of the real llm code path.

Same architecture and the same on-disk shape as the default model's bf16 folder (config.json,
model.safetensors, tokenizer.json, tokenizer_config.json with a chat template), so it loads through
exactly the code that loads the real model; only the sizes differ. Its output is random text, which
is what the faithfulness guard's retry → fallback path needs to be exercised.
"""

from __future__ import annotations

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_PAGE = ROOT / "examples" / "zhuzhou_front_page.txt"
EVAL_DIR = Path("/work/shared/eval")

SPECIAL_TOKENS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]

# Qwen2.5's template, trimmed to what the summarisers use (system + user + assistant turns).
CHAT_TEMPLATE = (
    "{% for message in messages %}"
    "{% if loop.first and message['role'] != 'system' %}"
    "{{ '<|im_start|>system\\nYou are a helpful assistant.<|im_end|>\\n' }}"
    "{% endif %}"
    "{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}"
)

# Fixed training text besides the sample page, so the tokenizer covers digits, Latin and punctuation
# even when the shared eval files are absent (a fresh clone, CI).
_EXTRA_TEXT = (
    "0123456789 ０１２３４５６７８９ 2.4亿元 91.4% 9月27日 2019年 ABCDEFGHIJKLMNOPQRSTUVWXYZ "
    "abcdefghijklmnopqrstuvwxyz 。，、；：？！“”‘’（）《》…—·\n"
    "请用一句话概括下面这篇新闻。标题：正文：摘要：要点：关键词：不要编造文章没有的数字。"
)


def _training_lines() -> list[str]:
    lines = [_EXTRA_TEXT]
    if SAMPLE_PAGE.is_file():
        lines.extend(SAMPLE_PAGE.read_text(encoding="utf-8").splitlines())
    for name in ("lcsts_dev.jsonl", "sogou_titles_dev.jsonl"):
        path = EVAL_DIR / name
        if not path.is_file():
            continue
        for raw in path.read_text(encoding="utf-8").splitlines()[:80]:
            row = json.loads(raw)
            lines.extend(str(row.get(k, "")) for k in ("text", "summary", "title"))
    return [line for line in lines if line.strip()]


def build_tokenizer(folder: Path, vocab_size: int = 3000):
    """Train a small byte-level BPE (Chinese-capable: any text round-trips) and save it HF-style."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=SPECIAL_TOKENS,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tok.train_from_iterator(_training_lines(), trainer=trainer)
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tok,
        eos_token="<|im_end|>",
        pad_token="<|endoftext|>",
        additional_special_tokens=["<|im_start|>", "<|im_end|>"],
        padding_side="left",
        model_max_length=32768,
    )
    fast.chat_template = CHAT_TEMPLATE
    fast.save_pretrained(folder)
    return fast


def build_tiny_model(folder: Path, *, layers: int = 2, hidden: int = 64, seed: int = 0) -> Path:
    """Write a tiny random Qwen2ForCausalLM + tokenizer into ``folder`` and return it."""
    import torch
    from transformers import GenerationConfig, Qwen2Config, Qwen2ForCausalLM

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    tokenizer = build_tokenizer(folder)
    config = Qwen2Config(
        vocab_size=len(tokenizer),
        hidden_size=hidden,
        intermediate_size=hidden * 2,
        num_hidden_layers=layers,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=4096,
        tie_word_embeddings=True,
        # Wider than the usual 0.02: a near-zero random model only ever emits one token (a newline);
        # at 0.2 it writes varied Chinese-looking garbage with digits, like a badly broken real model.
        initializer_range=0.2,
        bos_token_id=tokenizer.convert_tokens_to_ids("<|endoftext|>"),
        eos_token_id=tokenizer.convert_tokens_to_ids("<|im_end|>"),
        pad_token_id=tokenizer.convert_tokens_to_ids("<|endoftext|>"),
        torch_dtype="bfloat16",
    )
    torch.manual_seed(seed)
    model = Qwen2ForCausalLM(config).to(torch.bfloat16)
    model.generation_config = GenerationConfig(
        eos_token_id=[config.eos_token_id, config.bos_token_id],
        pad_token_id=config.pad_token_id,
        do_sample=False,
    )
    model.save_pretrained(folder, safe_serialization=True)
    return folder
