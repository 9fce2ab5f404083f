"""Attribution: ``X强调，…`` in a summary only where the article gives those words to X.

The summary's speaker X is the clause that ends in a speech verb; what X says is the rest of that
sentence. The said words are aligned to an article sentence, and that sentence must be X's:

- it names X (or X's title, or 他/她 right after X was named) with a speech verb after the name;
- or it lies inside a quotation that a sentence naming X opened in the same paragraph;
- or its paragraph opens with X and a speech verb not followed by a quotation (indirect speech runs
  to the paragraph's end in news writing);
- or it is a point (要…, 一是…, ■ …) of a speech laid out paragraph by paragraph under X's, or of the box
  a paper sets above X's speech.

The speaker may also stand at the head of the sentence (陈文清出席会议并讲话，强调…). The reporter's
narration put in a leader's mouth fails; so do words the article never has in anyone's mouth.
"""

from __future__ import annotations

import re

from zhaiyao.summarise.faithful.align import Sentence, Source, summary_clauses, tagged
from zhaiyao.summarise.faithful.lexicon import ACTOR_ENDS, SPEECH_VERBS, longest_first

MIN_COVERAGE = 0.6  # below this the words are not clearly the article's: support.py's business
LOOSE_COVERAGE = 0.4  # reworded words down to this are still held to the speaker, when long
LOOSE_CHARS = 8
WRITER_REACH = 2  # sentences before a restated one within which a mention of the speaker makes it an account
NAME_CHARS = 5  # characters of a name after a title (通沙万, 夏巴兹·谢里夫 is longer: then jieba's tag)
PER_CLAUSE = 8  # characters from which one clause of the said words is held to the speaker on its own
MIN_SUPPORT = 0.5  # a said clause with less of its bigrams in the article is not the article's
REACH = 40  # characters after a speaker's name within which the speech verb must come
TITLES = longest_first(
    "总书记 国家主席 主席 总理 副总理 委员长 部长 副部长 书记 省长 市长 县长 区长 局长 厅长 主任 院长 校长",
    "董事长 总经理 发言人 负责人 秘书长 大使 委员 代表 专家 教授 研究员 总统 首相 外长",
)
# A document that "says" (意见明确, 方案提出): its words are what the article quotes from it.
DOCUMENTS = ("意见", "方案", "通知", "条例", "规划", "决定", "办法", "纲要", "报告", "公报", "声明", "指南")
PRONOUNS = ("他", "她", "其")
_BULLETS = ("■", "●", "◆", "▲", "□", "○")
# How the points of a speech reported paragraph by paragraph open.
_POINT_OPENERS = (
    *_BULLETS,
    "要",
    "一是",
    "二是",
    "三是",
    "四是",
    "五是",
    "第一",
    "第二",
    "第三",
    "必须",
    "坚持",
)
_VERB_RE = re.compile("|".join(SPEECH_VERBS))
# Verbs that open a clause of someone's words with the speaker left at the head of the sentence (提出
# 多项提案 and 明确目标 are acts, not speech, in that position).
_OPENING_RE = re.compile("^(?:强调指出|强调|指出|表示|要求|认为|坦言|呼吁|宣布|透露|重申)")
_ATTEND_RE = re.compile("出席|主持|参加|在|会见|考察|调研|召开|发表|作|给|向|对|到|赴|讲话|致辞")
# Verbs that introduce what someone said (致辞, 讲话, 批示 say that someone spoke, not what).
_INTRODUCING = "|".join(v for v in SPEECH_VERBS if v not in ("致辞", "讲话", "批示"))
_SPEAKER_RE = re.compile(rf"^(?P<who>.{{1,24}}?)(?P<verb>{_INTRODUCING})[,:]?$")
# 习近平总书记强调加强基础研究: a named speaker, the verb and the words in one clause.
_INLINE_RE = re.compile(r"^(?P<who>[^,:]{2,16}?)(?P<verb>强调|指出|表示|要求|认为|呼吁)(?P<said>[^,:]{4,})$")
# A speaker in an article sentence: a few words naming someone, right before a verb of saying.
_OTHER_RE = re.compile(
    r"([\u4e00-\u9fff]{2,12}?(?:者|们|人|员|代表|群众|工人|职工))(?:纷纷|都|也)?(?:表示|说|认为|指出)"
)
# After a speaker's name: the name only qualifies a noun (the speech, its spirit, the directive).
_NAMED_ONLY_RE = re.compile(
    r"^(?:同志)?(?:关于|新时代|(?:的)?(?:重要)?(?:讲话精神|指示精神|批示精神|论述|嘱托|思想|要求|期望))"
)
_SAYS_RE = re.compile("表示|指出|认为|强调|说|称|介绍")
_STRIP_RE = re.compile(r"(在[^,]{0,16}?(上|中|时|期间)|近日|日前|此前|同时|还|也|再次|进一步|一再|多次)$")


def check_attribution(summary: str, source: Source) -> list[str]:
    reasons = []
    for who, verb, said, sentence, headed in speeches(summary):
        keys = speaker_keys(who, source)
        if not keys or source.has(sentence):
            continue  # no speaker to hold to, or the article's own sentence word for word
        unsupported = [c for c in said if source.support(c) < MIN_SUPPORT and _long_enough(c)]
        if unsupported:
            # Words the article never has, put in someone's mouth: the worst kind of invention.
            reasons.append(
                f"attribution: '{who}{verb}' … '{unsupported[0]}', words the article does not have"
            )
            continue
        if headed:
            # "X出席…，强调…" often reports what X did in the reporter's words (深情礼赞劳动创造 →
            # 强调劳动创造): there only words the article lacks, or gives to someone else, fail.
            other = _someone_elses(said, keys, source)
            if other:
                reasons.append(f"attribution: '{who}{verb}' … words the article gives to {other}")
            elif (where := _writers(said, keys, source)) is not None:
                reasons.append(
                    f"attribution: '{who}{verb}' … the writer's words, far from any mention of them "
                    f"(the article: '{_clip(where.text)}')"
                )
            continue
        # The words as a whole, and each longer clause of them: a summary may join the speaker's
        # words to the reporter's (…提升原始创新能力，推动构建新发展格局 where the last is the reporter's).
        where = _misattributed(said, keys, source)
        if where is not None:
            reasons.append(
                f"attribution: '{who}{verb}' but the article does not give these words to them "
                f"(the article: '{_clip(where.text)}')"
            )
    return reasons


def _misattributed(said: list[str], keys: tuple[str, ...], source: Source) -> Sentence | None:
    """The article sentence the said words restate, when none of the sentences that restate them is
    the speaker's. The words as a whole, and each longer clause of them: a summary may join the
    speaker's words to the reporter's (…提升原始创新能力，推动构建新发展格局 where the last is the
    reporter's). Words the summary rewords (aligned below MIN_COVERAGE, down to LOOSE_COVERAGE) are held
    to the speaker too when they are long: a leader's line is the article's words or a close
    paraphrase of them, and a reworded writer's line in his mouth is the worst error there is."""
    for words in dict.fromkeys(["".join(said), *(c for c in said if _long_enough(c, PER_CLAUSE))]):
        where = source.align(words)
        if where is None or where.coverage < LOOSE_COVERAGE:
            continue
        if where.coverage < MIN_COVERAGE and not _long_enough(words, LOOSE_CHARS):
            continue
        if not any(_is_theirs(s, keys, source) for s in source.near_best(words)):
            return where.sentence
    return None


def speeches(summary: str) -> list[tuple[str, str, list[str], str, bool]]:
    """(speaker, verb, the clauses said, the sentence, whether the speaker is the sentence's head) for
    each ``X强调，…`` of the summary, and each ``…，强调…`` whose speaker is the subject at the head of
    the sentence (陈文清出席会议并讲话，强调…)."""
    found = []
    clauses = summary_clauses(summary)
    for k, clause in enumerate(clauses):
        rest = [c.text.strip(",;。") for c in clauses[k + 1 :] if c.sentence == clause.sentence]
        text = clause.text.strip()
        match = _SPEAKER_RE.match(text)
        if match and rest:
            found.append((match.group("who"), match.group("verb"), rest, clause.sentence, False))
            continue
        tag = _SPEAKER_RE.match(text.rstrip("。!"))
        if tag and not rest and clause.head and _names_someone(tag.group("who")):
            # A speaker tag closing the sentence (……，巴伊亚州州长某某表示。) gives it all the clauses before.
            said = [c.text.strip(",;。") for c in clauses[:k] if c.sentence == clause.sentence]
            found.append((tag.group("who"), tag.group("verb"), said, clause.sentence, False))
            continue
        inline = _INLINE_RE.match(text.rstrip(",;。"))
        if inline and _names_someone(inline.group("who")):
            said = [inline.group("said"), *rest]
            found.append((inline.group("who"), inline.group("verb"), said, clause.sentence, False))
            continue
        opening = _OPENING_RE.match(text)
        if opening and clause.head and len(text) > len(opening.group(0)) + 1:
            said = [text[opening.end() :].strip(",;。"), *rest]
            found.append((_subject(clause.head), opening.group(0), said, clause.sentence, True))
    return found


def _someone_elses(said: list[str], keys: tuple[str, ...], source: Source) -> str | None:
    """Who the article gives one of the longer said clauses to, when that is someone other than the
    speaker: its sentence, or its paragraph's opening, has another speaker before a speech verb."""
    for clause in (c for c in said if _long_enough(c, PER_CLAUSE)):
        where = source.align(clause)
        if where is None or where.coverage < LOOSE_COVERAGE:
            continue
        if where.coverage < MIN_COVERAGE and not _long_enough(clause, LOOSE_CHARS):
            continue
        if any(_is_theirs(s, keys, source) for s in source.near_best(clause)):
            continue
        first = next(s for s in source.sentences if s.paragraph == where.sentence.paragraph)
        for sentence in (where.sentence, first):
            match = _OTHER_RE.search(sentence.text)
            if match and not any(key in match.group(1) for key in keys):
                return match.group(1)
            named = _named_speaker(sentence.text)
            if named and not any(key in named or named in key for key in keys):
                return named
    return None


def _writers(said: list[str], keys: tuple[str, ...], source: Source) -> Sentence | None:
    """The article sentence a longer said clause restates, when it is not the speaker's and no sentence
    near it names the speaker: the writer's own argument (a commentary's 风险隐患排查……是否做到全方位
    after 总书记作出重要指示), not the reporter's account of what the speaker did."""
    for clause in (c for c in said if _long_enough(c, PER_CLAUSE)):
        where = source.align(clause)
        if where is None or where.coverage < MIN_COVERAGE:
            continue
        near = source.near_best(clause)
        if any(_is_theirs(s, keys, source) for s in near):
            continue
        around = "".join(n.text for s in near for n in source.neighbourhood(s, WRITER_REACH))
        if not any(key in around for key in keys):
            return where.sentence
    return None


def _named_speaker(text: str) -> str | None:
    """A person the sentence names right before a verb of saying (老挝副总理兼外长通沙万说，…;
    吉尔吉斯斯坦代表托罗巴耶夫表示): the name, or None when the speaker is a pronoun or unnamed."""
    for match in _SAYS_RE.finditer(text):
        before = re.split(r"[,;:。“”]", text[max(0, match.start() - REACH // 2) : match.start()])[-1]
        names = [w for w, flag in tagged(before) if flag in ("nr", "nrfg", "nrt") and len(w) >= 2]
        if names and before.endswith(names[-1]):
            return names[-1]
        # jieba often misses a foreign name: a title with a few characters after it (外长通沙万说).
        title = max((t for t in TITLES if t in before), key=before.rfind, default="")
        if title and len(before) - before.rfind(title) - len(title) <= NAME_CHARS:
            return before[-(len(title) + NAME_CHARS) :]
    return None


def _names_someone(who: str) -> bool:
    return any(flag in ("nr", "nrfg", "nrt") for _, flag in tagged(who)) or any(t in who for t in TITLES)


def _subject(head: str) -> str:
    """The sentence's subject: what comes before its first verb of attending or speaking."""
    first = head.split(",")[0]
    match = _ATTEND_RE.search(first)
    return first[: match.start()] if match else first


def _long_enough(clause: str, chars: int = 4) -> bool:
    return sum(ch.isalnum() for ch in clause) >= chars


def speaker_keys(who: str, source: Source) -> tuple[str, ...]:
    """The names that identify the speaker in the article: person and organisation names, or else
    the title; with the titles the article gives the person (习近平 → 总书记)."""
    import jieba.posseg

    who = _STRIP_RE.sub("", who.strip(" ,:")) or who
    if who in PRONOUNS or who.endswith(("他们", "大家")):
        return ()
    tokens = jieba.posseg.lcut(who)
    names = [t.word for t in tokens if t.flag in ("nr", "nrfg", "nrt", "nt") and len(t.word) >= 2]
    titles = [title for title in TITLES if title in who]
    if not names:
        # No name: the title, or a noun that names someone (与会代表, 专家); a time or a topic
        # ("文化大革命"期间) is no speaker.
        nouns = [
            t.word for t in tokens if t.flag.startswith("n") and len(t.word) >= 2 and t.word[-1] in ACTOR_ENDS
        ]
        documents = [t.word for t in tokens if t.word.endswith(DOCUMENTS) and len(t.word) >= 2]
        return tuple(titles or nouns[-1:] or documents[-1:])
    keys = list(names)
    for name in names:
        # Within one sentence: 法国外长。王毅… squeezed would give 王毅 the title 外长.
        near = [s.text for s in source.sentences if name in s.text]
        keys += [t for t in TITLES if any(name + t in text or t + name in text for text in near)]
    return tuple(dict.fromkeys(keys))


def _is_theirs(sentence: Sentence, keys: tuple[str, ...], source: Source) -> bool:
    if _speaks(sentence.text, keys):
        return True
    paragraph = [s for s in source.sentences if s.paragraph == sentence.paragraph]
    opener = _quote_opener(sentence, paragraph)
    if opener is not None:
        return _speaks(opener.text, keys) or (
            _speaks(opener.text, PRONOUNS) and _named_before(opener, keys, source)
        )
    first = paragraph[0]
    if first.index < sentence.index and not _quotes_after_verb(first.text):
        if _speaks(first.text, keys):
            return True
        if _speaks(first.text, PRONOUNS) and _named_before(first, keys, source):
            return True
    if _speaks(sentence.text, PRONOUNS) and _named_before(sentence, keys, source):
        return True
    return _listed_under(sentence, keys, source) or _boxed(sentence, keys, source)


def _boxed(sentence: Sentence, keys: tuple[str, ...], source: Source) -> bool:
    """A point of the box (■ …) a paper sets above a leader's speech: the speech's own points, when the
    article has the speaker speak."""
    if not source.paragraphs[sentence.paragraph].startswith(_BULLETS):
        return False
    return any(_speaks(s.text, keys) for s in source.sentences if not s.text.startswith(_BULLETS))


def _listed_under(sentence: Sentence, keys: tuple[str, ...], source: Source) -> bool:
    """The sentence's paragraph is a point of a speech laid out paragraph by paragraph: it and the
    paragraphs before it open with 要 / ■ / 一是 …, up to one where the speaker speaks ("习近平强调：")."""
    paragraph = sentence.paragraph
    while paragraph > 0 and source.paragraphs[paragraph].lstrip().startswith(_POINT_OPENERS):
        paragraph -= 1
        if _speaks(source.paragraphs[paragraph], keys):
            return True
        if _VERB_RE.search(source.paragraphs[paragraph][:REACH]):
            return False  # another speaker's paragraph: the points are theirs
    return False


def _speaks(text: str, keys: tuple[str, ...]) -> bool:
    """Some key is followed, within REACH characters, by a speech verb or a colon and quotation, with
    the key as the subject: 学习贯彻习近平总书记重要讲话精神 or 习近平总书记的嘱托 only names the speech,
    and the sentence is the writer's."""
    for key in keys:
        start = text.find(key)
        while start >= 0:
            after = text[start + len(key) : start + len(key) + REACH]
            title = next((t for t in TITLES if after.startswith(t)), "")
            said = _VERB_RE.search(after) or ":“" in after or "讲话" in after
            if said and not _NAMED_ONLY_RE.match(after[len(title) :]):
                return True
            start = text.find(key, start + 1)
    return False


def _named_before(sentence: Sentence, keys: tuple[str, ...], source: Source) -> bool:
    ahead = source.sentences[max(0, sentence.index - 3) : sentence.index + 1]
    return any(key in s.text for s in ahead for key in keys)


def _quote_opener(sentence: Sentence, paragraph: list[Sentence]) -> Sentence | None:
    """The sentence of the paragraph that opened a quotation still open where ``sentence`` starts."""
    depth, opener = 0, None
    for s in paragraph:
        if s.index >= sentence.index:
            break
        for ch in s.text:
            if ch == "“":
                depth, opener = depth + 1, (opener if depth else s)
            elif ch == "”" and depth:
                depth -= 1
        if not depth:
            opener = None
    return opener if depth else None


def _quotes_after_verb(text: str) -> bool:
    match = _VERB_RE.search(text)
    return bool(match) and text[match.end() : match.end() + 2].lstrip(",:").startswith("“")


def _clip(text: str, width: int = 40) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
