"""Chinese sentence splitting and length limiting."""

from __future__ import annotations

import re

import pytest
from zhaiyao.summarise.base import STYLES
from zhaiyao.summarise.limits import cut_to_limit, limit_output
from zhaiyao.text.sentences import split_clauses, split_sentences


def test_closing_quotes_stay_with_their_sentence() -> None:
    assert split_sentences("他说：“我们来了。”然后走了！真的吗？？") == [
        "他说：“我们来了。”",
        "然后走了！",
        "真的吗？？",
    ]


def test_final_unpunctuated_sentence_is_kept() -> None:
    assert split_sentences("第一句。最后一句没有标点") == ["第一句。", "最后一句没有标点"]


def test_ellipsis_semicolon_and_decimal_numbers() -> None:
    assert split_sentences("增长2.4亿元；好……坏") == ["增长2.4亿元；", "好……", "坏"]


def test_half_width_full_stop_between_chinese_ends_a_sentence() -> None:
    assert split_sentences("今天开会.明天放假") == ["今天开会。", "明天放假"]


def test_lines_never_fuse() -> None:
    assert split_sentences("标题行\n正文第一句。") == ["标题行", "正文第一句。"]


def test_clauses_keep_their_marks() -> None:
    assert split_clauses("今年1月-8月，优良天数223天，同比增加15天；") == [
        "今年1月-8月，",
        "优良天数223天，",
        "同比增加15天；",
    ]


ARTICLE = (
    "省生态环境厅厅长邓立佳率队来株调研市生态环境局机关建设、机构垂直管理改革等情况。"
    "今年1月-8月，我市空气优良天数223天，同比增加15天；优良率91.4%。另外一句话。"
)


@pytest.mark.parametrize("limit", [10, 15, 25, 40, 60, 100])
def test_cut_respects_the_limit_at_boundaries(limit: int) -> None:
    out = cut_to_limit(ARTICLE, limit)
    assert 0 < len(out) <= limit
    assert out.replace("。", "")[:-1] in ARTICLE.replace("。", "")  # a prefix, nothing invented


def test_cut_prefers_whole_sentences() -> None:
    assert (
        cut_to_limit(ARTICLE, 60)
        == "省生态环境厅厅长邓立佳率队来株调研市生态环境局机关建设、机构垂直管理改革等情况。"
    )


def test_cut_never_splits_a_word() -> None:
    import jieba

    text = "生态环境保护督察回头看工作"
    # No clause mark within 7 characters: the cut falls between jieba words.
    out = cut_to_limit(text, 7)
    words = jieba.lcut(text)
    prefixes = {"".join(words[:n]) for n in range(1, len(words) + 1)}
    assert out in prefixes
    assert 0 < len(out) <= 7


@pytest.mark.parametrize(
    "text", ["公共场所禁烟立法已成公众共识２００８年以来", "禁烟立法已成共识2008年以来多地"]
)
def test_cut_never_ends_inside_a_number(text: str) -> None:
    # A real Sogou row: the word cut left "２００" of "２００８年", a number the article lacks.
    for limit in range(len(text) - 6, len(text) - 2):
        out = cut_to_limit(text, limit)
        number = re.search(r"[0-9０-９]+$", out)
        assert number is None or not text[len(out)].isdigit(), (limit, out)
        assert 0 < len(out) <= limit


def test_brief_keeps_at_most_three_sentences() -> None:
    out = limit_output("一。二。三。四。", STYLES["brief"], 100)
    assert out == "一。二。三。"


def test_headline_is_one_line_without_full_stop_and_labels() -> None:
    out = limit_output("标题：株洲召开生态环境保护大会。\n第二行", STYLES["headline"], 25)
    assert out == "株洲召开生态环境保护大会"


def test_bullets_are_points_without_markers_within_the_limit() -> None:
    raw = "1. 第一点。\n2. 第二点。\n- 第三点\n4、第四点\n5) 第五点\n6. 第六点"
    out = limit_output(raw, STYLES["bullets"], 200)
    assert out.splitlines() == ["第一点。", "第二点。", "第三点", "第四点", "第五点"]
    assert len(limit_output(raw, STYLES["bullets"], 12)) <= 12
