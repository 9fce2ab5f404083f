"""The lexical guard inside the faithfulness check: summaries that must fail and summaries that must
pass (the check's own rules: test_faithful.py)."""

from __future__ import annotations

import pytest
from zhaiyao.summarise.faithful import check
from zhaiyao.summarise.guard import check_numbers, normalise, numbers_in

ARTICLE = (
    "株洲日报讯 9月27日，省生态环境厅厅长邓立佳率队来株调研。今年1月-8月，我市空气优良天数223天，"
    "同比增加15天；优良率91.4%。全年完成投资２．４亿元，共有3,500人参加。三年来成效显著。"
)


@pytest.mark.parametrize(
    "summary",
    [
        "9月27日，邓立佳率队来株洲调研，优良率91.4%。",
        "株洲1月至8月空气优良天数223天，同比增加15天。",
        "全年完成投资2.4亿元。",  # full-width digits in the article
        "全年完成投资２．４亿元，3500人参加。",  # full-width in the summary, no thousands separator
        "3年来成效显著。",  # 三 in the article
    ],
)
def test_faithful_summaries_pass(summary: str) -> None:
    result = check(summary, ARTICLE)
    assert result.ok, result.reasons


@pytest.mark.parametrize(
    ("summary", "reason"),
    [
        ("全年完成投资3.5亿元。", "number 3.5 not in the article"),
        ("9月28日邓立佳来株调研。", "number 28 not in the article"),
        ("优良率提高到95%。", "number 95 not in the article"),
        ("张伟在北京调研生态环境。", "person 张伟 not in the article"),
        ("张伟在北京调研生态环境。", "place 北京 not in the article"),
        ("The director inspected environmental work in Zhuzhou.", "not mostly Chinese"),
        ("调研调研调研调研调研调研。", "repeats"),
        ("邓立佳率队调研。邓立佳率队调研。", "repeats"),
        ("邓立佳\ufffd调研。", "broken characters"),
        ("", "empty summary"),
    ],
)
def test_unfaithful_summaries_fail_with_a_reason(summary: str, reason: str) -> None:
    result = check(summary, ARTICLE)
    assert not result.ok
    assert any(reason in r for r in result.reasons), result.reasons


def test_latin_names_from_the_article_do_not_count_as_english() -> None:
    article = "空客公司向卡塔尔航空公司交付了全球首架A350XWB宽体客机，这是该机型首次交付。"
    assert check("空客向卡塔尔航空交付首架A350XWB", article).ok
    # The same share of Latin letters the article never used is still a switch of language.
    assert "not mostly Chinese" in check("空客向卡塔尔航空交付首架WidebodyJet", article).reasons[0]


def test_numbers_are_normalised() -> None:
    assert normalise("２．４亿，3,500人") == "2.4亿,3500人"
    assert numbers_in("２．４亿，3,500人，增长5.0%，第1，2项") == {"2.4", "3500", "5", "1", "2"}


def test_number_check_reports_each_missing_number_once() -> None:
    assert check_numbers("增加16天，优良率91.4%，再增加16天", ARTICLE) == ["number 16 not in the article"]


def test_a_term_the_article_repeats_is_not_a_loop() -> None:
    article = "生态环境厅调研生态环境局，听取生态环境监测中心汇报，部署生态环境保护工作。"
    summary = "生态环境厅调研生态环境局，听取生态环境监测中心汇报。"
    assert check(summary, article).ok
    looped = "生态环境局生态环境局生态环境局生态环境局。"
    assert any("repeats" in r for r in check(looped, article).reasons)


def test_names_match_across_the_pages_spaces() -> None:
    assert check("动力谷文旅新起航。", "“中国动力谷 文旅新起航”").ok
