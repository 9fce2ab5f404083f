"""A stored day as the viewer's day view shows it: the day's stories (grouped by the rules, no model),
each with its headline and summary from the stored digest where one covers exactly its articles, else
its first article's title, and its sources (paper, 版, title, where the article is in the store)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from zhaiyao.documents import Article
from zhaiyao.stories.day import group_stories
from zhaiyao.stories.digest import weight
from zhaiyao.stories.features import headline


@dataclass(frozen=True)
class Source:
    page: str  # the stored page's source, and the article's position on it: where a click goes
    index: int
    paper: str | None
    page_number: str | None
    title: str


@dataclass(frozen=True)
class StoryCard:
    id: str
    headline: str
    summary: str  # the digest's cited sentences joined, or "" where no stored digest covers the story
    weight: float
    sources: tuple[Source, ...]


def _digest_entries(digest: dict[str, Any] | None) -> dict[frozenset[str], dict[str, Any]]:
    """The stored digest's stories by the content keys of their articles."""
    if not digest:
        return {}
    key_of = {s["n"]: s["key"] for s in digest.get("sources", [])}
    return {frozenset(key_of.get(n, "") for n in s["articles"]): s for s in digest.get("stories", [])}


def _summary(entry: dict[str, Any], numbers: dict[str, int], keys: dict[int, str]) -> str:
    # The digest's numbers are its own source list's; the card renumbers them to its sources (1..).
    parts = []
    for s in entry["sentences"]:
        marks = "".join(f"[{numbers[keys[n]]}]" for n in s["cites"] if keys.get(n) in numbers)
        parts.append(s["text"] + marks)
    return "".join(parts)


def day_cards(store: Any, day: str) -> list[StoryCard]:
    """The stories of ``day`` in the store, heaviest first."""
    articles: list[Article] = store.day_articles(day)
    stories, _ = group_stories(articles)
    digest = store.get_digest(day)
    entries = _digest_entries(digest)
    keys = {s["n"]: s["key"] for s in (digest or {}).get("sources", [])}
    cards = []
    for story in sorted(stories, key=lambda s: (-weight(s, articles), s.members[0])):
        members = [articles[i] for i in story.members]
        numbers = {a.key: n for n, a in enumerate(members, start=1)}
        entry = entries.get(frozenset(numbers))
        sources = tuple(
            Source(a.page, a.index, a.newspaper, a.page_number, a.title or headline(a) or "(无标题)")
            for a in members
        )
        cards.append(
            StoryCard(
                id=story.id,
                headline=entry["headline"] if entry else sources[0].title,
                summary=_summary(entry, numbers, keys) if entry else "",
                weight=weight(story, articles),
                sources=sources,
            )
        )
    return cards
