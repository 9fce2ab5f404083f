"""Working files of the models folder: locks, verified stamps, markers, folder hashes, free space.

The bottom of the package: it imports no sibling, and every other module may use it.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from zhaiyao.errors import ModelError

# progress(stage, done, total): stage is "download" (parts), "join" (bytes), "convert" (steps),
# "hash" (bytes) or "verify" (bytes). total 0 means unknown.
Progress = Callable[[str, int, int], None]

MARKER = "zhaiyao-model.json"
CHUNK = 4 << 20


@contextlib.contextmanager
def lock(models_dir: Path, name: str) -> Iterator[None]:
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


def require_space(folder: Path, needed: int, what: str) -> None:
    free = shutil.disk_usage(folder).free
    if free < needed:
        raise ModelError(
            f"{folder}: {free / 1e9:.1f} GB free, {what} needs about {needed / 1e9:.1f} GB; "
            "free some space or point ZHAIYAO_MODELS_DIR at a larger disk"
        )


def folder_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) if path.is_dir() else 0


def package_version(package: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(package)
    except PackageNotFoundError:
        return "unknown"


def utc_now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


# A verified file gets a small stamp next to it (size, mtime, sha256), so a later run can trust it
# without hashing 1 GB again; `verify` always re-hashes.
def stamp_path(path: Path) -> Path:
    return path.with_name(path.name + ".verified.json")


def write_stamp(path: Path, sha256: str) -> None:
    stat = path.stat()
    stamp = {"sha256": sha256, "size": stat.st_size, "mtime_ns": stat.st_mtime_ns, "verified_at": utc_now()}
    stamp_path(path).write_text(json.dumps(stamp, indent=1), encoding="utf-8")


def verified_stamp_matches(path: Path, sha256: str | None = None) -> bool:
    try:
        stamp = json.loads(stamp_path(path).read_text(encoding="utf-8"))
        stat = path.stat()
    except (OSError, ValueError):
        return False
    return (
        stamp.get("size") == stat.st_size
        and stamp.get("mtime_ns") == stat.st_mtime_ns
        and (sha256 is None or stamp.get("sha256") == sha256)
    )


def write_marker(folder: Path, marker: dict[str, Any]) -> None:
    tmp = folder / (MARKER + ".tmp")
    tmp.write_text(json.dumps(marker, indent=1, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, folder / MARKER)


def read_marker(folder: Path) -> dict[str, Any]:
    try:
        return json.loads((folder / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def swap_into_place(partial: Path, final: Path) -> None:
    if final.exists():
        # A forced re-fetch: move the old folder aside first so there is never a moment without a whole
        # model under the final name that is not the new one.
        old = final.parent / f".old-{final.name}-{os.getpid()}"
        os.replace(final, old)
        os.replace(partial, final)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(partial, final)


def hash_folder(folder: Path, progress: Progress | None = None) -> dict[str, dict[str, Any]]:
    paths = [folder / rel for rel in hash_candidates(folder)]
    total = sum(p.stat().st_size for p in paths)
    done = 0
    out: dict[str, dict[str, Any]] = {}
    for path in paths:
        digest = sha256_file(path, progress, "hash", done, total)
        done += path.stat().st_size
        out[path.relative_to(folder).as_posix()] = {"size": path.stat().st_size, "sha256": digest}
    return out


def sha256_file(path: Path, progress: Progress | None, stage: str, done: int = 0, total: int = 0) -> str:
    """The file's sha256, reported as ``progress(stage, done + bytes read so far, total)``."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
            done += len(chunk)
            if progress:
                progress(stage, done, total)
    return digest.hexdigest()


def hash_candidates(folder: Path) -> list[str]:
    # huggingface_hub keeps its own bookkeeping under .cache/ inside a download folder; only the
    # relative path is checked, since the models folder itself often lives under ~/.cache. The llm
    # backend's int8 copy and its tokenizer check are derived from the verified files (and made again
    # if damaged or out of date), not fetched.
    from zhaiyao.runtime.derived import is_derived
    from zhaiyao.runtime.int8 import INT8_FILE
    from zhaiyao.runtime.tokenizer import RECORD_FILE

    found = []
    for path in folder.rglob("*"):
        rel = path.relative_to(folder)
        derived = is_derived(rel.name, (INT8_FILE, RECORD_FILE))
        if path.is_file() and rel.as_posix() != MARKER and ".cache" not in rel.parts and not derived:
            found.append(rel.as_posix())
    return sorted(found)
