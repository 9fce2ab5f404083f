"""Verification: re-hash a model on disk against the manifest and its marker; nothing is fetched."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from zhaiyao.manifest import ModelSpec, load_manifest
from zhaiyao.weights.files import Progress, hash_candidates, read_marker, sha256_file
from zhaiyao.weights.folders import model_dir, source_path


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
    marker = read_marker(folder)
    if not marker:
        checks.append(Check(str(folder), False, "not present; run `zhaiyao models fetch`"))
        return VerifyReport(name, tuple(checks))
    if spec is not None and spec.sha256 and marker.get("source_sha256") not in (None, spec.sha256):
        checks.append(Check(str(folder), False, "converted from a different source than the manifest names"))
    if not marker.get("files"):
        checks.append(Check(str(folder), False, "the marker records no files; fetch again with --force"))
    for rel, info in sorted(marker.get("files", {}).items()):
        checks.append(_check_file(rel, folder / rel, info.get("size"), info.get("sha256"), progress))
    extra = set(hash_candidates(folder)) - set(marker.get("files", {}))
    for rel in sorted(extra):
        checks.append(Check(rel, False, "file not recorded in the marker (added after the fetch?)"))
    return VerifyReport(name, tuple(checks))


def _check_file(
    what: str, path: Path, size: int | None, sha256: str | None, progress: Progress | None
) -> Check:
    if not path.is_file():
        return Check(what, False, "missing")
    actual_size = path.stat().st_size
    if size is not None and actual_size != size:
        return Check(what, False, f"{actual_size} bytes, expected {size}")
    digest = sha256_file(path, progress, "verify", 0, actual_size)
    if sha256 and digest != sha256:
        return Check(what, False, f"sha256 {digest} expected {sha256}")
    return Check(what, True, f"{actual_size} bytes, sha256 ok")
