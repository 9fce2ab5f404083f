"""The consensus choice among candidate headlines (minimum Bayes risk with ROUGE-L)."""

from __future__ import annotations

import pytest
from zhaiyao.summarise.consensus import consensus_index, grounded_share
from zhaiyao.text.rouge import rouge_tokens


def test_the_candidate_the_others_agree_with_wins() -> None:
    candidates = [
        "株洲开行首趟旅游专列前往炎陵",  # greedy, close to the others
        "株洲首趟旅游专列开往炎陵",
        "株洲开行首趟旅游专列",
        "游客乘坐专列",  # a detail only one sample dwells on
    ]
    # Total ROUGE-L F1 against the others: 0.846 + 0.833 + 0.300 = 1.98 beats 1.91, 1.94 and 1.01.
    assert consensus_index(candidates) == 0
    # Without it: 0.727 + 0.375 for 株洲开行首趟旅游专列 against 0.727 + 0.333 and 0.333 + 0.375.
    assert consensus_index(candidates[1:]) == 1


def test_a_lone_outlier_first_loses_to_the_majority() -> None:
    candidates = ["央行宣布降息", "株洲旅游节开幕", "株洲工业旅游节开幕", "株洲旅游节今日开幕"]
    assert consensus_index(candidates) == 1


def test_ties_keep_the_earliest_and_punctuation_does_not_count() -> None:
    assert consensus_index(["株洲旅游节开幕", "株洲旅游节开幕！"]) == 0
    assert consensus_index(["甲乙", "丙丁"]) == 0
    assert consensus_index(["只有一个"]) == 0


def test_only_eligible_candidates_are_chosen_but_all_are_evidence() -> None:
    candidates = ["株洲旅游节开幕", "株洲工业旅游节开幕", "株洲旅游节今日隆重开幕", "央行宣布降息"]
    # Totals against the others: 0.875 + 0.778 = 1.65, 0.875 + 0.700 = 1.58, 0.778 + 0.700 = 1.48, 0.
    assert consensus_index(candidates) == 0
    assert consensus_index(candidates, eligible=[1, 2, 3]) == 1
    # Candidates 0 and 1 still count as evidence: 2 agrees with them, 3 with nothing.
    assert consensus_index(candidates, eligible=[3, 2]) == 2


def test_grounding_in_the_article_shares_the_choice_with_agreement() -> None:
    article = "株洲市首次举办工业旅游节，开行首趟旅游专列前往炎陵。"
    candidates = ["株洲旅游节开幕", "株洲旅游节今日开幕", "株洲开行旅游专列"]
    # Agreement (mean ROUGE-L against the other two): 0.704, 0.673, 0.502.
    assert consensus_index(candidates, source=article) == 0  # no weight: agreement alone
    # Grounding: 株洲旅游节开 (6 of 7), 株洲旅游节开 (6 of 9), 株洲开行旅游专列 (8 of 8).
    assert grounded_share(rouge_tokens(candidates[0]), rouge_tokens(article)) == pytest.approx(6 / 7)
    assert grounded_share(rouge_tokens(candidates[1]), rouge_tokens(article)) == pytest.approx(6 / 9)
    assert grounded_share(rouge_tokens(candidates[2]), rouge_tokens(article)) == 1.0
    assert grounded_share([], rouge_tokens(article)) == 0.0
    # Weight 0.5: 0.704 + 0.429 = 1.13 beats 1.01 and 1.00; weight 2: 0.502 + 2 = 2.50 beats 2.42.
    assert consensus_index(candidates, source=article, grounding=0.5) == 0
    assert consensus_index(candidates, source=article, grounding=2.0) == 2
    # Two candidates agree with each other alike: the better grounded one wins at any weight.
    assert consensus_index(candidates[1::-1], source=article, grounding=0.1) == 1


def test_no_candidates_is_an_error() -> None:
    with pytest.raises(ValueError):
        consensus_index([])
    with pytest.raises(ValueError):
        consensus_index(["甲"], eligible=[])
