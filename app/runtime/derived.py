"""Files the runtime derives beside a model's own (the int8 copy, the tokenizer's check): written whole
under a temporary name and renamed into place, so a reader never meets half a file, and recognisable,
temporary names included, so that ``verify`` does not take them for files that were fetched."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from pathlib import Path


def write_derived(target: Path, write: Callable[[Path], None]) -> None:
    """``write(partial)`` a temporary file beside ``target``, then rename it into place; on an OSError
    the temporary file is removed and the error raised."""
    partial = target.with_name(f".{target.name}.partial-{os.getpid()}")
    try:
        write(partial)
        partial.chmod(0o644)  # a shared models cache is read by other users' runs too
        partial.replace(target)
    except OSError:
        partial.unlink(missing_ok=True)
        raise


def is_derived(filename: str, names: Iterable[str]) -> bool:
    """Whether ``filename`` is one of the derived ``names`` or a temporary file of one."""
    return any(filename == name or filename.startswith(f".{name}.partial-") for name in names)
