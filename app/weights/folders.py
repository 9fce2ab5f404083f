"""Model folders on disk: where a manifest model lives, whether it is present, and a folder read in place."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from zhaiyao.errors import ModelError
from zhaiyao.manifest import DEFAULT_GENERATION, DEFAULT_PROMPT, ModelSpec
from zhaiyao.weights.files import MARKER, read_marker, verified_stamp_matches

_PICKLE_SUFFIXES = (".bin", ".pt", ".pth", ".ckpt", ".pkl")


@dataclass(frozen=True)
class ResolvedModel:
    """A model ready for ``from_pretrained(path)``: folder with config.json, safetensors and tokenizer."""

    name: str
    kind: str  # "causal-chat" | "seq2seq"
    path: Path
    spec: ModelSpec | None = None
    prompt: dict[str, Any] = field(default_factory=dict)
    generation: dict[str, Any] = field(default_factory=dict)
    # the verified GGUF the folder was converted from, when it is still on disk
    source_file: Path | None = None

    @property
    def tokenizer_class(self) -> str | None:
        return self.spec.tokenizer_class if self.spec else None


def model_dir(spec: ModelSpec, models_dir: Path) -> Path:
    return models_dir / spec.name


def source_path(spec: ModelSpec, models_dir: Path) -> Path | None:
    return models_dir / "sources" / spec.file if spec.file else None


def is_present(spec: ModelSpec, models_dir: Path) -> bool:
    return (model_dir(spec, models_dir) / MARKER).is_file()


def local_model(path: Path, manifest: dict[str, ModelSpec] | None = None) -> ResolvedModel:
    """A model folder given by the user, used in place. Pickled weights are refused, never loaded."""
    if not path.is_dir():
        raise ModelError(f"{path}: a model must be a folder with config.json and *.safetensors")
    config_path = path / "config.json"
    if not config_path.is_file():
        raise ModelError(f"{path}: not a model folder (no config.json)")
    check_weights(path)
    kind = kind_from_config(config_path)
    spec = None
    marker = read_marker(path)
    if marker and manifest is not None:
        spec = manifest.get(marker.get("name", ""))
    return ResolvedModel(
        name=spec.name if spec else path.name,
        kind=spec.kind if spec else kind,
        path=path,
        spec=spec,
        prompt=dict(spec.prompt) if spec else dict(DEFAULT_PROMPT),
        generation=dict(spec.generation) if spec else _generic_generation(kind),
        source_file=_present_source(Path(marker["source_path"])) if marker.get("source_path") else None,
    )


def check_weights(path: Path) -> None:
    files = [p.name for p in path.iterdir() if p.is_file()]
    if any(f.endswith(".safetensors") for f in files):
        return
    pickles = sorted(f for f in files if f.endswith(_PICKLE_SUFFIXES))
    if pickles:
        raise ModelError(
            f"{path}: only pickled weights ({', '.join(pickles)}); they can run code when loaded, so "
            "Zhaiyao loads safetensors only. Convert them once with safetensors where you trust the "
            "file, or use a safetensors copy of the model"
        )
    raise ModelError(f"{path}: no *.safetensors weights in the folder")


def kind_from_config(config_path: Path) -> str:
    try:
        config = json.loads(config_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ModelError(f"{config_path}: not readable JSON: {exc}") from exc
    if config.get("is_encoder_decoder"):
        return "seq2seq"
    return "causal-chat"


def _generic_generation(kind: str) -> dict[str, Any]:
    if kind == "seq2seq":
        return {**DEFAULT_GENERATION, "dtype": "float32"}
    return dict(DEFAULT_GENERATION)


def _present_source(path: Path) -> Path | None:
    return path if path.is_file() and verified_stamp_matches(path) else None
