"""Generation options: one typed value, built defaults ← manifest tables ← user overrides."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from zhaiyao.cli import main
from zhaiyao.config import Settings, load_settings
from zhaiyao.errors import ConfigError
from zhaiyao.summarise import load_summariser
from zhaiyao.summarise.options import GenerationOptions, identity_suffix
from zhaiyao.summarise.registry import generation_options

ROOT = Path(__file__).parents[1]


def test_each_layer_overrides_the_one_before() -> None:
    defaults = GenerationOptions()
    manifest = ({"max_input_tokens": 512}, {"repetition_penalty": 1.0, "num_beams": 4, "dtype": "float32"})
    built = GenerationOptions.build(manifest, [("num_beams", "2")])
    assert built.max_input_tokens == 512 and built.input_budget == 512  # the model cannot read 600
    assert built.repetition_penalty == 1.0  # the manifest's, over the default 1.05
    assert built.num_beams == 2  # the user's, over the manifest's 4
    assert built.candidate_top_k == defaults.candidate_top_k
    assert isinstance(built.num_beams, int)


def test_new_tokens_follow_the_limit_and_stop_at_the_cap() -> None:
    options = GenerationOptions(max_new_tokens=100)
    assert options.new_tokens(25) == int(25 / 1.3) + 12
    assert options.new_tokens(1000) == 100


@pytest.mark.parametrize(
    ("name", "value", "problem"),
    [
        ("temperature", "1", "unknown generation option 'temperature'"),
        ("candidate_top_k", "2.5", "is not a valid int"),
        ("repetition_penalty", "abc", "is not a valid float"),
        ("repetition_penalty", "nan", "out of range"),
        ("max_new_tokens", "1e20", "out of range"),
    ],
)
def test_a_bad_override_is_named(name: str, value: str, problem: str) -> None:
    with pytest.raises(ConfigError, match=problem):
        GenerationOptions.build((), [(name, value)])


def test_zhaiyao_toml_and_the_environment_carry_overrides(tmp_path: Path) -> None:
    config = tmp_path / "zhaiyao.toml"
    config.write_text("[generation]\ncandidate_top_k = 5\n", encoding="utf-8")
    settings = load_settings(config, environ={"ZHAIYAO_GENERATION": "repetition_penalty=1.2"})
    options = generation_options(settings)
    assert (options.candidate_top_k, options.repetition_penalty) == (5, 1.2)
    with pytest.raises(ConfigError, match="not NAME=VALUE"):
        load_settings(config, environ={"ZHAIYAO_GENERATION": "repetition_penalty"})


def test_overrides_give_summaries_an_identity_of_their_own(tiny_model_dir: Path) -> None:
    plain = load_summariser(Settings(backend="llm", model=str(tiny_model_dir), threads=1))
    tuned = load_summariser(
        Settings(backend="llm", model=str(tiny_model_dir), threads=1, generation=(("candidate_top_k", "3"),))
    )
    assert tuned.options.candidate_top_k == 3 and plain.options.candidate_top_k == 20
    assert tuned.prompt_version == plain.prompt_version + identity_suffix([("candidate_top_k", "3")])
    assert identity_suffix([]) == ""


def test_the_manifest_tables_reach_the_backend() -> None:
    # The default model's [prompt]/[generation] tables, as the registry reads them from the manifest.
    from zhaiyao.manifest import default_model_name, load_manifest

    spec = load_manifest()[default_model_name()]
    options = generation_options(Settings(), (spec.prompt, spec.generation))
    assert options.max_input_tokens == spec.prompt["max_input_tokens"]
    assert options.max_new_tokens == spec.generation["max_new_tokens"]
    assert options.repetition_penalty == spec.generation["repetition_penalty"]


def test_a_bad_option_is_a_usage_error_before_any_model_loads() -> None:
    page = ROOT / "examples" / "zhuzhou_front_page.txt"
    result = CliRunner().invoke(main, ["summarise", str(page), "--option", "top_k", "3"])
    assert result.exit_code == 2
    assert "unknown generation option 'top_k'" in result.output
