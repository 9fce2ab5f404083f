"""The viewer's main flows through Streamlit's AppTest (no browser), and its non-UI helpers directly.

Flows: upload → progress → cards (the tiny llm model and the extractive backend), open an article,
search and filter, downloads, re-summarising from the cache, bad uploads, escaping of page text;
and `zhaiyao start` / `zhaiyao view` as commands.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner
from streamlit.testing.v1 import AppTest
from zhaiyao.cli import main as cli
from zhaiyao.config import load_settings
from zhaiyao.documents import Article, ArticleResult, Page, Removal, Summary
from zhaiyao.errors import InputError
from zhaiyao.store import Store
from zhaiyao.text.byline import names_once
from zhaiyao.viewer import data as vd

ROOT = Path(__file__).resolve().parents[1]
VIEWER = ROOT / "app" / "viewer" / "page.py"
SEED_PAGE = ROOT / "examples" / "zhuzhou_front_page.txt"
SEED = SEED_PAGE.read_bytes()


def _app(monkeypatch: pytest.MonkeyPatch, **env: str) -> AppTest:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    at = AppTest.from_file(str(VIEWER), default_timeout=300)
    at.run()
    assert not at.exception, at.exception
    return at


def _cards(at: AppTest) -> list[str]:
    return [h.proto.body for h in at.get("html") if h.proto.body.startswith('<div class="zy-card"')]


def _upload(at: AppTest, name: str = "zhuzhou.txt", data: bytes = SEED) -> AppTest:
    at.file_uploader(key="upload").upload(name, data, "text/plain")
    at.run()
    at.button(key="go_upload").click().run()
    assert not at.exception, at.exception
    return at


def _page_results(source: str = "zhuzhou.txt") -> list[ArticleResult]:
    with Store(load_settings().db_path) as store:
        return store.page_results(source)


def _editions(at: AppTest) -> list[str]:
    """The open issue's pages, as its 版次 buttons list them."""
    return [b.key.removeprefix("ed_") for b in at.button if b.key and b.key.startswith("ed_")]


def at_edition(at: AppTest) -> str:
    """The page the 版次 buttons mark as open."""
    (open_,) = [
        b.key.removeprefix("ed_")
        for b in at.button
        if b.key and b.key.startswith("ed_") and b.proto.type == "primary"
    ]
    return open_


# --- flows ------------------------------------------------------------------------------------------


def test_upload_with_tiny_model_shows_ten_cards(monkeypatch, tiny_model_dir) -> None:
    # The run's progress on screen is the browser test's (test_a_run_shows_progress_and_no_stale_content):
    # the page is drawn afresh from the store once the run is over.
    at = _app(monkeypatch, ZHAIYAO_BACKEND="llm", ZHAIYAO_MODEL=str(tiny_model_dir))
    assert not _cards(at)
    _upload(at)
    assert not at.error, [e.value for e in at.error]
    assert not at.get("progress")
    assert "10 of 10 articles" in at.success[0].value
    cards = _cards(at)
    assert len(cards) == 10
    assert [re.search(r'data-index="(\d+)"', c).group(1) for c in cards] == [str(i) for i in range(1, 11)]
    results = _page_results()
    assert all(r.summary is not None and r.summary.backend == "llm" for r in results)
    # A random model fails the faithfulness guard: each card says how its summary came about.
    for card, result in zip(cards, results, strict=True):
        assert f"zy-badge zy-{result.summary.guard}" in card
        assert vd.esc(result.summary.text.splitlines()[0]) in card
    assert "切实转变职能 扎实做好生态环保工作" in cards[0]
    assert list(_metrics(at))[:2] == ["篇数 · Articles", "核查通过 · Guard ok"]


def test_open_article_highlights_support_and_lists_removals(monkeypatch) -> None:
    at = _upload(_app(monkeypatch, ZHAIYAO_BACKEND="extractive"))
    results = _page_results()
    first = results[0]
    at.button(key=f"open_{first.article.page}_1").click().run()
    bodies = [h.proto.body for h in at.get("html")]
    article_html = next(b for b in bodies if b.startswith('<div class="zy-article">'))
    marks = re.findall(r'<mark class="zy-support[^"]*"[^>]*>(.*?)<sup', article_html)
    assert marks, "no supporting sentence highlighted"
    # Extractive summaries are article sentences: each highlighted sentence is in the summary (its
    # end mark may differ: a clause ending in ； closes the summary with 。).
    for mark in marks:
        assert mark.replace("&quot;", '"').rstrip("。；！？") in first.summary.text
    removed = [e for e in at.get("expander") if "What the cleaner removed" in e.proto.label]
    assert removed and f"({len(first.article.removed)})" in removed[0].proto.label
    at.button(key="back").click().run()
    assert len(_cards(at)) == 10


def test_filters_search_the_store(monkeypatch) -> None:
    at = _upload(_app(monkeypatch, ZHAIYAO_BACKEND="extractive"))
    at.text_input(key="f_reporter").input("罗欣").run()
    cards = _cards(at)
    assert len(cards) == 1 and "切实转变职能" in cards[0]
    assert any("1 matching article" in m.value for m in at.markdown)
    at.text_input(key="f_reporter").input("").run()
    at.text_input(key="f_keyword").input("旅游专列").run()
    # The matched words are marked in the card.
    assert any('开行湘东大地的<mark class="zy-hit">旅游专列</mark>' in c for c in _cards(at))
    at.text_input(key="f_keyword").input("没有这个词").run()
    assert not _cards(at)
    assert any("Nothing in the store matches" in i.value for i in at.info)
    at.text_input(key="f_keyword").input("").run()
    at.text_input(key="f_date").input("9月24日").run()
    assert [re.search(r"<h3[^>]*>(.*?)<", c).group(1) for c in _cards(at)] == ["13家株企参加2020绿博会"]
    at.text_input(key="f_date").input("2020/9/24").run()
    assert len(_cards(at)) == 1
    at.text_input(key="f_date").input("昨天").run()
    assert not _cards(at) and any("cannot read the date" in w.value for w in at.warning)
    # The status filter lists what needs a look; the clear button empties every filter.
    at.text_input(key="f_date").input("").run()
    at.selectbox(key="f_status").select("fallback").run()
    assert not _cards(at)
    at.text_input(key="f_keyword").input("旅游").run()
    at.button(key="f_clear").click().run()
    assert at.text_input(key="f_keyword").value == "" and at.selectbox(key="f_status").value == ""
    assert len(_cards(at)) == 10


def test_jsonl_upload_lists_every_row(monkeypatch) -> None:
    rows = [
        {"title": "株洲举办工业旅游节", "text": "株洲日报讯 今天，株洲举办工业旅游节。游客达到3000人。"},
        {"title": "湘江水质保持优良", "text": "株洲日报讯 今年湘江株洲段水质保持优良。优良率91.4%。"},
    ]
    data = "\n".join(json.dumps(r, ensure_ascii=False) for r in rows).encode()
    at = _upload(_app(monkeypatch, ZHAIYAO_BACKEND="extractive"), "rows.jsonl", data)
    # Each row is a page of the one upload: both are listed as its pages, the first open.
    assert _editions(at) == ["rows.jsonl#L1", "rows.jsonl#L2"]
    (card,) = _cards(at)
    assert "株洲举办工业旅游节" in card
    at.button(key="ed_rows.jsonl#L2").click().run()
    (card,) = _cards(at)
    assert "湘江水质保持优良" in card


def test_downloads_offer_the_shown_results(monkeypatch) -> None:
    at = _upload(_app(monkeypatch, ZHAIYAO_BACKEND="extractive"))
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels == ["JSONL", "CSV", "Markdown"]
    names = [b.proto.url for b in at.get("download_button")]
    assert all(names)
    results = _page_results()
    rows = [json.loads(line) for line in vd.export_bytes(results, "jsonl").decode().splitlines()]
    assert [r["index"] for r in rows] == list(range(1, 11))
    assert rows[0]["summary"]["text"] == results[0].summary.text
    data = vd.export_bytes(results, "csv")
    assert data.startswith(b"\xef\xbb\xbf")  # Excel reads the Chinese text as UTF-8
    table = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert len(table) == 10 and table[9]["title"] == "开行湘东大地的旅游专列"
    assert "## 10. 开行湘东大地的旅游专列" in vd.export_bytes(results, "md").decode()


def _summaries_shown(at: AppTest) -> list[str]:
    return [re.search(r'<p class="zy-summary">(.*?)</p>', c).group(1) for c in _cards(at)]


def test_changing_style_keeps_the_shown_set_until_asked_then_the_cache_answers(monkeypatch) -> None:
    at = _upload(_app(monkeypatch, ZHAIYAO_BACKEND="extractive"))
    brief = [r.summary.text for r in _page_results()]
    at.selectbox(key="style").select("headline").run()
    # Nothing ran: the brief set is still shown, and the page says what summarising would cost.
    assert _summaries_shown(at) == [vd.esc(t) for t in brief]
    assert any("Nothing runs until you ask" in i.value and "10 篇" in i.value for i in at.info)
    with Store(load_settings().db_path) as store:
        assert store.counts()["summaries"] == 10
    at.button(key="summarise_here").click().run()
    assert "10 new, 0 from the cache" in at.success[0].value
    cards = _cards(at)
    with Store(load_settings().db_path) as store:
        counts = store.counts()
    assert counts["summaries"] == 20
    assert all(len(re.search(r'<p class="zy-summary">(.*?)</p>', c).group(1)) <= 25 for c in cards)
    at.selectbox(key="style").select("brief").run()
    # The brief set is stored: the page offers it, and shows it straight from the store.
    at.button(key="show_stored").click().run()
    assert _summaries_shown(at) == [vd.esc(t) for t in brief]
    with Store(load_settings().db_path) as store:
        assert store.counts()["summaries"] == 20


def test_model_backend_waits_for_the_reader_then_uses_the_model(monkeypatch, tiny_model_dir) -> None:
    at = _upload(_app(monkeypatch, ZHAIYAO_BACKEND="extractive", ZHAIYAO_MODEL=str(tiny_model_dir)))
    at.selectbox(key="backend").select("llm").run()
    note = next(i.value for i in at.info if "Nothing runs until you ask" in i.value)
    assert "需先加载模型" in note and "10 篇" in note
    at.button(key="summarise_here").click().run()
    assert "10 new" in at.success[0].value
    with Store(load_settings().db_path) as store:
        assert store.counts()["summaries"] == 20


def test_bad_uploads_get_a_message_and_the_app_keeps_working(monkeypatch) -> None:
    at = _app(monkeypatch, ZHAIYAO_BACKEND="extractive", ZHAIYAO_MAX_FILE_MB="0.01")
    _upload(at, "scan.pdf", b"%PDF-1.4 binary")
    assert "scan.pdf: unsupported format (.pdf)" in at.error[0].value
    _upload(at, "big.txt", SEED)
    assert "big.txt: file is" in at.error[0].value and "over the 0.01 MB upload limit" in at.error[0].value
    # A bad row is skipped alone (issue 15): the good row is summarised, the bad one named.
    _upload(at, "rows.jsonl", b'{"title": "x", "text": "y"}\n{not json\n')
    assert not at.error and "rows.jsonl:2: malformed JSON" in at.warning[0].value
    assert len(_cards(at)) == 1
    _upload(at, "small.txt", "## 标题\n\n株洲日报讯 今天，株洲举行活动。参加者达到300人。\n".encode())
    assert not at.error
    assert len(_cards(at)) == 1


def test_page_text_is_escaped_never_markup(monkeypatch) -> None:
    at = _app(monkeypatch, ZHAIYAO_BACKEND="extractive")
    text = (
        "## 标题<script>alert(1)</script>\n\n"
        "株洲日报讯 今天<b onmouseover=alert(2)>活动</b>举行。参加者达到300人。\n"
    )
    # One submit sends the form's text (a browser's first click; see the browser test).
    at.text_area(key="paste_text").input(text)
    at.button(key="go_paste").click().run()
    assert not at.exception and not at.error
    (card,) = _cards(at)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in card
    assert "<script" not in card and "<b " not in card
    for html_el in at.get("html"):
        assert "<script" not in html_el.proto.body


def test_query_parameter_opens_a_stored_page(monkeypatch) -> None:
    at = _upload(_app(monkeypatch, ZHAIYAO_BACKEND="extractive"))
    _upload(at, "other.txt", "## 另一篇\n\n株洲日报讯 今天举行活动。参加者达到300人。\n".encode())
    assert len(_cards(at)) == 1
    fresh = AppTest.from_file(str(VIEWER), default_timeout=300)
    fresh.query_params["page"] = "zhuzhou.txt"
    fresh.run()
    assert len(_cards(fresh)) == 10
    assert at_edition(fresh) == "zhuzhou.txt"
    # The address names the article too: a link opens it.
    deep = AppTest.from_file(str(VIEWER), default_timeout=300)
    deep.query_params["page"] = "zhuzhou.txt"
    deep.query_params["article"] = "3"
    deep.run()
    (card,) = _cards(deep)
    assert 'data-index="3"' in card and any(
        h.proto.body.startswith('<div class="zy-article">') for h in deep.get("html")
    )
    # A page the store does not hold: the newest issue instead, and a word about it.
    lost = AppTest.from_file(str(VIEWER), default_timeout=300)
    lost.query_params["page"] = "gone.txt"
    lost.run()
    assert any("gone.txt" in w.value for w in lost.warning) and _cards(lost)


def _batch(source: str, text: str, **settings: object) -> None:
    """A page summarised into the test's store as `zhaiyao batch` does it (the pipeline, real backends)."""
    from zhaiyao.run.pipeline import run_pages

    config = load_settings().replace(**settings)
    with Store(config.db_path) as store:
        run_pages([Page(source=source, text=text)], config, store)


@pytest.fixture
def loads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The backends the viewer creates a summariser for (the real factory still runs)."""
    from zhaiyao.summarise import registry

    made: list[str] = []
    real = registry.create

    def counting(settings, progress=None):
        made.append(settings.backend)
        return real(settings, progress)

    monkeypatch.setattr(registry, "create", counting)
    return made


def _metrics(at: AppTest) -> dict[str, str]:
    """The page's counts strip, label → number."""
    strip = next(h.proto.body for h in at.get("html") if h.proto.body.startswith('<div class="zy-counts">'))
    return {label: n for n, label in re.findall(r"<b>(\d+)</b>([^<]+)</span>", strip)}


def test_opening_a_batched_page_shows_its_summaries_and_loads_no_model(monkeypatch, loads, tmp_path) -> None:
    _batch("zhuzhou.txt", SEED.decode(), backend="extractive")
    # The server's own default is the llm backend, with no weights anywhere: loading it would fail.
    at = _app(monkeypatch, ZHAIYAO_BACKEND="llm", ZHAIYAO_MODELS_DIR=str(tmp_path / "no-models"))
    assert not at.error, [e.value for e in at.error]
    cards = _cards(at)
    assert len(cards) == 10
    results = _page_results()
    for card, result in zip(cards, results, strict=True):
        assert vd.esc(result.summary.text.splitlines()[0]) in card
        assert "zy-pending" not in card and "正在生成摘要" not in card
    assert "llm" not in loads
    # The sidebar follows the set shown; the selector names it.
    assert at.selectbox(key="backend").value == "extractive"
    assert at.selectbox(key="style").value == "brief"
    (label,) = at.selectbox(key="set_pick").options
    assert re.fullmatch(r"抽取原句 · 简要 · \d{4}-\d\d-\d\d — 10/10", label)
    assert _metrics(at)["无摘要 · No summary"] == "0" and _metrics(at)["篇数 · Articles"] == "10"


def test_the_newest_set_is_shown_and_any_stored_set_can_be_picked(monkeypatch, loads) -> None:
    _batch("zhuzhou.txt", SEED.decode(), backend="extractive", style="brief")
    _batch("zhuzhou.txt", SEED.decode(), backend="lead", style="headline")
    at = _app(monkeypatch, ZHAIYAO_BACKEND="llm")
    picker = at.selectbox(key="set_pick")
    assert [re.sub(r" · \d{4}-\d\d-\d\d", "", o) for o in picker.options] == [
        "导语 · 一句话 — 10/10",
        "抽取原句 · 简要 — 10/10",
    ]
    assert picker.index == 0
    assert (at.selectbox(key="backend").value, at.selectbox(key="style").value) == ("lead", "headline")
    with Store(load_settings().db_path) as store:
        brief = [r.summary.text for r in store.page_results("zhuzhou.txt", _key("extractive", "textrank"))]
    at.selectbox(key="set_pick").select_index(1).run()
    assert (at.selectbox(key="backend").value, at.selectbox(key="style").value) == ("extractive", "brief")
    shown = [re.search(r'<p class="zy-summary">(.*?)</p>', c).group(1) for c in _cards(at)]
    assert shown == [vd.esc(t) for t in brief]
    assert "llm" not in loads


def _key(backend: str, model: str, style: str = "brief"):
    from zhaiyao.store import SummaryKey

    return SummaryKey.of(backend, model, style, None, "")


def test_settings_without_summaries_keep_the_shown_set_and_compute_nothing(
    monkeypatch, loads, tmp_path
) -> None:
    _batch("zhuzhou.txt", SEED.decode(), backend="extractive")
    at = _app(monkeypatch, ZHAIYAO_MODELS_DIR=str(tmp_path / "no-models"))
    stored = _summaries_shown(at)
    at.selectbox(key="backend").select("llm").run()
    assert not at.error, [e.value for e in at.error]
    # The stored set stays on screen; the page says what the new settings would take.
    assert _summaries_shown(at) == stored
    assert not any("zy-pending" in c or "zy-missing" in c for c in _cards(at))
    note = next(i.value for i in at.info if "Nothing runs until you ask" in i.value)
    assert "No summaries for the sidebar's settings" in note and "需先加载模型" in note
    assert "Summarise with these settings" in at.button(key="summarise_here").proto.label
    assert at.selectbox(key="set_pick").index == 0
    assert _metrics(at)["无摘要 · No summary"] == "0"
    assert "llm" not in loads


def test_a_pinned_set_opens_first_on_every_page_that_holds_it(monkeypatch, loads) -> None:
    _batch("zhuzhou.txt", SEED.decode(), backend="extractive", style="brief")
    _batch("zhuzhou.txt", SEED.decode(), backend="lead", style="headline")
    at = _app(monkeypatch)
    assert at.selectbox(key="set_pick").index == 0  # the newest: lead
    at.selectbox(key="set_pick").select_index(1).run()
    at.button(key="pin_set").click().run()
    with Store(load_settings().db_path) as store:
        assert store.pref("pinned_set")[0] == "extractive"
    again = _app(monkeypatch)
    assert again.selectbox(key="set_pick").index == 1
    assert "首选 pinned" in again.selectbox(key="set_pick").options[1]
    assert again.selectbox(key="backend").value == "extractive"


def test_an_empty_store_says_how_to_add_a_page(monkeypatch) -> None:
    at = _app(monkeypatch)
    assert any("zhaiyao batch PAGE.txt" in i.value for i in at.info)
    assert any("The store has no pages yet" in i.value for i in at.info)


def _title(at: AppTest) -> str:
    return next(h.proto.body for h in at.get("html") if 'class="zy-page-title"' in h.proto.body)


def test_the_issue_view_goes_newspaper_date_page(monkeypatch) -> None:
    for paper, town in (("株洲日报", "株洲"), ("湘潭日报", "湘潭")):
        for day in (26, 27):
            for n in (3, 1, 2):
                body = f"{paper}讯 9月{day}日，{town}举行第{n}场活动。参加者达到{n}00人。活动持续到晚上。"
                text = f"## {town}第{n}版新闻\n\n{body}\n"
                _batch(f"papers/2020-09-{day}/{town}-A0{n}.txt", text, backend="extractive")
    at = _app(monkeypatch)
    # The first screen: the newest issue's first page, named by paper, date and 版次.
    assert "湘潭日报 · 2020-09-27 · A01" in _title(at)
    assert at.selectbox(key="issue_paper").options == ["湘潭日报", "株洲日报"]
    assert at.selectbox(key="issue_date").options == ["2020-09-27 周日", "2020-09-26 周六"]
    assert [b.proto.label for b in at.button if b.key.startswith("ed_")] == ["A01", "A02", "A03"]
    at.selectbox(key="issue_paper").select("株洲日报").run()
    assert "株洲日报 · 2020-09-27 · A01" in _title(at)
    at.selectbox(key="issue_date").select("2020-09-26").run()
    assert "株洲日报 · 2020-09-26 · A01" in _title(at)
    at.button(key="ed_papers/2020-09-26/株洲-A02.txt").click().run()
    (card,) = _cards(at)
    assert "株洲第2版新闻" in card
    at.button(key="next_page").click().run()
    assert "株洲日报 · 2020-09-26 · A03" in _title(at)
    assert at.button(key="next_page").disabled and not at.button(key="prev_page").disabled
    assert at.query_params["page"] == "papers/2020-09-26/株洲-A03.txt"


def test_a_long_store_lists_its_dates_newest_first(monkeypatch) -> None:
    from zhaiyao.run.pipeline import run_pages

    config = load_settings().replace(backend="extractive")
    pages = [
        Page(
            source=f"株洲/2020-10-{1 + n % 28:02d}/A{n:03d}.txt",
            text=f"株洲日报讯 第{n}版消息。参加者{n}人。",
        )
        for n in range(120)
    ]
    with Store(config.db_path) as store:
        run_pages(pages, config, store)
    at = _app(monkeypatch)
    dates = at.selectbox(key="issue_date").options
    assert len(dates) == 28 and dates[0].startswith("2020-10-28") and dates[-1].startswith("2020-10-01")
    # Day 28 holds pages 27, 55, 83, 111: in 版次 order.
    assert [b.proto.label for b in at.button if b.key.startswith("ed_")] == ["A027", "A055", "A083", "A111"]


# --- helpers without Streamlit ----------------------------------------------------------------------


def test_support_marks_the_source_sentences_only() -> None:
    text = "今天天气晴朗。株洲市举行了工业旅游节开幕式，游客达到3000人。会议还讨论了其他事项。"
    spans = vd.support(text, "株洲举行工业旅游节开幕式，游客3000人。")
    scored = [(text[s.start : s.end], s.score) for s in spans]
    assert scored[1][1] > 0.5 and scored[0][1] == 0 and scored[2][1] == 0
    html = vd.highlighted_html(text, "株洲举行工业旅游节开幕式，游客3000人。")
    assert html.count("<mark") == 1 and "株洲市举行了工业旅游节开幕式" in html


def test_card_marks_generated_titles_and_escapes_everything() -> None:
    article = Article(
        page="p.txt",
        index=9,
        title=None,
        text="正文<script>x</script>。株洲举行工业旅游节，游客达到三千人次，活动持续一周，吸引各地游客前来参观。",
        reporters=("温琳",),
        continued_on="A2版",
        removed=(Removal("byline", "株洲日报记者 温琳"),),
    )
    summary = Summary(
        article_key=article.key,
        text="摘要<img src=x onerror=alert(1)>",
        style="brief",
        backend="llm",
        model="m",
        max_chars=100,
        keywords=("工业<旅游>",),
        generated_title="生成的<标题>",
        guard="fallback",
        guard_reasons=("number 5 not in the article",),
    )
    card = vd.card_html(ArticleResult(article, summary, "done"))
    assert "生成的&lt;标题&gt;" in card and "生成标题" in card
    assert "zy-badge zy-fallback" in card and "数字 5 不见于原文 · number 5 not in the article" in card
    assert "<img" not in card and "&lt;img" in card and "工业&lt;旅游&gt;" in card
    assert "记者 温琳" in card and "A2版" in card
    details = vd.article_details_html(ArticleResult(article, summary, "done"))
    assert "<script>" not in details and "&lt;script&gt;" in details
    assert vd.removed_rows(article) == [{"rule": "byline", "text": "株洲日报记者 温琳"}]


def test_check_upload_names_the_problem() -> None:
    settings = load_settings()
    vd.check_upload("page.TXT", 10, settings)
    with pytest.raises(InputError, match=r"page\.docx: unsupported format \(\.docx\)"):
        vd.check_upload("page.docx", 10, settings)
    with pytest.raises(InputError, match="over the 20 MB upload limit"):
        vd.check_upload("page.txt", 21 * 1024 * 1024, settings)
    with pytest.raises(InputError, match="empty"):
        vd.check_upload("page.md", 0, settings)


# --- commands ---------------------------------------------------------------------------------------


def test_start_summarises_the_sample_page_and_reports(tmp_path) -> None:
    db = tmp_path / "start.db"
    result = CliRunner().invoke(cli, ["start", "--backend", "extractive", "--no-view", "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert "10 of 10 articles from 1 page(s) summarised (10 new, 0 from the cache, 0 failed)" in result.output
    assert "10. 开行湘东大地的旅游专列" in result.output
    again = CliRunner().invoke(cli, ["start", "--backend", "extractive", "--no-view", "--db", str(db)])
    assert "(0 new, 10 from the cache, 0 failed)" in again.output


def test_start_skips_bad_inputs_and_refuses_when_nothing_is_left(tmp_path) -> None:
    good = tmp_path / "page.txt"
    good.write_text("## 标题\n\n株洲日报讯 今天，株洲举行活动。参加者达到300人。\n", encoding="utf-8")
    args = ["start", "--backend", "extractive", "--no-view", "--db", str(tmp_path / "s.db")]
    result = CliRunner().invoke(cli, [*args, str(good), str(tmp_path / "missing.txt")])
    assert result.exit_code == 0, result.output
    assert "skipped:" in result.output and "missing.txt" in result.output
    assert "1 of 1 articles from 1 page(s)" in result.output
    result = CliRunner().invoke(cli, [*args, str(tmp_path / "missing.txt")])
    assert result.exit_code == 2
    assert "nothing readable to summarise" in result.output
    assert "Traceback" not in result.output


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_start_serves_the_viewer_until_interrupted(tmp_path) -> None:
    port = _free_port()
    env = dict(os.environ, ZHAIYAO_DB=str(tmp_path / "serve.db"))
    cmd = [sys.executable, "-m", "zhaiyao", "start", "--backend", "extractive", "--no-browser"]
    cmd += ["--port", str(port)]
    # Ctrl-C as a terminal delivers it: a suite launched from a background shell would otherwise pass
    # SIGINT on ignored, and the command could not see it at all.
    proc = subprocess.Popen(
        cmd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    lines: list[str] = []
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            lines.append(line)
            if line.startswith("viewer: "):
                break
        url = lines[-1].removeprefix("viewer: ").strip()
        assert url == f"http://localhost:{port}/?page=" + str(SEED_PAGE).replace("/", "%2F"), lines
        with urllib.request.urlopen(f"http://localhost:{port}/_stcore/health", timeout=10) as reply:
            assert reply.status == 200
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 130
    # The server went with it: nothing answers on the port any more.
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(f"http://localhost:{port}/_stcore/health", timeout=5)


def test_the_sidebar_follows_a_stored_set_back_to_its_settings(tmp_path) -> None:
    from zhaiyao.store import SummaryKey

    base = load_settings()
    folder = tmp_path / "tiny-qwen"
    folder.mkdir()
    choices = [base.model, str(folder)]
    local = vd.follow(SummaryKey.of("llm", "tiny-qwen+int8", "bullets", 80, "p1"), base, choices)
    assert (local.backend, local.model, local.quantize, local.style, local.max_chars) == (
        "llm",
        str(folder),
        "int8",
        "bullets",
        80,
    )
    bf16 = vd.follow(SummaryKey.of("llm", base.model, "brief", None, "p1"), base, choices)
    assert (bf16.model, bf16.quantize, bf16.max_chars) == (base.model, "none", None)
    other = vd.follow(SummaryKey.of("seq2seq", "mt5-small", "headline", None, "p1"), base, choices)
    assert (other.backend, other.model, other.style) == ("seq2seq", "mt5-small", "headline")


def test_pages_are_named_by_paper_date_and_edition() -> None:
    from zhaiyao.store import PageInfo, SummaryKey, SummarySet
    from zhaiyao.viewer import naming

    def info(source: str, datelines: tuple[str, ...] = (), added: str = "2026-12-01") -> PageInfo:
        return PageInfo(source, None, "txt", "utf-8", 10, 3, 2, None, added, datelines)

    seed = naming.page_name(
        info(
            "examples/zhuzhou_front_page.txt",
            ("株洲日报讯 9月27日", "株洲日报讯 9月24日", "株洲日报讯 9月27日"),
        )
    )
    assert (seed.newspaper, seed.date, seed.number) == ("株洲日报", "9月27日", "")
    assert seed.title == "株洲日报 · 9月27日 · zhuzhou_front_page.txt"
    # A folder named like a paper names it; pages_real/ and 本报 do not.
    dated = naming.page_name(info("papers/湘潭日报/20200927/A01.txt"))
    assert dated.title == "湘潭日报 · 2020-09-27 · A01"
    anon = naming.page_name(info("pages_real/page_04.txt", ("本报讯",)))
    assert (anon.newspaper, anon.number, anon.title) == ("", "04", "04版")
    # The page's own furniture comes first.
    printed = naming.page_name(
        info("pages_real/page_04.txt"),
        {"newspaper": "人民日报", "issue_date": "2026-05-26", "page_number": "03", "page_name": "要闻"},
    )
    assert printed.title == "人民日报 · 2026-05-26 · 03版 要闻"
    # Issues: the newest date first, pages in 版次 order; the first screen is its first page.
    names = [
        naming.page_name(info(f"株洲日报/2020-09-{d}/{n}.txt", added=f"2026-12-0{i}"))
        for i, (d, n) in enumerate([("27", "A10"), ("27", "A02"), ("26", "A01"), ("27", "B01")], start=1)
    ]
    issues = naming.issues([*names, seed])
    assert [i.date for i in issues] == ["2020-09-27", "2020-09-26", "9月27日"]
    assert [p.number for p in issues[0].pages] == ["A02", "A10", "B01"]
    assert naming.first_screen(issues) == "株洲日报/2020-09-27/A02.txt"
    key = SummaryKey.of("llm", "qwen2.5-coder-1.5b-instruct+int8", "brief", 120, "2026-11-26.3")
    assert (
        vd.set_label(SummarySet(key, 10, "2026-12-01T08:00:00"), 10)
        == "大模型 · 简要 ≤120字 · 2026-12-01 — 10/10"
    )


def test_dates_are_read_in_any_common_form() -> None:
    from zhaiyao.viewer.naming import TypedDate, parse_date

    full = TypedDate(2020, 9, 27)
    for text in ("2020-09-27", "2020/9/27", "2020.9.27", "2020年9月27日", "20200927", " 2020-9-27 "):
        assert parse_date(text) == full, text
    for text in ("9月27日", "9/27", "9-27"):
        assert parse_date(text) == TypedDate(None, 9, 27), text
    assert parse_date("2020-02-30") is None and parse_date("昨天") is None
    assert full.matches("2020-09-27") and full.matches("9月27日") and not full.matches("2021-09-27")
    assert TypedDate(None, 9, 27).matches("2026-09-27") and full.in_text("株洲日报讯 9月27日")


def test_cards_show_words_once_and_flag_what_is_too_short() -> None:
    text = "塞尔维亚总统武切维奇同塞方代表会见。详情见 www.example.com/news 页面。" * 2
    assert vd.clean_keywords(["武切", "维奇", "同塞方", "www", "example", "com", "会见"], text) == [
        "武切维奇",
        "塞方",
        "会见",
    ]
    assert names_once(["杨迅", "杨迅整理"]) == ["杨迅整理"]
    article = Article(page="p.txt", index=1, title="你好", text="你好", reporters=("杨迅", "杨迅整理"))
    summary = Summary(
        article_key=article.key, text="你好", style="brief", backend="extractive", model="m", max_chars=0
    )
    card = vd.card_html(ArticleResult(article, summary, "done"))
    assert "过短 · too short" in card and "guard ok" not in card
    assert card.count("杨迅") == 1
    assert vd.guard_counts([ArticleResult(article, summary, "done")])["short"] == 1
    # Search words are marked in the card, never inside an escaped entity.
    hit = vd.card_html(
        ArticleResult(Article(page="p", index=1, title="A&B 工业", text="x" * 40)), terms=["工业", "amp"]
    )
    assert '<mark class="zy-hit">工业</mark>' in hit and "A&amp;B" in hit


def test_a_run_names_its_cost_from_measured_speed() -> None:
    assert vd.cost_line(10, 18.0, True).startswith("10 篇 · 10 article(s) · 约 3 分钟 · about 3 min")
    assert "需先加载模型" in vd.cost_line(10, 18.0, True)
    assert vd.cost_line(4, 0.5, False) == "4 篇 · 4 article(s) · 约 2 秒 · about 2 s"
    assert "未知" in vd.cost_line(4, None, True)


def test_the_store_keeps_marks_and_preferences(tmp_path) -> None:
    with Store(tmp_path / "marks.db") as store:
        assert store.marks(["k1"]) == {}
        store.set_marks("k1", read=True)
        store.set_marks("k1", starred=True)
        store.set_marks("k2", starred=True)
        store.set_marks("k2", starred=False)
        marks = store.marks(["k1", "k2", "k3"])
        assert (marks["k1"].read, marks["k1"].starred) == (True, True)
        assert (marks["k2"].read, marks["k2"].starred) == (False, False) and "k3" not in marks
        store.set_pref("pinned_set", ["extractive", "textrank", "brief", 0, ""])
        assert store.pref("pinned_set") == ["extractive", "textrank", "brief", 0, ""]
        store.set_pref("pinned_set", None)
        assert store.pref("pinned_set") is None


def test_opening_an_article_marks_it_read_and_a_star_is_kept(monkeypatch) -> None:
    at = _upload(_app(monkeypatch, ZHAIYAO_BACKEND="extractive"))
    first = _page_results()[0].article
    at.button(key=f"open_{first.page}_1").click().run()
    at.button(key="star").click().run()
    with Store(load_settings().db_path) as store:
        marks = store.marks([first.key])[first.key]
    assert marks.read and marks.starred
    at.button(key="back").click().run()
    assert "zy-star" in _cards(at)[0] and "已读" in _cards(at)[0]


def test_a_card_says_pending_only_while_its_summary_is_being_made() -> None:
    article = Article(page="p.txt", index=1, title="标题", text="正文。")
    waiting = vd.card_html(ArticleResult(article), computing=True)
    assert "zy-pending" in waiting and "正在生成摘要" in waiting
    idle = vd.card_html(ArticleResult(article))
    assert "zy-pending" not in idle and "正在生成摘要" not in idle
    assert "无摘要 · no summary" in idle and "No summary for these settings" in idle
    failed = vd.card_html(ArticleResult(article, None, "failed", "ModelError: boom"), computing=True)
    assert "失败 · failed" in failed and "ModelError: boom" in failed and "zy-pending" not in failed


def test_a_stored_set_made_with_the_int_mm_kernel_is_followed_to_its_settings() -> None:
    from zhaiyao.config import Settings
    from zhaiyao.store import SummaryKey
    from zhaiyao.summarise.llm import model_identity

    base = Settings(backend="extractive")
    name = model_identity("qwen2.5-coder-1.5b-instruct", "int8", "int_mm")
    key = SummaryKey.of("llm", name, "brief", None, "v")
    followed = vd.follow(key, base, ["qwen2.5-coder-1.5b-instruct"])
    assert (followed.model, followed.quantize, followed.int8_kernel) == (
        "qwen2.5-coder-1.5b-instruct",
        "int8",
        "int_mm",
    )


def test_a_paste_takes_its_paper_date_and_edition(monkeypatch) -> None:
    at = _app(monkeypatch, ZHAIYAO_BACKEND="extractive")
    at.text_area(key="paste_text").input(
        "## 标题\n\n本报讯 今天，全市举行活动。参加者达到300人。活动持续到晚上结束。\n"
    )
    at.text_input(key="paste_paper").input("株洲日报")
    at.text_input(key="paste_date").input("2020年9月27日")
    at.text_input(key="paste_number").input("A03")
    at.button(key="go_paste").click().run()
    assert not at.exception and not at.error
    assert "株洲日报 · 2020-09-27 · A03" in _title(at)
    assert at.query_params["page"].startswith("株洲日报/2020-09-27/pasted-")
    # An empty paste is answered, not ignored.
    at.text_area(key="paste_text").input("   ")
    at.button(key="go_paste").click().run()
    assert any("Paste a page's text first" in w.value for w in at.warning)


# Three short items; the second's headline ends with a full stop, so the splitter reads it as a body
# line and merges the first two (`zhaiyao split` gives two articles); the third stands apart.
MERGED_PAGE = (
    "全市新增就业岗位三万个\n\n本报记者 李二\n\n"
    "　　记者从有关部门获悉，今年前五个月，全市新增就业岗位三万个。\n\n"
    "　　其中，青年就业占比过半，服务业吸纳就业能力增强。\n\n"
    "湘江两岸樱花进入最佳观赏期。\n\n"
    "　　连日来，湘江风光带的樱花竞相开放，吸引众多市民前来赏花拍照。\n\n"
    "　　园林部门介绍，今年花期预计持续到本月下旬，周末游客较多。\n\n"
    "城区新建口袋公园十二处\n\n本报记者 王一\n\n"
    "　　今年以来，城区利用边角地新建口袋公园十二处，方便市民就近休闲。\n\n"
    "　　这些公园配有座椅、步道和儿童游乐设施，受到周边居民欢迎。\n"
)
SECOND_TITLE = "湘江两岸樱花进入最佳观赏期。"


def _summary_rows(source: str) -> dict[str, int]:
    """The page's summaries as stored: article key → rowid (a summary made again has a new row)."""
    import sqlite3

    with sqlite3.connect(load_settings().db_path) as conn:
        rows = conn.execute(
            """SELECT s.article_key, s.rowid FROM summaries s
               JOIN page_articles pa ON pa.article_key = s.article_key WHERE pa.page = ?""",
            (source,),
        ).fetchall()
    return dict(rows)


def _titles(source: str) -> list[str | None]:
    return [r.article.title for r in _page_results(source)]


def test_a_reader_splits_merges_and_undoes_in_the_open_article(monkeypatch) -> None:
    _batch("merged.txt", MERGED_PAGE, backend="extractive")
    before = _page_results("merged.txt")
    assert len(before) == 2 and SECOND_TITLE in before[0].article.text.split("\n")
    rows = _summary_rows("merged.txt")
    at = _app(monkeypatch, ZHAIYAO_BACKEND="extractive")
    at.button(key="open_merged.txt_1").click().run()
    at.session_state["fix_box"] = True  # the reader opens 拆分/合并 · Fix the split
    at.run()
    at.selectbox(key="fix_at").select((2, 0))  # the line 湘江两岸…, the third paragraph
    at.checkbox(key="fix_as_title").check()
    at.button(key="fix_split").click().run()
    assert not at.exception, at.exception
    after = _page_results("merged.txt")
    assert [r.article.title for r in after] == [
        before[0].article.title,
        SECOND_TITLE,
        before[1].article.title,
    ]
    assert all(r.summary is not None for r in after) and len(_cards(at)) == 3
    # Only the two new articles were summarised; the untouched one kept its summary row.
    new_rows = _summary_rows("merged.txt")
    assert new_rows[before[1].article.key] == rows[before[1].article.key] and len(new_rows) == 3
    assert max(rows.values()) < min(new_rows[r.article.key] for r in after[:2])
    # Merge them back from the open article, then undo that merge and the split: the page as split.
    at.button(key="open_merged.txt_1").click().run()
    at.session_state["fix_box"] = True
    at.run()
    at.button(key="fix_merge").click().run()
    assert (
        len(_titles("merged.txt")) == 2
        and _page_results("merged.txt")[1].article.key == before[1].article.key
    )
    at.button(key="fix_undo_page").click().run()
    assert _titles("merged.txt") == [r.article.title for r in after]
    at.button(key="fix_undo_page").click().run()
    assert [r.article.key for r in _page_results("merged.txt")] == [r.article.key for r in before]
    assert "fix_undo_page" not in [b.key for b in at.button] and len(_cards(at)) == 2


def test_a_reader_cuts_a_headline_out_of_the_middle_of_a_paragraph(monkeypatch) -> None:
    glued = MERGED_PAGE.replace("增强。\n\n湘江两岸", "增强。湘江两岸")
    _batch("glued.txt", glued, backend="extractive")
    at = _app(monkeypatch, ZHAIYAO_BACKEND="extractive")
    at.button(key="open_glued.txt_1").click().run()
    at.session_state["fix_box"] = True
    at.run()
    places = at.selectbox(key="fix_at").options
    assert "第 2 段第 2 句 · ¶2 s2: 湘江两岸樱花进入最佳观赏期。" in places
    at.selectbox(key="fix_at").select((1, 1))
    at.text_input(key="fix_title").input("湘江樱花盛开")
    at.button(key="fix_split").click().run()
    assert not at.exception, at.exception
    first, second, _ = _page_results("glued.txt")
    assert first.article.text.endswith("服务业吸纳就业能力增强。")
    assert second.article.title == "湘江樱花盛开"
    assert second.article.text.startswith("湘江两岸樱花进入最佳观赏期。\n连日来")
    assert second.summary is not None and len(_cards(at)) == 3
