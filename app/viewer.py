"""The Zhaiyao viewer: a Streamlit page to read a newspaper page's summaries at a glance.

Run it with ``zhaiyao view`` (or ``streamlit run app/viewer.py``). This file only draws: what to show
is computed in ``app.viewer_data``; pages, summaries and the cache live in ``app.store``; the work is
``app.pipeline``'s. Input text reaches the page only through ``viewer_data.esc`` (escaped HTML) or
Streamlit's own text elements, never as raw HTML.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import streamlit as st

from app import viewer_data as vd
from app.config import Settings, load_settings
from app.documents import ArticleResult, Page
from app.errors import ZhaiyaoError
from app.pipeline import LocalEngine
from app.store import PageInfo, Store, SummaryKey
from app.summarise.base import STYLES
from app.viewer_server import upload_limit_mb

st.set_page_config(page_title="摘要 Zhaiyao", page_icon="📰", layout="wide")


# --- cached resources and reads ---------------------------------------------------------------------


@st.cache_resource(show_spinner=False)
def open_store(path: str) -> Store:
    # One connection per server process; Store serialises calls, so sessions can share it.
    return Store(path)


@st.cache_resource(show_spinner=False, max_entries=2)
def get_summariser(
    backend: str, model: str, models_dir: str, batch_size: int, threads: int, quantize: str
) -> Any:
    # Loaded once per server process and settings; max_entries keeps at most two models in memory
    # when a reader switches back and forth.
    from app.summarise import load_summariser

    settings = Settings(
        backend=backend,
        model=model,
        models_dir=Path(models_dir),
        batch_size=batch_size,
        threads=threads,
        quantize=quantize,
    )
    return load_summariser(settings)


def summariser_for(settings: Settings) -> Any:
    return get_summariser(
        settings.backend,
        settings.model,
        str(settings.models_dir),
        settings.batch_size,
        settings.threads,
        settings.quantize,
    )


class ServerEngine(LocalEngine):
    """The pipeline's local engine, with the summariser from this server's cache: loaded on first need
    (a fully cached page loads nothing) and then kept for every later session."""

    @property
    def summariser(self) -> Any:
        return summariser_for(self.settings)


# Store reads are cached per last-change value: a new summary (from this viewer or a batch running
# beside it) changes the value, so the next rerun reads afresh, and nothing is re-read otherwise.
@st.cache_data(show_spinner=False, max_entries=64)
def read_pages(db: str, stamp: str) -> list[PageInfo]:
    return open_store(db).list_pages()


@st.cache_data(show_spinner=False, max_entries=256)
def read_page(db: str, stamp: str, page: str, key: tuple | None) -> list[ArticleResult]:
    return open_store(db).page_results(page, SummaryKey(*key) if key else None)


@st.cache_data(show_spinner=False, max_entries=64)
def read_search(
    db: str, stamp: str, keyword: str, reporter: str, page: str, date: str
) -> list[ArticleResult]:
    return open_store(db).search(
        keyword or None, reporter=reporter or None, page=page or None, date=date or None
    )


@st.cache_data(show_spinner=False, max_entries=64)
def read_identity(db: str, stamp: str, backend: str, model: str) -> tuple[str, str, str] | None:
    return vd.identity_from_runs(open_store(db).runs(50), backend, model)


@st.fragment(run_every=4)
def watch_store(db: str) -> None:
    """Redraw when the store changed since this session last drew (a batch writing beside the viewer).

    Timed fragment runs never pre-empt a running script, so a summarisation in progress is not cut.
    """
    seen = st.session_state.get("seen_stamp")
    if seen is not None and open_store(db).last_change() != seen:
        st.rerun(scope="app")


# --- state ------------------------------------------------------------------------------------------


def init_state(pages: list[PageInfo]) -> None:
    state = st.session_state
    if "open_page" not in state:
        wanted = st.query_params.get("page")
        known = [p.source for p in pages]
        if wanted in known:
            state.open_page = wanted
        else:
            # The newest page is what a reader coming from `zhaiyao start` or a batch wants to see.
            state.open_page = newest(pages)
        state.open_article = None
    elif state.open_page is None and pages:
        # The store was empty when this session began and a page has landed since (a batch).
        state.open_page = newest(pages)


def newest(pages: list[PageInfo]) -> str | None:
    return max(pages, key=lambda p: p.added_at).source if pages else None


def show_page(source: str | None) -> None:
    st.session_state.open_page = source
    st.session_state.open_article = None


def open_article(page: str, index: int) -> None:
    st.session_state.open_page = page
    st.session_state.open_article = index
    st.session_state.last_report = None


def close_article() -> None:
    st.session_state.open_article = None


def pick_page() -> None:
    show_page(st.session_state.page_pick)
    st.session_state.last_report = None


# --- sidebar ----------------------------------------------------------------------------------------


def model_choices(current: str) -> list[str]:
    try:
        from app.manifest import load_manifest

        names = list(load_manifest())
    except ZhaiyaoError:
        names = []
    return [current, *[n for n in names if n != current]]


def settings_controls(base: Settings) -> Settings:
    st.sidebar.subheader("摘要设置 · Summary settings")
    backends = list(vd.BACKENDS)
    backend = st.sidebar.selectbox(
        "Backend",
        backends,
        index=backends.index(base.backend) if base.backend in backends else 0,
        key="backend",
        help="llm: the chat model; extractive / lead: sentences from the article, no weights",
    )
    uses_model = backend in ("llm", "seq2seq")
    model = st.sidebar.selectbox(
        "Model",
        model_choices(base.model),
        key="model",
        disabled=not uses_model,
        help="a name from models/manifest.toml (fetched on first use) or a local model folder",
        accept_new_options=True,
    )
    styles = list(STYLES)
    style = st.sidebar.selectbox(
        "Style",
        styles,
        index=styles.index(base.style) if base.style in styles else 0,
        key="style",
        format_func=lambda s: f"{s} (≤ {STYLES[s].max_chars} 字)",
    )
    length = st.sidebar.number_input(
        "Length limit (字, 0 = the style's own)",
        min_value=0,
        max_value=2000,
        value=int(base.max_chars or 0),
        step=10,
        key="length",
    )
    if 0 < length < 8:
        st.sidebar.warning("A limit under 8 字 is too short for a summary; using the style's own.")
        length = 0
    return dataclasses.replace(
        base, backend=backend, model=model or base.model, style=style, max_chars=length or None
    )


def page_picker(box: Any, pages: list[PageInfo]) -> None:
    """The store's pages, drawn into ``box`` (at the top of the sidebar) after any new page landed."""
    box.subheader("版面 · Page")
    if not pages:
        box.caption("The store is empty: upload or paste a page below.")
        return
    sources = [p.source for p in pages]
    labels = {p.source: f"{Path(p.source).name} · {p.done}/{p.articles} 篇" for p in pages}
    # Set before the widget exists in this run, so the picker follows a page opened elsewhere
    # (an upload, a search result).
    st.session_state.page_pick = st.session_state.open_page if st.session_state.open_page in sources else None
    box.selectbox(
        "Open a page from the store",
        sources,
        key="page_pick",
        format_func=lambda s: labels.get(s, s),
        on_change=pick_page,
        placeholder="choose a page",
    )


def source_controls(settings: Settings, first_visit: bool) -> tuple[str, Any] | None:
    """The upload and paste boxes. Returns the action the reader asked for, if any."""
    action = None
    with st.sidebar.expander("上传 · Upload a page", expanded=first_visit):
        upload = st.file_uploader(
            f"txt, md, html or jsonl, up to {settings.max_file_mb:g} MB",
            key="upload",
            max_upload_size=upload_limit_mb(settings.max_file_mb),
        )
        if st.button("Summarise upload", key="go_upload", type="primary", disabled=upload is None):
            action = ("upload", upload)
    with st.sidebar.expander("粘贴 · Paste a page"):
        text = st.text_area("Page text", key="paste_text", height=150)
        fmt = st.selectbox("Format", ["txt", "md", "html", "jsonl"], key="paste_format")
        if st.button("Summarise pasted text", key="go_paste", disabled=not text.strip()):
            action = ("paste", (text, fmt))
    return action


def filter_controls(box: Any) -> dict[str, str]:
    box.subheader("检索 · Search the store")
    return {
        "keyword": box.text_input("Keyword (title, text, summary)", key="f_keyword").strip(),
        "reporter": box.text_input("Reporter", key="f_reporter").strip(),
        "page": box.text_input("Page name contains", key="f_page").strip(),
        "date": box.text_input("Date (dateline or page name)", key="f_date", placeholder="9月27日").strip(),
    }


def download_controls(results: list[ArticleResult], name: str) -> None:
    if not results:
        return
    st.sidebar.subheader("下载 · Download")
    cols = st.sidebar.columns(3)
    for col, fmt, mime in zip(
        cols,
        ("jsonl", "csv", "md"),
        ("application/x-ndjson", "text/csv", "text/markdown"),
        strict=True,
    ):
        col.download_button(
            fmt.upper() if fmt != "md" else "Markdown",
            data=vd.export_bytes(results, fmt),
            file_name=f"{name}.{fmt}",
            mime=mime,
            key=f"dl_{fmt}",
            on_click="ignore",
        )


# --- main area --------------------------------------------------------------------------------------


def draw_grid(results: list[ArticleResult], *, buttons: bool = True, show_page: bool = False) -> None:
    """Cards two to a row, in page order, so a row reads left to right like the page."""
    for start in range(0, len(results), 2):
        cols = st.columns(2, gap="medium")
        for col, result in zip(cols, results[start : start + 2], strict=False):
            with col:
                if show_page:
                    st.caption(f"{Path(result.article.page).name}")
                st.html(vd.card_html(result))
                if buttons:
                    st.button(
                        "阅读全文 · Open article",
                        key=f"open_{result.article.page}_{result.article.index}",
                        on_click=open_article,
                        args=(result.article.page, result.article.index),
                    )


def draw_page_header(
    page: str, info: PageInfo | None, results: list[ArticleResult], key: SummaryKey | None
) -> None:
    st.html(f'<h2 class="zy-page-title">{vd.esc(Path(page).name)}</h2>')
    counts = vd.guard_counts(results)
    cols = st.columns(5)
    cols[0].metric("Articles", len(results))
    cols[1].metric("Guard ok", counts["ok"])
    cols[2].metric("Retried", counts["retried"])
    cols[3].metric("Fallback", counts["fallback"])
    cols[4].metric("Failed / missing", counts["failed"] + counts["pending"])
    if key is not None:
        st.caption(
            f"Summaries: {key.backend} · {key.model} · {key.style}"
            f" · {key.max_chars or STYLES[key.style].max_chars} 字 · prompt {key.prompt_version or '-'}"
            + (f" · {info.encoding} {info.format}" if info else "")
        )


def draw_article(results: list[ArticleResult], index: int) -> None:
    by_index = {r.article.index: r for r in results}
    result = by_index.get(index)
    if result is None:
        st.warning(f"Article {index} is not on this page any more.")
        st.button("← Back to the page", on_click=close_article, key="back_missing")
        return
    nav = st.columns([2, 1, 1, 6])
    nav[0].button("← 返回版面 · Back to page", on_click=close_article, key="back")
    indices = sorted(by_index)
    pos = indices.index(index)
    if pos > 0:
        nav[1].button("‹ Previous", on_click=open_article, args=(result.article.page, indices[pos - 1]))
    if pos < len(indices) - 1:
        nav[2].button("Next ›", on_click=open_article, args=(result.article.page, indices[pos + 1]))
    left, right = st.columns([3, 2], gap="large")
    with right:
        st.html(vd.card_html(result))
        summary = result.summary
        if summary is not None and summary.guard_reasons:
            st.markdown("**Guard notes**")
            for reason in summary.guard_reasons:
                st.text(f"• {reason}")
        if summary is not None and summary.condensed:
            st.info(f"Long article, condensed before summarising: {summary.condensed}")
        removed = vd.removed_rows(result.article)
        with st.expander(f"清理记录 · What the cleaner removed ({len(removed)})", expanded=bool(removed)):
            if removed:
                st.dataframe(removed, hide_index=True, width="stretch")
            else:
                st.caption("Nothing was removed from this article.")
    with left:
        st.caption(
            "全文 · Clean full text — highlighted sentences support the summary (number = summary sentence)"
        )
        st.html(vd.article_details_html(result))


def summarise_now(pages: list[Page], settings: Settings, store: Store) -> str:
    """Summarise while drawing: a progress bar, and each card filled in the moment its summary lands.

    The live cards are cleared at the end; the page is then drawn from the store like any other.
    """
    from app.pipeline import run_pages, split_pages

    articles = [a for _, arts, _ in split_pages(pages) for a in arts]
    bar = st.progress(0.0, text=f"0 / {len(articles)} articles · loading the summariser if needed…")
    live = st.empty()
    slots: dict[tuple[str, int], Any] = {}
    with live.container():
        st.html(f'<h2 class="zy-page-title">{vd.esc(", ".join(Path(p.source).name for p in pages))}</h2>')
        for start in range(0, len(articles), 2):
            cols = st.columns(2, gap="medium")
            for col, article in zip(cols, articles[start : start + 2], strict=False):
                slot = col.empty()
                slot.html(vd.card_html(ArticleResult(article)))
                slots[(article.page, article.index)] = slot

    def on_progress(p: Any) -> None:
        share = p.finished / p.total if p.total else 1.0
        text = f"{p.finished} / {p.total} articles · {p.cached} from the cache · {p.elapsed:.1f} s"
        if p.eta and p.finished < p.total:
            text += f" · about {p.eta:.0f} s left"
        bar.progress(min(share, 1.0), text=text)

    def on_result(result: ArticleResult) -> None:
        slot = slots.get((result.article.page, result.article.index))
        if slot is not None:
            slot.html(vd.card_html(result))

    report = run_pages(
        pages, settings, store, engine=ServerEngine(settings), on_progress=on_progress, on_result=on_result
    )
    live.empty()
    return vd.report_line(report)


def resummarise(results: list[ArticleResult], settings: Settings, store: Store) -> str:
    """A stored page under new settings: summaries from the cache where they exist, the rest now."""
    bar = st.progress(0.0, text="checking the cache…")
    with st.spinner(f"Loading the {settings.backend} summariser ({settings.model})…"):
        summariser = summariser_for(settings)
    return vd.summarise_stored(
        [r.article for r in results],
        settings,
        store,
        summariser,
        on_progress=lambda done, total: bar.progress(
            done / total if total else 1.0, text=f"{done} / {total} articles"
        ),
    )


def read_action(action: tuple[str, Any], settings: Settings, on_error: Any = None) -> list[Page]:
    """The pages of an upload or a paste; a bad row of a JSONL/CSV goes to ``on_error`` and the good
    rows are kept, as on the command line."""
    from app.ingest import read_bytes

    kind, value = action
    if kind == "upload":
        vd.check_upload(value.name, value.size, settings)
        return read_bytes(value.name, value.getvalue(), settings, on_error)
    text, fmt = value
    data = text.encode("utf-8")
    name = vd.paste_name(text, fmt)
    vd.check_upload(name, len(data), settings)
    return read_bytes(name, data, settings, on_error)


def main() -> None:
    st.html(vd.CSS)
    draw()
    # Whatever was drawn reflects the store as of now; the watcher compares against this. (A store
    # that cannot be opened stopped the run inside draw() with its message.)
    db = str(load_settings().db_path)
    st.session_state.seen_stamp = open_store(db).last_change()
    watch_store(db)


def draw() -> None:
    base = load_settings()
    db = str(base.db_path)
    try:
        store = open_store(db)
        pages = read_pages(db, store.last_change())
    except ZhaiyaoError as exc:
        st.error(f"Cannot open the store: {exc}")
        st.stop()

    init_state(pages)
    st.sidebar.title("摘要 Zhaiyao")
    st.sidebar.caption(f"Store: {db}")
    picker = st.sidebar.container()
    action = source_controls(base, first_visit=not pages)
    settings = settings_controls(base)
    search_box = st.sidebar.container()

    if action is not None:
        try:
            skipped: list[ZhaiyaoError] = []
            new_pages = read_action(action, settings, skipped.append)
            for bad in skipped:
                st.warning(f"Skipped {bad}")
            st.session_state.last_report = summarise_now(new_pages, settings, store)
            show_page(new_pages[0].source)
            if len(new_pages) > 1:
                # A JSONL upload is one page per row: list them all through the page filter (set
                # before the filter widgets exist in this run, so it takes).
                st.session_state.f_page = Path(new_pages[0].source.split("#", 1)[0]).name
        except ZhaiyaoError as exc:
            # The reader sees what was wrong with the file; the app stays up for the next one.
            st.error(str(exc))

    page = st.session_state.get("open_page")
    key = None
    if page is not None:
        try:
            # A run with these settings already says which summaries they give: showing them needs
            # no model in memory. Only a first use of the settings loads the summariser.
            known = read_identity(db, store.last_change(), settings.backend, settings.model)
            key = vd.key_from_identity(known, settings) if known else None
            if key is None:
                with st.spinner(f"Loading the {settings.backend} summariser ({settings.model})…"):
                    key = vd.summary_key(summariser_for(settings), settings)
        except ZhaiyaoError as exc:
            st.error(f"Cannot load the {settings.backend} summariser: {exc}")
        else:
            stamp = store.last_change()
            missing = [
                r
                for r in read_page(db, stamp, page, key.as_tuple())
                if r.summary is None and r.status != "failed"
            ]
            # Extractive and lead are instant, so a change of settings re-summarises at once; a model
            # run waits for the reader to ask. Either way cached summaries are reused.
            if missing and (
                settings.backend in ("extractive", "lead") or st.session_state.get("resummarise")
            ):
                st.session_state.last_report = resummarise(missing, settings, store)
            elif missing:
                cols = st.columns([4, 1])
                cols[0].info(
                    f"{len(missing)} article(s) have no summary for these settings "
                    f"({settings.backend}, {settings.style}); the others come from the cache."
                )
                cols[1].button("Summarise them", key="resummarise", type="primary")

    # Read after any work above, so the cards and the picker include what just landed.
    stamp = store.last_change()
    pages = read_pages(db, stamp)
    page_picker(picker, pages)
    filters = filter_controls(search_box)
    if st.session_state.get("last_report"):
        st.success(st.session_state.last_report)

    if any(filters.values()) and st.session_state.get("open_article") is None:
        results = read_search(db, stamp, **filters)
        st.markdown(f"### {len(results)} matching article(s)")
        if not results:
            st.info("Nothing in the store matches these filters.")
        draw_grid(results, show_page=True)
        download_controls(results, "search")
        return

    if page is None:
        st.markdown("## 摘要 Zhaiyao")
        st.info("Upload or paste a newspaper page in the sidebar to see each article condensed.")
        return

    results = read_page(db, stamp, page, key.as_tuple() if key else None)
    article = st.session_state.get("open_article")
    if article is not None:
        draw_article(results, article)
    else:
        info = next((p for p in pages if p.source == page), None)
        draw_page_header(page, info, results, key)
        draw_grid(results)
    download_controls(results, Path(page).stem)
    st.query_params["page"] = page


main()
