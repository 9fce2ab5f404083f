"""The tokenizer's fast route (zhaiyao.runtime.tokenizer): taken only after a check that it is the same
tokenizer, for the very files checked; real tiny tokenizers and, in the slow test, the default model's."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from zhaiyao.config import SAMPLE_PAGE
from zhaiyao.errors import ModelError
from zhaiyao.runtime import tokenizer as tokenizers_module
from zhaiyao.runtime.tokenizer import RECORD_FILE, load_tokenizer, same

TOKENIZER_FILES = ("tokenizer.json", "tokenizer_config.json", "chat_template.jinja")


@pytest.fixture
def folder(tiny_model_dir: Path, tmp_path: Path) -> Path:
    target = tmp_path / "tok"
    target.mkdir()
    for name in TOKENIZER_FILES:
        if (tiny_model_dir / name).is_file():
            shutil.copy2(tiny_model_dir / name, target / name)
    return target


def _record(folder: Path) -> dict:
    return json.loads((folder / RECORD_FILE).read_text(encoding="utf-8"))


def _no_transformers_route(monkeypatch: pytest.MonkeyPatch) -> None:
    from transformers import AutoTokenizer

    def refuse(*_args, **_kwargs):
        raise AssertionError("AutoTokenizer was used")

    monkeypatch.setattr(AutoTokenizer, "from_pretrained", refuse)


def test_a_checked_tokenizer_loads_from_its_file_and_behaves_the_same(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = load_tokenizer(folder)
    assert _record(folder)["same"] is True
    _no_transformers_route(monkeypatch)
    second = load_tokenizer(folder)
    page = SAMPLE_PAGE.read_text(encoding="utf-8")
    assert first(page, add_special_tokens=False).input_ids == second(page, add_special_tokens=False).input_ids
    messages = [{"role": "user", "content": page[:200]}]
    assert first.apply_chat_template(messages, tokenize=False, add_generation_prompt=True) == (
        second.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
    )
    assert same(first, second)


def test_a_tokenizer_class_that_tokenizes_differently_keeps_transformers_route(folder: Path) -> None:
    # Qwen2Tokenizer rebuilds the pipeline with its own pre-tokenizer: not what this file says.
    settings = json.loads((folder / "tokenizer_config.json").read_text(encoding="utf-8"))
    (folder / "tokenizer_config.json").write_text(
        json.dumps({**settings, "tokenizer_class": "Qwen2Tokenizer"}), encoding="utf-8"
    )
    assert type(load_tokenizer(folder)).__name__ == "Qwen2Tokenizer"
    assert _record(folder)["same"] is False
    assert type(load_tokenizer(folder)).__name__ == "Qwen2Tokenizer"


def test_changed_files_or_libraries_are_checked_again(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    load_tokenizer(folder)
    assert _record(folder)["same"] is True
    settings = json.loads((folder / "tokenizer_config.json").read_text(encoding="utf-8"))
    (folder / "tokenizer_config.json").write_text(
        json.dumps({**settings, "tokenizer_class": "Qwen2Tokenizer"}), encoding="utf-8"
    )
    assert type(load_tokenizer(folder)).__name__ == "Qwen2Tokenizer"  # the old verdict no longer applies
    assert _record(folder)["same"] is False

    (folder / "tokenizer_config.json").write_text(json.dumps(settings), encoding="utf-8")
    load_tokenizer(folder)
    assert _record(folder)["same"] is True
    checked = []
    monkeypatch.setattr(tokenizers_module, "same", lambda *args: checked.append(args) or True)
    import transformers

    monkeypatch.setattr(transformers, "__version__", "0.0.0-other")
    load_tokenizer(folder)
    assert checked, "another transformers version must be checked again"


def test_a_damaged_record_or_missing_tokenizer_json_falls_back(folder: Path) -> None:
    (folder / RECORD_FILE).write_text("{not json", encoding="utf-8")
    assert load_tokenizer(folder) is not None
    assert _record(folder)["same"] is True  # rewritten after the check
    (folder / "tokenizer.json").unlink()
    (folder / RECORD_FILE).unlink()
    with pytest.raises(ModelError, match="cannot load the tokenizer"):
        load_tokenizer(folder)
    assert not (folder / RECORD_FILE).exists()


@pytest.mark.slow
def test_the_default_models_tokenizer_takes_the_fast_route_unchanged(monkeypatch: pytest.MonkeyPatch) -> None:
    from transformers import AutoTokenizer
    from zhaiyao.config import Settings, load_settings
    from zhaiyao.weights import resolve_model

    path = resolve_model(Settings().model, load_settings().models_dir).path
    load_tokenizer(path)  # checks (once per files and versions) and records the verdict
    assert _record(path)["same"] is True
    reference = AutoTokenizer.from_pretrained(path)
    _no_transformers_route(monkeypatch)
    fast = load_tokenizer(path)
    page = SAMPLE_PAGE.read_text(encoding="utf-8")
    ids = fast(page, add_special_tokens=False).input_ids
    assert ids == reference(page, add_special_tokens=False).input_ids
    assert same(reference, fast)
