"""One frozen Settings object: defaults ← zhaiyao.toml ← ZHAIYAO_* environment ← command-line options.

Library functions take a Settings (or the few values they need) instead of reading the environment
themselves, so tests and Ray workers see exactly the configuration they were handed.
"""

from __future__ import annotations

import dataclasses
import difflib
import functools
import math
import os
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from zhaiyao.errors import ConfigError, ZhaiyaoError

PROJECT_ROOT = Path(__file__).resolve().parents[1]
# app/data holds links to the checkout's sample page and manifest; an installed package (a wheel) has
# copies of them there, since the checkout's folders do not travel with it.
PACKAGE_DATA = Path(__file__).resolve().parent / "data"
SAMPLE_PAGE = (PACKAGE_DATA / "zhuzhou_front_page.txt").resolve()


def _default_models_dir() -> Path:
    # A source checkout keeps weights next to the manifest (git-ignored); an installed copy uses the
    # user's cache. ZHAIYAO_MODELS_DIR points several clones (CI's, a new user's) at one cache.
    local = PROJECT_ROOT / "models"
    if local.is_dir():
        return local
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("zhaiyao")) / "models"


@functools.cache
def _default_model() -> str:
    # The manifest's `default` is the one place the default model is named. A broken manifest must not
    # stop the commands that need no model (split, export); those that do say what is wrong with it.
    from zhaiyao.manifest import default_model_name

    try:
        return default_model_name()
    except ZhaiyaoError:
        return ""


def _default_db_path() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("zhaiyao")) / "zhaiyao.db"


@dataclass(frozen=True)
class Settings:
    backend: str = "llm"
    model: str = dataclasses.field(default_factory=_default_model)
    style: str = "brief"
    max_chars: int | None = None  # None: the style's own limit
    # Jobs decoded together (continuous batching): on a CPU a step of 8 rows costs little more than
    # one of 4; 16 lose it again to attention over sixteen caches (docs/speed.md).
    batch_size: int = 8
    threads: int = 2
    quantize: str = "int8"  # llm weights: "int8" (fast on CPU) or "none" (the model's bf16)
    device: str = "auto"  # auto | cpu | cuda | mps (zhaiyao.runtime.device)
    int8_kernel: str = "onednn"  # onednn | int_mm (nothing packed) | fbgemm (deprecated API)
    models_dir: Path = dataclasses.field(default_factory=_default_models_dir)
    db_path: Path = dataclasses.field(default_factory=_default_db_path)
    max_file_mb: float = 20.0
    fetch_timeout: float = 15.0  # seconds for a URL's connection and each read (zhaiyao.sources.fetch)
    # The viewer fetches a URL typed into it only from public addresses unless this allows loopback,
    # link-local and private ones: a shared viewer must not become a way into its own network.
    allow_private_urls: bool = False
    title_field: str = "title"
    text_field: str = "text"
    # User overrides of the generation options, (name, value) pairs (zhaiyao.summarise.options).
    generation: tuple[tuple[str, Any], ...] = ()

    def replace(self, **changes: Any) -> Settings:
        """A copy with the given fields changed; ``None`` values are ignored (unset CLI options)."""
        changes = {k: v for k, v in changes.items() if v is not None}
        return dataclasses.replace(self, **_coerce(changes))


_FIELDS = {f.name: f for f in dataclasses.fields(Settings)}

# The sensible range of every numeric setting, wherever it is set (zhaiyao.toml, ZHAIYAO_*, an
# option): `threads = 0` or a 1e20-character summary limit is a mistake to report, not a value to run
# with. Shorter than MIN_CHARS, no summary says anything.
MIN_CHARS = 8
BOUNDS: dict[str, tuple[float, float]] = {
    "max_chars": (MIN_CHARS, 2000),
    "batch_size": (1, 256),
    "threads": (1, 256),
    "max_file_mb": (0.001, 1024),
    "fetch_timeout": (0.1, 600),
}


# The values a word setting may take, wherever it is set: one list, which the command-line options and
# the runtime (zhaiyao.runtime.device, .int8, .cpu) read too, so a value refused on the command line is
# refused in zhaiyao.toml and ZHAIYAO_* alike, before any work.
CHOICES: dict[str, tuple[str, ...]] = {
    "device": ("auto", "cpu", "cuda", "mps"),
    "quantize": ("int8", "none"),
    "int8_kernel": ("onednn", "int_mm", "fbgemm"),
}


def did_you_mean(name: str, known: Iterable[str]) -> str:
    """`` (did you mean X?)`` for a near miss of one of ``known``, else `` (known: A, B, …)``."""
    known = sorted(known)
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.75)
    return f" (did you mean {close[0]}?)" if close else f" (known: {', '.join(known)})"


def option_range(name: str) -> tuple[int, int]:
    """The bounds of a numeric setting as whole numbers, for its command-line option."""
    lo, hi = BOUNDS[name]
    return int(lo), int(hi)


def _number(name: str, raw: Any, kind: type) -> int | float:
    if isinstance(raw, bool):
        raise ValueError("a yes/no value is not a number")
    value = kind(raw)
    if kind is int and isinstance(raw, float) and raw != value:
        raise ValueError("not a whole number")
    lo, hi = BOUNDS.get(name, (-math.inf, math.inf))
    if not lo <= value <= hi:  # also false for NaN
        raise ValueError(f"out of range (from {lo:g} to {hi:g})")
    return value


def _boolean(raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off", ""):
        return False
    raise ValueError("not a yes/no value (true or false)")


def _coerce(values: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, raw in values.items():
        if name not in _FIELDS:
            raise ConfigError(f"unknown setting {name!r}{did_you_mean(str(name), _FIELDS)}")
        kind = str(_FIELDS[name].type)
        try:
            if name in CHOICES and raw not in CHOICES[name]:
                raise ValueError(f"not one of {', '.join(CHOICES[name])}")
            if "Path" in kind:
                out[name] = Path(raw).expanduser()
            elif kind == "bool":
                out[name] = _boolean(raw)
            elif "int" in kind:
                out[name] = _number(name, raw, int)
            elif "float" in kind:
                out[name] = _number(name, raw, float)
            else:
                out[name] = raw
        except (TypeError, ValueError, OverflowError) as exc:
            raise ConfigError(f"setting {name}: {raw!r} is not valid: {exc}") from exc
    return out


def parse_generation(text: str, where: str) -> tuple[tuple[str, str], ...]:
    """``name=value,name=value`` (the environment's form of generation overrides) as pairs."""
    pairs = []
    for item in filter(None, (part.strip() for part in text.split(","))):
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise ConfigError(f"{where}: {item!r} is not NAME=VALUE")
        pairs.append((name.strip(), value.strip()))
    return tuple(pairs)


def load_settings(config_file: Path | None = None, environ: dict[str, str] | None = None) -> Settings:
    """Defaults, then ``zhaiyao.toml`` (or ZHAIYAO_CONFIG), then ``ZHAIYAO_<FIELD>`` variables."""
    env = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    named = config_file or (Path(env["ZHAIYAO_CONFIG"]) if env.get("ZHAIYAO_CONFIG") else None)
    path = named or Path("zhaiyao.toml")
    if named is not None and not path.is_file():
        # A configuration the user named and that is not there must not be silently replaced by
        # the defaults.
        what = "is a folder, not a file" if path.is_dir() else "not found"
        source = "ZHAIYAO_CONFIG" if config_file is None else "configuration file"
        raise ConfigError(f"{path}: configuration file {what} ({source})")
    if path.is_file():
        try:
            values.update(tomllib.loads(path.read_text(encoding="utf-8")))
            if isinstance(values.get("generation"), dict):
                values["generation"] = tuple(values["generation"].items())
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
        except OSError as exc:
            raise ConfigError(f"{path}: cannot read the configuration file: {exc.strerror or exc}") from exc
    # ZHAIYAO_DB is the documented short name for the store location.
    aliases = {"ZHAIYAO_DB": "db_path"}
    for var, raw in env.items():
        if var in aliases:
            values[aliases[var]] = raw
        elif var == "ZHAIYAO_GENERATION":
            values["generation"] = (*values.get("generation", ()), *parse_generation(raw, var))
        elif var.startswith("ZHAIYAO_") and var[8:].lower() in _FIELDS:
            values[var[8:].lower()] = raw
    return Settings(**_coerce(values))
