"""A chat model's tokenizer, loaded in a third of transformers' time once it has been checked.

``AutoTokenizer`` parses the 11 MB ``tokenizer.json`` in Python and rebuilds the tokenizer from its
vocabulary through the model's tokenizer class (~0.9 s for Qwen2.5, a quarter of loading the int8
model); the Rust ``tokenizers`` library reads the same file in ~0.3 s. The two are the same tokenizer
only when the class adds nothing to the file, which cannot be told from the files. So the first load
of a folder builds both, compares them on a probe of everything the llm backend uses (ids of mixed
text, the chat template, decoding, the special tokens' ids), and writes the verdict beside the files
(``RECORD_FILE``); later loads take the fast route only where the verdict says it is the same
tokenizer for these very files and library versions.
"""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

from zhaiyao.errors import ModelError
from zhaiyao.runtime.derived import write_derived

RECORD_FILE = "zhaiyao-tokenizer.json"
_RECORD_FORMAT = 1
_TOKENIZER_FILES = (
    "tokenizer.json",
    "tokenizer_config.json",
    "chat_template.jinja",
    "special_tokens_map.json",
    "added_tokens.json",
)
# Settings that say where a tokenizer came from or how to rebuild it, not how it tokenizes.
_NOT_SETTINGS = {"tokenizer_class", "backend", "auto_map", "chat_template", "name_or_path", "is_local"}
_NOT_SETTINGS |= {"local_files_only", "added_tokens_decoder"}
# Chinese news with Latin, digits, full-width and ASCII punctuation, runs of spaces and newlines, an
# emoji and the chat markers written as text: the cases where tokenizer pipelines differ.
PROBE = (
    "新华社北京12月1日电（记者 王晓）国家统计局今天发布：1—10月，全国规模以上工业增加值同比增长5.8%。"
    'GDP growth of 5.2 % in Q3;  "CPI" up 0.4pp.\n\n  第二段：“这是引号”，（括号）、顿号——破折号…… 🚄'
    "<|im_start|>user<|im_end|><|endoftext|> tab\there 　全角空格"
)
STOP_TOKENS = ("<|im_end|>", "<|endoftext|>")


def load_tokenizer(path: Path):
    """The tokenizer in ``path`` (a transformers tokenizer either way)."""
    fingerprint = _fingerprint(path)
    record = _read_record(path)
    if fingerprint is not None and record.get("fingerprint") == fingerprint and record.get("same"):
        fast = _fast_tokenizer(path)
        if fast is not None:
            return fast
    try:
        from transformers import AutoTokenizer

        tokenizer = AutoTokenizer.from_pretrained(path, trust_remote_code=False)
    except (OSError, ValueError) as exc:
        raise ModelError(f"{path}: cannot load the tokenizer: {exc}") from exc
    if fingerprint is not None and record.get("fingerprint") != fingerprint:
        fast = _fast_tokenizer(path)
        _write_record(path, {"fingerprint": fingerprint, "same": fast is not None and same(tokenizer, fast)})
    return tokenizer


def same(expected, candidate) -> bool:
    """Whether ``candidate`` tokenizes, templates and decodes like ``expected`` on the probe."""
    try:
        return _behaviour(expected) == _behaviour(candidate)
    except Exception:  # a candidate that fails on the probe is simply not the same
        return False


def _behaviour(tokenizer) -> tuple:
    ids = tokenizer(PROBE, add_special_tokens=False).input_ids
    template = None
    if getattr(tokenizer, "chat_template", None):
        messages = [{"role": "system", "content": "你是编辑。"}, {"role": "user", "content": PROBE}]
        template = tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
    special = [tokenizer.convert_tokens_to_ids(token) for token in STOP_TOKENS]
    return (
        ids,
        template,
        tokenizer.decode(ids, skip_special_tokens=True),
        tokenizer.decode(ids),
        special,
        [tokenizer.eos_token_id, tokenizer.pad_token_id, tokenizer.bos_token_id, tokenizer.unk_token_id],
        len(tokenizer),
    )


def _fast_tokenizer(path: Path):
    """The tokenizer straight from ``tokenizer.json`` and the folder's settings; None if it cannot be."""
    try:
        from transformers import PreTrainedTokenizerFast

        settings = json.loads((path / "tokenizer_config.json").read_text(encoding="utf-8"))
        template_file = path / "chat_template.jinja"
        template = settings.get("chat_template")
        if template_file.is_file():
            template = template_file.read_text(encoding="utf-8")
        if template is not None and not isinstance(template, str):
            return None  # several named templates: left to transformers
        kwargs = {k: v for k, v in settings.items() if k not in _NOT_SETTINGS}
        tokenizer = PreTrainedTokenizerFast(tokenizer_file=str(path / "tokenizer.json"), **kwargs)
        tokenizer.chat_template = template
        tokenizer.name_or_path = str(path)
        return tokenizer
    except Exception:  # any failure means: use transformers' own route
        return None


def _fingerprint(path: Path) -> str | None:
    """The tokenizer files (sizes and times) and the library versions; None without tokenizer.json."""
    if not (path / "tokenizer.json").is_file() or not (path / "tokenizer_config.json").is_file():
        return None
    import tokenizers
    import transformers

    parts = [f"format={_RECORD_FORMAT}", transformers.__version__, tokenizers.__version__]
    for name in _TOKENIZER_FILES:
        file = path / name
        if file.is_file():
            stat = file.stat()
            parts.append(f"{name}:{stat.st_size}:{stat.st_mtime_ns}")
    return "|".join(parts)


def _read_record(path: Path) -> dict:
    try:
        record = json.loads((path / RECORD_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return record if isinstance(record, dict) else {}


def _write_record(path: Path, record: dict) -> None:
    """Best effort: a read-only folder just checks again next time."""
    text = json.dumps(record, indent=1)
    with contextlib.suppress(OSError):
        write_derived(path / RECORD_FILE, lambda partial: partial.write_text(text, encoding="utf-8"))
