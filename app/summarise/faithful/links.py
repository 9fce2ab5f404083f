"""Links: a cause, basis or result the summary draws between things the article does not link.

A summary clause with a word of cause or basis (因为, 由于, 得益于, 从而, 是…的主要基础) joins two
statements; the article must make that link itself where the clause comes from. The clause is aligned to
its article sentence, and that sentence or the one before or after it must hold a word of the same kind
(因为 for 由于, 原因, 为了 …); otherwise the link is the summary's own.
"""

from __future__ import annotations

import re

from zhaiyao.summarise.faithful.align import Source, summary_clauses

# Words that assert a link in the summary, and the words by which an article states one.
_LINK_RE = re.compile("是因为|因为|由于|得益于|受益于|归功于|源于|缘于|从而|以致|基础是|主要基础|奠定了")
_STATED_RE = re.compile(
    "因为|由于|得益于|受益于|归功于|源于|缘于|从而|以致|原因|因此|所以|因而|为此|为了|出于|基础|奠定|"
    "导致|使得|离不开|靠的是|一方面|促使|带动|推动"
)
# A rank or a first: true of one thing in the article, not of another beside it.
_RANK_RE = re.compile(
    "首次|首个|首家|首批|首座|首创|唯一|第一个|最大|最高|最长|最多|最早|最先|最快|之最|全国首|全球首"
)
NEAR = 1  # article sentences either side of the aligned one where the link may be stated
MIN_COVERAGE = 0.4  # a clause aligned less than this has no sentence to hold the link to


def check_ranks(summary: str, source: Source) -> list[str]:
    """A first or a superlative (首次, 最大, 唯一) in a summary clause must be in the article sentence the
    clause restates, or the one before or after it: the article's 首次 of one event is not another's."""
    reasons = []
    for clause in summary_clauses(summary):
        if clause.sentence.rstrip().endswith(("?", "？")):
            continue  # a question (谁最早…？) asserts nothing
        for match in _RANK_RE.finditer(clause.text):
            if source.has(clause.text):
                break
            where = source.align(clause.head + clause.text)
            if where is None or where.coverage < MIN_COVERAGE:
                break
            k = where.sentence.index
            window = "".join(s.text for s in source.sentences[max(0, k - NEAR) : k + NEAR + 1])
            if match.group(0) not in window:
                reasons.append(
                    f"invented: '{match.group(0)}' in '{clause.text.strip(',')}' where the article's "
                    f"sentence has none ('{where.sentence.text[:30]}…')"
                )
    return list(dict.fromkeys(reasons))


def check_links(summary: str, source: Source) -> list[str]:
    reasons = []
    for clause in summary_clauses(summary):
        match = _LINK_RE.search(clause.text)
        if not match or source.has(clause.text):
            continue
        where = source.align(clause.head + clause.text)
        if where is None or where.coverage < MIN_COVERAGE:
            continue
        k = where.sentence.index
        window = source.sentences[max(0, k - NEAR) : k + NEAR + 1]
        if not any(_STATED_RE.search(s.text) for s in window):
            reasons.append(
                f"unsupported_link: '{match.group(0)}' in '{clause.text.strip(',')}' where the article "
                f"states no such link ('{where.sentence.text[:30]}…')"
            )
    return reasons
