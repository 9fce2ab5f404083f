"""Third-party output kept off the terminal: the libraries' banners, warnings and progress bars go to a
log file beside the store, and Zhaiyao's own lines stay on stderr.

jieba's "Building prefix dict" banner, transformers' GGUF and weight-loading notes and bars, torch's
warnings: a new user running ``make demo`` cannot tell them from Zhaiyao's own progress, and they are
not meant for that user. They are written to file descriptor 2 by Python code and C code alike, so the
descriptor itself is pointed at the log while the command runs; Zhaiyao's lines go to a copy of the
real stderr.
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

LOG_NAME = "libraries.log"


@contextlib.contextmanager
def libraries_to_log(folder: Path) -> Iterator[tuple[TextIO, Path | None]]:
    """(the stream for Zhaiyao's own lines, the log) while inside; everything else written to stderr
    goes to ``folder/libraries.log``. Where stderr is not the process's own descriptor 2 (a test
    runner's capture) or the log cannot be opened, nothing is moved: (sys.stderr, None)."""
    try:
        real = sys.stderr.fileno() == 2
    except (AttributeError, OSError, ValueError, io.UnsupportedOperation):
        real = False
    path = folder / LOG_NAME
    try:
        if not real:
            raise OSError("not the process's stderr")
        folder.mkdir(parents=True, exist_ok=True)
        log = open(path, "a", encoding="utf-8")  # noqa: SIM115 - closed in finally
    except OSError:
        yield sys.stderr, None
        return
    sys.stderr.flush()
    saved = os.dup(2)
    own = open(saved, "w", encoding="utf-8", errors="backslashreplace", buffering=1, closefd=False)  # noqa: SIM115
    os.dup2(log.fileno(), 2)
    try:
        yield own, path
    finally:
        with contextlib.suppress(OSError, ValueError):
            sys.stderr.flush()
        own.flush()
        os.dup2(saved, 2)
        os.close(saved)
        log.close()
