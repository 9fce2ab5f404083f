"""The summariser this server keeps: loaded once per server process and settings, then shared by every
session; ``loaded`` says whether it is in memory, so the page can tell a reader what a run will cost
before it starts. The run room's ``LocalEngine`` takes ``summariser_for`` as its loader."""

from __future__ import annotations

import dataclasses

import streamlit as st
from zhaiyao.config import Settings
from zhaiyao.summarise.base import Summariser
from zhaiyao.summarise.registry import uses_model


def _model_settings(settings: Settings) -> Settings:
    # Style and length do not change the model: the same summariser serves them all.
    return dataclasses.replace(settings, style=Settings.style, max_chars=None)


_LOADED: set[Settings] = set()


@st.cache_resource(show_spinner=False, max_entries=2)
def get_summariser(settings: Settings) -> Summariser:
    # Loaded once per server process and settings (a frozen value, so it is the cache key);
    # max_entries keeps at most two models in memory when a reader switches back and forth.
    from zhaiyao.summarise import load_summariser

    summariser = load_summariser(settings)
    _LOADED.add(settings)
    return summariser


def summariser_for(settings: Settings) -> Summariser:
    return get_summariser(_model_settings(settings))


def loaded(settings: Settings) -> bool:
    """Whether these settings' model is in this server's memory already (no load before a run)."""
    return not uses_model(settings.backend) or _model_settings(settings) in _LOADED
