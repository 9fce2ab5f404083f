"""Invented people and places, and photo credits read as people.

jieba tags persons (nr) and places (ns) in the summary. A tag is evidence of a name, not proof: jieba
glues neighbours into "names" (株潭三市 out of 长株潭三市, 市普玛江塘乡) and its dictionary tags common
words as names (卫冕 nr, 嘉宾 ns). So a tagged span fails only when

- it is not in the article (spaces and punctuation aside), nor is it with one end character dropped
  (the character jieba borrowed from a neighbouring word); and
- it looks like what it is said to be: a person starts with a common surname and is no common word
  of jieba's dictionary; a place ends in 省/市/县/乡 … or is a known place.

A person the article names only in a photo credit (``宋 文摄``) is the photographer, not someone in
the story: ``宋文摄等162名部长植树`` fails.
"""

from __future__ import annotations

import re
from functools import lru_cache

from zhaiyao.summarise.faithful.align import Source, normalise, squeeze, tagged
from zhaiyao.summarise.faithful.lexicon import KNOWN_PLACES, ORG_SUFFIXES, PLACE_SUFFIXES, SURNAMES

PERSON_FLAGS = ("nr", "nrfg", "nrt")
COMMON_WORD = 100  # jieba dictionary frequency from which a "name" is a common word (卫冕 295, 卫星 3057)
# 记者 宋 文摄 / 宋文 摄 / （新华社记者 李贺摄） / 摄影：宋文: credit lines and their name.
_CJK = "\u4e00-\u9fff"
_CREDIT_RE = re.compile(rf"([{_CJK}]{{1,3}}[\s\u3000]?[{_CJK}]{{1,2}})[\s\u3000]?摄(?![{_CJK}])")
_CREDIT_AFTER_RE = re.compile(r"摄影[:：\s]*([\u4e00-\u9fff]{2,4})")


def check_names(summary: str, source: Source) -> list[str]:
    reasons = []
    credited = photo_credits(source.text)
    for raw, flag in tagged(normalise(summary)):
        word = squeeze(raw)
        if flag in PERSON_FLAGS and word in credited:
            reasons.append(f"photo credit {word} read as a person")
            continue
        if len(word) < 2 or _in_article(word, source):
            continue
        if flag in PERSON_FLAGS and _looks_like_person(word):
            reasons.append(f"person {word} not in the article")
        elif flag == "ns" and _looks_like_place(word):
            reasons.append(f"place {word} not in the article")
    return list(dict.fromkeys(reasons))


@lru_cache(maxsize=64)
def photo_credits(article: str) -> frozenset[str]:
    """The names the article gives only as photographers (squeezed: 宋 文 → 宋文), with and without 摄."""
    names = set()
    for match in _CREDIT_RE.finditer(article):
        name = squeeze(match.group(1))
        names.update({name, name + "摄"})
        # "记者宋文" → 宋文: the credit's last two or three characters are the name.
        names.update({name[-2:], name[-3:], name[-2:] + "摄", name[-3:] + "摄"})
    for match in _CREDIT_AFTER_RE.finditer(article):
        names.add(squeeze(match.group(1)))
    body = _CREDIT_RE.sub("", _CREDIT_AFTER_RE.sub("", article))
    # A photographer who is also in the story (a reporter named in the text) is a person there.
    story = squeeze(body)
    return frozenset(n for n in names if len(n) >= 2 and (n.endswith("摄") or n not in story))


def _in_article(word: str, source: Source) -> bool:
    if word in source.squeezed:
        return True
    return len(word) >= 4 and (word[1:] in source.squeezed or word[:-1] in source.squeezed)


def _looks_like_person(word: str) -> bool:
    if not (word[0] in SURNAMES or word[:2] in SURNAMES) or len(word) > 4:
        return False
    if word.endswith(ORG_SUFFIXES + PLACE_SUFFIXES):
        return False  # 林草局 tagged as a person: an organisation (actors.py judges those)
    return _frequency(word) < COMMON_WORD


def _looks_like_place(word: str) -> bool:
    return word in KNOWN_PLACES or (len(word) >= 3 and word.endswith(PLACE_SUFFIXES))


@lru_cache(maxsize=4096)
def _frequency(word: str) -> int:
    import jieba

    jieba.initialize()
    return jieba.dt.FREQ.get(word, 0)
