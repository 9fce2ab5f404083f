"""The Zhaiyao viewer: a Streamlit page to read a newspaper page's summaries at a glance.

Run it with ``zhaiyao view`` (or ``streamlit run app/viewer/page.py``). This file only draws: what to show
is computed in ``viewer.data``; pages, summaries and the cache live in ``zhaiyao.store``; the work is
``zhaiyao.run.pipeline``'s. Input text reaches the page only through ``viewer_data.esc`` (escaped HTML) or
Streamlit's own text elements, never as raw HTML.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import streamlit as st
from zhaiyao.config import MIN_CHARS, Settings, load_settings, option_range
from zhaiyao.documents import Article, ArticleResult, Page
from zhaiyao.errors import ZhaiyaoError
from zhaiyao.run.local import LocalEngine
from zhaiyao.run.pipeline import Progress, RunReport, expected_key, run_pages, split_pages
from zhaiyao.store import PageInfo, Store, SummaryKey, SummarySet
from zhaiyao.summarise import registry
from zhaiyao.summarise.base import STYLES, Summariser
from zhaiyao.viewer import data as vd
from zhaiyao.viewer.server import upload_limit_mb

st.set_page_config(page_title="摘要 Zhaiyao", page_icon="📰", layout="wide")


# --- cached resources and reads ---------------------------------------------------------------------


@st.cache_resource(show_spinner=False)
def open_store(path: str) -> Store:
    # One connection per server process; Store serialises calls, so sessions can share it.
    return Store(path)


@st.cache_resource(show_spinner=False, max_entries=2)
def get_summariser(settings: Settings) -> Summariser:
    # Loaded once per server process and settings (a frozen value, so it is the cache key);
    # max_entries keeps at most two models in memory when a reader switches back and forth.
    from zhaiyao.summarise import load_summariser

    return load_summariser(settings)


def summariser_for(settings: Settings) -> Summariser:
    # Style and length do not change the model: the same summariser serves them all.
    return get_summariser(dataclasses.replace(settings, style=Settings.style, max_chars=None))


# Store reads are cached per last-change value: a new summary (from this viewer or a batch running
# beside it) changes the value, so the next rerun reads afresh, and nothing is re-read otherwise.
@st.cache_data(show_spinner=False, max_entries=64)
def read_pages(db: str, stamp: str) -> list[PageInfo]:
    return open_store(db).list_pages()


@st.cache_data(show_spinner=False, max_entries=16)
def read_facets(db: str, stamp: str) -> dict[str, vd.PageFacets]:
    return {info.source: vd.page_facets(info) for info in read_pages(db, stamp)}


@st.cache_data(show_spinner=False, max_entries=256)
def read_page(db: str, stamp: str, page: str, key: SummaryKey | None) -> list[ArticleResult]:
    return open_store(db).page_results(page, key)


def shown_results(db: str, stamp: str, page: str, key: SummaryKey | None) -> list[ArticleResult]:
    """The page's articles with their summaries under ``key``; with no key, none: no card may show
    another set's summary as if it were the sidebar's."""
    results = read_page(db, stamp, page, key)
    return results if key is not None else [ArticleResult(r.article) for r in results]


@st.cache_data(show_spinner=False, max_entries=256)
def read_sets(db: str, stamp: str, page: str) -> list[SummarySet]:
    return open_store(db).summary_sets(page)


@st.cache_data(show_spinner=False, max_entries=64)
def read_search(
    db: str, stamp: str, keyword: str, reporter: str, page: str, date: str
) -> list[ArticleResult]:
    return open_store(db).search(
        keyword or None, reporter=reporter or None, page=page or None, date=date or None
    )


@st.cache_data(show_spinner=False, max_entries=64)
def wanted_key(settings: Settings) -> SummaryKey | None:
    # Loads no model: the key these settings imply, to look up in the store.
    try:
        return expected_key(settings)
    except ZhaiyaoError:
        return None


@st.fragment(run_every=4)
def watch_store(db: str) -> None:
    """Redraw when the store changed since this session last drew (a batch writing beside the viewer).

    Timed fragment runs never pre-empt a running script, so a summarisation in progress is not cut.
    """
    seen = st.session_state.get("seen_stamp")
    if seen is not None and open_store(db).last_change() != seen:
        st.rerun(scope="app")


# --- state ------------------------------------------------------------------------------------------


def init_state(pages: list[PageInfo], base: Settings) -> None:
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
    if "backend" not in state:
        # The controls' first values; from then on they belong to the reader or follow the set shown.
        put_settings(base)


def put_settings(settings: Settings) -> None:
    """Set the sidebar's controls to ``settings`` (before they are drawn in this run)."""
    state = st.session_state
    state.backend = settings.backend if settings.backend in vd.BACKENDS else vd.BACKENDS[0]
    state.model = settings.model
    state.style = settings.style if settings.style in STYLES else "brief"
    state.length = int(settings.max_chars or 0)
    state.quantize = settings.quantize
    state.followed = signature(settings)


def signature(settings: Settings) -> tuple[Any, ...]:
    """What of the settings decides a summary."""
    return (settings.backend, settings.model, settings.style, settings.max_chars, settings.quantize)


def show_key(page: str | None, key: SummaryKey | None) -> None:
    """Show the summaries of ``page`` under ``key`` (None: none stored for the sidebar's settings)."""
    st.session_state.shown_for = page
    st.session_state.shown_key = key


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


def pick_set(sets: list[SummarySet], base: Settings) -> None:
    chosen = sets[st.session_state.set_pick]
    show_key(st.session_state.open_page, chosen.key)
    put_settings(vd.follow(chosen.key, base, model_choices(base.model)))
    st.session_state.last_report = None


def asked() -> None:
    # The reader changed a setting: instant backends then fill the page's gaps at once.
    st.session_state.asked = True


# --- sidebar ----------------------------------------------------------------------------------------


def model_choices(current: str) -> list[str]:
    try:
        from zhaiyao.manifest import load_manifest

        names = list(load_manifest())
    except ZhaiyaoError:
        names = []
    return [current, *[n for n in names if n != current]]


def settings_controls(base: Settings, box: Any) -> Settings:
    state = st.session_state
    box.subheader("摘要设置 · Summary settings")
    backend = box.selectbox(
        "Backend",
        list(vd.BACKENDS),
        key="backend",
        on_change=asked,
        help="llm: the chat model; extractive / lead: sentences from the article, no weights",
    )
    uses_model = registry.uses_model(backend)
    choices = model_choices(base.model)
    if state.model not in choices:
        choices.insert(0, state.model)
    model = box.selectbox(
        "Model",
        choices,
        key="model",
        on_change=asked,
        disabled=not uses_model,
        help="a name from models/manifest.toml (fetched on first use) or a local model folder",
        accept_new_options=True,
    )
    style = box.selectbox(
        "Style",
        list(STYLES),
        key="style",
        on_change=asked,
        format_func=lambda s: f"{s} (≤ {STYLES[s].max_chars} 字)",
    )
    length = box.number_input(
        "Length limit (字, 0 = the style's own)",
        min_value=0,
        max_value=option_range("max_chars")[1],
        step=10,
        key="length",
        on_change=asked,
    )
    if 0 < length < MIN_CHARS:
        box.warning("A limit under 8 字 is too short for a summary; using the style's own.")
        length = 0
    return dataclasses.replace(
        base,
        backend=backend,
        model=model or base.model,
        style=style,
        max_chars=length or None,
        quantize=state.get("quantize", base.quantize),
    )


# A picker this long is easier to narrow than to scroll.
FILTER_PAGES_FROM = 8
PICKER_LIMIT = 100


def page_picker(box: Any, pages: list[PageInfo], facets: dict[str, vd.PageFacets]) -> None:
    """The store's pages, drawn into ``box`` (at the top of the sidebar) after any new page landed."""
    box.subheader("版面 · Page")
    if not pages:
        box.info(
            "The store has no pages yet. Upload or paste a page below, or add pages from a terminal "
            "with `zhaiyao batch PAGE.txt` (they appear here by themselves)."
        )
        return
    shown = pages
    if len(pages) >= FILTER_PAGES_FROM:
        papers = sorted({f.newspaper for f in facets.values() if f.newspaper})
        dates = sorted({f.date for f in facets.values() if f.date}, key=vd.PageFacets.date_key, reverse=True)
        left, right = box.columns(2)
        paper = left.selectbox(
            "Newspaper", ["", *papers], key="pp_paper", format_func=lambda v: vd.label(v) or "all"
        )
        date = right.selectbox(
            "Date", ["", *dates], key="pp_date", format_func=lambda v: vd.label(v) or "all"
        )
        name = box.text_input("Page name contains", key="pp_name", placeholder="A01")
        shown = vd.filter_pages(pages, facets, paper, date, name)
        if len(shown) > PICKER_LIMIT:
            # A list of thousands is slow to draw and no use to scroll: the newest, and the filters
            # for the rest.
            box.caption(
                f"{len(shown)} of {len(pages)} pages; the newest {PICKER_LIMIT} listed, filter for others"
            )
            shown = sorted(shown, key=lambda p: p.added_at, reverse=True)[:PICKER_LIMIT]
        else:
            box.caption(f"{len(shown)} of {len(pages)} pages")
    sources = [p.source for p in shown]
    by_source = {p.source: p for p in pages}
    current = st.session_state.open_page
    if current in by_source and current not in sources:
        sources.insert(0, current)  # the open page stays pickable whatever the filters say
    # Set before the widget exists in this run, so the picker follows a page opened elsewhere
    # (an upload, a search result).
    st.session_state.page_pick = current if current in sources else None
    box.selectbox(
        "Open a page from the store",
        sources,
        key="page_pick",
        format_func=lambda s: vd.page_label(by_source[s], facets[s]),
        on_change=pick_page,
        placeholder="choose a page",
    )


def source_controls(settings: Settings, first_visit: bool) -> tuple[str, Any] | None:
    """The upload, paste and URL boxes. Returns the action the reader asked for, if any."""
    action = None
    with st.sidebar.expander("上传 · Upload a page", expanded=first_visit):
        upload = st.file_uploader(
            f"txt, md, html, jsonl, json or csv, up to {settings.max_file_mb:g} MB",
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
    with st.sidebar.expander("网址 · From a URL"):
        url = st.text_input("Feed, e-paper 版面 or article URL", key="url_text").strip()
        if st.button("Summarise URL", key="go_url", disabled=not url):
            action = ("url", url)
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


def draw_page_header(page: str, info: PageInfo | None, results: list[ArticleResult]) -> None:
    st.html(f'<h2 class="zy-page-title">{vd.esc(Path(page).name)}</h2>')
    # Counted from the very results the cards below are drawn from.
    counts = vd.guard_counts(results)
    cols = st.columns(6)
    cols[0].metric("Articles", len(results))
    cols[1].metric("Guard ok", counts["ok"])
    cols[2].metric("Retried", counts["retried"])
    cols[3].metric("Fallback", counts["fallback"])
    cols[4].metric("Failed", counts["failed"])
    cols[5].metric("No summary", counts["missing"])
    if info is not None:
        st.caption(f"{info.encoding} {info.format} · {info.chars:,} 字")


def set_picker(sets: list[SummarySet], shown: SummaryKey | None, total: int, base: Settings) -> None:
    """Every set of summaries the store holds for the page; choosing one moves the sidebar to it."""
    keys = [s.key for s in sets]
    st.session_state.set_pick = keys.index(shown) if shown in keys else None
    st.selectbox(
        "Summaries stored for this page",
        range(len(sets)),
        key="set_pick",
        format_func=lambda i: vd.set_label(sets[i], total),
        on_change=pick_set,
        args=(sets, base),
        placeholder="none for the sidebar's settings: pick a stored set, or summarise",
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


def summarise_live(title: str, articles: list[Article], settings: Settings, run: Any) -> RunReport:
    """Run ``run(engine, on_progress, on_result)`` while drawing: a progress bar that says when a model
    is loading, and the articles' cards, each filled in the moment its summary lands.

    These are the only cards that say "pending": their summaries are being made, now, for this reader.
    The live cards are cleared at the end; the page is then drawn from the store like any other.
    """
    bar = st.progress(0.0, text=f"0 / {len(articles)} articles")
    live = st.empty()
    slots: dict[tuple[str, int], Any] = {}
    with live.container():
        st.html(f'<h2 class="zy-page-title">{vd.esc(title)}</h2>')
        for start in range(0, len(articles), 2):
            cols = st.columns(2, gap="medium")
            for col, article in zip(cols, articles[start : start + 2], strict=False):
                slot = col.empty()
                slot.html(vd.card_html(ArticleResult(article), computing=True))
                slots[(article.page, article.index)] = slot

    def on_load() -> None:
        using = f" ({settings.model})" if registry.uses_model(settings.backend) else ""
        bar.progress(0.0, text=f"loading the {settings.backend} summariser{using}…")

    def on_progress(p: Progress) -> None:
        share = p.finished / p.total if p.total else 1.0
        text = f"{p.finished} / {p.total} articles · {p.cached} from the cache · {p.elapsed:.1f} s"
        if p.eta and p.finished < p.total:
            text += f" · about {p.eta:.0f} s left"
        bar.progress(min(share, 1.0), text=text)

    def on_result(result: ArticleResult) -> None:
        slot = slots.get((result.article.page, result.article.index))
        if slot is not None:
            slot.html(vd.card_html(result))

    report = run(LocalEngine(settings, load=summariser_for, on_load=on_load), on_progress, on_result)
    live.empty()
    return report


def summarise_new(pages: list[Page], settings: Settings, store: Store) -> RunReport:
    """An upload or a paste: split, record and summarise it."""
    articles = [a for _, arts, _ in split_pages(pages) for a in arts]
    return summarise_live(
        ", ".join(Path(p.source).name for p in pages),
        articles,
        settings,
        lambda engine, on_progress, on_result: run_pages(
            pages, settings, store, engine=engine, on_progress=on_progress, on_result=on_result
        ),
    )


def summarise_stored(page: str, results: list[ArticleResult], settings: Settings, store: Store) -> RunReport:
    """A stored page under the sidebar's settings: what is stored comes from the store, the rest now."""
    return summarise_live(
        Path(page).name,
        [r.article for r in results],
        settings,
        lambda engine, on_progress, on_result: run_pages(
            [], settings, store, stored=[page], engine=engine, on_progress=on_progress, on_result=on_result
        ),
    )


def read_action(action: tuple[str, Any], settings: Settings, on_error: Any = None) -> list[Page]:
    """The pages of an upload or a paste; a bad row of a JSONL/CSV goes to ``on_error`` and the good
    rows are kept, as on the command line."""
    from zhaiyao.sources.files import read_bytes

    kind, value = action
    if kind == "url":
        from zhaiyao.sources.inputs import read_viewer_url

        # Public addresses only, unless allow_private_urls: a shared viewer is no way into its network.
        return read_viewer_url(value, settings, on_error)
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

    init_state(pages, base)
    state = st.session_state
    st.sidebar.title("摘要 Zhaiyao")
    st.sidebar.caption(f"Store: {db}")
    picker = st.sidebar.container()
    action = source_controls(base, first_visit=not pages)
    controls = st.sidebar.container()
    search_box = st.sidebar.container()
    settings = follow_settings(db, store, base, controls)
    if action is not None:
        take_action(action, settings, store)
    page = state.get("open_page")
    if page is not None:
        fill_gaps(db, store, page, settings)

    # Read after any work above, so the cards and the picker include what just landed.
    stamp = store.last_change()
    pages = read_pages(db, stamp)
    page_picker(picker, pages, read_facets(db, stamp))
    filters = filter_controls(search_box)
    if state.get("last_report"):
        st.success(state.last_report)
    if any(filters.values()) and state.get("open_article") is None:
        draw_search(read_search(db, stamp, **filters))
    elif page is None:
        draw_empty(db)
    else:
        draw_open_page(db, stamp, page, pages, settings, base)


def follow_settings(db: str, store: Store, base: Settings, controls: Any) -> Settings:
    """The sidebar's settings, kept in step with the set of summaries shown (no model is loaded)."""
    state = st.session_state
    page = state.get("open_page")
    if page is not None and state.get("shown_for") != page:
        # A page just opened: show the set of summaries made most recently, and move the sidebar to
        # it. Nothing is loaded for this; the store has what is shown.
        sets = read_sets(db, store.last_change(), page)
        show_key(page, sets[0].key if sets else None)
        if sets:
            put_settings(vd.follow(sets[0].key, base, model_choices(base.model)))
    settings = settings_controls(base, controls)
    if signature(settings) != state.get("followed"):
        # The reader moved the sidebar away from the set shown: show what the store holds for the new
        # settings, if anything (looked up without loading a model).
        wanted = wanted_key(settings)
        sets = read_sets(db, store.last_change(), page) if page else []
        show_key(page, wanted if wanted in [s.key for s in sets] else None)
        state.followed = signature(settings)
    return settings


def take_action(action: tuple[str, Any], settings: Settings, store: Store) -> None:
    """An upload, a paste or a URL: read it (bad rows named, good ones kept), summarise it, open it."""
    state = st.session_state
    try:
        skipped: list[ZhaiyaoError] = []
        new_pages = read_action(action, settings, skipped.append)
        for bad in skipped:
            st.warning(f"Skipped {bad}")
        report = summarise_new(new_pages, settings, store)
        state.last_report = vd.report_line(report)
        show_page(new_pages[0].source)
        show_key(new_pages[0].source, report.summariser)
        if len(new_pages) > 1:
            # A JSONL upload is one page per row: list them all through the page filter (set
            # before the filter widgets exist in this run, so it takes).
            state.f_page = Path(new_pages[0].source.split("#", 1)[0]).name
    except ZhaiyaoError as exc:
        # The reader sees what was wrong with the file; the app stays up for the next one.
        st.error(str(exc))
    except Exception as exc:  # a bug or a library's own error must not take the page down
        st.error(vd.unexpected(exc))


def fill_gaps(db: str, store: Store, page: str, settings: Settings) -> None:
    """Summarise the page's missing articles when the reader asked: at once for the instant backends
    (when their settings were just chosen), on the button for a model."""
    state = st.session_state
    results = shown_results(db, store.last_change(), page, state.get("shown_key") or wanted_key(settings))
    missing = [r for r in results if r.summary is None]
    instant = not registry.uses_model(settings.backend) and state.get("asked")
    state.asked = False
    if missing and (instant or state.get("summarise_here")):
        try:
            report = summarise_stored(page, results, settings, store)
            state.last_report = vd.report_line(report)
            show_key(page, report.summariser)
        except ZhaiyaoError as exc:
            st.error(f"Cannot summarise with the {settings.backend} summariser: {exc}")


def draw_search(results: list[ArticleResult]) -> None:
    st.markdown(f"### {len(results)} matching article(s)")
    if not results:
        st.info("Nothing in the store matches these filters.")
    draw_grid(results, show_page=True)
    download_controls(results, "search")


def draw_empty(db: str) -> None:
    st.markdown("## 摘要 Zhaiyao")
    st.info(
        "The store has no pages yet. Upload or paste a newspaper page in the sidebar to see each "
        "article condensed, or add pages from a terminal with `zhaiyao batch PAGE.txt "
        f"--db {db}`; they appear here by themselves."
    )


def draw_open_page(
    db: str, stamp: str, page: str, pages: list[PageInfo], settings: Settings, base: Settings
) -> None:
    state = st.session_state
    key = state.get("shown_key")
    sets = read_sets(db, stamp, page)
    results = shown_results(db, stamp, page, key or wanted_key(settings))
    article = state.get("open_article")
    if article is not None:
        draw_article(results, article)
    else:
        info = next((p for p in pages if p.source == page), None)
        draw_page_header(page, info, results)
        if sets:
            set_picker(sets, key, len(results), base)
        missing = sum(r.summary is None for r in results)
        if missing:
            draw_missing_note(missing, len(results), settings)
        draw_grid(results)
    download_controls(results, Path(page).stem)
    st.query_params["page"] = page


def draw_missing_note(missing: int, total: int, settings: Settings) -> None:
    uses_model = registry.uses_model(settings.backend)
    what = settings.backend + (f" · {settings.model}" if uses_model else "") + f" · {settings.style}"
    st.info(
        f"{missing} of {total} article(s) have no summary for these settings ({what}). "
        "Nothing is being summarised now"
        + ("; the model is loaded only when you ask." if uses_model else ".")
    )
    st.button("Summarise with these settings", key="summarise_here", type="primary")


main()
