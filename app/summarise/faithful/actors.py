"""The acting organisation as the article names it.

An organisation in the summary (jieba's ``nt``, or a name ending in 部/局/委/办公厅 …, with the place
or noun words before it) must occur in the article, or be an abbreviation of one of the article's own
names (林草局 for 林业和草原局: the same first and last characters, the rest in order). A name the article
only ever uses as the head of a body under it (国务院 in 国务院办公厅) is a different actor.
"""

from __future__ import annotations

import re

from zhaiyao.summarise.faithful.align import Source, normalise, squeeze, tagged
from zhaiyao.summarise.faithful.lexicon import ORG_SUFFIXES, SUB_BODIES

_EXTEND_FLAGS = ("ns", "nt", "n", "j", "nz", "l", "nr")
MAX_EXTEND = 3  # tokens of place or noun words before the organisation's own
_COUNTED_RE = re.compile(r"^[两二三四五六七八九十多\d]+(部委|部门|部|委|厅局|单位)")
_SUB_RE = re.compile("|".join(sorted(SUB_BODIES, key=len, reverse=True)))


def check_actors(summary: str, source: Source) -> list[str]:
    reasons = []
    for mention, following in org_mentions(normalise(summary)):
        reason = _check_one(mention, following, source)
        if reason:
            reasons.append(reason)
    return list(dict.fromkeys(reasons))


def org_mentions(summary: str) -> list[tuple[list[tuple[str, str]], str]]:
    """Each organisation in the summary as its tagged tokens (the place or noun words before it
    first), with the text that follows it."""
    pairs = tagged(summary)
    found = []
    offset = 0
    for i, (word, flag) in enumerate(pairs):
        offset += len(word)
        if not _is_org(word, flag, pairs[i - 1][1] if i else ""):
            continue
        start = i
        while start > 0 and i - start < MAX_EXTEND and pairs[start - 1][1] in _EXTEND_FLAGS:
            start -= 1
        found.append((list(pairs[start : i + 1]), summary[offset : offset + 8]))
    return found


def _is_org(word: str, flag: str, before: str) -> bool:
    # jieba's nt alone is not enough (重大进展 is "nt"): the name must end like an organisation's.
    if not word.endswith(ORG_SUFFIXES):
        return False
    if flag == "nt":
        return len(word) >= 2
    return len(word) >= 3 or (len(word) == 1 and before in _EXTEND_FLAGS)


def _check_one(pairs: list[tuple[str, str]], following: str, source: Source) -> str | None:
    # The longest run of the mention's last tokens the article has: "省生态环境厅" may be written
    # "生态环境厅" in the article, which is the same body. A place stays: 台州市市场监管局 is not the
    # article's 市场监管总局 (the body's scope is part of its name).
    tokens = [word for word, _ in pairs]
    places = [k for k, (_, flag) in enumerate(pairs) if flag == "ns"]
    last = places[-1] if places and places[-1] < len(pairs) - 1 else len(tokens) - 1
    names = [squeeze("".join(tokens[k:])) for k in range(last + 1)]
    names = [n for n in names if len(n) >= 2]
    for name in names:
        if name in source.squeezed:
            return _shortened(name, following, source)
    if any(abbreviates(name, source.squeezed) for name in names if len(name) >= 3):
        return None
    name = "".join(tokens)
    if len(tokens[-1]) < 2 and len(name) < 4:
        return None  # 干部/全部-like leftovers, not names
    if _COUNTED_RE.match(name):
        return None  # 两部委, 三部门: a count of bodies, not a name
    return f"organisation {name} not in the article"


def _shortened(name: str, following: str, source: Source) -> str | None:
    """The article only has ``name`` as the head of a body under it, and the summary has it bare."""
    if _SUB_RE.match(following):
        return None
    starts = [m.end() for m in re.finditer(re.escape(name), source.squeezed)]
    subs = [_SUB_RE.match(source.squeezed, end) for end in starts]
    if starts and all(subs):
        full = name + subs[0].group(0)  # type: ignore[union-attr]
        return f"organisation: the article names {full}, the summary {name}"
    return None


def abbreviates(name: str, text: str) -> bool:
    """``name`` is the article's longer name with characters left out: same first and last character,
    the others in order, at most three times as long."""
    if len(name) < 2:
        return False
    pattern = ".{0,5}?".join(re.escape(ch) for ch in name)
    return any(len(m.group(0)) <= 3 * len(name) for m in re.finditer(pattern, text))
