"""Character-level ROUGE against cases computed by hand (fractions written out in each test)."""

from __future__ import annotations

import pytest
from zhaiyao.text.rouge import RougeScore, corpus_score, lcs_length, rouge_tokens, score


def test_chinese_characters_are_the_tokens() -> None:
    # The trap this module exists for: word-based ROUGE drops CJK, so two different Chinese
    # sentences would both be empty and "identical". Here they are really compared.
    assert rouge_tokens("我爱北京") == ["我", "爱", "北", "京"]
    assert score("北京", "上海") == RougeScore(0.0, 0.0, 0.0)
    assert score("北京", "北京") == RougeScore(1.0, 1.0, 1.0)


def test_half_overlap() -> None:
    # 我爱北京 / 我爱上海: unigrams 2 of 4 both ways → 1/2; bigrams {我爱} of 3 → 1/3; LCS 我爱 = 2 → 1/2.
    s = score("我爱北京", "我爱上海")
    assert s.rouge1 == pytest.approx(1 / 2)
    assert s.rouge2 == pytest.approx(1 / 3)
    assert s.rougeL == pytest.approx(1 / 2)


def test_unequal_lengths_and_order() -> None:
    # candidate 北京欢迎你 (5), reference 欢迎你来北京 (6)
    # overlap 5 → P 5/5, R 5/6 → F 10/11
    # cand {北京 京欢 欢迎 迎你}, ref {欢迎 迎你 你来 来北 北京}: overlap 3 → P 3/4, R 3/5 → F 2/3
    # R-L: LCS 欢迎你 = 3 (北京 comes first in one, last in the other) → P 3/5, R 3/6 → F 6/11
    s = score("北京欢迎你", "欢迎你来北京")
    assert s.rouge1 == pytest.approx(10 / 11)
    assert s.rouge2 == pytest.approx(2 / 3)
    assert s.rougeL == pytest.approx(6 / 11)


def test_repeated_characters_are_clipped() -> None:
    # 哈哈哈 vs 哈: overlap min(3, 1) = 1 → P 1/3, R 1 → F 1/2; a looping summary gains nothing.
    s = score("哈哈哈", "哈")
    assert s.rouge1 == pytest.approx(1 / 2)
    assert s.rouge2 == 0.0  # the reference has no bigram


def test_nfkc_full_width_digits_and_letters() -> None:
    assert rouge_tokens("２０１１年ＣＰＩ") == list("2011年cpi")
    assert score("２０１１年ＧＤＰ", "2011年gdp") == RougeScore(1.0, 1.0, 1.0)


def test_punctuation_and_whitespace_are_ignored() -> None:
    assert rouge_tokens("你好，世界！ “新闻” 《报》——2.5%") == list("你好世界新闻报25")
    assert score("你好，世界！", "你好 世界") == RougeScore(1.0, 1.0, 1.0)


def test_empty_candidate_or_reference_scores_zero() -> None:
    assert score("", "参考摘要") == RougeScore(0.0, 0.0, 0.0)
    assert score("！？。", "参考摘要") == RougeScore(0.0, 0.0, 0.0)
    assert score("摘要", "") == RougeScore(0.0, 0.0, 0.0)


def test_lcs_length() -> None:
    assert lcs_length(list("ABCBDAB"), list("BDCABA")) == 4  # the textbook example (BCBA)
    assert lcs_length([], list("abc")) == 0


def test_corpus_score_is_macro_average_times_100() -> None:
    # Row 1 perfect (F 1), row 2 half (F 1/2): macro mean 3/4 → 75, regardless of row lengths.
    rows = [score("北京", "北京"), score("我爱北京", "我爱上海")]
    total = corpus_score(rows)
    assert total.rouge1 == pytest.approx(75.0)
    assert total.rougeL == pytest.approx(75.0)
    assert total.rouge2 == pytest.approx(100 * (1 + 1 / 3) / 2)
    assert corpus_score([]) == RougeScore(0.0, 0.0, 0.0)
