"""The real llm code path (loading, chat template, batched greedy generation, guard, fallback) on the tiny
random Qwen2 model. Its output is garbage, so the guard's retry → extractive fallback path runs for real."""

from __future__ import annotations

from pathlib import Path

import pytest
from zhaiyao.config import SAMPLE_PAGE, Settings
from zhaiyao.documents import Article, Summary
from zhaiyao.errors import ModelError
from zhaiyao.summarise import load_summariser, summarise_articles
from zhaiyao.summarise.base import STYLES, Request
from zhaiyao.summarise.limits import limit_output
from zhaiyao.text.sentences import split_sentences

PAGE = SAMPLE_PAGE.read_text(encoding="utf-8")
SHORT = "株洲开行首趟旅游专列。来自全省各地的300余名游客乘坐专列前往炎陵。专列全程约3小时。"


@pytest.fixture(scope="module")
def summariser(tiny_model_dir: Path):
    return load_summariser(Settings(backend="llm", model=str(tiny_model_dir), batch_size=2, threads=1))


@pytest.fixture(scope="module")
def results(summariser) -> tuple[list[Article], list[Summary], list[int]]:
    body = "\n".join(line for line in PAGE.splitlines() if line.strip() and not line.startswith("#"))
    articles = [
        Article("page", 1, "生态环保工作", body[:300]),
        Article("page", 2, None, SHORT),  # untitled: gets a generated headline
        Article("page", 3, "长文", body * 2),  # far over the 700-token input budget
    ]
    seen: list[int] = []
    out = summarise_articles(articles, summariser, max_chars=40, on_summary=lambda i, s: seen.append(i))
    return articles, out, seen


def test_loads_through_the_llm_backend(summariser, tiny_model_dir: Path) -> None:
    assert summariser.backend == "llm"
    assert summariser.model_name == f"{tiny_model_dir.name}+int8-onednn"  # int8 summaries are cached apart
    assert summariser.prompt_version
    assert next(summariser.model.parameters()).dtype.is_floating_point


def test_one_summary_per_article_in_input_order(results) -> None:
    articles, out, seen = results
    assert [s.article_key for s in out] == [a.key for a in articles]
    assert sorted(seen) == [0, 1, 2]
    assert seen != [0, 1, 2]  # length-sorted batches finish out of input order; the list is restored


def test_every_summary_obeys_the_limit_and_records_the_guard(results) -> None:
    _, out, _ = results
    for summary in out:
        assert 0 < len(summary.text) <= 40
        assert summary.max_chars == 40
        assert summary.guard in ("ok", "unsure", "retried", "fallback")
        if summary.guard != "ok":
            assert summary.guard_reasons
        assert len(summary.keywords) == 5


def test_garbage_output_falls_back_to_the_articles_own_sentences(results) -> None:
    articles, out, _ = results
    fallbacks = [(a, s) for a, s in zip(articles, out, strict=True) if s.guard == "fallback"]
    assert fallbacks, "a random model should not pass the guard twice for every article"
    for article, summary in fallbacks:
        assert any(r.startswith("attempt 1: ") for r in summary.guard_reasons)
        assert any(r.startswith("attempt 2: ") for r in summary.guard_reasons)
        for sentence in split_sentences(summary.text):
            assert sentence.rstrip("。") in article.text


def test_long_article_is_condensed_and_says_how(results) -> None:
    _, out, _ = results
    assert out[0].condensed is None
    assert out[2].condensed and "kept" in out[2].condensed and "600 tokens" in out[2].condensed


def test_untitled_article_gets_a_generated_headline(results) -> None:
    _, out, _ = results
    assert out[0].generated_title is None
    title = out[1].generated_title
    assert title and len(title) <= STYLES["headline"].max_chars
    assert out[1].as_dict()["title_generated"] is True


def test_batched_generation_restores_request_order(summariser) -> None:
    brief = STYLES["brief"]
    requests = [Request("标题", SHORT[: 10 + 12 * i], brief, 12) for i in range(4)]
    forward = summariser.generate(requests)
    backward = summariser.generate(requests[::-1])
    assert backward[::-1] == forward  # same length-sorted batches, outputs put back where they belong
    assert len({tuple(c) for c in forward}) > 1


def test_bad_model_folder_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(ModelError, match=r"no config\.json"):
        load_summariser(Settings(backend="llm", model=str(tmp_path / "empty")))


def test_identical_requests_are_generated_once(summariser) -> None:
    # Headline style on an untitled article: its summary and its generated title are the same request.
    seen: list[Request] = []
    real_serve = summariser.serve

    def recording(requests, on_answer):
        seen.extend(requests)
        return real_serve(requests, on_answer)

    summariser.serve = recording
    try:
        untitled = Article(page="p", index=1, title=None, text=SHORT)
        [summary] = summarise_articles([untitled], summariser, style="headline")
    finally:
        del summariser.serve
    first_call = [r for r in seen if not r.strict]
    assert len(first_call) == 1
    assert summary.generated_title is not None


def test_headlines_are_the_consensus_of_greedy_and_sampled_candidates(summariser) -> None:
    from zhaiyao.summarise import prompts
    from zhaiyao.summarise.choose import choice_index
    from zhaiyao.summarise.llm import chat_prompt_ids

    headline = STYLES["headline"]
    options = summariser.options
    count = options.candidates("headline")
    requests = [Request(None, text, headline, 25, candidates=count) for text in (SHORT, SHORT[:30])]
    sets = prompts.shot_sets("headline")
    assert count > 1 and len(sets) == 2 and all(sets)

    got = summariser.generate(requests)

    limits = [options.new_tokens(25)] * 2
    expected: list[list[str]] = [[], []]
    for shot_set in range(len(sets)):
        ids = [chat_prompt_ids(summariser.tokenizer, r, shot_set) for r in requests]
        assert all(sets[shot_set][0][1] in summariser.tokenizer.decode(i) for i in ids)
        found = summariser.decoder.candidates(
            ids,
            limits,
            count // len(sets),
            temperature=options.candidate_temperature,
            top_k=options.candidate_top_k,
        )
        for texts, tokens in zip(expected, found, strict=True):
            texts.extend(summariser.tokenizer.decode(t, skip_special_tokens=True).strip() for t in tokens)
    assert got == expected  # the backend returns exactly both sets' candidates
    for texts in expected:
        assert len(texts) == count
        assert len(set(texts)) > 1  # the tiny model's samples differ, so the choice is a real one
    # ...and the policy's answer is their consensus.
    grounding = options.consensus_grounding
    chosen = [texts[choice_index(texts, r, grounding)] for texts, r in zip(expected, requests, strict=True)]
    untitled = [Article(page="p", index=i, title=None, text=r.text) for i, r in enumerate(requests)]
    titles = [s.generated_title for s in summarise_articles(untitled, summariser, style="brief")]
    assert titles == [_kept_title(c, r.text) for c, r in zip(chosen, requests, strict=True)]
    # Briefs stay greedy: one candidate, the decoder's plain greedy answer.
    brief = Request("标题", SHORT, STYLES["brief"], 40)
    [greedy] = summariser.decoder.generate([summariser.prompt_ids(brief)], [options.new_tokens(40)])
    plain = summariser.tokenizer.decode(greedy, skip_special_tokens=True).strip()
    assert summariser.generate([brief]) == [[plain]]


def _kept_title(chosen: str, article: str) -> str:
    """The policy's title from the chosen candidate: kept unless the faithfulness check fails it, when the
    article's own extractive headline stands in (the tiny model's candidates are gibberish)."""
    from zhaiyao.summarise import faithful
    from zhaiyao.summarise.extractive import extract

    title = limit_output(chosen, STYLES["headline"], 25)
    return extract(article, STYLES["headline"], 25) if faithful.check(title, article).sure else title


def _choose(candidates: list[str], request: Request) -> int:
    from zhaiyao.summarise.choose import choice_index
    from zhaiyao.summarise.options import GenerationOptions

    return choice_index(candidates, request, GenerationOptions().consensus_grounding)


def test_the_consensus_prefers_candidates_the_guard_passes() -> None:
    article = "株洲开行首趟旅游专列。来自全省各地的300余名游客乘坐专列前往炎陵。"
    request = Request(None, article, STYLES["headline"], 25)
    candidates = [
        "株洲开行首趟旅游专列500名游客前往炎陵",  # the consensus, but 500 is not in the article
        "株洲开行首趟旅游专列游客前往炎陵",
        "株洲开行首趟旅游专列400名游客前往炎陵",
        "株洲开行旅游专列",
    ]
    assert _choose(candidates, request) == 1
    # With no faithful candidate the consensus stands (the pipeline's guard then retries).
    assert _choose([candidates[0], candidates[2]], request) == 0


def test_the_consensus_weighs_grounding_in_the_article() -> None:
    article = "株洲市首次举办工业旅游节，开行首趟旅游专列前往炎陵。"
    request = Request(None, article, STYLES["headline"], 25)
    # Two candidates agree with each other alike; the one more of whose words follow the article wins
    # over the earlier one (6 of 7 characters against 6 of 9).
    assert _choose(["株洲旅游节今日开幕", "株洲旅游节开幕"], request) == 1
