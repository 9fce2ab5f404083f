"""Claims the article does not make: the summary's own verdicts and firsts, and a changed actor.

- A small model likes to close with a verdict (填补了…空白, 标志着…, 为…提供典范, 里程碑, 首次, 领先). Such a
  word in the summary that the article never uses is a claim the summary invented.
- The doer of a clause (its subject: the nouns before its first verb, or the head of the sentence when
  the clause has none) must be named in the article sentence the clause restates or just before it:
  襄阳市农民利用卫星雷达预测降雨 where the article's sentence is about 气象部门 changes who acted.
- A scope the article does not give: 全国人大代表 for the article's 省人大代表; hosts it does not name
  (由X主办).
- The prompt's own words (正文：) copied into the summary.
"""

from __future__ import annotations

import re
from functools import lru_cache

from zhaiyao.summarise import prompts
from zhaiyao.summarise.faithful.actors import abbreviates
from zhaiyao.summarise.faithful.align import Source, normalise, squeeze, summary_clauses, tagged
from zhaiyao.summarise.faithful.lexicon import ACTOR_ENDS, VERDICTS
from zhaiyao.text.sentences import split_sentences

MIN_COVERAGE = 0.6
_HOST_RE = re.compile(r"由([^,。;:由]{3,40}?)(?:共同)?(?:主办|承办|举办|发起|指导|组织)")
_HOSTED_RE = re.compile("主办|承办|举办|发起|指导|组织")
_SCAFFOLD = ("正文:", "标题:", "摘要:")
_SCOPE_RE = re.compile("全国|全球|世界|国际|全省|全市|中央")
ACTOR_FLAGS = ("nr", "nrfg", "nrt", "nt", "ns", "n", "j")
ACTOR_WORDS = frozenset({"专家", "企业家", "科学家", "作家", "艺术家", "国家"})
BEFORE = 2  # article sentences ahead of the aligned one where the doer may have been named


def check_verdicts(summary: str, source: Source) -> list[str]:
    # A question (谁最早意识到…？) asserts nothing.
    text = "".join(s for s in split_sentences(normalise(summary)) if not s.endswith(("?", "？")))
    found = [v for v in VERDICTS if v in text and v not in source.text]
    # 填补空白 is written 填补了…空白: its halves count apart.
    return [f"invented: the summary's verdict '{v}' is not in the article" for v in found[:1]]


def check_scope(summary: str, source: Source) -> list[str]:
    """A body or title widened: 全国人大代表 where the article has 省人大代表 (the words after the scope
    are the article's, the scope is not)."""
    text = normalise(summary)
    for match in _SCOPE_RE.finditer(text):
        # The words the scope qualifies, within its clause (放眼全球，早已成为… qualifies nothing).
        scope, rest = match.group(0), re.split(r"[^\w]", text[match.end() : match.end() + 4])[0]
        if len(rest) < 4 or scope + rest[:2] in source.squeezed or rest not in source.squeezed:
            continue
        if any(rest in s.text and scope in s.text for s in source.sentences):
            continue  # 全市共有企业300家，从业人员2万人: the scope is the sentence's
        return [f"actor: '{scope}{rest}' where the article has '{rest}' without '{scope}'"]
    return []


def check_hosts(summary: str, source: Source) -> list[str]:
    """由X主办/承办/发起: the hosts X names must be the article's hosts: named in a sentence of the
    article that tells who hosted (or abbreviations of them); 中国与中东欧国家合作机制 is one name."""
    for match in _HOST_RE.finditer(normalise(summary)):
        hosts = squeeze(match.group(1).removesuffix("共同"))
        # The article's own hosts: what its 由…主办 phrases name (or, lacking one, its sentences that
        # tell who hosted).
        told = "".join(squeeze(m.group(1)) for m in _HOST_RE.finditer(source.text)) or "".join(
            squeeze(s.text) for s in source.sentences if _HOSTED_RE.search(s.text)
        )
        if len(hosts) < 3 or hosts in told or _short_for(hosts, told):
            continue
        parts = [squeeze(h) for h in re.split(r"[、和与及,]", match.group(1).removesuffix("共同"))]
        if told and all(len(p) < 2 or p in told or _short_for(p, told) for p in parts):
            continue
        if not told and hosts in source.squeezed:
            continue  # the article never says who hosted: nothing to hold the summary to but the name
        return [f"actor: the host '{hosts}' is not the article's"]
    return []


def _short_for(name: str, text: str) -> bool:
    # Only a short name is an abbreviation (中联部); a long one would match scattered characters.
    return len(name) <= 6 and abbreviates(name, text)


@lru_cache(maxsize=1)
def _instructions() -> tuple[str, ...]:
    """The clauses (six characters or more) of every instruction the model is shown: the small model
    sometimes appends one to its summary (…，计划和目标照原文写。)."""
    texts = [
        prompts.SYSTEM,
        prompts.STRICT_SUFFIX,
        *prompts.INSTRUCTIONS.values(),
        *prompts.RETRY_HINTS.values(),
    ]
    # A hint's quoted example (“国务院办公厅”) is a name an article may hold, not an instruction.
    bare = (re.sub(r"“[^”]*”", "", t) for t in texts)
    clauses = {normalise(c.strip()) for t in bare for c in re.split(r"[，。；：！？（）]", t)}
    return tuple(sorted(c for c in clauses if len(c) >= 6 and "{" not in c))


def check_prompt_text(summary: str, source: Source) -> list[str]:
    """The prompt's own scaffolding (正文：, 标题：) or one of its instructions copied into the summary."""
    text = normalise(summary)
    found = [m for m in (*_SCAFFOLD, *_instructions()) if m in text and m not in source.text]
    return [f"other: prompt text '{found[0]}' in the summary"] if found else []


def check_doers(summary: str, source: Source) -> list[str]:
    reasons = []
    for clause in summary_clauses(summary):
        doers = _doers(clause.text) or (_doers(clause.head) if _is_noun_phrase(clause.head) else [])
        if not doers or source.has(clause.head + clause.text) or source.has(clause.text):
            continue
        where = source.align(clause.text)
        if where is None or where.coverage < MIN_COVERAGE:
            continue
        start = max(0, where.sentence.index - BEFORE)
        # The title and lead name the story's protagonist, who acts throughout (宁陕县文化馆 named in the
        # lead; the figures come paragraphs later).
        nearby = "".join(
            s.text
            for s in source.sentences[: where.sentence.index + 1]
            if s.index >= start or s.paragraph in (where.sentence.paragraph, 0, 1)
        )
        # A doer is there when its head noun is (比赛场地 for 场地); a place is the scope, not the doer,
        # when someone else is named (襄阳市农民: 农民 must be there).
        # The first of them is the subject (jieba tags the verbs after it as nouns too: 利用 n). A place
        # alone is no doer to hold to: "新疆实施…" sums up the region's people and bodies.
        doer = next((d for d, flag in doers if flag != "ns"), None)
        if doer and doer[-2:] not in nearby and not abbreviates(doer, nearby):  # 美军 for 美国空军
            reasons.append(
                f"actor: '{doer}' does not act in the article's sentence ('{where.sentence.text[:30]}…')"
            )
        elif doer is None:
            swapped = _place_swapped(doers[0][0], where.clause)
            if swapped:
                reasons.append(f"actor: '{doers[0][0]}' where the article's clause has '{swapped}'")
    return reasons


def _place_swapped(place: str, theirs: str) -> str | None:
    """The article's clause opens with another place where the summary's opens with ``place``
    (埃及在世界舞台上发挥… for the article's 中国在世界舞台上发挥…)."""
    if place in theirs:
        return None
    opening = _doers(theirs)
    return next((d for d, flag in opening if flag == "ns" and d != place), None)


def _doers(text: str) -> list[tuple[str, str]]:
    """The nouns before the clause's first verb (its subject) with their tags, if any."""
    out = []
    for word, flag in tagged(text.strip(",;:。")):
        if flag.startswith("v") or flag in ("p", "d", "c"):
            break
        if (
            flag in ACTOR_FLAGS
            and len(word) >= 2
            and (flag != "n" or word[-1] in ACTOR_ENDS or word in ACTOR_WORDS)
        ):
            out.append((word, flag))
    return out


def _is_noun_phrase(text: str) -> bool:
    """A short head clause that only names someone (溆浦县种阳春的老人，…): the subject of what follows.
    A list (情绪消费、搭子社交…) is a topic, not a doer."""
    if len(text) > 16 or "、" in text or "..." in text or text.rstrip().endswith(":"):
        return False
    pairs = tagged(text.strip(",;:。"))
    return bool(pairs) and not any(flag.startswith("v") for _, flag in pairs)
