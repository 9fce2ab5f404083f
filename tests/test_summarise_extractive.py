"""Extractive and lead backends, keywords and condensing: no model weights needed."""

from __future__ import annotations

import pytest
from zhaiyao.config import Settings
from zhaiyao.documents import Article
from zhaiyao.summarise import load_summariser, summarise_articles
from zhaiyao.summarise.base import STYLES, Style
from zhaiyao.summarise.condense import condense
from zhaiyao.summarise.extractive import extract, rank_sentences
from zhaiyao.summarise.keywords import keywords
from zhaiyao.text.sentences import split_sentences

ARTICLE = (
    "9月27日，长株潭城市群一体化发展第二届联席会重点工作推进会在株洲召开。"
    "天气晴朗。"
    "会议通报了长株潭城市群一体化发展合作事项的推进情况，三市签署了城市群一体化合作协议。"
    "与会人员参观了株洲的城市建设项目。"
    "会议要求，三市要加快推进长株潭城市群一体化发展，共同打造城市群一体化发展示范区。"
    "散会后大家合影留念"
)


def test_ranking_has_a_lead_bias_and_keeps_order() -> None:
    ranked = rank_sentences(ARTICLE)
    assert [pos for pos, _, _ in ranked] == list(range(len(split_sentences(ARTICLE))))
    scores = [score for _, _, score in ranked]
    assert scores[0] == max(scores)  # the lead sentence, which also shares the most words
    assert scores[1] < scores[2]  # the short aside ranks below a content sentence


@pytest.mark.parametrize("style", ["headline", "brief", "bullets"])
def test_extract_stays_within_the_limit_and_copies_sentences_in_order(style: str) -> None:
    chosen = STYLES[style]
    out = extract(ARTICLE, chosen, chosen.max_chars)
    assert 0 < len(out) <= chosen.max_chars
    if style != "headline":
        pieces = split_sentences(out)
        positions = [ARTICLE.index(p.rstrip("。")) for p in pieces]
        assert positions == sorted(positions)


def test_bullets_have_three_to_five_points() -> None:
    points = extract(ARTICLE, STYLES["bullets"], 200).splitlines()
    assert 3 <= len(points) <= 5


def test_keywords_are_five_characteristic_words() -> None:
    words = keywords(ARTICLE)
    assert len(words) == 5
    assert "一体化" in words or "城市群" in words
    assert all(len(w) >= 2 and not w.isdigit() for w in words)


def test_condense_keeps_lead_and_records_how() -> None:
    long_text = ARTICLE * 1 + "".join(f"第{i}段补充说明了一些细节内容。" for i in range(60))
    result = condense(long_text, 200, len)
    assert result.note is not None and "kept" in result.note
    assert len(result.text) <= 200
    assert result.text.startswith("9月27日，长株潭城市群")
    sentences = split_sentences(result.text)
    positions = [long_text.index(s) for s in sentences]
    assert positions == sorted(positions)
    assert condense(ARTICLE, 10_000, len).note is None


def test_extractive_backend_summarises_every_article_in_order_with_keywords() -> None:
    articles = [
        Article("p", 1, "株洲召开推进会", ARTICLE),
        Article("p", 2, None, "株洲开行首趟旅游专列。游客来自全省各地。专列前往炎陵。"),
        Article("p", 3, "空文章", "   "),
    ]
    summariser = load_summariser(Settings(backend="extractive"))
    seen: list[int] = []
    out = summarise_articles(articles, summariser, on_summary=lambda i, s: seen.append(i))
    assert sorted(seen) == [0, 1, 2]
    assert [s.article_key for s in out] == [a.key for a in articles]
    assert out[0].text.startswith("9月27日") and out[0].guard == "ok" and len(out[0].keywords) == 5
    assert out[1].generated_title and len(out[1].generated_title) <= 25
    assert out[0].generated_title is None
    assert out[2].text == "" and out[2].guard == "fallback" and out[2].guard_reasons


def test_lead_backend_takes_the_first_sentence() -> None:
    summariser = load_summariser(Settings(backend="lead"))
    (summary,) = summarise_articles([Article("p", 1, "标题", ARTICLE)], summariser)
    assert summary.text == split_sentences(ARTICLE)[0]
    assert summary.backend == "lead"


def test_unknown_backend_and_style_are_clear_errors() -> None:
    from zhaiyao.errors import ConfigError

    with pytest.raises(ConfigError, match="unknown backend 'nope'"):
        load_summariser(Settings(backend="nope"))
    with pytest.raises(ConfigError, match="unknown summary style"):
        summarise_articles([], load_summariser(Settings(backend="lead")), style="poem")


def test_extractive_headline_skips_the_dateline_clause() -> None:
    text = "9月27日，“中国动力谷 文旅新起航”——2020年株洲市工业旅游节在株洲开幕。游客参观了工厂。"
    title = extract(text, STYLES["headline"], 25)
    assert not title.startswith("9月27日") and len(title) >= 10 and len(title) <= 25


def test_a_sentence_that_leans_on_its_neighbour_is_not_lifted_alone() -> None:
    """A lifted quote whose speaker is named in the next sentence would read as the writer's claim, and
    "他表示…" or "此外…" points at a sentence the reader never sees: a summary takes a sentence that
    stands alone instead, when one fits."""
    from zhaiyao.summarise.extractive import leans_on_neighbour

    sentences = split_sentences(
        "“我们对这个项目的前景充满信心。”张明说。他表示，项目将于明年完工。此外，该市还将新建学校。"
        "市住建局局长张明介绍，城南新区项目已完成投资十二亿元。"
    )
    leaning = [leans_on_neighbour(sentences, i) for i in range(len(sentences))]
    assert leaning == [True, True, True, True, False]
    article = (
        "“城南新区项目已完成投资十二亿元，明年全面完工。”张明说。"
        "城南新区项目新建道路十五公里。市住建局介绍，城南新区新建学校三所。"
    )
    one = Style("brief", max_chars=40, max_sentences=1)
    assert extract(article, one, 40) == "城南新区项目新建道路十五公里。"  # not the unattributed quote


def test_a_bare_speaker_tag_never_fills_the_room_left() -> None:
    """ "王凤雪说。" fits any room a summary has left, and after a lifted sentence it hands that sentence
    to the speaker: it is never taken, whatever room is left."""
    article = (
        "城南新区项目已完成投资十二亿元，新建道路十五公里，明年全面完工。"
        "“这条路让我们的菜半小时就能进城。”王凤雪说。城南新区还将新建学校三所。"
    )
    # Room for the lead and the schools (47 characters) and a little more: the tag (5) would fit.
    summary = extract(article, Style("brief", max_chars=53, max_sentences=3), 53)
    assert "王凤雪说" not in summary
    assert summary.startswith("城南新区项目已完成投资十二亿元")
