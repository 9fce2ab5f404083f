"""Activation smoothing must change nothing in exact arithmetic: the scaled weights and divided norms
compute the same function. Checked on the tiny random Qwen2 in fp32, with ranges from its real
calibration pass (so the factors are far from 1)."""

from __future__ import annotations

from pathlib import Path

import pytest
from zhaiyao.runtime.smoothing import (
    Smoother,
    calibration_prompts,
    input_ranges,
    smoothing_factors,
    smoothing_groups,
)


@pytest.fixture(scope="module")
def tiny(tiny_model_dir: Path):
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    model = AutoModelForCausalLM.from_pretrained(tiny_model_dir, dtype=torch.float32).eval()
    return model, AutoTokenizer.from_pretrained(tiny_model_dir)


def _linears(model) -> list[str]:
    import torch

    return [n for n, m in model.named_modules() if isinstance(m, torch.nn.Linear)]


def test_groups_cover_every_layer_input_but_the_attention_output(tiny) -> None:
    model, _ = tiny
    groups = smoothing_groups(_linears(model), "lm_head", "model.norm.weight")
    layers = model.config.num_hidden_layers
    assert len(groups) == 3 * layers + 1
    covered = {n for g in groups for n in g.linears}
    # o_proj reads the attention output, which no norm or single weight produces: left as it is.
    assert set(_linears(model)) - covered == {f"model.layers.{i}.self_attn.o_proj" for i in range(layers)}
    assert groups[-1].producer == "model.norm.weight" and groups[-1].linears == ("lm_head",)


def test_smoothed_weights_compute_the_same_function(tiny) -> None:
    import copy

    import torch

    model, tokenizer = tiny
    prompts = calibration_prompts(tokenizer)
    assert len(prompts) == 2 and all(len(p) > 50 for p in prompts)
    groups = smoothing_groups(_linears(model), "lm_head", "model.norm.weight")
    ranges = input_ranges(model, prompts, [n for g in groups for n in g.linears])
    weights = dict(model.named_parameters(remove_duplicate=False))  # the tiny model ties its head
    factors = smoothing_factors(groups, ranges, lambda n: weights[f"{n}.weight"].detach().abs().amax(dim=0))
    assert all(float((f - 1).abs().max()) > 0.05 for f in factors.values())  # really rescaled

    smoother = Smoother(groups, factors)
    smoothed = copy.deepcopy(model)
    # The output head gets its own weight (the int8 copy quantises it separately from the embedding).
    smoothed.lm_head = torch.nn.Linear(model.config.hidden_size, model.config.vocab_size, bias=False)
    modules = dict(smoothed.named_modules())
    with torch.no_grad():
        for name in _linears(model):
            modules[name].weight.copy_(smoother.weight(name, weights[f"{name}.weight"].detach()))
        for key, value in model.state_dict().items():
            if key.endswith("norm.weight"):
                smoothed.get_parameter(key).copy_(smoother.other(key, value))

    ids = torch.tensor([prompts[0]])
    with torch.inference_mode():
        want, got = model(input_ids=ids).logits, smoothed(input_ids=ids).logits
    assert not torch.equal(smoothed.model.norm.weight, model.model.norm.weight)
    torch.testing.assert_close(got, want, rtol=1e-4, atol=1e-4)


def test_calibration_does_not_follow_prompt_tuning(tiny, monkeypatch) -> None:
    """The int8 copy is cached per model: its calibration must not change when prompts.py is tuned."""
    from zhaiyao.summarise import prompts

    _, tokenizer = tiny
    before = calibration_prompts(tokenizer)
    monkeypatch.setitem(prompts.INSTRUCTIONS, "headline", "只输出标题。")
    monkeypatch.setitem(prompts.FEW_SHOT, "headline", [])
    monkeypatch.setattr(prompts, "SYSTEM", "你是编辑。")
    assert calibration_prompts(tokenizer) == before
