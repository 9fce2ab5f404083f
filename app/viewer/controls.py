"""The sidebar's controls: summary settings, the ways to add a page (upload, paste, URL), downloads.

Adding a source: write a function that draws its box and, on submit, calls ``ask(kind, value)``; add
it to ``SOURCES``, and a reader for its value to ``READERS`` (``kind -> (value, settings, on_error) ->
pages``). Each box is a form, so its button works on the first click, whatever has focus.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import streamlit as st
from zhaiyao.config import MIN_CHARS, Settings, option_range
from zhaiyao.documents import Page
from zhaiyao.errors import ZhaiyaoError
from zhaiyao.summarise.base import STYLES
from zhaiyao.summarise.registry import uses_model
from zhaiyao.viewer import data as vd
from zhaiyao.viewer.naming import parse_date
from zhaiyao.viewer.server import upload_limit_mb
from zhaiyao.viewer.state import Keys, view_state

# --- settings ---------------------------------------------------------------------------------------


def signature(settings: Settings) -> tuple[Any, ...]:
    """What of the settings decides a summary."""
    return (settings.backend, settings.model, settings.style, settings.max_chars, settings.quantize)


def put_settings(settings: Settings) -> None:
    """Set the sidebar's controls to ``settings`` (before they are drawn in this run)."""
    session = st.session_state
    session[Keys.BACKEND] = settings.backend if settings.backend in vd.BACKENDS else vd.BACKENDS[0]
    session[Keys.MODEL] = settings.model
    session[Keys.STYLE] = settings.style if settings.style in STYLES else "brief"
    session[Keys.LENGTH] = int(settings.max_chars or 0)
    session[Keys.QUANTIZE] = settings.quantize
    view_state(session).followed = signature(settings)


def model_choices(current: str) -> list[str]:
    try:
        from zhaiyao.manifest import load_manifest

        names = list(load_manifest())
    except ZhaiyaoError:
        names = []
    return [current, *[n for n in names if n != current]]


def settings_controls(base: Settings, box: Any) -> Settings:
    """The settings the next run uses. Changing them summarises nothing and keeps the set shown."""
    session = st.session_state
    box.subheader("摘要设置 · Summary settings")
    box.caption("改动设置不会替换当前显示的摘要 · changing these keeps the summaries shown until you ask")
    backend = box.selectbox(
        "方法 · Backend",
        list(vd.BACKENDS),
        key=Keys.BACKEND,
        format_func=lambda b: vd.BACKEND_NAMES.get(b, b),
        help="大模型：本地聊天模型 · the chat model; "
        "抽取原句 / 导语：原文句子，无需模型 · article sentences, no weights",
    )
    choices = model_choices(base.model)
    if session.get(Keys.MODEL) not in choices:
        choices.insert(0, session.get(Keys.MODEL) or base.model)
    model = box.selectbox(
        "模型 · Model",
        choices,
        key=Keys.MODEL,
        disabled=not uses_model(backend),
        help="models/manifest.toml 中的名字（首次使用时下载）或本地模型文件夹 · "
        "a manifest name or a model folder",
        accept_new_options=True,
    )
    style = box.selectbox(
        "风格 · Style",
        list(STYLES),
        key=Keys.STYLE,
        format_func=lambda s: f"{vd.STYLE_NAMES.get(s, s)} (≤ {STYLES[s].max_chars} 字)",
    )
    length = box.number_input(
        "字数上限 · Length limit (字, 0 = 风格默认 · the style's own)",
        min_value=0,
        max_value=option_range("max_chars")[1],
        step=10,
        key=Keys.LENGTH,
    )
    if 0 < length < MIN_CHARS:
        box.warning(
            f"少于 {MIN_CHARS} 字太短，改用风格默认 · "
            f"under {MIN_CHARS} 字 is too short; using the style's own."
        )
        length = 0
    return dataclasses.replace(
        base,
        backend=backend,
        model=model or base.model,
        style=style,
        max_chars=length or None,
        quantize=session.get(Keys.QUANTIZE, base.quantize),
    )


# --- sources ----------------------------------------------------------------------------------------


def ask(kind: str, value: Any) -> None:
    """A source box's submit: the run is taken up on this rerun, in the main area's slot."""
    view_state(st.session_state).action = (kind, value)


def details_inputs(prefix: str) -> None:
    """Paper, date and 版次 for a page that does not print them (left empty: read from the page)."""
    left, mid, right = st.columns([3, 3, 2])
    left.text_input("报名 · Paper", key=f"{prefix}_paper", placeholder="株洲日报")
    mid.text_input("日期 · Date", key=f"{prefix}_date", placeholder="2020-09-27")
    right.text_input("版次 · No.", key=f"{prefix}_number", placeholder="A01")


def details(prefix: str) -> tuple[str, str, str]:
    session = st.session_state
    paper, date, number = (
        str(session.get(f"{prefix}_{k}") or "").strip() for k in ("paper", "date", "number")
    )
    typed = parse_date(date) if date else None
    if typed is not None and typed.year is not None:
        date = f"{typed.year:04d}-{typed.month:02d}-{typed.day:02d}"
    return paper, date, number


def _submit_upload() -> None:
    upload = st.session_state.get(Keys.UPLOAD)
    if upload is None:
        view_state(st.session_state).say("warning", "请先选择文件 · Choose a file first.")
        return
    ask("upload", (upload, *details("up")))


def _submit_paste() -> None:
    text = str(st.session_state.get(Keys.PASTE_TEXT) or "")
    if not text.strip():
        view_state(st.session_state).say("warning", "请先粘贴版面文本 · Paste a page's text first.")
        return
    ask("paste", (text, st.session_state.get(Keys.PASTE_FORMAT, "txt"), *details("paste")))


def upload_box(settings: Settings, first_visit: bool) -> None:
    with st.sidebar.expander("上传 · Upload a page", expanded=first_visit):
        # Outside the form: a file is committed the moment it is uploaded, whatever has focus.
        st.file_uploader(
            f"txt、md、html、jsonl、json 或 csv，最大 {settings.max_file_mb:g} MB · "
            f"txt, md, html, jsonl, json or csv, up to {settings.max_file_mb:g} MB",
            key=Keys.UPLOAD,
            max_upload_size=upload_limit_mb(settings.max_file_mb),
        )
        with st.form("upload_form", border=False):
            details_inputs("up")
            st.form_submit_button(
                "摘要上传的版面 · Summarise upload",
                type="primary",
                on_click=_submit_upload,
                key=Keys.GO_UPLOAD,
            )


def paste_box(settings: Settings, first_visit: bool) -> None:
    with st.sidebar.expander("粘贴 · Paste a page"), st.form("paste_form", border=False):
        st.text_area("版面文本 · Page text", key=Keys.PASTE_TEXT, height=150)
        st.selectbox("格式 · Format", ["txt", "md", "html", "jsonl"], key=Keys.PASTE_FORMAT)
        details_inputs("paste")
        # Always enabled: a disabled button would wait for the text box to lose focus (issue 31).
        st.form_submit_button(
            "摘要粘贴的文本 · Summarise pasted text", on_click=_submit_paste, key=Keys.GO_PASTE
        )


def _submit_url() -> None:
    url = str(st.session_state.get(Keys.URL_TEXT) or "").strip()
    if not url:
        view_state(st.session_state).say("warning", "请先输入网址 · Type an address first.")
        return
    ask("url", url)


def url_box(settings: Settings, first_visit: bool) -> None:
    with st.sidebar.expander("网址 · From a URL"), st.form("url_form", border=False):
        st.text_input("订阅源、电子版版面或文章网址 · Feed, e-paper 版面 or article URL", key=Keys.URL_TEXT)
        st.form_submit_button("摘要网址 · Summarise URL", on_click=_submit_url, key=Keys.GO_URL)


SOURCES: list[Callable[[Settings, bool], None]] = [upload_box, paste_box, url_box]


def source_controls(settings: Settings, first_visit: bool) -> None:
    for draw in SOURCES:
        draw(settings, first_visit)


def _named(name: str, paper: str, date: str, number: str) -> str:
    """A file's name under the paper and date the reader gave (where the page's name is read from)."""
    folders = "".join(f"{part}/" for part in (paper, date) if part)
    if number and folders:
        stem, dot, ext = name.rpartition(".")
        name = f"{stem}-{number}.{ext}" if dot else f"{name}-{number}"
    return folders + name


def read_upload(value: Any, settings: Settings, on_error: Callable | None) -> list[Page]:
    from zhaiyao.sources.files import read_bytes

    upload, paper, date, number = value
    vd.check_upload(upload.name, upload.size, settings)
    return read_bytes(_named(upload.name, paper, date, number), upload.getvalue(), settings, on_error)


def read_paste(value: Any, settings: Settings, on_error: Callable | None) -> list[Page]:
    from zhaiyao.sources.files import read_bytes

    text, fmt, paper, date, number = value
    data = text.encode("utf-8")
    name = vd.paste_name(text, fmt, paper, date, number)
    vd.check_upload(name, len(data), settings)
    return read_bytes(name, data, settings, on_error)


def read_url(value: Any, settings: Settings, on_error: Callable | None) -> list[Page]:
    from zhaiyao.sources.inputs import read_viewer_url

    # Public addresses only, unless allow_private_urls: a shared viewer is no way into its network.
    return read_viewer_url(value, settings, on_error)


READERS: dict[str, Callable[[Any, Settings, Callable | None], list[Page]]] = {
    "upload": read_upload,
    "paste": read_paste,
    "url": read_url,
}


# --- downloads --------------------------------------------------------------------------------------


def download_controls(results: list, name: str) -> None:
    if not results:
        return
    st.sidebar.subheader("下载 · Download")
    # One row that wraps: no label is ever cut to fit a third of the sidebar.
    row = st.sidebar.container(horizontal=True)
    for fmt, label, mime in (
        ("jsonl", "JSONL", "application/x-ndjson"),
        ("csv", "CSV", "text/csv"),
        ("md", "Markdown", "text/markdown"),
    ):
        row.download_button(
            label,
            data=vd.export_bytes(results, fmt),
            file_name=f"{name}.{fmt}",
            mime=mime,
            key=f"dl_{fmt}",
            on_click="ignore",
        )
