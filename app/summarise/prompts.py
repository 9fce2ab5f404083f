"""All prompt text and generation defaults, in one place.

Kept as data (strings and numbers) so prompts can be tuned against the eval set without touching
code. Change PROMPT_VERSION whenever any text or number here changes: it is recorded with every
summary, so cached summaries made with older prompts can be told apart.
"""

from __future__ import annotations

PROMPT_VERSION = "2026-11-25.2"

# Short prompts on purpose: on 2 CPU cores every prompt token costs ~4 ms for each article.
SYSTEM = "你是新闻编辑，用简体中文为新闻写摘要，只写原文中有的事实。"

# One instruction per style; {limit} is the character limit, {points} the bullet count range.
INSTRUCTIONS = {
    # "who did what" and the article's own words: references are news headlines built from the lead's
    # facts, and reused wording is also the faithful choice (tuned on ../shared/eval, see README).
    "headline": "为下面的新闻写一个标题，不超过{limit}个字，写清楚谁做了什么，尽量用原文的词语，只输出标题。",
    "brief": "用1到3句话概括下面的新闻，不超过{limit}个字，只输出摘要。",
    "bullets": "用3到5条要点概括下面的新闻，每条一行，以“- ”开头，总共不超过{limit}个字，只输出要点。",
}

# Added after a summary failed the faithfulness guard, for the one retry.
STRICT_SUFFIX = "必须用中文。只用原文中出现过的数字、日期、人名和地名，不要添加原文没有的信息，不要重复。"

# How the article is shown to the model. The title helps the model find the topic cheaply.
ARTICLE_WITH_TITLE = "标题：{title}\n正文：{text}"
ARTICLE_WITHOUT_TITLE = "正文：{text}"

# Worked examples shown as earlier chat turns before the real article, per style. Headline: three
# LCSTS rows from the eval files' few-shot split (app.evaluate.is_shot_row), never scored; every fact
# and number in each headline is in its text, so the examples teach reuse, not invention. Three
# examples cost ~250 prompt tokens per article; they lifted char-level ROUGE-L on 20 scored LCSTS rows
# from the zero-shot ~26 to 39.
FEW_SHOT: dict[str, list[tuple[str, str]]] = {
    "headline": [
        (
            "昨天微信5.0版登陆苹果AppStore。微信5.0版内置了微信支付、表情商店、游戏中心等新功能，"
            "用户可以绑定财付通或银行卡。账号上微信5.0版做了整合，公众账号将一分为二，分为服务号和订阅号。"
            "这使得一些本来将公众账号作为营销平台的企业颇受影响。",
            "微信5.0版上线新增支付功能",
        ),
        (
            "魏先生原本近视，自开网店后每天上网10多小时，忙的时候甚至超过20小时。一月前，他突然觉得视力模糊，"
            "几小时后右眼居然完全看不见了！经检查视网膜已脱落。突然想起了小编大学时的一位室友(下图)，"
            "也不知他人现在怎么样了......",
            "淘宝店主天天上网超10小时右眼突然失明",
        ),
        (
            "国务院近日发布关于促进外贸稳定增长若干意见的正式文件，确定加快出口退税、扩大贸易融资规模等政策。"
            "新华分析师认为，接下来促外贸的各项措施会进入密集的落实期。在出口退税、金融等方面出台更细化的措施，"
            "此次政策着力点集中于降低出口企业成本。",
            "国务院下发促外贸稳增长意见",
        ),
    ],
}

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
    shots: list[dict] = []
    for example_text, example_answer in FEW_SHOT.get(style, []):
        shots.append({"role": "user", "content": user_prompt(style, limit, None, example_text)})
        shots.append({"role": "assistant", "content": example_answer})
    return [
        {"role": "system", "content": SYSTEM},
        *shots,
        {"role": "user", "content": user_prompt(style, limit, title, text, strict)},
    ]
