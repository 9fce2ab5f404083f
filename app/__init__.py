"""Zhaiyao (摘要): Chinese news pages into clean articles and short, faithful summaries.

Public API (imported lazily so that ``import zhaiyao`` stays light):
``read_inputs``, ``split_page``, ``load_summariser``, ``summarise_articles``.
"""

from __future__ import annotations

from typing import Any

__all__ = ["load_summariser", "read_inputs", "split_page", "summarise_articles"]

_LOCATIONS = {
    "read_inputs": "zhaiyao.sources.files",
    "split_page": "zhaiyao.split.page",
    "load_summariser": "zhaiyao.summarise",
    "summarise_articles": "zhaiyao.summarise",
}


def __getattr__(name: str) -> Any:
    if name in _LOCATIONS:
        import importlib

        return getattr(importlib.import_module(_LOCATIONS[name]), name)
    raise AttributeError(name)
