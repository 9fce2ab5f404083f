"""The faithfulness check (issue 29): synthetic negatives of each kind an editor found must fail with
their kind's reason, and faithful rewordings (paraphrase, shortening, reordering) must pass."""

from __future__ import annotations

import pytest
from zhaiyao.summarise.faithful import UNSURE, check

ARTICLE = "\n".join(
    [
        "3月5日，习近平总书记在参加江苏代表团审议时强调：“实体经济是国民经济的重要组成部分，"
        "要坚持把发展经济的着力点放在实体经济上。”",
        "传统制造业是国民经济的重要支撑。近年来，江苏传统制造业加快转型升级，规模以上工业增加值增长8%。",
        "省工信厅厅长李明表示，今年将新建智能工厂50家，力争全省工业投资增长10%。",
        "神舟二十号航天员乘组将进入空间站，开展为期6个月的驻留。",
        "国务院办公厅日前印发《关于加快推动形成绿色低碳生活方式的意见》。",
        "十年来，我国实现了全面建成小康社会的目标。2022年，全国粮食产量达到6.87亿吨。",
        "景区门票价格不高，吸引了大批游客。全市共有企业300家，从业人员2万人。",
        "今年一季度，全市外贸出口同比下降5%，进口同比增长3%。当地未发现新的疫情。",
        "（宋 文摄）162名部级领导干部参加义务植树活动。",
        "长株潭三市共建都市圈。西藏山南市浪卡子县普玛江塘乡是海拔最高的乡。",
        "国家林业和草原局发布通知。冬奥会上，他成功卫冕，现场来宾掌声雷动。",
        "襄阳市气象部门利用卫星雷达预测降雨，农户提前抢收小麦。《唐卡》收录61幅唐卡，建成图像文献库。",
    ]
)


def _kinds(summary: str) -> list[str]:
    return [r.split(" ", 1)[0].rstrip(":") for r in check(summary, ARTICLE).sure]


@pytest.mark.parametrize(
    ("summary", "kind"),
    [
        # A speaker swapped: the reporter's sentence put in the leader's mouth.
        ("习近平总书记强调，传统制造业是国民经济的重要支撑。", "attribution"),
        # ... or another person's words.
        ("李明表示，实体经济是国民经济的重要组成部分。", "attribution"),
        # 将 dropped: a planned step told as done.
        ("神舟二十号航天员乘组进入空间站，开展为期6个月的驻留。", "modality"),
        ("今年新建智能工厂50家。", "modality"),
        # 加快推动形成 → 推动形成: an aim told as achieved.
        ("国务院办公厅印发意见，推动形成绿色低碳生活方式。", "modality"),
        # The decade's achievement dated to one year.
        ("2022年，我国实现了全面建成小康社会的目标。", "time"),
        # A negation flipped, an antonym swapped.
        ("景区门票价格高，吸引了大批游客。", "polarity"),
        ("景区门票价格不菲，吸引了大批游客。", "polarity"),
        ("今年一季度全市外贸出口同比增长5%。", "polarity"),
        ("当地发现新的疫情。", "polarity"),
        # The organisation shortened to the body above it.
        ("国务院印发《关于加快推动形成绿色低碳生活方式的意见》。", "organisation"),
        # A number moved to another quantity.
        ("全市共有企业2万家。", "quantity"),
        # A photo credit read as a person.
        ("宋文摄等162名部级领导干部参加义务植树活动。", "photo"),
        # Someone else made the doer; a verdict the article never gives.
        ("襄阳市农民利用卫星雷达预测降雨。", "actor"),
        ("《唐卡》收录61幅唐卡，填补了图像文献库空白。", "invented"),
        ("江苏传统制造业加快转型升级，为全国提供典范。", "invented"),
        # An invented person, and the lexical guard's number check still runs.
        ("张伟表示，实体经济是国民经济的重要组成部分。", "person"),
        ("规模以上工业增加值增长9%。", "number"),
    ],
)
def test_synthetic_negatives_fail_with_their_kind(summary: str, kind: str) -> None:
    kinds = _kinds(summary)
    assert kind in kinds, check(summary, ARTICLE).reasons


@pytest.mark.parametrize(
    "summary",
    [
        # Shortening and the speaker's own words.
        "习近平总书记强调，实体经济是国民经济的重要组成部分。",
        "习近平强调，要坚持把发展经济的着力点放在实体经济上。",
        # Paraphrase that keeps the marker (将 → 计划/力争), the actor and the figures.
        "李明表示，今年计划新建智能工厂50家，力争工业投资增长10%。",
        "航天员乘组将进入空间站驻留6个月。",
        "国务院办公厅印发意见，加快推动形成绿色低碳生活方式。",
        # Reordering.
        "江苏规模以上工业增加值增长8%，传统制造业加快转型升级。",
        "全市从业人员2万人，企业300家。",
        "十年来我国实现了全面建成小康社会的目标，2022年粮食产量达6.87亿吨。",
        "一季度全市出口下降5%，进口增长3%。",
        "景区门票价格不高，吸引大批游客。",
        "162名部级领导干部参加义务植树活动。",
        # jieba's artefacts are not invented names (株潭三市, 市普玛江塘乡, 卫冕, 嘉宾-like common words).
        "长株潭三市共建都市圈。",
        "山南市普玛江塘乡是海拔最高的乡。",
        "他在冬奥会上成功卫冕。",
        # The doer as the article has it; a place standing for its people.
        "襄阳气象部门利用卫星雷达预测降雨，农户提前抢收小麦。",
        "襄阳利用卫星雷达预测降雨。",
        # A true abbreviation of the article's organisation.
        "国家林草局发布通知。",
    ],
)
def test_faithful_rewordings_pass(summary: str) -> None:
    verdict = check(summary, ARTICLE)
    assert verdict.ok, verdict.reasons


def test_the_speaker_of_a_quotation_spanning_sentences_is_found() -> None:
    article = "李明说：“我们今年要新建智能工厂。这些工厂将带动就业。”记者了解到，全省就业形势稳定。"
    assert check("李明说，这些工厂将带动就业。", article).ok
    assert "attribution" in check("李明说，全省就业形势稳定。", article).reasons[0]


def test_indirect_speech_runs_to_the_end_of_its_paragraph() -> None:
    article = "王强指出，要加强生态保护。要推进绿色发展。\n当地森林覆盖率达到60%。"
    assert check("王强指出，要推进绿色发展。", article).ok
    assert not check("王强指出，当地森林覆盖率达到60%。", article).ok


def test_unsupported_clauses_are_unsure_not_failures() -> None:
    # Reworded filler naming nothing new: unsure, so that paraphrase does not fail a summary.
    verdict = check("游客络绎不绝，气氛热烈。", ARTICLE)
    assert verdict.ok and verdict.unsure
    assert all(r.startswith(UNSURE + "unsupported") for r in verdict.unsure)


def test_a_clause_naming_what_the_article_never_has_is_invented() -> None:
    # The issue's 两岸专家学者 in a story with none: two nouns the article never has, restated nowhere.
    verdict = check("两岸专家学者出席座谈会，共商合作大计。", ARTICLE)
    assert not verdict.ok
    assert verdict.sure[0].startswith("invented: '两岸专家学者出席座谈会'")
    # Synonyms share a character with the words they restate (大火 for 火灾, 遇难者 for 死者).
    assert check("夜总会大火遇难者多为大学生。", "巴西一夜总会发生火灾，死者多为大学生。").ok
    # A summary's category words sum up the article's items: 法律 for its 监狱法 and 救助法, 人事 for 任命.
    article = "会议表决通过监狱法和社会救助法，任命张柱为部长。"
    assert check("会议闭幕，通过多项法律和人事任命。", article).ok


def test_a_body_the_article_never_names_is_invented() -> None:
    article = "大岭村村民集体商议，捐出27万余块废旧砖瓦，修成一条“废砖路”。"
    verdict = check("大岭村通过村民自发参与和政府支持，修成一条“废砖路”。", article)
    assert "invented: the body '政府' is not in the article" in verdict.sure
    assert check("大岭村村民捐出废旧砖瓦，修成一条“废砖路”。", article).ok
    # A collective (各地政府) names no one in particular; an abbreviation of the article's body is its.
    assert check("各地政府积极落实。", "各地积极落实。").ok
    assert check("林草局发布通知。", "国家林业和草原局发布通知。").ok
    # 僵局, 格局 end in 局 but are no bureau.
    assert not any("the body" in r for r in check("谈判陷入僵局，格局生变。", "谈判没有进展。").reasons)


def test_a_time_the_article_never_gives_is_a_modality_error() -> None:
    article = "三峡水运新通道先行开挖区施工有序推进，已完成土石方开挖约415万立方米。"
    verdict = check("三峡水运新通道先行开挖区施工有序推进，预计在年底前完成。", article)
    assert "modality: the time '年底' is not in the article" in verdict.sure
    # jieba tags 前往, 天天 and 春天 as time words; they date nothing.
    assert check("游客前往景区参观。", "游客纷纷到景区参观。").ok
    assert check("店主天天上网，迎来事业的春天。", "店主每日上网超过10小时，生意越来越好。").ok


def test_a_cause_the_article_does_not_state_is_an_unsupported_link() -> None:
    article = "5月1日起新规施行。\n据统计，一季度投诉量下降20%。\n市场秩序总体平稳。"
    verdict = check("由于新规施行，一季度投诉量下降20%。", article)
    assert verdict.sure and verdict.sure[0].startswith("unsupported_link: '由于'")
    stated = "由于新规施行，一季度投诉量下降20%。市场秩序总体平稳。"
    assert check("由于新规施行，一季度投诉量下降20%。", stated).ok


def test_a_title_in_shuminghao_must_be_the_articles() -> None:
    article = "《远东国际军事法庭庭审记录·全译本》首发式举行。监狱法自11月1日起施行。"
    verdict = check("《东京审判庭审记录·全译本》首发。", article)
    assert "other: the title 《东京审判庭审记录·全译本》 is not the article's" in verdict.sure
    assert check("《远东国际军事法庭庭审记录·全译本》首发。", article).ok
    # The state's name put in or left out, or the article's own short form, is the same title.
    assert check("《中华人民共和国监狱法》自11月1日起施行。", article).ok
    assert check("《条例》正式施行。", "《信访工作条例》（以下简称《条例》）正式施行。").ok


def test_a_leaders_name_that_only_qualifies_a_noun_does_not_make_the_sentence_his() -> None:
    article = (
        "习近平总书记强调，实体经济是国民经济的重要组成部分。\n"
        "各地认真学习贯彻习近平总书记重要讲话精神，传统制造业是国民经济的重要支撑，要加快转型升级。"
    )
    assert not check("习近平总书记强调，传统制造业是国民经济的重要支撑，要加快转型升级。", article).ok
    assert check("习近平总书记强调，实体经济是国民经济的重要组成部分。", article).ok
    opening = (
        "为民造福是最大政绩。习近平总书记指出：“涉及老百姓的事情关键在实。”\n各地干部牢记习近平总书记嘱托。"
    )
    verdict = check("习近平总书记强调，为民造福是最大政绩，涉及老百姓的事情关键在实。", opening)
    assert verdict.sure and verdict.sure[0].startswith("attribution:")
    assert check("习近平总书记指出，涉及老百姓的事情关键在实。", opening).ok


def test_x_attended_and_stressed_holds_the_words_to_x() -> None:
    reception = (
        "李鸿忠出席招待会并致辞。\n李鸿忠表示，中方愿同老方加强战略沟通，推进互利合作。\n"
        "老挝副总理兼外长通沙万说，愿携手推动老中命运共同体建设取得新成果。"
    )
    verdict = check("李鸿忠出席招待会并致辞，强调中老命运共同体建设取得新成果。", reception)
    assert any("words the article gives to" in r and "通沙万" in r for r in verdict.sure), verdict
    assert check("李鸿忠出席招待会并致辞，强调中方愿同老方加强战略沟通。", reception).ok
    # A short commentary after a directive: its own argument is not the leader's.
    commentary = (
        "近日，习近平总书记对防汛救灾工作作出重要指示。\n汛期已至，雨情汛情多变。各地防汛压力不小。\n"
        "风险隐患排查是否做到全方位，应急预案是否切实可行，值得每一个责任单位反复掂量。"
    )
    summary = "习近平总书记对防汛救灾工作作出重要指示，强调风险隐患排查要做到全方位，应急预案要切实可行。"
    assert any("the writer's words" in r for r in check(summary, commentary).sure)
    # The reporter's account right after the leader is named stays his (深情礼赞 → 强调).
    account = "习近平出席大会并发表讲话。\n习近平深情礼赞劳动创造，号召弘扬劳模精神。"
    assert check("习近平出席大会并发表讲话，强调弘扬劳模精神。", account).ok


def test_the_issue_false_alarms_pass_and_a_real_invented_place_fails() -> None:
    assert check("嘉宾出席活动。", "来宾出席活动。").ok  # 嘉宾: jieba's "place"
    assert "place 北京 not in the article" in check("北京来宾出席活动。", "来宾出席活动。").reasons


def test_empty_summary_fails() -> None:
    assert check("  ", ARTICLE).reasons == ("empty summary",)


def test_a_question_asserts_no_verdict() -> None:
    article = "李鸿章意识到日本崛起是中国隐患。"
    assert check("谁最早意识到日本崛起是中国隐患？", article).ok
    assert "invented" in check("李鸿章最早意识到日本崛起是中国隐患。", article).reasons[0]


def test_the_box_above_a_speech_holds_the_speakers_points() -> None:
    article = "■ 要以更大力度加强基础研究，打牢根基\n在听取发言后，习近平发表重要讲话。他指出，要创新。"
    assert check("习近平强调，要以更大力度加强基础研究。", article).ok
    assert not check("李强强调，要以更大力度加强基础研究。", article).ok


def test_a_done_event_told_as_planned_fails() -> None:
    article = "4月30日，《习近平谈治国理政》第五卷英文版中马读者会在吉隆坡举行。"
    assert "modality" in check("中马读者会将在吉隆坡举行。", article).reasons[0]
    assert check("中马读者会在吉隆坡举行。", article).ok


def test_a_scheduled_step_is_a_plan_the_summary_may_tell_with_jiang() -> None:
    # 定于 (scheduled for) is a plan marker: the sample page's notice, summarised with 将于, is faithful.
    article = "湖南省第一生态环境保护督察组定于2020年9月15日至9月29日对株洲市开展生态环境保护督察“回头看”。"
    assert check(
        "湖南省第一生态环境保护督察组将于2020年9月15日至9月29日对株洲市开展督察“回头看”。", article
    ).ok
    assert (
        "modality" in check("督察组于2020年9月15日至9月29日对株洲市开展了督察“回头看”。", article).reasons[0]
    )


def test_a_headed_speaker_fails_only_on_words_the_article_lacks() -> None:
    article = (
        "陈文清出席会议并讲话。他说，加强人民法庭工作，是服务城乡发展的现实需要。记者了解到，法庭数量增加。"
    )
    assert check("陈文清出席会议，强调加强人民法庭工作，服务城乡发展。", article).ok
    assert "attribution" in check("陈文清出席会议，强调加强人民法庭工作，提升司法效能。", article).reasons[0]


def test_a_widened_scope_fails() -> None:
    article = "张三是湖南省人大代表，他提出建议。放眼世界，早已成为一张名片。"
    assert "actor" in check("全国人大代表张三提出建议。", article).reasons[0]
    assert check("湖南省人大代表张三提出建议。", article).ok
    assert check("放眼全球，早已成为一张名片。", article).ok


def test_hosts_must_be_the_articles_and_prompt_text_fails() -> None:
    article = "论坛由中共中央对外联络部和中共湖北省委共同主办，在武汉举行。"
    assert check("论坛由中联部和湖北省委主办。", article).ok
    assert "actor: the host" in " ".join(check("论坛由中国与中东欧国家合作机制主办。", article).reasons)
    assert "prompt text" in check("论坛在武汉举行正文：论坛开幕。", article).reasons[0]
    # the model's own instruction appended, in an article whose words it reuses (so nothing else fires)
    plan = "省里计划三年内新增营造红树林八千公顷，目标是建成红树林保护示范区。"
    echoed = check("省里计划新增营造红树林八千公顷，计划和目标照原文写。", plan)
    assert not echoed.ok and "prompt text '计划和目标照原文写'" in echoed.reasons[0], echoed.reasons


def test_a_day_moved_to_another_event_fails() -> None:
    article = "监狱法自2026年11月1日起施行。社会救助法自2026年7月1日起施行。"
    assert "time: 11月1日" in check("社会救助法自2026年11月1日起施行。", article).reasons[0]
    assert check("社会救助法自2026年7月1日起施行。", article).ok


def test_a_place_put_for_the_articles_other_place_fails() -> None:
    article = "曼沙维说，中国在世界舞台上发挥举足轻重的作用。新疆通过实施锁边工程遏制沙漠扩张。"
    assert "actor: '埃及'" in " ".join(check("埃及在世界舞台上发挥举足轻重的作用。", article).reasons)
    assert check("中国在世界舞台上发挥举足轻重的作用。", article).ok
    assert check("新疆实施锁边工程，遏制沙漠扩张。", article).ok


def test_words_given_to_someone_else_fail_a_headed_speaker() -> None:
    article = (
        "习近平总书记向全国劳动群众致以节日祝贺和诚挚慰问。\n"
        "广大劳动者表示，总书记的问候催人奋进。新征程上，要立足岗位，为推进中国式现代化贡献力量。"
    )
    summary = "习近平总书记致以节日慰问，强调要立足岗位，为推进中国式现代化贡献力量。"
    assert "广大劳动者" in check(summary, article).reasons[0]
    assert check("习近平总书记向全国劳动群众致以节日祝贺和诚挚慰问。", article).ok


def test_a_wish_or_a_demand_told_as_done_is_a_modality_error() -> None:
    article = "中方愿同老方加强战略沟通，推进互利合作。\n大家表示，要坚定理想信念，勇担时代重任。"
    assert any(r.startswith("modality") for r in check("中方同老方加强战略沟通。", article).sure)
    assert check("中方愿与老方加强战略沟通。", article).ok
    # 要 dropped with no one left demanding it: the resolve reads as done.
    assert any(r.startswith("modality") for r in check("青年们坚定理想信念，勇担时代重任。", article).sure)
    # 要 in a question, or as "if", demands nothing.
    assert check("中国球迷看世界杯花多少钱。", "中国球迷看世界杯要花多少钱？").ok
    # Kept under a verb of saying or demanding, the demand stays a demand.
    assert check("大家表示，坚定理想信念，勇担时代重任。", article).ok


def test_a_plan_marker_governs_its_own_verb_not_a_noun_the_summary_shares() -> None:
    # The sample page's article 3: its headline joins the meeting and the aim in one clause; a summary
    # that reports the meeting shares only 城市 with the aim (加快打造全国城市群…) and tells no plan.
    article = (
        "长株潭城市群一体化发展第二届联席会重点工作推进会在株召开 加快打造全国城市群一体化发展示范区\n"
        "9月27日，长株潭城市群一体化发展第二届联席会重点工作推进会在株召开。阳卫国主持会议。"
    )
    assert check("长株潭城市群一体化发展第二届联席会召开，阳卫国主持会议。", article).ok
    # Told as done, the aim still fails: the summary has the governed verb.
    told = check("长株潭打造全国城市群一体化发展示范区。", article)
    assert any(r.startswith("modality") for r in told.sure), told.reasons


def test_a_speaker_tag_closing_the_sentence_takes_the_clauses_before_it() -> None:
    article = (
        "中巴合作项目累计创造就业岗位超过两万个，带动当地经济发展。\n"
        "巴伊亚州州长罗德里格斯表示，项目为当地民众带来了实惠。"
    )
    verdict = check("中巴合作项目累计创造就业岗位超过两万个，巴伊亚州州长罗德里格斯表示。", article)
    assert verdict.sure and verdict.sure[0].startswith("attribution: '巴伊亚州州长罗德里格斯表示'")
    assert check("项目为当地民众带来了实惠，巴伊亚州州长罗德里格斯表示。", article).ok


def test_a_reworded_quote_is_not_the_articles() -> None:
    article = "习近平总书记曾说：“只要有信心，黄土变成金。”\n当地干部群众进一步坚定信心、找对路子。"
    verdict = check("当地牢记“要继续坚定信心，黄土变成金”的指示。", article)
    assert "invented: the quote “要继续坚定信心,黄土变成金” is not the article's words" in verdict.sure
    assert check("当地牢记“只要有信心，黄土变成金”的嘱托。", article).ok
    assert check("当地创新“坚定信心”工作法。", article).ok  # a short quoted term is no one's words


def test_a_document_says_only_what_the_article_quotes_from_it() -> None:
    article = (
        "农业农村部等三部门印发意见。\n意见提出，到2027年，建成高标准农田10亿亩。意见要求，各地加强耕地保护。"
    )
    verdict = check("意见明确，要建立耕地保护长效机制。", article)
    assert verdict.sure and verdict.sure[0].startswith("attribution: '意见明确'")
    assert check("意见提出，到2027年建成高标准农田10亿亩。", article).ok


def test_a_first_belongs_to_the_sentence_that_says_it() -> None:
    article = "该市首次举办国际马拉松赛。\n赛事吸引2万名选手参赛。\n当地还开通了3条公交专线。"
    verdict = check("当地首次开通3条公交专线。", article)
    assert verdict.sure and verdict.sure[0].startswith("invented: '首次'")
    assert check("该市首次举办国际马拉松赛，吸引2万名选手参赛。", article).ok


def test_the_protagonist_named_in_the_lead_acts_throughout() -> None:
    article = (
        "院坝间，“一个人的剧场”送上门\n6月29日，宁陕县文化馆的演职人员正忙着排练。\n馆长说，大家都很投入。\n"
        "志愿小分队成立后走进村民家。\n村民渐渐开朗起来。\n7年来，“一个人的剧场”演出队伍累计开展活动300多场。"
    )
    assert check("宁陕县文化馆演出队伍累计开展活动300多场。", article).ok
    assert any(r.startswith("actor") for r in check("襄阳市农民演出队伍累计开展活动300多场。", article).sure)
