"""The printed credits line: each person once, the same in the viewer's card and in the exports."""

from __future__ import annotations

from zhaiyao.documents import Article, ArticleResult
from zhaiyao.export.formats import render
from zhaiyao.text.byline import byline_parts
from zhaiyao.viewer.data import card_html

ARTICLE = Article(
    page="p.txt",
    index=1,
    title="长株潭都市圈建设推进会召开",
    text="会议指出，要加快推进长株潭一体化。",
    dateline="本报长沙5月6日电，",
    reporters=("杨迅", "杨迅整理"),
    correspondents=("杨迅整理", "李华"),
    photographers=("王明",),
)


def test_each_person_is_named_once_reporters_first() -> None:
    assert byline_parts(ARTICLE) == ["记者 杨迅整理", "通讯员 李华", "摄影 王明", "本报长沙5月6日电"]


def test_the_markdown_export_prints_the_card_s_byline() -> None:
    result = ArticleResult(ARTICLE, status="failed", error="no model")
    line = " · ".join(byline_parts(ARTICLE))
    assert line in card_html(result)
    assert f"{line} · {ARTICLE.chars}字" in render([result], "md")
