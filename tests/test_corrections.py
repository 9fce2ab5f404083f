"""A reader's corrections (merge two articles, split one at a paragraph): applied after splitting,
kept in the store by the page's content hash, so re-runs and re-imports keep them and only the changed
articles are summarised again."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from zhaiyao.config import Settings
from zhaiyao.documents import Article, Correction, Page
from zhaiyao.errors import InputError
from zhaiyao.export.formats import render
from zhaiyao.run.pipeline import correct_page, run_pages, split_pages, undo_correction
from zhaiyao.split.corrections import apply
from zhaiyao.split.page import split_page
from zhaiyao.store import Store

# Three short items; the splitter reads the flush heading 为何出台 inside the first as an article of its
# own (no start mark on this page to tell it is a 小标题).
PAGE = (
    "服务业新政出台\n\n本报记者 王一\n\n"
    "　　近日，一项新政策发布，对服务业发展作出系列部署，各地正抓紧落实。\n\n"
    "为何出台\n\n本报记者 王一\n\n"
    "　　有关负责人表示，这项政策回应了企业和群众的期待，意义重大。\n\n"
    "全市新增就业岗位三万个\n\n本报记者 李二\n\n"
    "　　记者从有关部门获悉，今年前五个月，全市新增就业岗位三万个。\n\n"
    "　　其中，青年就业占比过半，服务业吸纳就业能力增强。\n"
)


def _articles():
    return split_page(Page(source="p.txt", text=PAGE))


def test_merge_and_split_apply_in_order_and_leave_other_articles_alone() -> None:
    articles = _articles()
    assert [a.title for a in articles] == ["服务业新政出台", "为何出台", "全市新增就业岗位三万个"]
    merged = apply(articles, [Correction("merge", 1)])
    assert [a.title for a in merged] == ["服务业新政出台", "全市新增就业岗位三万个"]
    assert merged[0].text.split("\n") == [articles[0].text, "为何出台", articles[1].text]
    assert [a.index for a in merged] == [1, 2] and merged[1].key == articles[2].key
    cut = apply(articles, [Correction("merge", 1), Correction("split", 2, paragraph=1)])
    assert [a.text for a in cut[1:]] == [
        "记者从有关部门获悉，今年前五个月，全市新增就业岗位三万个。",
        "其中，青年就业占比过半，服务业吸纳就业能力增强。",
    ]
    assert cut[2].title is None and cut[2].boundary_confidence == 1.0
    # Corrections that no longer fit the page are skipped, not errors.
    assert apply(articles, [Correction("merge", 3), Correction("split", 1, paragraph=5)]) == articles


def test_the_store_keeps_corrections_by_content_hash(tmp_path: Path) -> None:
    page = Page(source="a/p.txt", text=PAGE)
    with Store(tmp_path / "s.db") as store:
        store.add_correction(page.text_hash, Correction("merge", 1))
        store.add_correction(page.text_hash, Correction("split", 2, paragraph=1))
        again = Page(source="b/copy.txt", text=PAGE)  # the same page, imported from elsewhere
        assert store.corrections(again.text_hash) == [Correction("merge", 1), Correction("split", 2, 1)]
        assert store.corrections(Page(source="x", text=PAGE + "。").text_hash) == []
        ((_, articles, error),) = split_pages([again], store)
        assert error is None and len(articles) == 3 and articles[0].text.count("\n") == 2
        assert store.clear_corrections(page.text_hash) == 2 and store.corrections(page.text_hash) == []


def test_a_correction_survives_a_rerun_and_only_the_changed_article_is_summarised(tmp_path: Path) -> None:
    settings = Settings(backend="extractive", db_path=tmp_path / "s.db")
    page = Page(source=str(tmp_path / "p.txt"), text=PAGE)
    with Store(settings.db_path) as store:
        first = run_pages([page], settings, store)
        assert (first.done, first.cached) == (3, 0)
        fixed = correct_page(store, page.source, Correction("merge", 1))
        assert [a.title for a in store.page_articles(page.source)] == [a.title for a in fixed]
        with pytest.raises(InputError, match="cannot merge article 2"):
            correct_page(store, page.source, Correction("merge", 2))
        # A re-import of the same text from another path: split again, corrected again.
        rerun = run_pages([Page(source=str(tmp_path / "copy.txt"), text=PAGE)], settings, store)
        assert (rerun.total, rerun.cached, rerun.summarised) == (2, 1, 1)  # only the merged one is new
        stored = store.page_articles(str(tmp_path / "copy.txt"))
        assert [a.title for a in stored] == ["服务业新政出台", "全市新增就业岗位三万个"]
        exported = render(store.page_results(str(tmp_path / "copy.txt")), "jsonl").splitlines()
        assert len(exported) == 2 and "为何出台" in json.loads(exported[0])["text"]
        assert json.loads(exported[0])["summary"] is not None


def test_a_reader_split_takes_the_title_the_reader_names() -> None:
    (merged,) = apply(_articles(), [Correction("merge", 1), Correction("merge", 1)])[:1]
    at = merged.text.split("\n").index("全市新增就业岗位三万个")
    # The line at the cut named as the title: it leaves the body.
    named = apply([merged], [Correction("split", 1, at, title="全市新增就业岗位三万个")])
    assert named[1].title == "全市新增就业岗位三万个" and named[1].text.startswith("记者从有关部门获悉")
    # A typed title over a body line: the line stays the body's first paragraph.
    typed = apply([merged], [Correction("split", 1, at + 1, title="就业新数据")])
    assert typed[1].title == "就业新数据" and typed[1].text.startswith("记者从有关部门获悉")
    assert typed[0].text.split("\n")[-1] == "全市新增就业岗位三万个"


def test_undo_puts_back_the_articles_before_each_correction(tmp_path: Path) -> None:
    settings = Settings(backend="extractive", db_path=tmp_path / "s.db")
    page = Page(source=str(tmp_path / "p.txt"), text=PAGE)
    with Store(settings.db_path) as store:
        run_pages([page], settings, store)
        original = store.page_articles(page.source)
        correct_page(store, page.source, Correction("merge", 1))
        merged = store.page_articles(page.source)
        correct_page(store, page.source, Correction("split", 2, 1, title="就业"))
        assert [a.title for a in store.page_articles(page.source)][-1] == "就业"
        assert [a.key for a in undo_correction(store, page.source)] == [a.key for a in merged]
        assert store.corrections(page.text_hash) == [Correction("merge", 1)]
        assert undo_correction(store, page.source) == original
        assert store.page_articles(page.source) == original and store.corrections(page.text_hash) == []
        with pytest.raises(InputError, match="no correction of this page to undo"):
            undo_correction(store, page.source)
        # The splitter's own articles are summarised still: nothing to do on a re-run.
        again = run_pages([], settings, store, stored=[page.source])
        assert (again.total, again.cached) == (3, 3)


def test_a_reader_split_can_cut_inside_a_paragraph_before_a_sentence(tmp_path: Path) -> None:
    glued = Article(
        page="p.txt", index=1, title="甲", text="甲地新闻一句。乙地新闻标题。乙地正文一。\n乙地正文二。"
    )
    first, second = apply([glued], [Correction("split", 1, 0, title="乙地新闻标题。", sentence=1)])
    assert (first.title, first.text) == ("甲", "甲地新闻一句。")
    assert (second.title, second.text) == ("乙地新闻标题。", "乙地正文一。\n乙地正文二。")
    untitled = apply([glued], [Correction("split", 1, 0, sentence=2)])
    assert untitled[1].text == "乙地正文一。\n乙地正文二。" and untitled[0].text.endswith("乙地新闻标题。")
    # A sentence past the paragraph's last does not fit: skipped.
    assert apply([glued], [Correction("split", 1, 1, sentence=1)]) == [glued]
    with Store(tmp_path / "s.db") as store:
        store.add_correction("h", Correction("split", 1, 0, title="乙", sentence=1), before=["k"])
        assert store.corrections("h") == [Correction("split", 1, 0, title="乙", sentence=1)]
