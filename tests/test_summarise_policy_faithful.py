"""The summarising policy with the faithfulness check: a failed summary is retried with a note on what
went wrong, a second failure falls back to the article's own sentences (flagged), and a summary the
check passes with doubts is kept as "unsure" with its reasons."""

from __future__ import annotations

from collections.abc import Sequence

from zhaiyao.documents import Article
from zhaiyao.summarise import summarise_articles
from zhaiyao.summarise.base import Request
from zhaiyao.summarise.options import GenerationOptions
from zhaiyao.summarise.prompts import RETRY_HINTS, user_prompt

ARTICLE = "神舟二十号航天员乘组将进入空间站，开展为期6个月的驻留。乘组由三名航天员组成。"


class Scripted:
    """A backend that answers the first request with ``first`` and a retry with ``retry``."""

    backend = "scripted"
    model_name = "scripted"
    prompt_version = "test"
    batch_size = 4
    verbatim = False
    input_budget = None
    options = GenerationOptions()

    def __init__(self, first: str, retry: str) -> None:
        self.first, self.retry = first, retry
        self.requests: list[Request] = []

    def input_tokens(self, text: str) -> int:
        return len(text)

    def generate(self, requests: Sequence[Request]) -> list[list[str]]:
        self.requests += requests
        return [[self.retry if r.strict else self.first] for r in requests]


def _summary(first: str, retry: str):
    backend = Scripted(first, retry)
    (summary,) = summarise_articles([Article(page="p", index=1, title="神舟", text=ARTICLE)], backend)
    return summary, backend


def test_a_failed_summary_is_retried_with_what_went_wrong() -> None:
    summary, backend = _summary("航天员乘组进入空间站。", "航天员乘组将进入空间站，驻留6个月。")
    assert summary.guard == "retried"
    assert summary.text == "航天员乘组将进入空间站，驻留6个月。"
    assert summary.guard_reasons[0].startswith("attempt 1: modality:")
    retry = backend.requests[-1]
    assert retry.strict and retry.hint == RETRY_HINTS["modality"]
    # The note comes after the article: the prompt's shared prefix stays the same.
    prompt = user_prompt("brief", 100, retry.title, retry.text, True, retry.hint)
    assert prompt.endswith(RETRY_HINTS["modality"]) and ARTICLE in prompt


def test_two_failures_fall_back_to_the_articles_sentences() -> None:
    summary, _ = _summary("航天员乘组进入空间站。", "航天员乘组进入空间站，驻留9个月。")
    assert summary.guard == "fallback"
    assert summary.text and summary.text in ARTICLE.replace("\n", "")
    assert any(r.startswith("attempt 2: ") for r in summary.guard_reasons)


def test_a_doubtful_summary_is_kept_as_unsure_with_its_reasons() -> None:
    summary, backend = _summary("航天员乘组将进入空间站，两岸专家学者出席。", "unused")
    assert summary.guard == "unsure"
    assert summary.guard_reasons and all(r.startswith("unsure: ") for r in summary.guard_reasons)
    assert not any(r.strict for r in backend.requests)  # no retry for doubts


def test_a_faithful_summary_is_ok_without_reasons() -> None:
    summary, _ = _summary("航天员乘组将进入空间站，开展为期6个月的驻留。", "unused")
    assert (summary.guard, summary.guard_reasons) == ("ok", ())


def test_exports_carry_an_unsure_summarys_reasons() -> None:
    import csv
    import io

    from zhaiyao.documents import ArticleResult
    from zhaiyao.export.formats import render

    summary, _ = _summary("航天员乘组将进入空间站，两岸专家学者出席。", "unused")
    result = ArticleResult(Article(page="p", index=1, title="神舟", text=ARTICLE), summary, "done")
    markdown = render([result], "md")
    assert "核对存疑" in markdown and "unsupported" in markdown
    (row,) = csv.DictReader(io.StringIO(render([result], "csv").lstrip("\ufeff")))
    assert row["guard"] == "unsure" and row["guard_reasons"].startswith("unsure: unsupported")


def test_every_kind_of_sure_finding_has_a_note_for_the_retry() -> None:
    from zhaiyao.summarise.faithful import check
    from zhaiyao.summarise.prompts import retry_hint

    article = "国务院办公厅印发意见。襄阳市气象部门预测降雨。价格不高。全市有企业300家，员工2万人。"
    for summary in (
        "国务院印发意见。",
        "襄阳市农民预测降雨。",
        "价格不菲。",
        "全市有企业2万家。",
        "意见填补了空白。",
    ):
        reasons = check(summary, article).sure
        assert reasons and retry_hint(reasons), (summary, reasons)
