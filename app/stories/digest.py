"""A day's digest: its stories by weight, each story of several articles with a model-written headline
and a short summary whose every sentence cites the articles it rests on (``[2][5]``, numbers in the
digest's source list), checked by the faithfulness guard against exactly those articles; a story of one
article is listed with its own brief (the article's first sentence, cited).

A failing summary is asked for once more with a stricter prompt; what still fails is dropped, and a
story left with no sentence gets an extractive one (its first article's opening sentence, cited).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from typing import Any

from zhaiyao.documents import Article
from zhaiyao.stories.cite import Sentence, attribute, check_sentence, cited_sentences, merge_repeats
from zhaiyao.stories.day import Story, article_id
from zhaiyao.stories.features import headline as article_headline
from zhaiyao.summarise import guard
from zhaiyao.text.sentences import split_sentences

PROMPT_VERSION = "digest-1"
FRONT_PAGES = frozenset({"1", "01", "001", "A1", "A01"})
SOURCE_CHARS = 360  # of each article's text in the prompt: the model reads leads, not whole pieces
MAX_NEW = 200
SYSTEM = "你是新闻编辑。只根据给出的报道写作，不添加报道中没有的事实、人名、地名和数字。"
_COLUMN_TAG = re.compile(r"（[^（）]{1,40}）$")


def weight(story: Story, articles: Sequence[Article]) -> float:
    """Articles, papers and front-page placement: a story two papers both carry, on a front page, first."""
    members = [articles[i] for i in story.members]
    papers = {a.newspaper for a in members if a.newspaper}
    front = any((a.page_number or "").upper() in FRONT_PAGES for a in members)
    return len(members) + 2.0 * max(len(papers) - 1, 0) + 2.0 * front


def sources_hash(articles: Sequence[Article]) -> str:
    """What a stored digest was made from: the day's article content keys, in any order."""
    return hashlib.sha256("\n".join(sorted(a.key for a in articles)).encode()).hexdigest()[:32]


def _source_text(article: Article) -> str:
    return "\n".join(p for p in (article.kicker, article.title, article.subtitle, article.text) if p)


def story_prompt(numbered: Sequence[tuple[int, Article]], strict: bool = False) -> list[dict[str, str]]:
    blocks = []
    for n, a in numbered:
        lead = " ".join(a.text[:SOURCE_CHARS].split())
        blocks.append(f"[{n}] 标题：{article_headline(a) or '（无标题）'}\n正文：{lead}")
    rule = "每一句话末尾都必须有编号，只写报道里明确写出的内容，数字照抄原文。" if strict else ""
    ask = (
        "下面几篇报道讲的是同一条新闻，每篇前面有编号。\n\n"
        + "\n\n".join(blocks)
        + "\n\n请按格式回答：\n标题：一行新闻标题，不超过20字\n摘要：2到3句话，共不超过120字，"
        "每句话末尾用方括号注明依据的报道编号，如[1][2]。" + rule
    )
    return [{"role": "system", "content": SYSTEM}, {"role": "user", "content": ask}]


def parse_answer(answer: str) -> tuple[str, str]:
    """(headline, summary) from the model's "标题：…\\n摘要：…"; without the labels, the first line is
    the headline and the rest the summary."""
    title = re.search(r"标题[：:]\s*(.+)", answer)
    # the summary runs to the end, or to where the model starts echoing the prompt's labels again
    summary = re.search(r"摘要[：:]\s*(.+?)(?=\n\s*(?:\[\d+\]\s*)?(?:标题|正文|摘要)[：:]|\Z)", answer, re.S)
    if title or summary:
        head = title.group(1).strip() if title else ""
        return head, (summary.group(1).strip() if summary else "")
    lines = [ln.strip() for ln in answer.strip().splitlines() if ln.strip()]
    return (lines[0], " ".join(lines[1:])) if lines else ("", "")


def first_sentence(article: Article, n: int) -> Sentence:
    sentences = split_sentences(article.text) or [article.text.strip() or (article.title or "")]
    return Sentence(sentences[0].strip(), (n,), "extract")


def _plain_title(article: Article) -> str:
    return _COLUMN_TAG.sub("", (article.title or "").strip()) or first_sentence(article, 0).text[:30]


class DigestBuilder:
    """Builds the digest dict of one day. ``model`` is a ``model.ChatModel`` (None: every story gets
    its first article's title and extractive sentences)."""

    def __init__(self, articles: Sequence[Article], stories: Sequence[Story], model: Any = None) -> None:
        self.articles = articles
        self.model = model
        self.stories = sorted(stories, key=lambda s: (-weight(s, articles), s.members[0]))
        order = [i for s in self.stories for i in s.members]
        self.number = {i: n for n, i in enumerate(order, start=1)}  # article position → source number

    def build(self, day: str | None) -> dict[str, Any]:
        several = [s for s in self.stories if len(s.members) > 1]
        drafts = self._ask(several, strict=False)
        entries = {s.id: self._entry(s, drafts.get(s.id)) for s in several}
        retry = [s for s in several if entries[s.id]["guard"] != "ok"]
        for story_id, answer in self._ask(retry, strict=True).items():
            entries[story_id] = self._settle(entries[story_id], answer)
        stories = [entries.get(s.id) or self._single(s) for s in self.stories]
        return {
            "day": day,
            "model": getattr(self.model, "model_name", "") or "extractive",
            "prompt_version": PROMPT_VERSION,
            "sources": [self._source(i) for i in self.number],
            "stories": stories,
        }

    def _ask(self, stories: Sequence[Story], strict: bool) -> dict[str, str]:
        if self.model is None or not stories:
            return {}
        prompts = [
            story_prompt([(self.number[i], self.articles[i]) for i in s.members], strict) for s in stories
        ]
        return dict(zip((s.id for s in stories), self.model.ask(prompts, MAX_NEW), strict=True))

    def _allowed(self, story: Story) -> dict[int, str]:
        """The story's articles by their number in the prompt (1..k)."""
        return {k: _source_text(self.articles[i]) for k, i in enumerate(story.members, start=1)}

    def _global(self, story: Story, sentence: Sentence) -> Sentence:
        """``sentence`` with its prompt numbers turned into the digest's source numbers."""
        numbers = {k: self.number[i] for k, i in enumerate(story.members, start=1)}
        return Sentence(sentence.text, tuple(numbers[n] for n in sentence.cites), sentence.source)

    def _entry(self, story: Story, answer: str | None) -> dict[str, Any]:
        lead = self.articles[story.members[0]]
        entry: dict[str, Any] = {
            "id": story.id,
            "weight": weight(story, self.articles),
            "articles": [self.number[i] for i in story.members],
            "headline": _plain_title(lead),
            "headline_source": "title",
            "sentences": [],
            "guard": "fallback",
            "reasons": [],
        }
        if answer is None:  # no model: the extractive digest
            entry["guard"] = "extractive"
            entry["sentences"] = [_sentence_dict(first_sentence(lead, self.number[story.members[0]]))]
            return entry
        head, summary = parse_answer(answer)
        whole = "\n".join(self._allowed(story).values())
        if head and guard.check(head, whole).ok and len(head) <= 40:
            entry["headline"], entry["headline_source"] = head, "model"
        allowed = self._allowed(story)
        checked = [check_sentence(attribute(s, allowed), allowed) for s in cited_sentences(summary)]
        entry["_story"] = story
        passed = merge_repeats([s for s in checked if not s.reasons])
        entry["sentences"] = [_sentence_dict(self._global(story, s)) for s in passed]
        entry["reasons"] = [f"{s.text}: {'; '.join(s.reasons)}" for s in checked if s.reasons]
        entry["guard"] = "ok" if checked and not entry["reasons"] else "retry"
        return entry

    def _settle(self, first: dict[str, Any], answer: str) -> dict[str, Any]:
        """The strict retry's entry where it passes whole, else the first answer's passing sentences
        (or an extractive one)."""
        story = first["_story"]
        second = self._entry(story, answer)
        if second["guard"] == "ok":
            second["guard"] = "retried"
            if second["headline_source"] == "title" and first["headline_source"] == "model":
                second["headline"], second["headline_source"] = first["headline"], "model"
            return second
        best = first if len(first["sentences"]) >= len(second["sentences"]) else second
        return self._fallback(story, best, first["reasons"] + second["reasons"])

    def _fallback(self, story: Story, entry: dict[str, Any], reasons: list[str]) -> dict[str, Any]:
        entry["guard"] = "fallback"
        entry["reasons"] = reasons
        if not entry["sentences"]:
            lead = story.members[0]
            entry["sentences"] = [_sentence_dict(first_sentence(self.articles[lead], self.number[lead]))]
        return entry

    def _single(self, story: Story) -> dict[str, Any]:
        i = story.members[0]
        return {
            "id": story.id,
            "weight": weight(story, self.articles),
            "articles": [self.number[i]],
            "headline": _plain_title(self.articles[i]),
            "headline_source": "title",
            "sentences": [_sentence_dict(first_sentence(self.articles[i], self.number[i]))],
            "guard": "ok",
            "reasons": [],
        }

    def _source(self, i: int) -> dict[str, Any]:
        a = self.articles[i]
        return {
            "n": self.number[i],
            "id": article_id(a),
            "key": a.key,
            "paper": a.newspaper,
            "date": a.issue_date,
            "page": a.page_number or a.page,
            "title": a.title,
        }


def _sentence_dict(s: Sentence) -> dict[str, Any]:
    return {"text": s.text, "cites": list(s.cites), "source": s.source}


def build_digest(
    articles: Sequence[Article], stories: Sequence[Story], day: str | None, model: Any = None
) -> dict[str, Any]:
    """The digest of one day's ``articles`` grouped into ``stories`` (JSON-ready)."""
    data = DigestBuilder(articles, stories, model).build(day)
    for story in data["stories"]:
        story.pop("_story", None)
    return data
