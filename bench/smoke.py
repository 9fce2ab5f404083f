"""Smoke mode for the bench scripts (``--smoke``): the same code path end to end, sized to seconds.

CI runs every bench script with ``--smoke`` (tests/test_bench_smoke.py), so a script that reads a
renamed attribute or calls a changed signature fails the suite instead of going stale. The numbers a
smoke run prints measure nothing: one article, one run, a tiny random model.

The model is the folder given with ``--model`` or, without one, tests/tiny_model.py's tiny Qwen2 chat
model built into a temporary folder; its GGUF (for the rows that load one) is written from that
folder with gguf-py, so the GGUF and the folder share vocabulary and weights as the real pair do.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]

ARTICLES = 1  # seed articles a smoke run summarises


def smoke_model(model: str | None, workdir: Path) -> Path:
    """The model folder a smoke run uses: ``model`` when given, else a tiny one built in ``workdir``."""
    if model:
        folder = Path(model).expanduser().resolve()
        if not (folder / "config.json").is_file():
            raise SystemExit(f"{model}: --smoke needs a model folder (config.json and *.safetensors)")
        return folder
    sys.path.insert(0, str(ROOT / "tests"))
    from tiny_model import build_tiny_model

    return build_tiny_model(workdir / "tiny-qwen2").resolve()


def smoke_gguf(folder: Path, workdir: Path) -> Path:
    """A GGUF of ``folder``: its verified source GGUF when it has one, else written now (qwen2 only)."""
    from zhaiyao.weights import resolve_model

    resolved = resolve_model(str(folder), workdir)
    if resolved.source_file is not None:
        return resolved.source_file
    path = workdir / "gguf" / f"{folder.name}.gguf"
    path.parent.mkdir(parents=True, exist_ok=True)
    write_qwen2_gguf(folder, path)
    return path


# Hugging Face Qwen2 tensor names → GGUF's (what llama.cpp's convert_hf_to_gguf.py writes).
_LAYER_TENSORS = {
    "input_layernorm.weight": "attn_norm.weight",
    "self_attn.q_proj.weight": "attn_q.weight",
    "self_attn.q_proj.bias": "attn_q.bias",
    "self_attn.k_proj.weight": "attn_k.weight",
    "self_attn.k_proj.bias": "attn_k.bias",
    "self_attn.v_proj.weight": "attn_v.weight",
    "self_attn.v_proj.bias": "attn_v.bias",
    "self_attn.o_proj.weight": "attn_output.weight",
    "post_attention_layernorm.weight": "ffn_norm.weight",
    "mlp.gate_proj.weight": "ffn_gate.weight",
    "mlp.up_proj.weight": "ffn_up.weight",
    "mlp.down_proj.weight": "ffn_down.weight",
}


def write_qwen2_gguf(folder: Path, path: Path) -> None:
    """Write the Qwen2 model in ``folder`` (config.json, safetensors, tokenizer.json) as an F32 GGUF."""
    import gguf
    from safetensors.torch import load_file

    config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    if config.get("model_type") != "qwen2":
        raise SystemExit(
            f"{folder}: --smoke writes a GGUF for qwen2 models only, not {config.get('model_type')}"
        )
    writer = gguf.GGUFWriter(str(path), "qwen2")
    writer.add_context_length(config["max_position_embeddings"])
    writer.add_embedding_length(config["hidden_size"])
    writer.add_block_count(config["num_hidden_layers"])
    writer.add_feed_forward_length(config["intermediate_size"])
    writer.add_head_count(config["num_attention_heads"])
    writer.add_head_count_kv(config["num_key_value_heads"])
    rope = config.get("rope_parameters") or config  # transformers 5 nests it; older configs do not
    writer.add_rope_freq_base(float(rope.get("rope_theta", 1e6)))
    writer.add_layer_norm_rms_eps(config["rms_norm_eps"])
    _add_tokenizer(writer, folder)

    tensors = {}
    for file in sorted(folder.glob("model*.safetensors")):  # not the int8 copy written beside them
        tensors.update(load_file(file))
    if "lm_head.weight" not in tensors:  # tied embeddings: GGUF readers expect the output matrix
        tensors["lm_head.weight"] = tensors["model.embed_tokens.weight"]
    for name, tensor in tensors.items():
        writer.add_tensor(_gguf_name(name), tensor.float().numpy())
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()


def _gguf_name(name: str) -> str:
    fixed = {
        "model.embed_tokens.weight": "token_embd.weight",
        "model.norm.weight": "output_norm.weight",
        "lm_head.weight": "output.weight",
    }
    if name in fixed:
        return fixed[name]
    _, _, layer, rest = name.split(".", 3)  # model.layers.N.<rest>
    return f"blk.{layer}.{_LAYER_TENSORS[rest]}"


def _add_tokenizer(writer, folder: Path) -> None:
    spec = json.loads((folder / "tokenizer.json").read_text(encoding="utf-8"))
    special = {t["content"]: t["id"] for t in spec.get("added_tokens", [])}
    by_id = {i: token for token, i in {**spec["model"]["vocab"], **special}.items()}
    tokens = [by_id[i] for i in range(len(by_id))]
    merges = [m if isinstance(m, str) else " ".join(m) for m in spec["model"]["merges"]]
    chat = json.loads((folder / "tokenizer_config.json").read_text(encoding="utf-8"))
    writer.add_tokenizer_model("gpt2")
    writer.add_tokenizer_pre("qwen2")
    writer.add_token_list(tokens)
    writer.add_token_types([3 if t in special else 1 for t in tokens])  # 3: control token
    writer.add_token_merges(merges)
    writer.add_bos_token_id(special["<|endoftext|>"])
    writer.add_eos_token_id(special["<|im_end|>"])
    writer.add_pad_token_id(special["<|endoftext|>"])
    template = chat.get("chat_template")
    if not template and (folder / "chat_template.jinja").is_file():
        template = (folder / "chat_template.jinja").read_text(encoding="utf-8")
    if template:
        writer.add_chat_template(template)


@contextmanager
def smoke_files(model: str | None, *, gguf: bool = True) -> Iterator[tuple[Path, Path | None]]:
    """(model folder, its GGUF or None) for one smoke run; what is built here is deleted afterwards."""
    with tempfile.TemporaryDirectory(prefix="zhaiyao-smoke-") as tmp:
        folder = smoke_model(model, Path(tmp))
        yield folder, smoke_gguf(folder, Path(tmp)) if gguf else None


def resized(args: argparse.Namespace, **sizes: Any) -> argparse.Namespace:
    """``args`` with the smoke run's sizes (runs, articles...) in place of the measured run's."""
    return argparse.Namespace(**{**vars(args), **sizes})


def announce(folder: Path, sizes: str = f"{ARTICLES} article, 1 run") -> None:
    """Say on stderr that this run's figures are a smoke test's, not a measurement."""
    print(f"smoke run: model {folder}, {sizes} (the figures measure nothing)", file=sys.stderr)
