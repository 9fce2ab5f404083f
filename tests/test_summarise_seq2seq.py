"""The seq2seq backend on a tiny random T5 built here (with the tiny Chinese BPE tokenizer)."""

from __future__ import annotations

from pathlib import Path

import pytest
from zhaiyao.config import Settings
from zhaiyao.documents import Article
from zhaiyao.errors import ModelError
from zhaiyao.summarise import load_summariser, summarise_articles

TEXT = "株洲开行首趟旅游专列。来自全省各地的300余名游客乘坐专列前往炎陵。专列全程约3小时。"


@pytest.fixture(scope="module")
def tiny_t5_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import torch
    from tiny_model import build_tokenizer
    from transformers import T5Config, T5ForConditionalGeneration

    folder = tmp_path_factory.mktemp("tiny-t5")
    tok = build_tokenizer(folder)
    pad = tok.pad_token_id
    config = T5Config(
        vocab_size=len(tok),
        d_model=32,
        d_ff=64,
        d_kv=8,
        num_layers=1,
        num_heads=2,
        pad_token_id=pad,
        eos_token_id=tok.eos_token_id,
        decoder_start_token_id=pad,
        initializer_factor=5.0,  # varied random output instead of one repeated token
    )
    torch.manual_seed(0)
    T5ForConditionalGeneration(config).save_pretrained(folder, safe_serialization=True)
    return folder


def test_seq2seq_backend_summarises_within_limits(tiny_t5_dir: Path) -> None:
    summariser = load_summariser(Settings(backend="seq2seq", model=str(tiny_t5_dir), batch_size=2))
    assert summariser.backend == "seq2seq"
    articles = [
        Article("p", 1, "专列", TEXT),
        Article("p", 2, None, TEXT[:30]),
        Article("p", 3, "短", TEXT[:12]),
    ]
    out = summarise_articles(articles, summariser, style="brief", max_chars=30)
    assert [s.article_key for s in out] == [a.key for a in articles]
    for summary in out:
        assert 0 < len(summary.text) <= 30
        assert summary.backend == "seq2seq" and summary.guard in ("ok", "retried", "fallback")
    assert out[1].generated_title and len(out[1].generated_title) <= 25


def test_kind_mismatch_names_the_right_backend(tiny_t5_dir: Path, tiny_model_dir: Path) -> None:
    with pytest.raises(ModelError, match="use --backend seq2seq"):
        load_summariser(Settings(backend="llm", model=str(tiny_t5_dir)))
    with pytest.raises(ModelError, match="use --backend llm"):
        load_summariser(Settings(backend="seq2seq", model=str(tiny_model_dir)))
