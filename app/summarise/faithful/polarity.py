"""Polarity: a negation added or dropped, or a word turned into its opposite (高↔低, 增↔减, 上升↔下降,
扩大↔缩小, 不菲↔不高 …), between a summary clause and the article clause it restates."""

from __future__ import annotations

from zhaiyao.summarise.faithful.align import Source, summary_clauses
from zhaiyao.summarise.faithful.lexicon import ANTONYMS, NEGATORS, NOT_NEGATIONS

MIN_COVERAGE = 0.6
TURNED_COVERAGE = 0.9  # the flip undone must restate an article clause almost word for word
REACH = 4  # tokens before a word that may hold its negator (不 再 增加, 不 在 重大节日 免费 之列)
_CONDITIONS = frozenset({"如果", "若", "假如", "一旦", "否则", "只有", "除非", "才", "就"})
_SINGLE = {a for pair in ANTONYMS for a in pair if len(a) == 1}
# One-character words whose negation flips a fact (价格不高 → 价格高); other single characters are
# mostly particles and measure words, negated or not.
_SHORT = frozenset("高低多少好坏大小快慢强弱长短够足变同对行能有用")


def check_polarity(summary: str, source: Source) -> list[str]:
    import jieba

    reasons = []
    for clause in summary_clauses(summary):
        if sum(ch.isalnum() for ch in clause.text) < 4 or source.has(clause.text):
            continue  # too short to judge, or the article's own words
        mine = jieba.lcut(clause.text)
        reason = _turned(clause.text, mine, source)
        where = source.align(clause.text)
        if not reason and where is not None and where.coverage >= MIN_COVERAGE:
            # The one article clause the summary's restates: a negation in the clause beside it
            # (不只在于…，更在于…) says nothing about this one.
            theirs = jieba.lcut(where.clause)
            reason = _negation(mine, theirs) or _antonym(clause.text, where.clause, mine, theirs)
        if reason:
            reasons.append(f"polarity: {reason} ('{clause.text.strip(',')}')")
    return reasons


def _turned(text: str, tokens: list[str], source: Source) -> str | None:
    """The clause turned back (下降 → 增长, 不 dropped) is the article's, where as written it is not:
    the flip itself costs the bigrams that would align a short clause, so try the flip undone."""
    for a, b in ANTONYMS:
        for said, meant in ((a, b), (b, a)):
            if (
                said in text
                and (len(said) > 1 or said in tokens)
                and _closer(text.replace(said, meant, 1), text, source)
            ):
                return f"the summary says '{said}' where the article says '{meant}'"
    for i in range(len(tokens) - 1):
        if _negator_at(tokens, i):
            undone = "".join(tokens[:i] + tokens[i + 1 :])
            if _closer(undone, text, source):
                return f"the summary negates '{tokens[i + 1]}', the article does not"
    return None


def _closer(turned: str, text: str, source: Source) -> bool:
    if source.has(turned):
        return True
    after, before = source.align(turned), source.align(text)
    if after is None:
        return False
    return after.coverage >= TURNED_COVERAGE and after.coverage > (before.coverage if before else 0) + 0.1


def _split_negations(tokens: list[str]) -> list[str]:
    """jieba keeps 不高 / 未定 as one token: split them into the negator and the word."""
    out = []
    for token in tokens:
        if len(token) == 2 and token[0] in "不未无非没" and token not in NOT_NEGATIONS:
            out += [token[0], token[1]]
        else:
            out.append(token)
    return out


def _negator_at(tokens: list[str], i: int) -> bool:
    """tokens[i] negates: jieba may cut 非洲 or 无锡 into 非 + 洲建交国, which negates nothing."""
    if tokens[i] not in NEGATORS:
        return False
    after = tokens[i + 1] if i + 1 < len(tokens) else ""
    return tokens[i] + after[:1] not in NOT_NEGATIONS


def _negated(tokens: list[str], reach: int = REACH) -> tuple[set[str], set[str]]:
    """The content words of ``tokens`` under a negator (up to ``reach`` tokens after it), and those
    not under one."""
    tokens = _split_negations(tokens)
    under, plain = set(), set()
    for i, token in enumerate(tokens):
        if token in NEGATORS or (len(token) < 2 and not token.isalnum()):
            continue
        if any(_negator_at(tokens, k) for k in range(max(0, i - reach), i)):
            under.add(token)
        else:
            plain.add(token)
    return under, plain


def _negation(mine: list[str], theirs: list[str]) -> str | None:
    """A negation added (the summary's negator right before the word; the article's anywhere close
    before it clears it), or dropped (the article's right before the word, outside a condition:
    不立足实际…就经不起检验 is said again as 要立足实际才能经得起检验)."""
    my_under, _ = _negated(mine, 2)
    _, their_plain = _negated(theirs)
    their_under, _ = _negated(theirs, 1)
    _, my_plain = _negated(mine)
    for word in my_under:
        if _counts(word) and word in their_plain and word not in _negated(theirs)[0]:
            return f"the summary negates '{word}', the article does not"
    if any(t in _CONDITIONS for t in theirs):
        return None
    for word in their_under:
        if _counts(word) and word in my_plain and word not in my_under:
            return f"the article negates '{word}', the summary does not"
    return None


def _counts(word: str) -> bool:
    return len(word) >= 2 or word in _SHORT


def _antonym(clause: str, segment: str, mine: list[str], theirs: list[str]) -> str | None:
    for a, b in ANTONYMS:
        for said, meant in ((a, b), (b, a)):
            if said in _SINGLE:
                found = said in mine and meant in theirs and said not in theirs and meant not in mine
            else:
                found = said in clause and meant in segment and said not in segment and meant not in clause
            if found:
                return f"the summary says '{said}' where the article says '{meant}'"
    return None
