"""Errors the library raises. Each message says what went wrong and where (file, line).

The CLI turns these into one-line messages and an exit code; nothing else should reach a user as a
traceback.
"""

from __future__ import annotations


class ZhaiyaoError(Exception):
    """Base class: anything a user can fix by changing input, settings or environment."""

    exit_code = 2


class InputError(ZhaiyaoError):
    """An input file or row that cannot be read (missing, empty, binary, undecodable, malformed)."""

    def __init__(self, source: str, problem: str, line: int | None = None) -> None:
        self.source = source
        self.problem = problem
        self.line = line
        where = f"{source}:{line}" if line is not None else source
        super().__init__(f"{where}: {problem}")


class ConfigError(ZhaiyaoError):
    """A bad setting, option value or configuration file."""


class ModelError(ZhaiyaoError):
    """A model that cannot be found, fetched, verified or loaded."""


class StoreError(ZhaiyaoError):
    """The SQLite store is locked, corrupt, full or otherwise unusable."""


class MissingDependency(ZhaiyaoError):
    """An optional heavy dependency is not installed; the message names the extra to install."""

    def __init__(self, package: str, extra: str) -> None:
        super().__init__(f"{package} is not installed: pip install 'zhaiyao[{extra}]'")
