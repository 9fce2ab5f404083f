"""Score the splitter against pages with gold article lists (``NAME.txt`` + ``NAME.gold.json``).

A gold file lists a page's items in order: ``titles`` and ``first_words`` (the first characters of
the body, dateline included), plus kickers, subtitles, bylines, kinds and the page's non-article
items (credit lines). The measures:

- **article F1**: a split article *matches* a gold item when both its boundaries agree: its body
  (with the dateline the splitter lifted out put back in front) starts with the item's
  ``first_words``, and it did not swallow the next gold item (none of its body paragraphs, nor its
  subtitle, is the next item's title). Matching is one-to-one and in page order. Precision = matches / split
  articles, recall = matches / gold items.
- **exact titles**: share of gold items matched by an article whose title equals the gold title
  (whitespace runs folded to one space, half-width punctuation next to Chinese made full-width).
- **furniture left**: body paragraphs that are e-paper furniture (page stamps, 本版责编 / 版式设计
  credits, 稿件来源 and 字数 lines, 版次/版名 lines) or that hold one of the page's non-article items.
  The patterns here are written apart from the splitter's own furniture rules, so that a rule the
  splitter lacks shows up as a leftover instead of being excused by the same regex.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from zhaiyao.documents import Article
from zhaiyao.split.clean import normalise_width

_SPACE = re.compile(r"[\s\u3000\u00a0]+")
_FURNITURE = re.compile(
    # 《人民日报》（2024年03月08日 第 04 版）
    r"《[^》]{2,14}》\s*[（(]\s*\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日"
    r"|^[（(]\s*\d{4}-\d{2}-\d{2}\s*[）)]"  # （ 2024-03-08 ） 稿件来源：…
    r"|稿件来源[：:]|字数[：:]\s*\d+"
    r"|^(?:本版|[一二三四五六七八九十]+版)?(?:责编|责任编辑|编辑)[：:\s]"
    r"|^(?:版式设计|美编|美术编辑|校对|视觉设计|制图|征稿邮箱)[：:\s]"
    r"|^第\s*[0-9０-９]{1,2}\s*版[：:\s]|^[0-9]{2}版[：:]"
)


def _norm(text: str | None) -> str:
    return normalise_width(_SPACE.sub(" ", text or "").strip())


def _squash(text: str | None) -> str:
    return normalise_width(_SPACE.sub("", text or ""))


@dataclass(frozen=True)
class PageScore:
    name: str
    part: str
    gold: int
    split: int
    matched: int
    exact_titles: int
    furniture_left: int
    misses: tuple[str, ...] = ()  # gold titles not matched, for the report

    @property
    def precision(self) -> float:
        return self.matched / self.split if self.split else 1.0

    @property
    def recall(self) -> float:
        return self.matched / self.gold if self.gold else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def title_rate(self) -> float:
        return self.exact_titles / self.gold if self.gold else 1.0


@dataclass
class Totals:
    pages: int = 0
    gold: int = 0
    split: int = 0
    matched: int = 0
    exact_titles: int = 0
    furniture_left: int = 0
    scores: list[PageScore] = field(default_factory=list)

    def add(self, score: PageScore) -> None:
        self.scores.append(score)
        self.pages += 1
        self.gold += score.gold
        self.split += score.split
        self.matched += score.matched
        self.exact_titles += score.exact_titles
        self.furniture_left += score.furniture_left

    @property
    def f1(self) -> float:
        p = self.matched / self.split if self.split else 1.0
        r = self.matched / self.gold if self.gold else 1.0
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def title_rate(self) -> float:
        return self.exact_titles / self.gold if self.gold else 1.0


def _lead(article: Article) -> str:
    """The body as printed: the dateline the splitter lifted out goes back in front."""
    dateline = next((r.text for r in article.removed if r.rule == "dateline"), "")
    return _squash(dateline + article.text)


def gold_title_finder(gold: dict[str, Any]) -> Callable[[Article], str | None]:
    """For an article split from the gold page: the (normalised) gold title of the item its body starts
    with, or None when it starts no gold item."""
    firsts = {_squash(w): _norm(t) for w, t in zip(gold["first_words"], gold["titles"], strict=True)}

    def title_of(article: Article) -> str | None:
        lead = _lead(article)
        return next((t for w, t in firsts.items() if lead.startswith(w)), None)

    return title_of


def furniture_paragraphs(article: Article, extra: Iterable[str] = ()) -> list[str]:
    """Body paragraphs of ``article`` that are e-paper furniture or one of ``extra`` (squashed texts)."""
    extra = [e for e in extra if e]
    found = []
    for para in article.text.split("\n"):
        squashed = _squash(para)
        if not squashed:
            continue
        if _FURNITURE.search(para.strip()) or any(e in squashed for e in extra):
            found.append(para)
    return found


def score_page(name: str, articles: list[Article], gold: dict[str, Any]) -> PageScore:
    firsts = [_squash(w) for w in gold["first_words"]]
    titles = [_norm(t) for t in gold["titles"]]
    leads = [_lead(a) for a in articles]
    held = [{_squash(p) for p in [*a.text.split("\n"), a.subtitle or ""]} for a in articles]
    matched = exact = 0
    misses: list[str] = []
    start = 0
    for i, first in enumerate(firsts):
        nxt = _squash(gold["titles"][i + 1]) if i + 1 < len(firsts) else None
        hit = None
        for j in range(start, len(articles)):
            if leads[j].startswith(first) and nxt not in held[j]:
                hit = j
                break
        if hit is None:
            misses.append(gold["titles"][i])
            continue
        start = hit + 1
        matched += 1
        if _norm(articles[hit].title) == titles[i]:
            exact += 1
        else:
            misses.append(f"{gold['titles'][i]} (title: {articles[hit].title})")
    extra = [_squash(item.get("text")) for item in gold.get("non_article_items") or []]
    furniture = sum(len(furniture_paragraphs(a, extra)) for a in articles)
    return PageScore(
        name=name,
        part=str(gold.get("part", "")),
        gold=len(firsts),
        split=len(articles),
        matched=matched,
        exact_titles=exact,
        furniture_left=furniture,
        misses=tuple(misses),
    )


def gold_pages(folder: Path) -> list[tuple[Path, Path]]:
    """(page, gold) pairs in ``folder``: every ``NAME.gold.json`` with its ``NAME.txt`` (or .html)."""
    pairs = []
    for gold in sorted(folder.glob("*.gold.json")):
        stem = gold.name[: -len(".gold.json")]
        page = next((p for p in (folder / f"{stem}.txt", folder / f"{stem}.html") if p.exists()), None)
        if page is not None:
            pairs.append((page, gold))
    return pairs


def score_folder(
    folder: Path, split: Callable[[Path], list[Article]], part: str | None = None
) -> dict[str, Totals]:
    """Score every gold page in ``folder``; totals per part (the gold's ``part`` field) and ``all``."""
    totals: dict[str, Totals] = {"all": Totals()}
    for page, gold_path in gold_pages(folder):
        gold = json.loads(gold_path.read_text(encoding="utf-8"))
        if part is not None and gold.get("part") != part:
            continue
        score = score_page(page.name, split(page), gold)
        totals["all"].add(score)
        if score.part:
            totals.setdefault(score.part, Totals()).add(score)
    return totals
