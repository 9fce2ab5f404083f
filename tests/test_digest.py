"""``zhaiyao digest``: stories by weight, every sentence citing only its story's articles and passing the
guard against them; the retry and the extractive fallback; the store; the tiny model's code path."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from zhaiyao.cli import main
from zhaiyao.config import Settings
from zhaiyao.documents import Article
from zhaiyao.sources.files import read_inputs
from zhaiyao.split.page import split_page
from zhaiyao.stories.cite import Sentence, check_sentence, cited_sentences
from zhaiyao.stories.day import group_stories
from zhaiyao.stories.digest import build_digest, parse_answer, weight
from zhaiyao.summarise import guard

SEED = Path(__file__).parents[1] / "examples" / "zhuzhou_front_page.txt"
DAY = Path(__file__).parent / "data" / "stories" / "2026-05-03.jsonl"


def _articles(path: Path) -> list[Article]:
    return [a for p in read_inputs([str(path)], Settings()) for a in split_page(p)]


def _assert_cited_and_faithful(digest: dict, articles: list[Article]) -> None:
    by_number = {s["n"]: s for s in digest["sources"]}
    keyed = {a.key: a for a in articles}
    assert sorted(by_number) == list(range(1, len(articles) + 1))
    for story in digest["stories"]:
        assert story["sentences"], story["id"]
        for sentence in story["sentences"]:
            assert sentence["cites"] and set(sentence["cites"]) <= set(story["articles"])
            cited = [keyed[by_number[n]["key"]] for n in sentence["cites"]]
            source = "\n".join(
                f"{a.kicker or ''}\n{a.title or ''}\n{a.subtitle or ''}\n{a.text}" for a in cited
            )
            assert guard.check(sentence["text"], source).ok, sentence


def test_cited_sentences_and_their_checks() -> None:
    got = cited_sentences("会议在北京召开[1][2]。会议通过了决定。［３］没有出处的一句。")
    assert [(s.text, s.cites) for s in got] == [
        ("会议在北京召开。", (1, 2)),
        ("会议通过了决定。", (3,)),
        ("没有出处的一句。", ()),
    ]
    allowed = {1: "会议在北京召开，到会代表300人。", 2: "会议在北京召开。"}
    assert check_sentence(Sentence("会议在北京召开，到会代表300人。", (1,)), allowed).reasons == ()
    assert (
        "number 400 not in the article" in check_sentence(Sentence("到会代表400人。", (1,)), allowed).reasons
    )
    assert "cites no article" in check_sentence(Sentence("会议召开。", ()), allowed).reasons
    outside = check_sentence(Sentence("会议召开。", (1, 7)), allowed).reasons
    assert outside == ("cites [7], not an article of this story",)
    cut = cited_sentences("会议召开[1]。代表们认为，")
    assert [s.text for s in cut] == ["会议召开。"]  # the answer ran out mid-sentence
    from zhaiyao.stories.cite import merge_repeats

    twice = merge_repeats(
        [Sentence("会议召开。", (1, 2)), Sentence("会议召开。", (3,)), Sentence("散会。", (1,))]
    )
    assert [(s.text, s.cites) for s in twice] == [("会议召开。", (1, 2, 3)), ("散会。", (1,))]
    assert parse_answer("标题：长株潭推进会召开\n摘要：会议召开[1]。") == (
        "长株潭推进会召开",
        "会议召开[1]。",
    )


class _Scripted:
    """A stand-in model answering each round of questions from a script (first round, then the retry)."""

    model_name = "scripted"

    def __init__(self, *rounds: str) -> None:
        self.rounds = list(rounds)
        self.asked: list[int] = []

    def ask(self, conversations, max_new: int) -> list[str]:
        self.asked.append(len(conversations))
        answer = self.rounds.pop(0)
        return [answer] * len(conversations)


def _sample_day() -> tuple[list[Article], list]:
    articles = _articles(SEED)
    stories, _ = group_stories(articles)
    return articles, stories


def test_an_invented_number_is_retried_and_a_second_failure_falls_back_to_an_extract() -> None:
    articles, stories = _sample_day()
    meeting = next(s for s in stories if s.members == (2, 3, 4))  # articles 3, 4, 5
    text = "长株潭城市群一体化发展第二届联席会重点工作推进会在株召开"
    bad = f"标题：推进会召开\n摘要：{text}，签约999个项目[1]。"
    good = f"标题：推进会召开\n摘要：{text}[1][2]。"
    digest = build_digest(articles, [meeting], None, _Scripted(bad, good))
    (story,) = digest["stories"]
    assert story["guard"] == "retried" and story["headline"] == "推进会召开"
    assert [s["cites"] for s in story["sentences"]] == [[1, 2]]
    digest = build_digest(articles, [meeting], None, _Scripted(bad, bad.replace("[1]", "[9]")))
    (story,) = digest["stories"]
    assert story["guard"] == "fallback" and story["sentences"][0]["source"] == "extract"
    assert any("999" in r for r in story["reasons"]) and any("[9]" in r for r in story["reasons"])
    _assert_cited_and_faithful(digest, [articles[i] for i in meeting.members])


def test_stories_come_by_weight_and_sources_are_numbered_in_digest_order() -> None:
    articles = _articles(DAY)
    stories, _ = group_stories(articles)
    digest = build_digest(articles, stories, "2026-05-03")
    weights = [s["weight"] for s in digest["stories"]]
    assert weights == sorted(weights, reverse=True) and len(digest["stories"][0]["articles"]) > 1
    numbers = [n for s in digest["stories"] for n in s["articles"]]
    assert numbers == list(range(1, len(articles) + 1))
    front_two_papers = max(stories, key=lambda s: weight(s, articles))
    assert weight(front_two_papers, articles) >= len(front_two_papers.members) + 2
    _assert_cited_and_faithful(digest, articles)


def test_the_command_writes_md_json_html_and_keeps_the_digest_in_the_store() -> None:
    runner = CliRunner()
    first = runner.invoke(main, ["digest", str(DAY), "--no-model", "--format", "json"])
    assert first.exit_code == 0, first.output
    data = json.loads(first.stdout)
    assert data["day"] == "2026-05-03" and data["model"] == "extractive"
    again = runner.invoke(main, ["digest", str(DAY), "--no-model", "--format", "md"])
    assert "from the store" in again.stderr and again.stdout.startswith("# 今日 · 2026-05-03")
    page = runner.invoke(main, ["digest", str(DAY), "--no-model", "--format", "html"]).stdout
    assert page.startswith("<!doctype html>") and 'href="#src-1"' in page and "<script" not in page
    wrong = runner.invoke(main, ["digest", str(DAY), "--date", "2026-05-04", "--no-model"])
    assert wrong.exit_code == 2 and "no article of 2026-05-04" in wrong.stderr


def test_the_tiny_model_goes_through_the_whole_path(tiny_model_dir: Path) -> None:
    from zhaiyao.stories.model import ChatModel
    from zhaiyao.summarise import load_summariser

    summariser = load_summariser(Settings(backend="llm", model=str(tiny_model_dir), batch_size=2, threads=1))
    articles, stories = _sample_day()
    digest = build_digest(articles, stories, None, ChatModel(summariser))
    assert digest["model"] == summariser.model_name
    several = [s for s in digest["stories"] if len(s["articles"]) > 1]
    assert several and all(s["guard"] in ("ok", "retried", "fallback") for s in several)
    _assert_cited_and_faithful(digest, articles)  # random words never pass: the fallback holds


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_article_text_cannot_inject_markup(fmt: str, tmp_path: Path) -> None:
    row = {
        "id": "x",
        "date": "2026-05-03",
        "title": "<script>alert(1)</script>",
        "text": "正文[链接](http://x)。",
    }
    path = tmp_path / "x.jsonl"
    path.write_text(json.dumps(row, ensure_ascii=False) + "\n", encoding="utf-8")
    out = CliRunner().invoke(main, ["digest", str(path), "--no-model", "--format", fmt]).stdout
    assert "<script>" not in out and "&lt;script&gt;" in out
    assert "[链接](http" not in out if fmt == "md" else '<a href="http' not in out


def test_the_store_gives_the_articles_of_an_issue_day(tmp_path: Path) -> None:
    from zhaiyao.store import Store

    pages = read_inputs([str(DAY)], Settings())
    with Store(tmp_path / "s.db") as store:
        for page in pages[:12]:
            store.save_page(page, split_page(page))
        assert store.issue_days() == [("2026-05-03", 12)]
        got = store.day_articles("2026-05-03")
        assert [a.source_id for a in got] == [split_page(p)[0].source_id for p in pages[:12]]  # L2 before L10
        assert store.day_articles("2026-05-04") == []
        store.put_digest("2026-05-03", "k", "m", "v", {"day": "2026-05-03", "stories": []})
        assert store.get_digest("2026-05-03")["day"] == "2026-05-03" and store.digest_days() == ["2026-05-03"]


def test_a_stored_day_gives_story_cards_with_the_digest_where_it_covers_them(tmp_path: Path) -> None:
    from zhaiyao.store import Store
    from zhaiyao.stories.stored import day_cards

    pages = read_inputs([str(DAY)], Settings())
    with Store(tmp_path / "s.db") as store:
        for page in pages:
            store.save_page(page, split_page(page))
        plain = day_cards(store, "2026-05-03")
        assert len(plain) == 47 and len(plain[0].sources) > 1 and plain[0].summary == ""
        articles = store.day_articles("2026-05-03")
        stories, _ = group_stories(articles)
        digest = build_digest(articles, stories, "2026-05-03")
        store.put_digest("2026-05-03", "k", "extractive", "v", digest)
        cards = day_cards(store, "2026-05-03")
        # every source leads to its article in the store (what the card's link opens)
        for source in (s for c in cards for s in c.sources):
            assert store.page_articles(source.page)[source.index - 1].title == source.title
    top = cards[0]
    assert top.headline == digest["stories"][0]["headline"] and top.summary.endswith("[1]")
    assert [c.id for c in cards] == [c.id for c in plain]


def test_prompt_numbers_map_to_the_source_list_and_a_copied_sentence_is_cited_by_match() -> None:
    articles = _articles(DAY)
    stories, _ = group_stories(articles)
    story = next(s for s in stories if len(s.members) == 2 and articles[s.members[0]].page_number != "01")
    first = articles[story.members[0]]
    copied = first.text.split("。")[0] + "。"
    answer = f"标题：{first.title}\n摘要：{copied}后续报道称有关方面作出回应[2]。"
    digest = build_digest(articles, stories, "2026-05-03", _Scripted(answer, answer))
    entry = next(s for s in digest["stories"] if s["id"] == story.id)
    n1, n2 = entry["articles"]
    assert n1 > 2  # not the first story: the prompt's [2] is not the digest's [2]
    cites = [s["cites"] for s in entry["sentences"]]
    assert [n1] in cites  # the copied sentence, its mark left off, cites the article it came from
    assert all(set(c) <= {n1, n2} for c in cites)
    _assert_cited_and_faithful(digest, articles)
