"""GGUF → bf16: dequantise a verified GGUF once into a Hugging Face folder with its marker."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from zhaiyao.errors import ModelError
from zhaiyao.manifest import ModelSpec
from zhaiyao.weights.files import (
    Progress,
    hash_folder,
    package_version,
    swap_into_place,
    utc_now,
    write_marker,
)

_STEPS = 5


def convert_gguf(source: Path, final: Path, spec: ModelSpec, progress: Progress | None = None) -> Path:
    """Dequantise a GGUF once into a bf16 Hugging Face folder at ``final`` (atomic rename)."""
    # Imported here so that a missing dependency is reported before any folder is made; the steps
    # below import what they use again (from sys.modules).
    try:
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer, GenerationConfig  # noqa: F401
    except ImportError as exc:
        from zhaiyao.errors import MissingDependency

        raise MissingDependency(exc.name or "transformers", "llm") from exc

    partial = final.parent / f".partial-{final.name}"
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    try:
        if progress:
            progress("convert", 0, _STEPS)
        dtype = getattr(torch, str(spec.generation.get("dtype", "bfloat16")))
        _save_dense(source, partial, spec, dtype, progress)
        if progress:
            progress("convert", 3, _STEPS)
        files = hash_folder(partial, progress)
        if progress:
            progress("convert", 4, _STEPS)
        write_marker(partial, _conversion_marker(source, spec, dtype, files))
        swap_into_place(partial, final)
        if progress:
            progress("convert", _STEPS, _STEPS)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return final


def _save_dense(source: Path, partial: Path, spec: ModelSpec, dtype: Any, progress: Progress | None) -> None:
    """The GGUF's model and tokenizer saved into ``partial`` as dense ``dtype`` safetensors.

    Its own function so that the model in memory is released before the folder is hashed.
    """
    from transformers import GenerationConfig

    tokenizer, model = _load_gguf(source, dtype, progress)
    _drop_gguf_quantizer(model, source)
    model = model.to(dtype)  # the legacy GGUF path may leave some tensors (norms) in float32
    model.generation_config = _greedy_generation_config(GenerationConfig, model, tokenizer, spec)
    model.save_pretrained(partial, max_shard_size="20GB")
    tokenizer.save_pretrained(partial)
    for path in partial.iterdir():
        # safetensors writes through a private temp file (mode 0600); a shared cache must be readable
        path.chmod(0o644)


def _load_gguf(source: Path, dtype: Any, progress: Progress | None) -> tuple[Any, Any]:
    from transformers import AutoModelForCausalLM, AutoTokenizer

    try:
        tokenizer = AutoTokenizer.from_pretrained(source.parent, gguf_file=source.name)
        if progress:
            progress("convert", 1, _STEPS)
        model = AutoModelForCausalLM.from_pretrained(source.parent, gguf_file=source.name, dtype=dtype)
    except (OSError, ValueError, KeyError, RuntimeError) as exc:
        raise ModelError(f"{source}: transformers cannot read this GGUF: {exc}") from exc
    if progress:
        progress("convert", 2, _STEPS)
    if not getattr(tokenizer, "chat_template", None):
        raise ModelError(f"{source}: the GGUF carries no chat template; a chat model needs one")
    return tokenizer, model


def _drop_gguf_quantizer(model: Any, source: Path) -> None:
    # transformers loads this GGUF dequantised (dense tensors) but still tags the model as "quantised
    # with gguf", which makes save_pretrained refuse and would write a quantization_config that sends
    # the next load back to the GGUF path. Once every weight is dense the tag is only a label.
    packed = [name for name, module in model.named_modules() if type(module).__name__.startswith("Gguf")]
    if packed:
        raise ModelError(
            f"{source}: transformers kept {len(packed)} layers packed (e.g. {packed[0]}); cannot convert"
        )
    model.hf_quantizer = None
    model.is_quantized = False
    if hasattr(model.config, "quantization_config"):
        del model.config.quantization_config


def _greedy_generation_config(config_cls: Any, model: Any, tokenizer: Any, spec: ModelSpec) -> Any:
    # Summaries are decoded greedily; the GGUF's sampling settings (if any) would only produce
    # warnings. A chat model must stop at its end-of-turn token as well as end-of-text.
    eos = []
    for token in ("<|im_end|>", tokenizer.eos_token, "<|endoftext|>"):
        token_id = tokenizer.convert_tokens_to_ids(token) if token else None
        if isinstance(token_id, int) and token_id != tokenizer.unk_token_id and token_id not in eos:
            eos.append(token_id)
    pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else (eos[-1] if eos else None)
    return config_cls(
        bos_token_id=model.config.bos_token_id,
        eos_token_id=eos or model.config.eos_token_id,
        pad_token_id=pad,
        do_sample=False,
        repetition_penalty=float(spec.generation.get("repetition_penalty", 1.0)),
        max_new_tokens=int(spec.generation.get("max_new_tokens", 160)),
    )


def _conversion_marker(source: Path, spec: ModelSpec, dtype: Any, files: dict[str, Any]) -> dict[str, Any]:
    import torch

    return {
        "name": spec.name,
        "kind": spec.kind,
        "source": spec.source,
        "source_file": source.name,
        "source_path": str(source),
        "source_size": spec.size,
        "source_sha256": spec.sha256,
        "dtype": str(dtype).removeprefix("torch."),
        "converted_at": utc_now(),
        "torch": torch.__version__,
        "transformers": package_version("transformers"),
        "files": files,
    }
