"""Modality and time: a plan stays a plan, an aim an aim, a decade a decade.

For each summary clause aligned to an article clause:

- the article's clause has a marker of a step not yet done (将, 拟, 计划, 预计, 有望, 力争, 正在, 加快 …)
  in front of words the summary restates, and the summary's sentence up to that clause has no marker
  of its own (将 → 计划 is a fair paraphrase): a planned step told as done;
- the reverse: the summary plans (将, 拟, 即将) what the article's sentence tells with no plan at all;
- the summary dates a clause (2022年, 今年) where the article's sentence spans a period (十年来, 以来,
  截至, 累计) or names another year: an achievement dated to the wrong year.
"""

from __future__ import annotations

import re

from zhaiyao.summarise.faithful.align import Alignment, Clause, Source, grams, squeeze, summary_clauses
from zhaiyao.summarise.faithful.lexicon import DEMANDS, FUTURE_MARKERS, SPAN_MARKERS, STRONG_FUTURE

MIN_COVERAGE = 0.6
MIN_CLAUSE = 4  # characters: shorter clauses align anywhere
HEAD_DATE = 12  # characters: a head clause this short that holds a date dates the clause after it
LOOKAHEAD = 6
ADDED = frozenset({"将", "拟", "即将", "将于", "将要", "计划", "预计"})  # a plan the summary may invent
ADDED_COVERAGE = 0.7  # characters after the article's marker that the summary must restate
_YEAR_RE = re.compile(r"(?:19|20)\d{2}年|今年|去年|明年|前年")
_DAY_RE = re.compile(r"\d{1,2}月\d{1,2}日")
DAY_COVERAGE = 0.9  # the clause with the article's day must restate an article sentence closely
_EXACT_YEAR_RE = re.compile(r"(?:19|20)\d{2}年")
_DISPOSAL_RE = re.compile(
    "纳入|列入|作为|列为|视为|转化|转变|打造|建成|建设成|提升|泄露|转给|送|交给|放在|带到|融入|写入|变成|定为|"
    "改为|提高到|降低到|延长|缩短|扩大到|埋|推向|用于|应用于|投入|上升为|落到|贯穿|合并|整合|打通|连接|交付|"
    "移交|移送|退还"
)
# A demand (要/应/必须) stays one under a verb of demanding or saying (会议强调，加强… keeps the sense).
_DEMANDED_RE = re.compile(
    "强调|要求|指出|提出|呼吁|表示|希望|号召|部署|明确|倡议|认为|说|称|致力|鼓励|支持|推动"
)
_QUESTION_RE = re.compile("多少|怎么|如何|什么|吗$|几")
_STRONG_RE = re.compile("|".join(sorted(STRONG_FUTURE, key=len, reverse=True)))
_MARKED_RE = re.compile("|".join(sorted(STRONG_FUTURE | DEMANDS, key=len, reverse=True)))


def check_modality(summary: str, source: Source) -> list[str]:
    reasons = []
    for clause in summary_clauses(summary):
        if sum(ch.isalnum() for ch in clause.text) < MIN_CLAUSE:
            continue
        where = source.align(clause.text)
        if where is None or where.coverage < MIN_COVERAGE:
            continue
        dropped = _dropped_marker(clause, where, source)
        if dropped:
            reasons.append(
                f"modality: the article says '{dropped}', the summary '{clause.text.strip(',')}' "
                "tells it as done"
            )
        added = None if dropped else _added_marker(clause, where)
        if added:
            reasons.append(
                f"modality: the summary's '{added}' makes a plan of what the article tells as done "
                f"('{where.clause.strip(',')}')"
            )
        moved = None
        if not source.has(clause.head + clause.text):
            moved = _moved_date(clause, where) or _moved_day(clause, source)
        if moved:
            reasons.append(moved)
    return reasons


def _dropped_marker(clause: Clause, where: Alignment, source: Source) -> str | None:
    """The article's marker (with the words it governs) that the summary dropped, or None."""
    import jieba

    # The one article clause the summary's restates: a marker in the clause beside it governs
    # something else (将丰收的确定性 is not the summary's 不确定性).
    theirs = where.clause
    if not _MARKED_RE.search(theirs):
        return None
    said = clause.head + clause.text
    if any(token in FUTURE_MARKERS for token in jieba.lcut(said)) or _copied_whole(clause, source):
        return None
    kept = {m for m in STRONG_FUTURE if m in said}  # 委将持续: jieba may glue the marker to a neighbour
    wanted = grams(clause.text)
    for word, position in _markers(theirs):
        if word in kept or (word in DEMANDS and _DEMANDED_RE.search(said)):
            continue
        governed = theirs[position : position + LOOKAHEAD].lstrip("于在")
        # The summary restates what the marker governs when it has the governed verb or more than one
        # of its bigrams: one shared bigram is often a neighbouring noun (加快打造全国城市… against a
        # summary's 长株潭城市群…召开, which tells nothing of the plan).
        shared = grams(governed) & wanted
        if governed[:2] in shared or len(shared) > 1:
            return word + theirs[position : position + LOOKAHEAD]
    return None


def _added_marker(clause: Clause, where: Alignment) -> str | None:
    """The summary plans (将/拟/即将 …) what the article's sentence tells as done or happening."""
    mine = [word for word, _ in _markers(clause.text) if word in ADDED]
    if not mine or _STRONG_RE.search(where.sentence.text) or where.coverage < ADDED_COVERAGE:
        return None
    return mine[0]


def _markers(text: str) -> list[tuple[str, int]]:
    """The plan markers of ``text`` with the offset after each. 将 before a noun is 把 (将国家安全教育
    纳入…), and a marker inside a name (西部计划志愿者) plans nothing."""
    import jieba.posseg

    pairs = [(p.word, p.flag) for p in jieba.posseg.lcut(text)]
    found, position = [], 0
    for i, (word, flag) in enumerate(pairs):
        position += len(word)
        if (word not in STRONG_FUTURE and word not in DEMANDS) or flag == "p":
            continue
        before = pairs[i - 1][1] if i else ""
        after = pairs[i + 1] if i + 1 < len(pairs) else ("", "")
        if flag.startswith("n") and before in ("f", "ns", "nz", "n", "j"):
            continue
        if word == "将" and _is_ba(after, text[position:]):
            continue
        if word in DEMANDS and _not_a_demand(after[0], text[position:]):
            continue
        found.append((word, position))
    return found


def _not_a_demand(after: str, rest: str) -> bool:
    """要 as "if" (要不, 要是) or in a question (要花多少钱？) demands nothing."""
    clause = re.split(r"[,;:。!]", rest, maxsplit=1)[0]
    return after.startswith(("不", "是", "么")) or "?" in clause or bool(_QUESTION_RE.search(clause))


def _is_ba(after: tuple[str, str], rest: str) -> bool:
    """将 as 把: before a pronoun or a number (将我…, 将12345热线…), or before a noun when a verb of
    disposal follows in the clause (将国家安全教育纳入…). jieba tags verbs after 将 badly (新建 ns,
    继续加强 n), so a noun alone does not make it 把."""
    if after[1].startswith(("r", "m")):
        return True
    clause = re.split(r"[,;:。!?]", rest, maxsplit=1)[0]
    return after[1].startswith("n") and bool(_DISPOSAL_RE.search(clause[len(after[0]) :]))


def _copied_whole(clause: Clause, source: Source) -> bool:
    """The summary's whole sentence is the article's, not cut off right after a marker."""
    sentence = squeeze(clause.sentence)
    if len(sentence) < 8 or sentence not in source.squeezed:
        return False
    start = source.squeezed.find(sentence)
    return not _STRONG_RE.search(source.squeezed[max(0, start - 2) : start])


def _moved_date(clause: Clause, where: Alignment) -> str | None:
    """A date the summary's sentence gives this clause (in the clause or ahead of it) that the
    article's sentence lacks, where that sentence spans a period or names another year."""
    # A date ahead of the clause counts when it is all the head says ("2022年，我国实现了…").
    head = clause.head if len(clause.head) <= HEAD_DATE else ""
    dates = _YEAR_RE.findall(head + clause.text)
    sentence = where.sentence.text
    missing = [d for d in dates if d not in sentence]
    if not missing:
        return None
    span = next((m for m in SPAN_MARKERS if m in sentence), None)
    if span:
        return f"time: the article's '{span}' is dated {missing[0]} in the summary"
    others = _EXACT_YEAR_RE.findall(where.segment)
    if others and _EXACT_YEAR_RE.match(missing[0]):
        return f"time: {missing[0]} where the article's sentence says {others[0]}"
    return None


def _moved_day(clause: Clause, source: Source) -> str | None:
    """A day (11月1日) the summary gives a clause that the article gives another day: put the
    article's day in its place and the clause is the article's (a changed day costs the bigrams that
    would align a short clause, so the day is tried undone)."""
    days = _DAY_RE.findall(clause.text)
    where = source.align(clause.text) if days else None
    if not days or source.has(clause.text) or (where is not None and where.coverage >= DAY_COVERAGE):
        return None  # the clause is the article's as it stands
    for day in days:
        for other in dict.fromkeys(d for d in _DAY_RE.findall(source.text) if d != day):
            turned = clause.text.replace(day, other)
            where = source.align(turned)
            if source.has(turned) or (where is not None and where.coverage >= DAY_COVERAGE):
                return f"time: {day} where the article says {other}"
    return None
