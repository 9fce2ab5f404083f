"""The real default model on three seed articles: length, guard and language (slow: minutes on 2 cores)."""

from __future__ import annotations

import pytest
from zhaiyao.config import SAMPLE_PAGE, Settings, load_settings
from zhaiyao.summarise.guard import check_language, check_numbers
from zhaiyao.text.sentences import is_cjk

pytestmark = pytest.mark.slow


def test_default_model_summarises_three_seed_articles() -> None:
    from zhaiyao.sources.files import read_inputs
    from zhaiyao.split.page import split_page
    from zhaiyao.summarise import load_summariser, summarise_articles

    # load_settings honours ZHAIYAO_MODELS_DIR (a shared cache); the model is fetched if missing.
    settings = load_settings().replace(backend="llm", model=Settings().model, batch_size=3)
    pages = read_inputs([str(SAMPLE_PAGE)], settings)
    articles = split_page(pages[0])
    chosen = [articles[0], articles[1], next(a for a in articles if not a.title)]
    summariser = load_summariser(settings)
    out = summarise_articles(chosen, summariser, style="brief")
    assert len(out) == 3
    for article, summary in zip(chosen, out, strict=True):
        assert 0 < len(summary.text) <= 100
        assert check_language(summary.text) is None
        source = "\n".join(p for p in (article.title, article.dateline, article.text) if p)
        assert check_numbers(summary.text, source) == []
        assert sum(is_cjk(ch) for ch in summary.text) >= 10
    assert sum(s.guard != "fallback" for s in out) >= 2
    untitled = out[2]
    assert untitled.generated_title and len(untitled.generated_title) <= 25
    assert check_language(untitled.generated_title) is None
