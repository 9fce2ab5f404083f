"""All prompt text, in one place (the generation knobs are typed options: options.py).

Kept as data so prompts can be tuned against the eval set without touching code. Change PROMPT_VERSION
whenever any text here, or a default in options.py, changes: it is recorded with every summary, so
cached summaries made with older prompts can be told apart.
"""

from __future__ import annotations

from collections.abc import Sequence

PROMPT_VERSION = "2026-12-07.2"

# Short prompts on purpose: on a CPU every prompt token is paid for again with each article.
SYSTEM = "你是新闻编辑，用简体中文为新闻写摘要，只写原文中有的事实。"

# One instruction per style; {limit} is the character limit, {points} the bullet count range.
INSTRUCTIONS = {
    # "who did what" and the article's own words: references are news headlines built from the lead's
    # facts, and reused wording is also the faithful choice. "About 20 字": without it headlines came
    # out ~14 字 against references of ~18, and ROUGE-L F1 pays for the missing recall (README).
    "headline": (
        "为下面的新闻写一个标题，20字左右，不超过{limit}个字，写清楚谁做了什么，尽量用原文的词语，只输出标题。"
    ),
    # The news first, attributions and plans as written: on the faithfulness set's tune part (docs/
    # evaluation.md) the plain instruction gave a leader's directive or the writer's lead told as his
    # words where the news was the figures, the results, what happened.
    "brief": (
        "用1到3句话概括下面的新闻，不超过{limit}个字。先写新闻本身：谁、何时、做了什么、结果和关键数字。"
        "只有原文写明是某人说的话才能写成他说的；计划和目标照原文写。只输出摘要。"
    ),
    "bullets": "用3到5条要点概括下面的新闻，每条一行，以“- ”开头，总共不超过{limit}个字，只输出要点。",
}

# Added after a summary failed the faithfulness guard, for the one retry.
STRICT_SUFFIX = "必须用中文。只用原文中出现过的数字、日期、人名和地名，不要添加原文没有的信息，不要重复。"

# The retry also says what the failed summary got wrong, one note per kind of faithfulness finding
# (the reason's first word, zhaiyao.summarise.faithful). After the article, so the prompt's shared
# prefix (system, examples, instruction) stays the one the prefix cache holds.
RETRY_NOTE = "\n上一稿的问题："
RETRY_HINTS = {
    "attribution": "引语要按原文归属，不要把记者的叙述写成某人说的话。",
    "modality": "保留原文的“将、拟、计划、预计、正在、加快”等词，计划或目标不要写成已经完成。",
    "time": "时间要与原文一致，不要把多年来的成就写成某一年的。",
    "polarity": "不要改变原文的肯定与否定、增加与减少、高与低。",
    "organisation": "机构名称照原文写全（如“国务院办公厅”不能写成“国务院”）。",
    "quantity": "每个数字要连同原文中它的单位和所指对象一起写。",
    "number": "只用原文中出现过的数字。",
    "person": "只用原文中出现过的人名。",
    "place": "只用原文中出现过的地名。",
    "photo": "“某某摄”是图片作者署名，不是新闻人物。",
    "unsupported": "只写原文中有的内容。",
    "invented": "不要添加原文没有的评价或判断（如“填补空白”“标志着”“首次”）。",
    "actor": "做事的人或机构要与原文一致，不要换成别人。",
}

# How the article is shown to the model. The title helps the model find the topic cheaply.
ARTICLE_WITH_TITLE = "标题：{title}\n正文：{text}"
ARTICLE_WITHOUT_TITLE = "正文：{text}"

# Worked examples shown as earlier chat turns before the real article, per style. Headline: five
# LCSTS rows from the eval files' few-shot split (evaluate.report.is_shot_row), never scored. Chosen so
# that every fact and number in each headline is in its text (the examples teach reuse, not
# invention) and the headlines are 19–21 字 like the references. The shared prefix is read once per
# batch (zhaiyao.runtime.prefix_cache), so shots cost little per article. How they were chosen:
# docs/evaluation.md.
FEW_SHOT: dict[str, list[tuple[str, str]]] = {
    "headline": [
        (
            "魏先生原本近视，自开网店后每天上网10多小时，忙的时候甚至超过20小时。一月前，他突然觉得视力模"
            "糊，几小时后右眼居然完全看不见了！经检查视网膜已脱落。突然想起了小编大学时的一位室友(下图)，也"
            "不知他人现在怎么样了......",
            "淘宝店主天天上网超10小时右眼突然失明",
        ),
        (
            "铁总涨薪4次，员工还抱怨！实际此次涨薪将额外增加铁总72亿人力成本。对近两年频频亏损、运量连创新"
            "低的铁总来说，确实是笔不小的开支。然而铁路职工待遇低也是个不争的事实。尤其是职工收入差距大，底层"
            "员工颇有怨言。",
            "铁总涨薪将新增成本72亿涨了4次员工仍抱怨",
        ),
        (
            "美国总统奥巴马向美国银行业联盟发出了明确信息：我会紧盯着你们。3日，奥巴马在媒体上公开批评称，高"
            "额奖金鼓励交易员“冒巨大的风险”，这将伤害金融系统的稳定性。减少这种风险仍是一个尚待完成的任务，"
            "政府将探索进一步的措施。",
            "奥巴马炮轰华尔街暗示将继续推进限制举措",
        ),
        (
            "政府牵头倡导，企业承诺回收。去年秋收后，淮阳县农民在得到这样的郑诺后，种下了近万亩黄花菜。如今，"
            "丰收的黄花菜却成了“苦菜花儿”，无奈又气愤的菜农拉着2000多斤黄花菜到该县行政服务中心抛撒，以"
            "此抗议。（大河网）",
            "淮阳万亩黄花菜无人收购农户抛菜到政府办公室",
        ),
        (
            "据路透社消息，中国即将宣布外界期待已久的养老制度改革。有消息人士称，养老制度改革可能最早本月就将"
            "宣布，可能包括破除养老金多轨制、扩大养老保险覆盖面、增加退休基金投资渠道、以及提高效率等方面。",
            "外媒：中国养老制度改革可能最早本月将宣布",
        ),
    ],
}

# A second set of headline examples, also from the few-shot split and with every number in its text,
# but not styled alike: 18–23 字, one opening with its source ("前大使：…"), one its own lead sentence.
# Half the headline candidates come from a prompt with these (llm.py): candidates from two prompts
# agree on the article, not on one prompt's habits.
FEW_SHOT_ALTERNATE: dict[str, list[tuple[str, str]]] = {
    "headline": [
        (
            "中移动反腐风暴导致内部人心惶惶：转型步伐被延缓。当通信与互联网的边际愈发模糊;当基础电信网络不再"
            "是唯一的竞争力;当传统业务增长乏力;当互联网探索起了个大早却赶了个晚集;再加之反腐风暴、人心惶惶"
            "，中移动正站在关键的十字路口。谁来护佑其继续前行?",
            "中移动反腐风暴导致内部人心惶惶：转型步伐被延缓",
        ),
        (
            "习近平主席将于6月2-4日应邀访问哥斯达黎加共和国。中国驻哥前大使李长华介绍，哥斯达黎加是中国在"
            '中美洲唯一的建交国。""习主席去的时候，听说他们全国会放假。虽然这有过先例，但不是每个国家领'
            '导人去都会放假。"""',
            "前大使：听说哥斯达黎加将全国放假迎接习近平到访",
        ),
        (
            "看机构预测报告还不如掷骰子撞大运，上半年券商周策略准确率遭网友调侃。报告显示，券商周策略整体失准"
            "，38家券商平均准确率仅28%，相当于26周仅7周命中。有人说，市场走势只有三种：看多、看好、中"
            "性，随便选都比券商策略命中率高。(中国经济周刊)",
            "上半年券商报告超7成不准看报告不如掷骰子",
        ),
        (
            "国土部部长姜大明曾表示，6月前提出不动产登记条例，建立不动产部际联席会议制度和不动产信息共享平台"
            "，江西、江苏、河南、辽宁等多地都开始筹备不动产登记制度。另据国土部法律中心消息，目前《不动产登记"
            "条例》正处于研究起草阶段。",
            "不动产登记百日倒计时江苏等多地开始筹备",
        ),
        (
            "新法贯彻王安石“理财最为急务，备边府库不可不丰”的方针。方田均税、青苗、免役、市易、免行、均输都"
            "着眼于钱。前三条针对农民；后三条主要针对商人、手工业者和服务业者。其精神实质就是为朝廷弄钱，钱也"
            "的确弄到了。从这个角度说，王安石变法没失败。",
            "王安石变法未失败新法实质是为朝廷弄钱",
        ),
    ],
}

# seq2seq models are trained on the bare text (optionally with a task prefix from the manifest).
SEQ2SEQ_PREFIX = ""


def user_prompt(
    style: str, limit: int, title: str | None, text: str, strict: bool = False, hint: str = ""
) -> str:
    instruction = INSTRUCTIONS[style].format(limit=limit)
    if strict:
        instruction += STRICT_SUFFIX
    if title:
        body = ARTICLE_WITH_TITLE.format(title=title, text=text)
    else:
        body = ARTICLE_WITHOUT_TITLE.format(text=text)
    note = f"{RETRY_NOTE}{hint}" if hint else ""
    return f"{instruction}\n{body}{note}"


def retry_hint(reasons: Sequence[str]) -> str:
    """The notes for a retry, one per kind of finding in ``reasons`` (in their order)."""
    kinds = [reason.removeprefix("unsure: ").split(" ", 1)[0].rstrip(":") for reason in reasons]
    return "".join(dict.fromkeys(RETRY_HINTS[k] for k in kinds if k in RETRY_HINTS))


def shot_sets(style: str) -> list[list[tuple[str, str]]]:
    """The style's sets of worked examples: one prompt per set (at least one set, maybe empty)."""
    return [FEW_SHOT.get(style, [])] + ([FEW_SHOT_ALTERNATE[style]] if style in FEW_SHOT_ALTERNATE else [])


def chat_messages(
    style: str,
    limit: int,
    title: str | None,
    text: str,
    strict: bool = False,
    shot_set: int = 0,
    hint: str = "",
) -> list[dict]:
    shots: list[dict] = []
    for example_text, example_answer in shot_sets(style)[shot_set]:
        shots.append({"role": "user", "content": user_prompt(style, limit, None, example_text)})
        shots.append({"role": "assistant", "content": example_answer})
    return [
        {"role": "system", "content": SYSTEM},
        *shots,
        {"role": "user", "content": user_prompt(style, limit, title, text, strict, hint)},
    ]
