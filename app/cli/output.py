"""Where a command's output goes, for every command alike: ``-o`` files and stdout, and the error lines.

- ``-o`` is never one of the command's inputs, is written whole through a temporary file, and its
  folder is created when missing (``zhaiyao.export.formats.files``);
- a stdout that cannot be written (``> /dev/full``, closed) is one ``error:`` line, not a traceback;
- every line about an input (errors, skipped files, failures) shows control characters as escapes, so
  a file name or a title cannot recolour the terminal or forge a second ``error:`` line.
"""

from __future__ import annotations

import contextlib
import errno
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, TextIO

import click
from zhaiyao.errors import ZhaiyaoError
from zhaiyao.export.files import atomic_text, refuse_input
from zhaiyao.text.safe import one_line

# errno values that mean "this stream cannot take more output", as opposed to a bug.
_STREAM_ERRNOS = {errno.ENOSPC, errno.EIO, errno.EFBIG, errno.EDQUOT, errno.EBADF}


class OutputError(ZhaiyaoError):
    """stdout (or another stream the command writes) failed."""


def output_option(what: str = "") -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """``-o/--output FILE`` for a command that prints to stdout by default (``-`` means stdout)."""
    return click.option(
        "--output",
        "-o",
        type=click.Path(path_type=Path, dir_okay=False, allow_dash=True),
        default="-",
        show_default=True,
        help=f"where to write{' ' + what if what else ''} ('-' for stdout)",
    )


def echo(message: str, err: bool = False) -> None:
    """One line about inputs or results, with control characters shown as escapes."""
    click.echo(one_line(message), err=err)


def echo_error(message: object) -> None:
    click.echo(f"error: {one_line(str(message))}", err=True)


def is_stdout(output: Path | str | None) -> bool:
    return output is None or str(output) == "-"


def stdout() -> TextIO:
    if sys.stdout is None:
        raise OutputError("stdout is closed; give -o FILE")
    return sys.stdout


def check_output(output: Path | str | None, inputs: Sequence[str] = ()) -> None:
    """Before any work: refuse an ``output`` that is an input, and make its folder, so a long run
    (scoring, summarising) cannot end with nowhere to put its result."""
    if is_stdout(output):
        return
    assert output is not None
    from zhaiyao.export.files import make_folder
    from zhaiyao.sources.files import input_files

    refuse_input(output, input_files(inputs))
    make_folder(Path(output))


@contextlib.contextmanager
def open_output(
    output: Path | str | None, inputs: Sequence[str] = (), encoding: str = "utf-8"
) -> Iterator[TextIO]:
    """stdout for ``None``/``-``, else ``output`` written whole on success (never over an input)."""
    if is_stdout(output):
        yield stdout()
        return
    assert output is not None
    from zhaiyao.sources.files import input_files

    refuse_input(output, input_files(inputs))
    with atomic_text(output, encoding) as fh:
        yield fh


def stream_failure(exc: OSError) -> OutputError | None:
    """The one-line error for a write to stdout that failed, or None for any other OSError."""
    if exc.filename is not None or exc.errno not in _STREAM_ERRNOS:
        return None
    return OutputError(f"cannot write to stdout: {exc.strerror or exc}")


def flush_stdout() -> None:
    """Flush stdout now, so a full or broken stdout fails here (with a message) and not at exit."""
    if sys.stdout is None:
        return
    try:
        sys.stdout.flush()
    except OSError as exc:
        failure = stream_failure(exc)
        if failure is None:
            raise
        raise failure from exc


def silence_stdout() -> None:
    """Point stdout at /dev/null, so the interpreter's own flush at exit cannot fail a second time."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
