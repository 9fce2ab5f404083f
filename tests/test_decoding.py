"""The llm backend's own greedy decoding must give exactly what ``model.generate`` gives: same tokens,
with the shared prompt prefix read once, prompts read without padding and rows leaving the batch early.
Checked on the tiny random Qwen2 in fp32, where batching adds no rounding of its own."""

from __future__ import annotations

from pathlib import Path

import pytest
from zhaiyao.runtime.decoding import Decoder
from zhaiyao.runtime.prefix_cache import MIN_PREFIX_TOKENS, shared_prefix_length

PENALTY = 1.05


@pytest.fixture(scope="module")
def model_and_tokenizer(tiny_model_dir: Path):
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    torch.manual_seed(0)
    model = AutoModelForCausalLM.from_pretrained(tiny_model_dir, dtype=torch.float32).eval()
    return model, AutoTokenizer.from_pretrained(tiny_model_dir)


def _prompt(tokenizer, text: str, *, example: bool = False) -> list[int]:
    # As long as the system message at least, like real examples: worth a prefix cache of its own.
    shot = [
        {"role": "user", "content": "用1到3句话概括下面的新闻。\n正文：" + "湘江大桥今日通车。" * 8},
        {"role": "assistant", "content": "湘江大桥今日通车。"},
    ]
    messages = [
        {"role": "system", "content": "你是新闻编辑，用简体中文为新闻写摘要，只写原文中有的事实。"},
        *(shot if example else []),
        {"role": "user", "content": f"用1到3句话概括下面的新闻。\n正文：{text}"},
    ]
    rendered = tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
    return tokenizer(rendered, add_special_tokens=False).input_ids


def _reference(model, prompt: list[int], max_new: int, stop: list[int]) -> list[int]:
    import torch
    from transformers import GenerationConfig

    config = GenerationConfig(
        do_sample=False,
        max_new_tokens=max_new,
        repetition_penalty=PENALTY,
        eos_token_id=stop,
        pad_token_id=stop[0],
    )
    with torch.inference_mode():
        out = model.generate(input_ids=torch.tensor([prompt]), generation_config=config)
    tokens = out[0, len(prompt) :].tolist()
    return [t for t in tokens if t not in stop]


def test_shared_prefix_length_leaves_a_token_to_read() -> None:
    assert shared_prefix_length([[1, 2, 3, 4], [1, 2, 3, 5, 6]]) == 3
    assert shared_prefix_length([[1, 2, 3], [1, 2, 3, 4]]) == 2  # one prompt is the other's prefix
    assert shared_prefix_length([[7, 8], [9]]) == 0
    assert shared_prefix_length([]) == 0


def test_matches_generate_with_prefix_reuse_batching_and_early_exit(model_and_tokenizer) -> None:
    model, tokenizer = model_and_tokenizer
    texts = [
        "株洲开行首趟旅游专列。",
        "来自全省各地的300余名游客乘坐专列前往炎陵，全程约3小时。" * 3,
        "绿博会开幕。" * 2,
    ]
    prompts = [_prompt(tokenizer, t) for t in texts]
    assert shared_prefix_length(prompts) >= MIN_PREFIX_TOKENS  # the prefix path is really taken
    max_new = [6, 15, 10]  # rows finish at different steps and leave the batch
    # The tiny model never picks these, so every row runs to its own limit unless a stop id shows up.
    stop = [tokenizer.convert_tokens_to_ids("<|im_end|>")]

    decoder = Decoder(model, stop_ids=stop, batch_size=2, repetition_penalty=PENALTY)
    got = decoder.generate(prompts, max_new)

    expected = [_reference(model, p, n, stop) for p, n in zip(prompts, max_new, strict=True)]
    assert got == expected
    assert [len(t) for t in got] == [len(t) for t in expected]
    assert all(got)


def test_prefix_cache_is_reused_and_never_modified(model_and_tokenizer) -> None:
    model, tokenizer = model_and_tokenizer
    prompts = [_prompt(tokenizer, "株洲开行首趟旅游专列。"), _prompt(tokenizer, "绿博会开幕。")]
    decoder = Decoder(model, stop_ids=[0], batch_size=4, repetition_penalty=PENALTY)
    first = decoder.generate(prompts, [8, 8])
    [(tokens, layers)] = decoder.prefixes.items()
    shapes = [tuple(k.shape) for k, _ in layers]
    second = decoder.generate(list(reversed(prompts)), [8, 8])
    [(kept, kept_layers)] = decoder.prefixes.items()
    assert kept == tokens and kept_layers is layers  # kept, not rebuilt
    assert [tuple(k.shape) for k, _ in layers] == shapes  # reading prompts did not grow it
    assert second == list(reversed(first))


def test_prefixes_of_two_prompt_families_and_a_lone_prompt_are_all_served(model_and_tokenizer) -> None:
    """Prompts with different examples alternate (the headline consensus) and a chunk can hold one
    request: each finds a kept prefix, and the answers stay exactly ``generate``'s."""
    model, tokenizer = model_and_tokenizer
    stop = [0]
    decoder = Decoder(model, stop_ids=stop, batch_size=4, repetition_penalty=PENALTY)
    family_a = [_prompt(tokenizer, t) for t in ("株洲开行首趟旅游专列。", "绿博会开幕。")]
    family_b = [_prompt(tokenizer, t, example=True) for t in ("株洲开行首趟旅游专列。", "绿博会开幕。")]
    for prompts in (family_a, family_b):
        assert decoder.generate(prompts, [6, 6]) == [_reference(model, p, 6, stop) for p in prompts]
    kept = dict(decoder.prefixes.items())
    assert len(kept) == 2
    for prompts in (family_a, family_b, family_b[:1]):
        got = decoder.generate(prompts, [6] * len(prompts))
        assert got == [_reference(model, p, 6, stop) for p in prompts]
    assert list(decoder.prefixes) == list(kept)  # nothing rebuilt: the lone prompt used its family's
    assert all(dict(decoder.prefixes.items())[t] is kept[t] for t in kept)


def test_stop_token_ends_a_row_without_being_returned(model_and_tokenizer) -> None:
    model, tokenizer = model_and_tokenizer
    prompt = _prompt(tokenizer, "株洲开行首趟旅游专列。")
    free = Decoder(model, stop_ids=[], batch_size=1).generate([prompt], [6])[0]
    # Make the third greedy token a stop token: the row must end right before it.
    stopped = Decoder(model, stop_ids=[free[2]], batch_size=1).generate([prompt], [6])[0]
    assert stopped == free[: free.index(free[2])]


def test_candidates_start_with_the_greedy_answer_and_are_reproducible(model_and_tokenizer) -> None:
    model, tokenizer = model_and_tokenizer
    texts = ["株洲开行首趟旅游专列。", "绿博会开幕。" * 2, "来自全省各地的300余名游客乘坐专列前往炎陵。"]
    prompts = [_prompt(tokenizer, t) for t in texts]
    stop = [tokenizer.convert_tokens_to_ids("<|im_end|>")]
    decoder = Decoder(model, stop_ids=stop, batch_size=2, repetition_penalty=PENALTY)
    greedy = decoder.generate(prompts, [8, 8, 8])

    sampled = decoder.candidates(prompts, [8, 8, 8], 4, temperature=1.0, top_k=50)

    assert [c[0] for c in sampled] == greedy
    assert all(len(c) == 4 and all(len(t) == 8 for t in c) for c in sampled)
    # A random model at temperature 1 over 50 tokens: samples that all equal greedy would mean
    # the sampled rows were decoded greedily.
    assert any(t != c[0] for c in sampled for t in c[1:])
    # Seeded per prompt: the same request gets the same candidates alone, in another batch and order.
    alone = decoder.candidates([prompts[2]], [8], 4, temperature=1.0, top_k=50)
    assert alone[0] == sampled[2]
    assert decoder.candidates(prompts[::-1], [8, 8, 8], 4, temperature=1.0, top_k=50) == sampled[::-1]


def test_a_top_k_of_one_samples_the_greedy_answer(model_and_tokenizer) -> None:
    model, tokenizer = model_and_tokenizer
    prompt = _prompt(tokenizer, "株洲开行首趟旅游专列。")
    decoder = Decoder(model, stop_ids=[], batch_size=1, repetition_penalty=PENALTY)
    sampled = decoder.candidates([prompt], [8], 3, temperature=0.8, top_k=1)[0]
    assert sampled == [sampled[0]] * 3 == [decoder.generate([prompt], [8])[0]] * 3


def test_continuous_batching_keeps_the_batch_full_and_runs_follow_ups(model_and_tokenizer) -> None:
    from zhaiyao.runtime.decoding import Job
    from zhaiyao.runtime.processors import Greedy

    model, tokenizer = model_and_tokenizer
    texts = [
        "株洲开行首趟旅游专列。",
        "绿博会开幕。" * 2,
        "来自全省各地的300余名游客。",
        "湘江大桥今日通车。",
    ]
    prompts = [_prompt(tokenizer, t) for t in texts]
    stop = [tokenizer.convert_tokens_to_ids("<|im_end|>")]
    limits = [3, 12, 5, 7]
    widths: list[int] = []
    hook = model.register_forward_pre_hook(
        lambda _m, _a, kw: widths.append(kw["input_ids"].shape[0]) if kw["input_ids"].shape[1] == 1 else None,
        with_kwargs=True,
    )
    decoder = Decoder(model, stop_ids=stop, batch_size=2, repetition_penalty=PENALTY)
    finished: list[tuple[object, list[int]]] = []

    def done(job, found):
        finished.append((job.tag, found[0]))
        # The first job asks for one more: it must run next, before the jobs still waiting.
        return [Job(prompts[3], 4, [Greedy()], "follow-up")] if job.tag == 0 else []

    try:
        decoder.run(
            [Job(p, n, [Greedy()], i) for i, (p, n) in enumerate(zip(prompts, limits, strict=True))], done
        )
    finally:
        hook.remove()
    got = dict(finished)
    for i, prompt in enumerate(prompts):
        assert got[i] == _reference(model, prompt, limits[i], stop)  # joining mid-way changes nothing
    assert got["follow-up"] == _reference(model, prompts[3], 4, stop)
    # Job 0 (3 tokens) finishes first; its follow-up takes its place before jobs 2 and 3 start.
    assert [tag for tag, _ in finished][:2] == [0, "follow-up"]
    # Every decoding step runs two rows until the queue is empty: 3 + 4 + 5 + 7 + 12 tokens, the
    # last job alone at the end only.
    assert widths.count(1) <= 12 - 7
    assert sum(widths) + 5 == sum(limits) + 4  # each job's first token comes from reading its prompt


@pytest.mark.parametrize("batch_size", [2, 3])
def test_rows_joining_longer_or_leaving_from_the_middle_change_no_answer(
    model_and_tokenizer, batch_size
) -> None:
    model, tokenizer = model_and_tokenizer
    texts = [
        "绿博会开幕。",
        "株洲开行首趟旅游专列。" * 2,
        "来自全省各地的300余名游客乘坐专列前往炎陵。" * 3,
        "湘江。",
    ]
    prompts = [_prompt(tokenizer, t) for t in texts]
    assert len(prompts[0]) < len(prompts[1]) < len(prompts[2])  # later jobs are longer: rows shift right
    limits = [9, 2, 6, 4]  # the second row leaves first, from the middle of the batch
    stop = [tokenizer.convert_tokens_to_ids("<|im_end|>")]
    decoder = Decoder(model, stop_ids=stop, batch_size=batch_size, repetition_penalty=PENALTY)
    found: dict[int, list[int]] = {}

    def done(job, tokens):
        found[job.tag] = tokens[0]
        return []

    from zhaiyao.runtime.decoding import Job
    from zhaiyao.runtime.processors import Greedy

    decoder.run(
        [Job(p, n, [Greedy()], i) for i, (p, n) in enumerate(zip(prompts, limits, strict=True))], done
    )
    assert found == {
        i: _reference(model, p, n, stop) for i, (p, n) in enumerate(zip(prompts, limits, strict=True))
    }
