"""The faithfulness check: does a summary say only what its article says, as the article says it?

``check(summary, article)`` runs the guard's lexical checks (broken characters, language, loops, numbers
the article lacks) and the rules that read the summary against the article sentence by sentence:

- ``attribution``: X强调/指出/表示 … only where the article gives those words to X;
- ``modality``: 将/拟/计划/预计/正在/加快 … kept; a period (十年来, 截至) not dated to one year;
- ``polarity``: negation and antonym flips;
- ``actors``: the acting organisation as the article names it;
- ``quantities``: a number keeps its unit and what it counts;
- ``names``: invented people and places, photo credits read as people;
- ``claims``: verdicts the article never gives (填补空白, 标志着, 典范), a clause's doer changed;
- ``novel``: bodies, times and clause nouns the article never names;
- ``links``: a cause or basis (因为, 由于, 从而) the article does not state;
- ``support``: clauses the article's words do not make up.

Each finding is a reason string. A *sure* finding fails the summary; an *unsure* one (prefixed
``unsure:``) lets it pass but says what a reader should look at. The summariser (policy.py), the
candidate choice (choose.py) and ``zhaiyao check`` all call this one function.
"""

from __future__ import annotations

from dataclasses import dataclass

from zhaiyao.summarise import guard
from zhaiyao.summarise.faithful.actors import check_actors
from zhaiyao.summarise.faithful.align import source_of
from zhaiyao.summarise.faithful.attribution import check_attribution
from zhaiyao.summarise.faithful.claims import (
    check_doers,
    check_hosts,
    check_prompt_text,
    check_scope,
    check_verdicts,
)
from zhaiyao.summarise.faithful.links import check_links, check_ranks
from zhaiyao.summarise.faithful.modality import check_modality
from zhaiyao.summarise.faithful.names import check_names
from zhaiyao.summarise.faithful.novel import check_novel
from zhaiyao.summarise.faithful.polarity import check_polarity
from zhaiyao.summarise.faithful.quantities import check_quantities
from zhaiyao.summarise.faithful.support import check_support

UNSURE = "unsure: "


@dataclass(frozen=True)
class Verdict:
    ok: bool  # no sure finding
    reasons: tuple[str, ...]  # sure findings first, then the unsure ones (prefixed "unsure: ")

    @property
    def sure(self) -> tuple[str, ...]:
        return tuple(r for r in self.reasons if not r.startswith(UNSURE))

    @property
    def unsure(self) -> tuple[str, ...]:
        return tuple(r for r in self.reasons if r.startswith(UNSURE))


def check(summary: str, article: str) -> Verdict:
    """Every check on one summary against its article (title, subtitle and dateline included by the
    caller: they support the summary as much as the body does)."""
    if not summary.strip():
        return Verdict(False, ("empty summary",))
    source = source_of(article)
    sure = list(guard.lexical_reasons(summary, article))
    sure += check_names(summary, source)
    sure += check_attribution(summary, source)
    sure += check_modality(summary, source)
    sure += check_polarity(summary, source)
    sure += check_actors(summary, source)
    sure += check_verdicts(summary, source)
    sure += check_doers(summary, source)
    sure += check_scope(summary, source)
    sure += check_hosts(summary, source)
    sure += check_prompt_text(summary, source)
    sure += check_novel(summary, source)
    sure += check_links(summary, source)
    sure += check_ranks(summary, source)
    units, nouns = check_quantities(summary, source)
    sure += units
    unsure = nouns + check_support(summary, source)
    sure = list(dict.fromkeys(sure))
    return Verdict(not sure, (*sure, *(UNSURE + r for r in dict.fromkeys(unsure))))


__all__ = ["UNSURE", "Verdict", "check"]
