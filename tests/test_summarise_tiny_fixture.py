"""The tiny model fixture builds a folder that transformers loads like the real model's."""

from __future__ import annotations

import json
from pathlib import Path


def test_tiny_model_folder_is_a_qwen2_chat_model(tiny_model_dir: Path) -> None:
    from transformers import AutoTokenizer

    config = json.loads((tiny_model_dir / "config.json").read_text(encoding="utf-8"))
    assert config["model_type"] == "qwen2"
    assert (tiny_model_dir / "model.safetensors").is_file()
    tok = AutoTokenizer.from_pretrained(tiny_model_dir)
    text = "株洲日报讯 9月27日，优良率91.4%。"
    assert tok.decode(tok(text).input_ids) == text
    prompt = tok.apply_chat_template(
        [{"role": "user", "content": text}], tokenize=False, add_generation_prompt=True
    )
    assert prompt.endswith("<|im_start|>assistant\n")
