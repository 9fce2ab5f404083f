"""Page-learnt conventions (issue 26): start marks, 小标题, word counts, crawler furniture, HTML
containers, and the confidence of each boundary and title. Pages here are written for the tests in
the conventions real pages show; no rule may know a paper's or a page's names."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from zhaiyao.cli import main
from zhaiyao.config import Settings
from zhaiyao.documents import Page
from zhaiyao.sources.files import read_bytes
from zhaiyao.split.furniture import parse_line
from zhaiyao.split.page import explain_page, split_page

IND = "\u3000\u3000"
SOURCE = "（ 2026-06-03 ） 稿件来源：江城晨报 要闻"


def _split(text: str):
    return split_page(Page(source="p", text=text))


@pytest.mark.parametrize(
    ("line", "count", "byline"),
    [
        ("申一 字数: 3018", 3018, "申一"),
        ("某某大学党委理论学习中心组 字数: 5183", 5183, "某某大学党委理论学习中心组"),
        ("安一 亢二 字数: 1795字", 1795, "安一 亢二"),
        ("字数 263", 263, None),
        ("字数 186字", 186, None),
        ("作者：本报记者 顾 阳\u3000字数：56", 56, "本报记者 顾 阳"),
    ],
)
def test_word_count_lines_in_every_printed_form(line: str, count: int, byline: str | None) -> None:
    found = parse_line(line)
    assert found is not None and found.fields["word_count"] == count
    assert found.fields.get("byline") == byline


def test_a_sentence_mentioning_a_word_count_is_not_furniture() -> None:
    assert parse_line("他说，这篇稿件字数 1200") is None


def _epaper(*articles: tuple[str, list[str]]) -> str:
    out = []
    for title, body in articles:
        out += [title, "", SOURCE, ""]
        out += [line if not line.startswith("#") else line[1:] for line in body]
    return "\n".join(out) + "\n"


def test_flush_subheadings_inside_a_body_stay_in_it_when_articles_carry_a_start_mark() -> None:
    body = [
        f"{IND}近日，一项新政策发布，对服务业发展作出系列部署，各地正抓紧落实。",
        "#为何出台",  # flush, short, no source line under it: a 小标题
        f"{IND}有关负责人表示，这项政策回应了企业和群众的期待，意义重大。",
        "#如何落实",
        f"{IND}各地将在今年内出台配套措施，确保政策落地见效。",
    ]
    other = [f"{IND}记者从有关部门获悉，今年前五个月，全市新增就业岗位三万个。"]
    first, second = _split(_epaper(("服务业新政出台", body), ("全市新增就业岗位三万个", other)))
    assert (first.title, second.title) == ("服务业新政出台", "全市新增就业岗位三万个")
    assert "为何出台" in first.text.split("\n") and "如何落实" in first.text.split("\n")
    page = Page(source="p", text=_epaper(("服务业新政出台", body), ("全市新增就业岗位三万个", other)))
    rules = {e.text: e.rule for e in explain_page(page)}
    assert "小标题" in rules["为何出台"]


def test_a_bare_date_repeated_under_every_item_marks_the_items() -> None:
    items = [
        ("市区新增三条公交线路", "市交通部门昨日宣布，新开通三条公交线路，方便市民出行。"),
        ("湖畔樱花进入最佳观赏期", "连日来，湖畔的樱花陆续开放，吸引大批市民前来赏花。"),
        ("老旧小区改造启动", "今年本市将改造老旧小区四十个，惠及居民两万户。"),
    ]
    text = "\n\n".join(f"{t}\n\n2026-04-0{k + 4}\n\n{b}" for k, (t, b) in enumerate(items))
    articles = _split(text)
    assert [(a.title, a.text) for a in articles] == items
    assert all("start_mark" in [r.rule for r in a.removed] for a in articles)


def _plain_essays() -> str:
    stamp = "《 江城学刊 》（ 2026年05月20日 第 02 版 ）"
    return (
        f"持续激发下沉市场消费活力\n\n申一 字数: 3018\n\n{stamp}\n\n"
        "今年以来，下沉市场消费活力持续释放，成为扩大内需的重要力量。\n\n"
        "扩大内需的重要发力点\n\n"  # a 小标题 on a page where every line is flush
        "下沉市场将城市和乡村紧密联结起来，是建设强大国内市场不可或缺的组成部分。\n\n"
        "（作者系某研究所所长）\n\n"
        f"全域联动：假日文旅消费的新引擎\n\n郑二 字数: 1652\n\n{stamp}\n\n"
        "今年假期，全国文旅市场呈现强劲复苏与提质升级的良好态势。\n\n"
        f"县级党校建设工作座谈会召开\n\n与会代表交流经验做法\n\n字数 479\n\n{stamp}\n\n"
        "本报讯 日前，县级党校建设工作座谈会召开，与会代表交流了经验做法。\n"
    )


def test_a_page_without_layout_contrast_reads_its_headers_from_the_start_mark() -> None:
    first, second, third = _split(_plain_essays())
    assert first.title == "持续激发下沉市场消费活力" and first.reporters == ("申一",)
    assert first.word_count == 3018 and "扩大内需的重要发力点" in first.text.split("\n")
    assert first.text.endswith("（作者系某研究所所长）")  # a closing note is no title
    assert second.title == "全域联动：假日文旅消费的新引擎"  # a colon is fine above the start mark
    assert (third.title, third.subtitle) == ("县级党校建设工作座谈会召开", "与会代表交流经验做法")
    assert third.text.startswith("日前") and "字数" not in third.text


def test_header_block_cues() -> None:
    body = f"{IND}新华社北京4月30日电 会议今天在京闭幕，审议通过了多项法律草案和决定。"
    text = _epaper(
        ("关于加强服务管理的意见\n\n（2025年10月29日）", [f"{IND}为加强服务管理，现提出如下意见。"]),
        ("世界杯决赛球票炒到天价？\n\n球迷很受伤 主办方自有说法", [f"{IND}距离决赛还有一个多月，票价走高。"]),
        ("某某主持会议闭幕会并作讲话强调\n\n高质量做好各项工作\n\n服务保障良好开局", [body]),
    )  # fmt: skip
    note, ask, speech = _split(text)
    assert (note.title, note.subtitle) == ("关于加强服务管理的意见", "（2025年10月29日）")
    assert (ask.title, ask.subtitle) == ("世界杯决赛球票炒到天价？", "球迷很受伤 主办方自有说法")
    assert speech.kicker == "某某主持会议闭幕会并作讲话强调"
    assert speech.title == "高质量做好各项工作 服务保障良好开局"


def test_a_role_printed_alone_is_a_byline_and_takes_the_names_on_the_next_line() -> None:
    text = _epaper(
        ("方案成形 海峡通行费引发争议", ["新华社记者", f"{IND}据当地媒体25日报道，有关方面已形成方案。"]),
        ("工业博览会上的新变化", ["新华社记者", "褚一　杜二", f"{IND}展会上，机械臂拾起零件放入下道工序。"]),
    )  # fmt: skip
    alone, named = _split(text)
    assert alone.title == "方案成形 海峡通行费引发争议" and alone.text.startswith("据当地媒体")
    assert named.title == "工业博览会上的新变化" and named.reporters == ("褚一", "杜二")


def test_a_long_headline_above_the_start_mark_is_still_a_headline() -> None:
    long_title = "深入学习贯彻总书记重要讲话精神" * 4 + "研讨会在京举行"  # 67 characters
    text = _epaper(
        (long_title, [f"{IND}研讨会今天在京举行，与会专家围绕讲话精神展开深入研讨和交流。"]),
        ("全市新增就业岗位三万个", [f"{IND}记者从有关部门获悉，今年前五个月，全市新增就业岗位三万个。"]),
    )
    assert [a.title for a in _split(text)] == [long_title, "全市新增就业岗位三万个"]


def test_contents_box_and_crawler_furniture_are_no_articles() -> None:
    text = (
        "湖畔樱花进入最佳观赏期_江城晚报\n\n<‹上一篇\n\n"
        "湖畔樱花进入最佳观赏期\n\n本报记者 王一\n\n"
        "连日来，湖畔的樱花陆续开放，吸引大批市民前来赏花。\n\n下一篇>>\n\n返回主页\n\n"
        "本期导读\n\n字数 29\n"
    )
    (article,) = _split(text)
    assert article.title == "湖畔樱花进入最佳观赏期" and article.newspaper == "江城晚报"
    assert article.text == "连日来，湖畔的樱花陆续开放，吸引大批市民前来赏花。"
    assert {"navigation", "site_title", "contents_box"} <= {r.rule for r in article.removed}


def test_a_headline_broken_over_short_lines_is_one_title() -> None:
    text = _epaper(
        ("广州明确\n\n传统早茶食品\n\n24小时现制", [f"{IND}记者从市场监管部门获悉，早茶食品须当日现制。"]),
        ("全市新增就业岗位三万个", [f"{IND}记者从有关部门获悉，今年前五个月，全市新增就业岗位三万个。"]),
    )  # fmt: skip
    assert _split(text)[0].title == "广州明确传统早茶食品24小时现制"


# ---------------------------------------------------------------------------------------------- HTML

_CONTAINER = (
    '<div class="contenttext"><table><tr><td><font style="FONT-SIZE: 23px"><!-- title -->{title}<br/>'
    "</font></td></tr><tr><td>{source}</td></tr></table>"
    "<div>本报记者 王一<br/>{ind}{p1}<br/>{ind}{p2}</div></div>"
)


def test_table_laid_epaper_html_splits_by_its_repeated_containers() -> None:
    blocks = [
        (
            "服务业新政出台",
            "近日，一项新政策发布，对服务业发展作出系列部署，涉及金融、物流、养老等领域。",
            "各地正抓紧落实，确保政策落地见效，有关部门将加强督促检查，及时总结推广经验。",
        ),
        (
            "全市新增就业岗位三万个",
            "记者从有关部门获悉，今年前五个月，全市新增就业岗位三万个，同比增长一成。",
            "其中，青年就业占比过半，服务业吸纳就业的能力明显增强，灵活就业人员权益保障更加有力。",
        ),
    ]
    html = "<html><body>" + "".join(
        _CONTAINER.format(title=t, source=SOURCE, ind=IND, p1=a, p2=b) for t, a, b in blocks
    ) + "</body></html>"  # fmt: skip
    (page,) = read_bytes("page.html", html.encode("utf-8"), Settings())
    articles = split_page(page)
    assert [a.title for a in articles] == ["服务业新政出台", "全市新增就业岗位三万个"]
    assert articles[0].text == "\n".join(blocks[0][1:]) and articles[0].reporters == ("王一",)
    assert "title" not in articles[0].text and articles[1].page_name == "要闻"


# ---------------------------------------------------------------------------------------------- confidence


def test_confidence_is_given_per_boundary_and_title_and_orders_by_evidence() -> None:
    text = _epaper(
        ("服务业新政出台", [f"{IND}近日，一项新政策发布，对服务业发展作出系列部署。"]),
        ("前五个月\n\n全市新增就业岗位三万个", ["本报记者 王一", f"{IND}本报讯 今年新增就业岗位三万个。"]),
        ("湖畔樱花进入最佳观赏期", [f"{IND}连日来，湖畔的樱花陆续开放，吸引大批市民前来赏花。"]),
    )  # fmt: skip
    top, marked, plain = _split(text)
    assert top.boundary_confidence == 1.0  # the page's top
    assert 0.8 <= plain.boundary_confidence < marked.boundary_confidence <= 1.0  # + byline, dateline
    assert marked.title_confidence < plain.title_confidence  # two bare header lines: ambiguous
    short_items = _split("甲地开通新航线\n\n本报讯 甲地开通新航线。\n\n乙地举办展会\n\n乙地近日举办展会。\n")
    assert [a.title for a in short_items] == ["甲地开通新航线", "乙地举办展会"]
    assert short_items[1].boundary_confidence < 0.5  # the 简讯 guess alone
    (row,) = split_page(Page(source="r", text="正文。", kind="article"))
    assert row.boundary_confidence is None and row.title_confidence is None


def test_confidence_in_jsonl_and_explain(tmp_path) -> None:
    page = tmp_path / "page.txt"
    page.write_text(_plain_essays(), encoding="utf-8")
    result = CliRunner().invoke(main, ["split", "--format", "jsonl", str(page)])
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(rows) == 3 and all(0 < r["boundary_confidence"] <= 1 for r in rows)
    assert all(0 < r["title_confidence"] <= 1 for r in rows)
    explained = CliRunner().invoke(main, ["split", "--explain", str(page)]).stdout
    assert explained.count("article starts: boundary") == 3 and "start mark" in explained
