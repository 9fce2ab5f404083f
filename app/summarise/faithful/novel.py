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
_NUMERALS = frozenset("0123456789一二三四五六七八九十百两半")
_CALENDAR = ("年底", "年初", "年末", "年内", "年中", "月底", "月初", "月末", "今年", "明年", "去年", "前年")
_CALENDAR += ("本月", "下月", "上月", "本周", "下周", "上周", "季度", "上半年", "下半年", "届时")
_QUOTE_RE = re.compile(r"“([^“”]{2,80})”")
MIN_QUOTE = 6  # characters: shorter quotes are names and terms (“废砖路”), not someone's words
QUOTE_RESTATED = 0.9
_TITLE_RE = re.compile(r"《([^《》]{2,40})》")
_STATE = "中华人民共和国"
MIN_NOVEL = 2  # novel nouns in one clause before its support is in doubt
MIN_STRANGE = 2  # of them sharing no character with the sentences the clause restates best
MAX_RESTATED = 0.5  # a clause that some sentence (or adjacent pair) restates this much is the article's


def check_novel(summary: str, source: Source) -> list[str]:
    reasons = []
    pairs = tagged(summary)
    for i, (word, flag) in enumerate(pairs):
        if len(word) < 2 or squeeze(word) in source.squeezed:
            continue
        before = pairs[i - 1][0] if i else ""
        generic = before.endswith(GENERIC_BEFORE)
        if _is_body(word, flag) and not generic and not _abbreviated(word, source):
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


def _is_body(word: str, flag: str) -> bool:
    """A body's name, a noun: 局 only after a name of two or more characters (统计局; 僵局, 格局 and
    the idiom 陷入僵局 are no body)."""
    if not flag.startswith(("n", "j")) or not word.endswith(BODY_ENDS):
        return False
    return not (word.endswith("局") and len(word) < 3)


def _is_time(word: str) -> bool:
    """jieba's ``t`` is loose (前往, 天天, 春天, 当年): a time that dates something counts a period
    (五年, 3天) or names a part of the calendar (年底, 上半年, 本周)."""
    if word in GENERIC_TIMES:
        return False
    return any(ch in _NUMERALS for ch in word) or any(part in word for part in _CALENDAR)


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
        if len(novel) < MIN_NOVEL:
            continue
        share, window = restated_window(text, source)
        # A synonym shares a character with the words it restates (大火 for 火灾, 遇难者 for 死者): only
        # nouns none of whose characters the restated sentences have are new.
        strange = [w for w in novel if not any(ch in window for ch in w)]
        if share < MAX_RESTATED and len(strange) >= MIN_STRANGE:
            reasons.append(f"invented: '{text}' names {'、'.join(novel)}, which the article does not")
    return reasons


def restated(span: str, source: Source) -> float:
    """The largest share of ``span``'s bigrams that one article sentence, or two adjacent ones, hold."""
    return restated_window(span, source)[0]


def restated_window(span: str, source: Source) -> tuple[float, str]:
    """restated's share, with the text of the sentence (or adjacent pair) that holds it."""
    wanted = grams(span)
    sentences = source.sentences
    if not wanted or not sentences:
        return 1.0, ""
    best, where = -1.0, 0
    for k, sentence in enumerate(sentences):
        held = sentence.grams | (sentences[k + 1].grams if k + 1 < len(sentences) else frozenset())
        share = len(wanted & held) / len(wanted)
        if share > best:
            best, where = share, k
    return best, "".join(s.text for s in sentences[where : where + 2])
