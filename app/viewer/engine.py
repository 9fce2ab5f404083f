"""The summariser this server keeps, and the pipeline's engine that uses it.

A model is loaded once per server process and settings and then serves every session; ``loaded`` says
whether it is in memory, so the page can tell a reader what a run will cost before it starts.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import streamlit as st
from zhaiyao.config import Settings
from zhaiyao.run.pipeline import LocalEngine

# The backends that load a model (weights, minutes): the others answer at once.
MODEL_BACKENDS = ("llm", "seq2seq")


def uses_model(backend: str) -> bool:
    return backend in MODEL_BACKENDS


def _model_settings(settings: Settings) -> Settings:
    # Style and length do not change the model: the same summariser serves them all.
    return dataclasses.replace(settings, style=Settings.style, max_chars=None)


_LOADED: set[Settings] = set()


@st.cache_resource(show_spinner=False, max_entries=2)
def get_summariser(settings: Settings) -> Any:
    # Loaded once per server process and settings (a frozen value, so it is the cache key);
    # max_entries keeps at most two models in memory when a reader switches back and forth.
    from zhaiyao.summarise import load_summariser

    summariser = load_summariser(settings)
    _LOADED.add(settings)
    return summariser


def summariser_for(settings: Settings) -> Any:
    return get_summariser(_model_settings(settings))


def loaded(settings: Settings) -> bool:
    """Whether these settings' model is in this server's memory already (no load before a run)."""
    return not uses_model(settings.backend) or _model_settings(settings) in _LOADED


class ServerEngine(LocalEngine):
    """The pipeline's local engine, with the summariser from this server's cache: loaded on first need
    (a fully stored page loads nothing) and then kept for every later session. ``on_load`` is told just
    before the summariser is fetched, so the page can say that a model is loading."""

    def __init__(self, settings: Settings, on_load: Callable[[], None] | None = None) -> None:
        super().__init__(settings)
        self._on_load = on_load

    @property
    def summariser(self) -> Any:
        if self._summariser is None:
            if self._on_load is not None:
                self._on_load()
            self._summariser = summariser_for(self.settings)
        return self._summariser
