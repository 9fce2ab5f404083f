"""Output files written whole or not at all, and never over one of the command's own inputs.

Every ``-o`` goes through here: the folder is created if missing, the text goes to a temporary file
beside the target and is renamed into place only when it is complete, so a failure mid-write (a full
disk, Ctrl-C, a bad row) leaves either the old file or nothing, never a truncated one.

Only a regular file is replaced that way. A symlink is followed (its target is written, the link
stays), and a device, a fifo or a terminal (``-o /dev/null``, ``-o /dev/stdout``) is written into
as ``>`` would, so a failing one (``/dev/full``) fails the command instead of being replaced.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TextIO

from zhaiyao.errors import ConfigError


def refuse_input(output: Path | str, inputs: Iterable[Path | str]) -> None:
    """Raise ConfigError when ``output`` is the same file as one of ``inputs`` (writing it would lose it)."""
    out = Path(output)
    if not out.exists():
        return
    for path in inputs:
        with contextlib.suppress(OSError):
            if os.path.samefile(out, path):
                raise ConfigError(f"{output}: the output file is also an input; choose another -o")


def _mode(path: Path) -> int:
    # mkstemp makes the file private (0600); the output should get the mode a plain open() would give
    # it, or keep the one the file it replaces had.
    with contextlib.suppress(OSError):
        return path.stat().st_mode & 0o7777
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def make_folder(path: Path) -> None:
    """Create the folder ``path`` will be written in; ConfigError saying why when that fails."""
    existing = next((p for p in path.parents if p.exists()), None)
    if existing is not None and not existing.is_dir():
        raise ConfigError(f"{path}: cannot write the output file: {existing} is a file, not a folder")
    try:
        if path.is_dir():
            raise IsADirectoryError(21, "is a folder", str(path))
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot write the output file: {exc.strerror or exc}") from exc


def _stream_target(path: Path) -> bool:
    """Whether ``path`` (links followed) exists and is not a regular file: written into, never replaced."""
    try:
        return not stat.S_ISREG(path.stat().st_mode) and not path.is_dir()
    except OSError:
        return False


@contextlib.contextmanager
def _write_into(path: Path, encoding: str) -> Iterator[TextIO]:
    try:
        fh = open(path, "w", encoding=encoding, newline="")  # noqa: SIM115 - closed below, errors named
    except OSError as exc:
        raise ConfigError(f"{path}: cannot write the output file: {exc.strerror or exc}") from exc
    try:
        with fh:
            yield fh
            fh.flush()  # a full device fails here, while the error can still be named
    except OSError as exc:
        raise ConfigError(f"{path}: cannot write the output file: {exc.strerror or exc}") from exc


@contextlib.contextmanager
def atomic_text(path: Path | str, encoding: str = "utf-8") -> Iterator[TextIO]:
    """A text file to write ``path`` through: renamed into place on success, removed on any failure.
    A symlink's target is written (the link stays); a device or fifo is written into directly."""
    shown = Path(path)
    if _stream_target(shown):
        with _write_into(shown, encoding) as fh:
            yield fh
        return
    # The link's target gets the new file; the link itself is not replaced by it.
    path = Path(os.path.realpath(shown)) if shown.is_symlink() else shown
    make_folder(path)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
        os.chmod(tmp, _mode(path))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot write the output file: {exc.strerror or exc}") from exc
    try:
        with os.fdopen(fd, "w", encoding=encoding, newline="") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise ConfigError(f"{path}: cannot write the output file: {exc.strerror or exc}") from exc
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
