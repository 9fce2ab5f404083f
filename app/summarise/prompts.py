"""All prompt text and generation defaults, in one place.

Kept as data (strings and numbers) so prompts can be tuned against the eval set without touching
code. Change PROMPT_VERSION whenever any text or number here changes: it is recorded with every
summary, so cached summaries made with older prompts can be told apart.
"""

from __future__ import annotations

PROMPT_VERSION = "2026-11-25.1"

# Short prompts on purpose: on 2 CPU cores every prompt token costs ~4 ms for each article.
SYSTEM = "你是新闻编辑，用简体中文为新闻写摘要，只写原文中有的事实。"

# One instruction per style; {limit} is the character limit, {points} the bullet count range.
INSTRUCTIONS = {
    "headline": "为下面的新闻写一个标题，不超过{limit}个字，只输出标题。",
    "brief": "用1到3句话概括下面的新闻，不超过{limit}个字，只输出摘要。",
    "bullets": "用3到5条要点概括下面的新闻，每条一行，以“- ”开头，总共不超过{limit}个字，只输出要点。",
}

# Added after a summary failed the faithfulness guard, for the one retry.
STRICT_SUFFIX = "必须用中文。只用原文中出现过的数字、日期、人名和地名，不要添加原文没有的信息，不要重复。"

# How the article is shown to the model. The title helps the model find the topic cheaply.
ARTICLE_WITH_TITLE = "标题：{title}\n正文：{text}"
ARTICLE_WITHOUT_TITLE = "正文：{text}"

# seq2seq models are trained on the bare text (optionally with a task prefix from the manifest).
SEQ2SEQ_PREFIX = ""

# Generation defaults for the llm and seq2seq backends.
GENERATION = {
    # Qwen's tokenizer gives ~1.3–1.5 Chinese characters per token: size new tokens to the limit so
    # generation stops soon after the text could no longer fit anyway.
    "chars_per_token": 1.3,
    "extra_new_tokens": 12,
    # Articles longer than this many tokens are condensed first (lead + salient sentences, in order).
    # Brief summaries rarely need more; prompt reading is ~270 tokens/s on 2 cores.
    "input_budget_tokens": 600,
    # Bigger batches decode faster per article until padding waste and memory bandwidth win.
    "batch_size": 4,
    "repetition_penalty": 1.05,
}


def max_new_tokens(limit_chars: int) -> int:
    return int(limit_chars / GENERATION["chars_per_token"]) + int(GENERATION["extra_new_tokens"])


def user_prompt(style: str, limit: int, title: str | None, text: str, strict: bool = False) -> str:
    instruction = INSTRUCTIONS[style].format(limit=limit)
    if strict:
        instruction += STRICT_SUFFIX
    if title:
        body = ARTICLE_WITH_TITLE.format(title=title, text=text)
    else:
        body = ARTICLE_WITHOUT_TITLE.format(text=text)
    return f"{instruction}\n{body}"


def chat_messages(style: str, limit: int, title: str | None, text: str, strict: bool = False) -> list[dict]:
    return [
        {"role": "system", "content": SYSTEM},
        {"role": "user", "content": user_prompt(style, limit, title, text, strict)},
    ]
