"""The articles of the inputs, a day at a time, into stories.

A day is the articles with one issue date; articles without one are a day of their own. Within a day the
rules link pairs (``group``); an ``Arbiter``, when given, is asked about the borderline pairs the rules
left apart, and a pair it accepts joins their stories.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from zhaiyao.documents import Article
from zhaiyao.stories.features import Signals
from zhaiyao.stories.group import FROZEN, Thresholds, borderline, components, edges_of, links

# Given pairs of articles, whether each reports the same specific event.
Arbiter = Callable[[Sequence[tuple[Article, Article]]], list[bool]]
NO_DATE = "undated"


@dataclass(frozen=True)
class Story:
    id: str
    date: str | None
    members: tuple[int, ...]  # positions in the list of articles that was grouped


@dataclass
class DayReport:
    """What grouping one day did: how many pairs were borderline, asked, and accepted."""

    date: str | None
    articles: int
    borderline: int = 0
    asked: int = 0
    accepted: int = 0


def days(articles: Sequence[Article]) -> dict[str | None, list[int]]:
    """Positions of the articles by issue date, dates in order (undated last), input order within."""
    out: dict[str | None, list[int]] = {}
    for i, article in enumerate(articles):
        out.setdefault(article.issue_date or None, []).append(i)
    return dict(sorted(out.items(), key=lambda kv: (kv[0] is None, kv[0] or "")))


def group_day(
    articles: Sequence[Article], arbiter: Arbiter | None = None, t: Thresholds = FROZEN
) -> tuple[list[int], DayReport]:
    """Each article's story number within one day (0.., in order of first article)."""
    sig = Signals(articles)
    linked = links(sig, t)
    edges = edges_of(linked)
    report = DayReport(articles[0].issue_date if articles else None, len(articles))
    if arbiter is not None:
        near = borderline(sig, t)
        report.borderline = len(near)
        # Only pairs whose stories the rules have not joined already are worth a question.
        labels = components(len(articles), edges)
        ask = [(i, j) for i, j in near if labels[i] != labels[j]]
        answers = arbiter([(articles[i], articles[j]) for i, j in ask]) if ask else []
        report.asked = len(ask)
        accepted = [pair for pair, yes in zip(ask, answers, strict=True) if yes]
        report.accepted = len(accepted)
        edges += accepted
    return components(len(articles), edges), report


def group_stories(
    articles: Sequence[Article], arbiter: Arbiter | None = None, t: Thresholds = FROZEN
) -> tuple[list[Story], list[DayReport]]:
    """The stories of ``articles``, day by day; story ids are ``DATE-NNN`` (NNN from 001 in order of
    each story's first article), stable for the same inputs."""
    stories: list[Story] = []
    reports: list[DayReport] = []
    for date, positions in days(articles).items():
        labels, report = group_day([articles[i] for i in positions], arbiter, t)
        reports.append(report)
        members: dict[int, list[int]] = {}
        for position, label in zip(positions, labels, strict=True):
            members.setdefault(label, []).append(position)
        for label in sorted(members):
            stories.append(Story(f"{date or NO_DATE}-{label + 1:03d}", date, tuple(members[label])))
    return stories, reports


def story_of(stories: Sequence[Story], count: int) -> list[str]:
    """The story id of each of ``count`` articles."""
    out = [""] * count
    for story in stories:
        for i in story.members:
            out[i] = story.id
    return out


def article_id(article: Article) -> str:
    """The input row's own id when it had one, else the article's content key."""
    return article.source_id or article.key
