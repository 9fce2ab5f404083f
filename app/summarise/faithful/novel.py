"""Novel words: what the summary names that its article never has.

A summary may reword the article's verbs, but the things it names should be the article's: a body that
acts (政府, 监管局, 大学), a time (年底, 五年), or the concrete nouns of a clause. Three findings:

- a body word (ending in 政府/部门/局/大学/公司 …) the article never has, nor a longer name it
  abbreviates: an actor the summary invented (村民自发参与和政府支持 in a story with no government);
- a time word (jieba ``t``: 年底, 五年, 上半年) the article never has: a date or period invented;
- a clause that names two or more nouns the article shares no character pair with and that no single
  article sentence (or pair of adjacent sentences) mostly restates: content made up (顾客只需通过手机
  下单 in a story where customers fetch their parcels themselves).

Generic collectives (各地政府, 有关部门) and the framing words of a summary (双方, 文章, 作者) are no
invention. Words are jieba's, tagged once per summary (align.tagged).
"""

from __future__ import annotations

import re

from zhaiyao.summarise.faithful.actors import abbreviates
from zhaiyao.summarise.faithful.align import Source, grams, normalise, squeeze, summary_clauses, tagged

BODY_ENDS = ("政府", "部门", "局", "大学", "学院", "公司", "集团", "协会", "法院", "检察院")
GENERIC_BEFORE = ("各地", "各级", "有关", "相关", "地方", "各")
# Times a summary may add without dating anything (如今 for the article's present).
GENERIC_TIMES = frozenset(
    {"如今", "目前", "现在", "当前", "近年来", "近年", "近日", "日前", "此前", "同时", "当时", "未来"}
)
# Words a summary frames the article with: they name the article's parties or the article itself.
FRAMING = frozenset({"双方", "两国", "文章", "本文", "作者", "人们", "大家", "记者", "报道"})
# Words that sum up a list the article gives item by item (监狱法、社会救助法 → 法律; 任命 → 人事): a
# summary's own hypernyms, not content it made up.
CATEGORY = frozenset(
    {
        "法律",
        "法规",
        "人事",
        "措施",
        "举措",
        "政策",
        "成果",
        "活动",
        "项目",
        "问题",
        "领域",
        "方面",
        "内容",
        "事项",
    }
)
_TIME_CHARS = frozenset("年月日天季周旬底初末夜晚早春夏秋冬今昨明")
_QUOTE_RE = re.compile(r"“([^“”]{2,80})”")
MIN_QUOTE = 6  # characters: shorter quotes are names and terms (“废砖路”), not someone's words
QUOTE_RESTATED = 0.9
_TITLE_RE = re.compile(r"《([^《》]{2,40})》")
_STATE = "中华人民共和国"
MIN_NOVEL = 2  # novel nouns in one clause before its support is in doubt
MAX_RESTATED = 0.5  # a clause that some sentence (or adjacent pair) restates this much is the article's


def check_novel(summary: str, source: Source) -> list[str]:
    reasons = []
    pairs = tagged(summary)
    for i, (word, flag) in enumerate(pairs):
        if len(word) < 2 or squeeze(word) in source.squeezed:
            continue
        before = pairs[i - 1][0] if i else ""
        generic = before.endswith(GENERIC_BEFORE)
        if word.endswith(BODY_ENDS) and not generic and not _abbreviated(word, source):
            reasons.append(f"invented: the body '{word}' is not in the article")
        elif flag == "t" and _is_time(word) and not grams(word) & source.all_grams:
            reasons.append(f"modality: the time '{word}' is not in the article")
    found = _invented_clauses(summary, source) + _titles(summary, source) + _quotes(summary, source)
    return list(dict.fromkeys(reasons)) + found


def _quotes(summary: str, source: Source) -> list[str]:
    """Words in quotation marks claim to be someone's exact words: a longer quote must be the article's
    word for word, or nearly (a character or two of difference in one sentence). A reworded quote
    (“要继续坚定信心，黄土变成金” for the article's 只要有信心，黄土变成金) is a quote the article lacks."""
    for quoted in _QUOTE_RE.findall(normalise(summary)):
        if len(squeeze(quoted)) < MIN_QUOTE or source.has(quoted):
            continue
        parts = [p for p in re.split(r"[,;:。!?、…]+", quoted) if len(p) >= 2]
        if all(source.has(p) or len(squeeze(p)) < 4 for p in parts):
            continue  # the article's words, cut at its punctuation (“…，…” from one quote with a gap)
        if restated(quoted, source) < QUOTE_RESTATED:
            return [f"invented: the quote “{quoted}” is not the article's words"]
    return []


def _titles(summary: str, source: Source) -> list[str]:
    """A title in 书名号 is a name: it must be the article's (or the article's with 中华人民共和国 left
    out or put in, or shortened as the article shortens it: 《条例》 for 《信访工作条例》)."""
    theirs = [squeeze(t) for t in _TITLE_RE.findall(source.text)]
    for title in _TITLE_RE.findall(summary):
        mine = squeeze(title)
        bare = mine.removeprefix(_STATE)
        if bare in source.squeezed or any(mine in t or _STATE + t == mine for t in theirs):
            continue
        return [f"other: the title 《{title}》 is not the article's"]
    return []


def _is_time(word: str) -> bool:
    """jieba's ``t`` is loose (前往 t): a time word names a year, month, day, season or part of one."""
    return word not in GENERIC_TIMES and any(ch in _TIME_CHARS for ch in word)


def _abbreviated(word: str, source: Source) -> bool:
    return len(word) <= 6 and abbreviates(word, source.squeezed)


def _invented_clauses(summary: str, source: Source) -> list[str]:
    reasons = []
    for clause in summary_clauses(summary):
        text = clause.text.strip(",;:。")
        novel = [
            w
            for w, flag in tagged(text)
            if flag == "n" and len(w) >= 2 and w not in FRAMING | CATEGORY and not grams(w) & source.all_grams
        ]
        if len(novel) >= MIN_NOVEL and restated(text, source) < MAX_RESTATED:
            reasons.append(f"invented: '{text}' names {'、'.join(novel)}, which the article does not")
    return reasons


def restated(span: str, source: Source) -> float:
    """The largest share of ``span``'s bigrams that one article sentence, or two adjacent ones, hold."""
    wanted = grams(span)
    if not wanted:
        return 1.0
    sentences = source.sentences
    best = 0.0
    for k, sentence in enumerate(sentences):
        held = sentence.grams | (sentences[k + 1].grams if k + 1 < len(sentences) else frozenset())
        best = max(best, len(wanted & held) / len(wanted))
    return best
