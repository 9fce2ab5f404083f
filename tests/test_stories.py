"""``zhaiyao stories``: the sample page's one story, the labelled days' figures, bad input lines, and
the pieces (TF-IDF, scoring, arbitration) on their own."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from zhaiyao.cli import main
from zhaiyao.documents import Article
from zhaiyao.stories.day import group_day
from zhaiyao.stories.score import counts, scores
from zhaiyao.stories.tfidf import DayTfidf, cosines

SEED = Path(__file__).parents[1] / "examples" / "zhuzhou_front_page.txt"
STORIES = Path(__file__).parent / "data" / "stories"


def _run(*args: str, stdin: str | None = None):
    return CliRunner().invoke(main, ["stories", *args], input=stdin)


def _rows(result) -> list[dict]:
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_sample_page_articles_3_4_5_are_one_story_and_alone() -> None:
    result = _run(str(SEED))
    assert result.exit_code == 0, result.output
    rows = _rows(result)
    assert len(rows) == 10
    story = rows[2]["story"]
    assert [i for i, r in enumerate(rows, start=1) if r["story"] == story] == [3, 4, 5]
    assert all(set(r) == {"id", "story", "paper", "date", "page", "title"} for r in rows)
    assert len({r["id"] for r in rows}) == 10  # the article keys: no row ids in a page


@pytest.mark.parametrize(
    ("day", "f1", "b3"),
    [
        ("2026-04-29", 0.807, 0.974),
        ("2026-05-03", 0.727, 0.970),
        ("2026-06-17", 0.8, 0.976),
        ("2026-07-22", 0.75, 0.988),
    ],
)
def test_a_labelled_report_day_reproduces_its_figures(day: str, f1: float, b3: float) -> None:
    result = _run(str(STORIES / f"{day}.jsonl"), "--format", "jsonl")
    assert result.exit_code == 0, result.output
    pred = {r["id"]: r["story"] for r in _rows(result)}
    gold = {r["id"]: r["story"] for r in map(json.loads, (STORIES / f"{day}.labels.jsonl").open())}
    assert set(pred) == set(gold)  # the rows' own ids come back
    ids = sorted(gold)
    got = scores([counts([gold[i] for i in ids], [pred[i] for i in ids])])
    assert round(got["F1"], 3) == f1 and round(got["bF1"], 3) == b3
    first = json.loads((STORIES / f"{day}.jsonl").open().readline())
    row = _rows(result)[0]
    assert (row["paper"], row["date"], row["page"]) == (first["paper"], first["date"], first["page"][:2])


def test_bad_lines_are_reported_and_the_rest_grouped(tmp_path: Path) -> None:
    good = (STORIES / "2026-05-03.jsonl").read_text(encoding="utf-8").splitlines()[:6]
    bad = [*good[:3], "{not json", json.dumps({"id": "x", "title": "无正文"}), *good[3:]]
    path = tmp_path / "day.jsonl"
    path.write_text("\n".join(bad) + "\n", encoding="utf-8")
    result = _run(str(path), "--format", "md")
    assert result.exit_code == 1
    assert "day.jsonl:4" in result.stderr and "malformed JSON" in result.stderr
    assert "day.jsonl:5" in result.stderr and "'text' missing" in result.stderr
    assert result.stdout.count("\n- ") == 6 and result.stdout.startswith("# 2026-05-03")
    nothing = tmp_path / "bad.jsonl"
    nothing.write_text("{oops\n", encoding="utf-8")
    assert _run(str(nothing)).exit_code == 2


def test_days_are_grouped_apart_and_undated_rows_are_one_day(tmp_path: Path) -> None:
    text = "国务院新闻办公室今天举行新闻发布会，介绍一季度经济运行情况。" * 5
    rows = [
        {"id": "a", "date": "2026-05-01", "title": "一季度经济运行情况发布", "text": text},
        {"id": "b", "date": "2026-05-02", "title": "一季度经济运行情况发布", "text": text},
        {"id": "c", "title": "一季度经济运行情况发布", "text": text},
        {"id": "d", "title": "一季度经济运行情况发布", "text": text},
    ]
    stdin = "\n".join(json.dumps(r, ensure_ascii=False) for r in rows)
    got = {r["id"]: r["story"] for r in _rows(_run("-", stdin=stdin))}
    assert got["a"] != got["b"]  # the same copy on two days: two stories
    assert got["c"] == got["d"] and got["c"].startswith("undated-")


def test_row_fields_are_kept_on_the_article() -> None:
    result = CliRunner().invoke(main, ["split", str(STORIES / "2026-05-03.jsonl")])
    art = json.loads(result.stdout.splitlines()[1])
    assert art["source_id"] == "rmrb-20260503-01-02"
    assert (art["newspaper"], art["issue_date"], art["page_number"], art["page_name"]) == (
        "人民日报", "2026-05-03", "01", "要闻",
    )  # fmt: skip


def _item(index: int, title: str, text: str, page: str = "03") -> Article:
    return Article(
        page="人民日报/2026-05-19",
        index=index,
        title=title,
        text=text,
        newspaper="人民日报",
        page_number=page,
    )


def test_items_of_one_regular_briefing_are_one_story_whatever_they_answer() -> None:
    """The labelling rule puts every article out of one press conference in one story; a briefing's items
    answer unrelated questions, so only the briefing named in the lead can join them."""
    items = [
        _item(
            1,
            "外交部发言人介绍俄罗斯总统访华安排",
            "外交部发言人郭嘉昆18日在例行记者会上介绍了此访安排。",
            "03",
        ),
        _item(2, "外交部发言人就日本涉华动向答记者问", "当日例行记者会上，有记者问：日方近日称……", "17"),
        _item(3, "国防部：坚决反对有关国家售台武器", "国防部新闻发言人张晓刚18日在例行记者会上表示……", "17"),
        _item(
            4,
            "外交部发言人就某国选举结果答记者问",
            "外交部发言人在答记者问时表示，中方尊重该国人民的选择。",
            "17",
        ),
        _item(5, "沿海港口货物吞吐量稳步增长", "交通运输部18日召开例行新闻发布会，介绍港口运行情况。", "06"),
    ]
    from zhaiyao.stories.features import briefing_of

    # another body's briefing; a spokesman's answer with no briefing named; a ministry's own conference
    assert [briefing_of(a) for a in items] == ["外交部", "外交部", "国防部", None, None]
    labels, _ = group_day(items[:3])
    assert labels[0] == labels[1] != labels[2]  # the same 外交部 briefing, nothing else in common


def test_tfidf_matches_the_textbook_formula() -> None:
    docs = ["中国经济", "经济运行", "中国"]
    vec = DayTfidf(docs)
    # 中国 is in 2 of 3 documents: smooth idf ln((1+3)/(1+2)) + 1
    assert math.isclose(vec.idf[vec.vocabulary["中国"]], math.log(4 / 3) + 1)
    sim = cosines(vec.matrix, vec.matrix)
    assert sim[0, 0] == pytest.approx(1.0) and sim[0, 2] > 0 and sim[1, 2] == 0


def test_scores_pairwise_and_bcubed() -> None:
    got = scores([counts(["a", "a", "b", "c"], [1, 1, 1, 2])])
    assert (got["P"], got["R"]) == (pytest.approx(1 / 3), 1.0)
    assert got["bR"] == 1.0 and got["bP"] == pytest.approx((2 / 3 + 2 / 3 + 1 / 3 + 1) / 4)


def _day(day: str) -> list[Article]:
    from zhaiyao.config import Settings
    from zhaiyao.sources.files import read_inputs
    from zhaiyao.split.page import split_page

    return [a for p in read_inputs([str(STORIES / f"{day}.jsonl")], Settings()) for a in split_page(p)]


def test_an_arbiter_is_asked_only_about_borderline_pairs_and_joins_what_it_accepts() -> None:
    from zhaiyao.stories.features import Signals
    from zhaiyao.stories.group import FROZEN

    day = _day("2026-05-03")
    sig = Signals(day)
    position = {id(a): i for i, a in enumerate(day)}
    asked: list[tuple[int, int]] = []

    def yes(pairs):
        asked.extend((position[id(a)], position[id(b)]) for a, b in pairs)
        return [True] * len(pairs)

    plain, _ = group_day(day)
    labels, report = group_day(day, yes)
    assert 3 <= report.asked == len(asked) <= report.borderline <= 20
    for i, j in asked:
        assert max(sig.headlead[i, j], sig.text[i, j]) >= FROZEN.band and plain[i] != plain[j]
        assert sig.headlead[i, j] < FROZEN.headlead and sig.text[i, j] < FROZEN.text  # under the rules' bar
        assert labels[i] == labels[j]  # accepted: joined
    assert len(set(labels)) < len(set(plain))
    _, none = group_day(day, lambda pairs: [False] * len(pairs))
    assert none.accepted == 0 and group_day(day, lambda pairs: [False] * len(pairs))[0] == plain


def test_the_llm_backend_asks_the_model_through_the_command(tiny_model_dir: Path) -> None:
    result = _run(str(STORIES / "2026-05-03.jsonl"), "--backend", "llm", "--model", str(tiny_model_dir))
    assert result.exit_code == 0, result.output
    asked = re.search(r"model asked on (\d+) borderline pairs, joined (\d+)", result.stderr)
    assert asked and int(asked.group(1)) >= 3 and int(asked.group(2)) <= int(asked.group(1))
    assert len(_rows(result)) == 51
