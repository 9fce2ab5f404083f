"""Splitting and cleaning: the golden seed page, hand-written pages in other conventions, and the rules."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from zhaiyao.config import Settings
from zhaiyao.documents import Article, Page
from zhaiyao.sources.files import read_inputs
from zhaiyao.split.clean import (
    continues,
    dedupe_paragraphs,
    is_lone_name,
    normalise_width,
    parse_caption,
    parse_credit,
    parse_dateline,
    split_continuation,
)
from zhaiyao.split.page import split_page

INPUTS = Path(__file__).parent / "data" / "inputs"
SEED = Path(__file__).parents[1] / "examples" / "zhuzhou_front_page.txt"

SEED_TITLES = [
    "切实转变职能 扎实做好生态环保工作",
    "王洪斌主持召开全市脱贫攻坚工作调度暨扶贫车间推进视频会议",
    "长株潭城市群一体化发展第二届联席会重点工作推进会在株召开 加快打造全国城市群一体化发展示范区",
    "务实干 加快干",
    "取得阶段性成果 长株潭30件合作事项",
    "有一种“大数据”叫温暖企业指数",
    "13家株企参加2020绿博会",
    "关于对株洲市开展生态环境保护督察“回头看”的公告",
    None,
    "开行湘东大地的旅游专列",
]


@pytest.fixture(scope="module")
def seed() -> list[Article]:
    return split_page(Page(source=str(SEED), text=SEED.read_text(encoding="utf-8")))


def _rules(article: Article) -> list[str]:
    return [r.rule for r in article.removed]


# ---------------------------------------------------------------------------------------------- seed page


def test_seed_has_exactly_the_ten_articles_in_page_order(seed: list[Article]) -> None:
    assert [a.title for a in seed] == SEED_TITLES
    assert [a.index for a in seed] == list(range(1, 11))
    assert all(a.page == str(SEED) for a in seed)
    assert all(a.text and a.chars == len(a.text) for a in seed)
    assert len({a.key for a in seed}) == 10


def test_untitled_article_starts_at_the_byline_after_the_announcement(seed: list[Article]) -> None:
    notice, untitled = seed[7], seed[8]
    # The announcement keeps its contact lines and signature block.
    assert notice.text.endswith("湖南省第一生态环境保护督察组\n2020年9月15日")
    assert "举报电话：0731-22832258" in notice.text
    assert "(8:00-18:00)" in notice.text
    assert "工业旅游" not in notice.text
    assert untitled.title is None
    assert untitled.reporters == ("温琳",)
    assert untitled.correspondents == ("李茂春",)
    assert untitled.dateline == "株洲日报讯"
    assert untitled.text.startswith("航空飞行编队在蓝天上翱翔")
    assert "温琳" not in untitled.text


def test_subtitles_and_kickers_leave_the_body(seed: list[Article]) -> None:
    assert seed[1].subtitle == "补齐短板确保全面打赢脱贫攻坚战"
    assert seed[2].subtitle == "胡衡华毛腾飞曹炯芳郑建新阳卫国张迎春出席"
    assert seed[5].subtitle == "我市中小微企业信用贷款风险补偿基金信贷突破10亿元"
    assert "补齐短板确保全面打赢脱贫攻坚战" not in seed[1].text
    assert "出席\n" not in seed[2].text and not seed[2].text.startswith("胡衡华毛腾飞")
    assert "信贷突破10亿元" not in seed[5].text
    for article in (seed[0], seed[3], seed[6]):
        assert article.subtitle is None


def test_section_heading_stays_in_the_body_as_its_own_paragraph(seed: list[Article]) -> None:
    paragraphs = seed[5].text.split("\n")
    assert "“@贷”，改变“难、贵、慢”" in paragraphs
    at = paragraphs.index("“@贷”，改变“难、贵、慢”")
    assert paragraphs[at + 1].startswith("小微企业融资难")
    assert paragraphs[at - 1].endswith("基金累计放款金额突破10亿元。")


def test_bylines_become_metadata(seed: list[Article]) -> None:
    assert seed[0].reporters == ("罗欣",)
    assert seed[1].reporters == ("邓伟勇",)
    assert seed[2].reporters == ("胡文洁",)
    assert seed[3].reporters == ("朱理平",)  # the lone name under the commentary title
    assert seed[4].reporters == ("廖喜张",) and seed[4].correspondents == ("彭益",)
    assert seed[5].correspondents == ("袁媛", "闻湘", "邓细", "张粤蓉")
    assert seed[6].reporters == ("刘芳",) and seed[6].correspondents == ("肖浩非",)
    assert seed[9].reporters == ("温琳",) and seed[9].photographers == ("刘震",)
    for article in seed:
        assert "株洲日报记者" not in article.text
        assert "通讯员/" not in article.text
        assert not article.text.startswith("朱理平")
    assert "author" in _rules(seed[3])


def test_caption_and_dateline(seed: list[Article]) -> None:
    assert seed[9].captions == ("9月27日，株洲旅游专列正式发车。",)
    assert "摄" not in seed[9].text.split("\n")[0]
    assert "正式发车。" not in seed[9].text
    assert seed[0].dateline == "株洲日报讯 9月27日"
    assert seed[6].dateline == "株洲日报讯 9月24日"
    assert seed[0].text.startswith("省生态环境厅党组书记")
    assert "株洲日报讯" not in "".join(a.text for a in seed)
    assert {"byline", "dateline"} <= set(_rules(seed[0]))
    assert "caption" in _rules(seed[9])


def test_continuation_markers(seed: list[Article]) -> None:
    assert seed[5].continued_on == "A2版①"
    assert seed[6].continued_on == "A2版②"
    assert seed[9].continued_on == "A2版④"
    assert seed[5].text.endswith("节约了资金成本。")
    for article in seed:
        assert "下转" not in article.text and ">>>" not in article.text
    assert [a.continued_on for a in seed].count(None) == 7


def test_repeated_paragraph_appears_once(seed: list[Article]) -> None:
    assert seed[2].text.count("郑建新、阳卫国、张迎春在发言中分别就落实") == 1
    assert _rules(seed[2]).count("duplicate_paragraph") == 2


@pytest.mark.parametrize(
    ("index", "joined"),
    [
        (0, "努力推进干部队伍建设"),
        (2, "一体化保产业链供应链"),
        (2, "科技创新、内陆地区"),
        (5, "并获得了省级财政3500万元支持"),
        (9, "驶向湘东大山深处"),
        (3, "逐步互通，合作办学成效明显"),
    ],
)
def test_column_breaks_are_joined(seed: list[Article], index: int, joined: str) -> None:
    assert joined in seed[index].text


def test_sidebar_printed_mid_sentence_is_lifted_out(seed: list[Article]) -> None:
    article = seed[8]
    assert len(article.sidebars) == 1
    sidebar = article.sidebars[0]
    assert sidebar.title == "相关链接 我市首批工业旅游接待点"
    assert sidebar.text.startswith("株洲市沙城里农产品深加工股份有限公司")
    assert "市文旅广体局与省旅行社协会、湖南省各大旅行社" in article.text
    assert "相关链接" not in article.text and "沙城里" not in article.text
    assert "sidebar" in _rules(article)


def test_half_width_punctuation_between_chinese_becomes_full_width(seed: list[Article]) -> None:
    text = "\n".join(a.text for a in seed)
    assert "他要求，要认真学习" in seed[0].text
    assert "同比增加15天；优良率91.4%；" in seed[0].text
    assert "请问能续贷吗？”" in seed[5].text
    assert "1.15亿元" in seed[5].text
    assert "0731-22832258" in seed[7].text and "8:00-18:00" in seed[7].text
    han = "\u4e00-\u9fff"
    assert not re.search(rf"[{han}][,:;?!]|[,:;?!][{han}]", text)


def test_every_article_dict_has_the_output_fields(seed: list[Article]) -> None:
    data = seed[8].as_dict()
    for name in (
        "page", "index", "title", "subtitle", "dateline", "reporters", "correspondents", "photographers",
        "captions", "sidebars", "continued_on", "text", "chars", "key", "removed",
    ):  # fmt: skip
        assert name in data
    assert data["title"] is None
    assert data["sidebars"][0]["title"].startswith("相关链接")
    assert Article.from_dict(data) == seed[8]


def test_splitting_is_deterministic_and_keyed_by_content(seed: list[Article]) -> None:
    again = split_page(Page(source="elsewhere.txt", text=SEED.read_text(encoding="utf-8")))
    assert [a.key for a in again] == [a.key for a in seed]


# ---------------------------------------------------------------------------------------------- other pages


def _page(name: str) -> list[Article]:
    (page,) = read_inputs([str(INPUTS / name)], Settings())
    return split_page(page)


def test_benbao_page_with_bracket_bylines_untitled_article_and_two_markers() -> None:
    first, second, third = _page("benbao_page.md")
    assert first.title == "城东新区首批保障房交付使用"
    assert first.subtitle == "1200户居民喜迁新居"
    assert first.reporters == ("陈晓明",) and first.correspondents == ("周立",)  # ■记者 X 通讯员 Y
    assert first.dateline == "本报讯 9月26日"
    assert "让更多住房困难群众早日住上新房。" in first.text
    assert first.continued_on == "第2版"
    assert first.text.endswith("心里踏实了！”")
    assert "李阿姨拿到钥匙后说：“终于" in first.text

    assert second.title == "市图书馆延长开放时间"
    assert second.dateline == "本报讯"
    assert second.reporters == ("王芳",) and second.correspondents == ("赵刚",)  # （记者 X 通讯员 Y）
    assert second.text.startswith("从10月1日起")
    assert "21:00" in second.text
    assert "上接" not in second.text and second.continued_on is None
    assert any(r.rule == "continuation" and "上接" in r.text for r in second.removed)

    assert third.title is None  # 本报讯 after a finished article starts a new, untitled one
    assert third.reporters == ("孙丽",)
    assert third.dateline == "本报讯 9月26日"
    assert third.captions == ("图为老年大学学员在书法课上练字。",)
    assert third.photographers == ("李强",)  # 图/X
    assert third.continued_on == "第3版"
    assert "图为" not in third.text and "下转" not in third.text


def test_xinhua_page_without_markdown_headings() -> None:
    first, second = _page("xinhua_page.txt")
    assert first.title == "全国秋粮收购工作全面展开"
    assert first.dateline == "新华社北京9月27日电"
    assert first.reporters == ("张华", "刘洋")
    assert first.text.startswith("记者27日从国家粮食和物资储备局获悉")
    assert first.text.count("今年秋粮总体丰收") == 1
    assert second.title == "铁路国庆运输今日启动"
    assert second.reporters == ("赵敏",)
    assert "并实行分时段预约购票。" in second.text
    assert "1.08亿人次" in second.text


def test_gb18030_page() -> None:
    (page,) = read_inputs([str(INPUTS / "gb18030_page.txt")], Settings())
    assert page.encoding == "gb18030"
    article, comment = split_page(page)
    assert article.title == "湘江风光带二期工程完工"
    assert article.reporters == ("黄志强", "李敏")  # 本报记者 X Y
    assert article.photographers == ("黄志强",)  # 记者 X 摄
    assert article.captions == ("市民在新建成的亲水平台上休闲。",)
    assert "并对沿线照明设施进行了改造升级。" in article.text
    assert "他说：“江边" in article.text
    assert comment.title == "编后" and comment.reporters == ("何明",)


def test_big5_page_in_traditional_script() -> None:
    (page,) = read_inputs([str(INPUTS / "big5_page.txt")], Settings())
    assert page.encoding == "big5"
    (article,) = split_page(page)
    assert article.title == "臺北舉辦書展"
    assert article.reporters == ("陳志明",)
    assert article.dateline == "本報訊"
    assert article.text.startswith("臺北國際書展今日開幕，")


def test_article_rows_are_cleaned_but_never_cut() -> None:
    text = (
        "株洲日报记者 李华\n\n株洲日报讯 9月28日,开通3条新线路。\n\n"
        "本报讯（记者 王芳）另一段文字照样留在这篇里。"
    )
    (article,) = split_page(
        Page(source="a.jsonl#L1", text=text, kind="article", format="jsonl", title="标题")
    )
    assert article.title == "标题"
    assert article.reporters == ("李华",)
    assert article.dateline == "株洲日报讯 9月28日"
    assert article.text.startswith("开通3条新线路。")
    assert "另一段文字照样留在这篇里" in article.text


def test_multi_article_html_is_split() -> None:
    (page,) = read_inputs([str(INPUTS / "multi.html")], Settings())
    assert page.kind == "layout"
    first, second = split_page(page)
    assert first.title == "市区新增公交线路3条" and first.reporters == ("李华",)
    assert second.title == "秋季运动会在体育中心开幕" and second.reporters == ("张明",)
    assert "6:30-21:30" in first.text
    assert "版权所有" not in first.text + second.text


def test_byline_at_an_articles_end_stays_with_it() -> None:
    text = "## 标题一\n\n正文第一段，说明了事情的经过。\n\n（记者 张三）\n\n## 标题二\n\n第二篇的正文。"
    first, second = split_page(Page(source="p", text=text))
    assert first.reporters == ("张三",) and "张三" not in first.text
    assert second.title == "标题二"


def test_leading_caption_is_kept_with_the_first_article() -> None:
    text = "图为会议现场。 记者 王五 摄\n\n## 标题\n\n本报讯 正文内容。"
    (article,) = split_page(Page(source="p", text=text))
    assert article.captions == ("图为会议现场。",) and article.photographers == ("王五",)


# ---------------------------------------------------------------------------------------------- rules


@pytest.mark.parametrize(
    ("line", "reporters", "correspondents", "photographers"),
    [
        ("本报记者 王芳 李明", ["王芳", "李明"], [], []),
        ("■记者 王芳", ["王芳"], [], []),
        ("（记者 张三 通讯员 李四）", ["张三"], ["李四"], []),
        ("记者罗欣 通讯员李四", ["罗欣"], ["李四"], []),
        ("文/张三 图/李四", ["张三"], [], ["李四"]),
        ("通讯员/袁媛 闻湘", [], ["袁媛", "闻湘"], []),
        ("全媒体记者 刘震 摄", [], [], ["刘震"]),
        ("记者 张三 摄影报道", ["张三"], [], ["张三"]),
        ("新华社记者 王 芳", ["王芳"], [], []),
        ("本報記者 陳志明", ["陳志明"], [], []),
        ("文/图 本报记者 陈静", ["陈静"], [], ["陈静"]),
        ("本报通讯员 赵亮 实习生 孙悦", ["孙悦"], ["赵亮"], []),
    ],
)
def test_parse_credit(line: str, reporters: list, correspondents: list, photographers: list) -> None:
    credit = parse_credit(line)
    assert credit is not None
    assert (credit.reporters, credit.correspondents, credit.photographers) == (
        reporters,
        correspondents,
        photographers,
    )


@pytest.mark.parametrize(
    "line",
    [
        "胡衡华毛腾飞曹炯芳郑建新阳卫国张迎春出席",
        "湖南省第一生态环境保护督察组",
        "2020年9月15日",
        "朱理平",
        "记者说他很满意。",
    ],
)
def test_parse_credit_rejects_other_lines(line: str) -> None:
    assert parse_credit(line) is None


def test_parse_caption() -> None:
    assert parse_caption("工人正在作业。图/张三")[0] == "工人正在作业。"  # type: ignore[index]
    assert parse_caption("专列正式发车 记者 刘震 摄")[0] == "专列正式发车"  # type: ignore[index]
    assert parse_caption("他们正在拍摄") is None
    assert parse_caption("大家都在认真拍摄。") is None


def test_parse_dateline() -> None:
    dl = parse_dateline("新华社北京9月27日电（记者 张三、李四）国务院")
    assert dl and dl.dateline == "新华社北京9月27日电" and dl.rest == "国务院"
    assert dl.credit and dl.credit.reporters == ["张三", "李四"]
    dl = parse_dateline("本报讯（记者 张三 通讯员 李四）9月27日，市里")
    assert dl and dl.dateline == "本报讯 9月27日" and dl.rest == "市里"
    assert parse_dateline("华为通讯设备好") is None
    assert parse_dateline("通讯员/彭益") is None


def test_split_continuation() -> None:
    assert split_continuation("成本。 >>> 下转 A2版①") == ("成本。", "下转", "A2版①")
    assert split_continuation("（上接第1版）") == ("", "上接", "第1版")
    assert split_continuation("经济好转")[1] is None
    assert split_continuation("资金周转A2")[1] is None


def test_width_rule_keeps_numbers() -> None:
    assert (
        normalise_width("日,省 7,000 8:00 电话:0731 吗?” 1.15亿")
        == "日，省 7,000 8:00 电话：0731 吗？” 1.15亿"
    )
    assert normalise_width("Hello, world: ok") == "Hello, world: ok"


def test_rejoin_rule_is_careful() -> None:
    assert continues("要切实加强能力建设，努力推进", "干部队伍建设。")
    assert not continues("举报电话：0731-22832258", "(8:00-18:00)")
    assert not continues("湖南省第一生态环境保护督察组", "2020年9月15日")
    assert not continues("主要做法如下：", "一是完善机制。")
    assert not continues("他说，这是一个很好的开始，", "一、加强领导。")
    assert not continues("惠及居民3.2万户。（本报通讯员 周敏 供稿）", "本报通讯员 赵亮")


def test_dedupe_keeps_first_and_short_repeats() -> None:
    kept, dropped = dedupe_paragraphs(
        ["甲乙丙丁戊己庚辛壬。", "成本低。", "甲乙丙丁戊己庚辛壬。", "成本低。"]
    )
    assert kept == ["甲乙丙丁戊己庚辛壬。", "成本低。", "成本低。"]
    assert dropped == ["甲乙丙丁戊己庚辛壬。"]


def test_lone_name() -> None:
    assert is_lone_name("朱理平") and is_lone_name("欧阳修")
    assert not is_lone_name("务实干") and not is_lone_name("补齐短板确保")


def test_masthead_empty_headline_commentator_and_a_dateline_line_of_its_own() -> None:
    text = (
        "株洲日报 2020年9月28日 星期一\n\nA1 要闻\n\n## 喜迎国庆\n\n## 全市各界举行升旗仪式\n\n本报评论员\n\n"
        "本报讯\n国庆前夕，全市各界群众举行升旗仪式，共同祝福祖国。\n\n（下转第二版）"
    )
    empty, article = split_page(Page(source="p", text=text))
    assert (empty.title, empty.text) == ("喜迎国庆", "")  # a headline with nothing under it stays its own
    assert [r.text for r in empty.removed if r.rule == "page_header"] == [
        "株洲日报 2020年9月28日 星期一",
        "A1 要闻",
    ]
    assert article.title == "全市各界举行升旗仪式"
    assert article.subtitle is None
    assert article.reporters == ("本报评论员",)
    assert article.dateline == "本报讯"
    assert article.text == "国庆前夕，全市各界群众举行升旗仪式，共同祝福祖国。"
    assert article.continued_on == "第二版"


def test_transliterated_names_and_bare_report_credit() -> None:
    credit = parse_credit("记者 阿卜杜拉·买买提")
    assert credit and credit.reporters == ["阿卜杜拉·买买提"]
    credit = parse_credit("张三 报道")
    assert credit and credit.reporters == ["张三"]


def test_photo_story_leading_continuation_and_dash_subtitle() -> None:
    text = (
        "## 金秋时节稻谷香\n\n9月26日，醴陵市农民在田间收割稻谷。（记者 黄志强 摄）\n\n"
        "## 老劳模的新课堂\n\n——访全国劳动模范：张建国\n\n本报记者 李华\n\n"
        "（上接第1版）今年以来，张建国已经走进20多所学校。\n\n▲张建国在学校为学生授课。"
    )
    photo, story = split_page(Page(source="p", text=text))
    assert photo.captions == ("9月26日，醴陵市农民在田间收割稻谷。",) and photo.photographers == ("黄志强",)
    assert photo.text == "9月26日，醴陵市农民在田间收割稻谷。"  # a photo story's caption is its text
    assert story.subtitle == "——访全国劳动模范：张建国"
    assert story.text == "今年以来，张建国已经走进20多所学校。"
    assert story.captions == ("▲张建国在学校为学生授课。",)
    assert ("continuation", "（上接第1版）") in [(r.rule, r.text) for r in story.removed]


def test_complete_sidebar_box_inside_a_short_sentence() -> None:
    text = (
        "## 测试边栏\n\n本报讯 市文旅局与省旅\n\n### 链接 名词解释\n\n"
        "工业旅游是以工业企业为对象的旅游活动。\n\n行社协会签订了合作协议。\n\n此后还有一段正文。\n\n"
        "### 相关链接\n\n第一条链接内容。\n\n第二条链接内容。"
    )
    (article,) = split_page(Page(source="p", text=text))
    assert article.text == "市文旅局与省旅行社协会签订了合作协议。\n此后还有一段正文。"
    assert [(s.title, s.text) for s in article.sidebars] == [
        ("链接 名词解释", "工业旅游是以工业企业为对象的旅游活动。"),
        ("相关链接", "第一条链接内容。\n第二条链接内容。"),
    ]


def test_photo_above_a_byline_goes_with_the_article_starting_there() -> None:
    text = (
        "## 标题\n\n本报讯 第一篇的正文。\n\n图为新建成的公园。 记者 王五 摄\n\n"
        "本报记者 赵六\n\n本报讯 第二篇的正文。"
    )
    first, second = split_page(Page(source="p", text=text))
    assert first.captions == () and first.text == "第一篇的正文。"
    assert second.title is None and second.captions == ("图为新建成的公园。",)
    assert second.reporters == ("赵六",) and second.photographers == ("王五",)


def test_dash_heading_under_a_title_is_its_subtitle() -> None:
    text = "## 扎根山区三十年\n\n## ——记乡村教师  李明\n\n本报记者 赵六\n\n本报讯 他在山区教书三十年。"
    (article,) = split_page(Page(source="p", text=text))
    assert article.title == "扎根山区三十年"
    assert article.subtitle == "——记乡村教师 李明"
    assert article.reporters == ("赵六",)


def test_seed_without_markdown_marks_splits_the_same() -> None:
    """Titles found from layout alone (byline, dateline or author under a short line; a line after a
    下转 marker) give the same ten articles as the markdown headings."""
    plain = re.sub(r"^#{2,3} ", "", SEED.read_text(encoding="utf-8"), flags=re.M)
    marked = split_page(Page(source="p", text=SEED.read_text(encoding="utf-8")))
    unmarked = split_page(Page(source="p", text=plain))
    assert [a.title for a in unmarked] == SEED_TITLES
    assert [(a.subtitle, a.reporters, a.text, a.sidebars) for a in unmarked] == [
        (a.subtitle, a.reporters, a.text, a.sidebars) for a in marked
    ]
