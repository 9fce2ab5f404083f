"""Word lists the faithfulness rules share: speech verbs, modality and time markers, negators, antonym
pairs, organisation suffixes, surnames and places. Kept as data in one place so they can be tuned
against the labelled set without touching the rules."""

from __future__ import annotations


def _words(*lines: str) -> frozenset[str]:
    return frozenset(word for line in lines for word in line.split())


def longest_first(*lines: str) -> tuple[str, ...]:
    # Longest first, so that an alternation of them matches 强调指出 before 指出.
    return tuple(sorted(_words(*lines), key=lambda w: (-len(w), w)))


def _pairs(*lines: str) -> tuple[tuple[str, str], ...]:
    return tuple(sorted(tuple(pair.split("/")) for line in lines for pair in line.split()))  # type: ignore[misc]


# "X强调，…": the verbs that put words in someone's mouth.
SPEECH_VERBS: tuple[str, ...] = longest_first(
    "强调 指出 表示 要求 认为 说 称 提出 介绍 坦言 感慨 告诉 呼吁 宣布 透露 主张 重申 回应 表态 寄语",
    "希望 直言 解释 说明 谈到 提到 称赞 赞叹 评价 建议 承诺 强调指出 明确 批示 致辞 讲话",
)

# Words that say a step is planned, aimed at or under way, not done. A summary that drops all of them
# where the article's clause has one tells a plan as a fact.
FUTURE_MARKERS: tuple[str, ...] = tuple(
    _words(
        "将 拟 计划 预计 有望 力争 争取 准备 即将 将要 打算 目标 要 将于 会 可望 预期 规划 部署 正在 正",
        "加快 着力 努力 逐步 稳步 致力 旨在 以期 需 需要 应 应当 必须 还将 尚 待 期待 希望 呼吁 建议 倡议",
        "加速 加紧 可以 能够 继续 下一步",
        "筹备 定于 拟于 择期 愿 愿意 愿同 愿与",
    )
)
# The article's markers whose loss matters: a step told as done when it is not. Any marker above on the
# summary's side keeps the sense (将 → 计划 is a fair paraphrase; 推动 alone is not a marker at all).
# 正在 is not one: news tells an ongoing event in the plain form, and jieba reads 韩正在北京 as 正在.
STRONG_FUTURE: frozenset[str] = _words(
    "将 拟 计划 预计 有望 力争 争取 准备 即将 将要 打算 将于 可望 加快 还将 定于 拟于 愿 愿意 愿同 愿与"
)
# A demand: its loss matters too, unless a verb of saying or demanding is left (modality.py).
DEMANDS: frozenset[str] = _words("要 应 应当 必须")

# Spans of time: achievements "十年来" or "截至" a date are not one year's.
SPAN_MARKERS: tuple[str, ...] = tuple(_words("以来 年来 截至 截止 累计 近年 多年 历年 至今 迄今"))

# jieba tokens that negate what follows. 不断 / 不仅 / 无论 / 非常 / 未来 are single tokens in jieba,
# so they never reach this list.
NEGATORS: frozenset[str] = _words(
    "不 未 没 没有 无 非 未能 不能 无法 不再 尚未 并未 从未 不会 不得 未曾 绝不 决不 不要 别 勿 莫",
    "并非 并不 无需 毋须 不用 难以 难 不是 未有 不可 否 不够",
)

# Words that begin with a negator but do not negate (不断 = constantly, 未来 = future).
NOT_NEGATIONS: frozenset[str] = _words(
    "不断 不仅 不但 不过 不管 不论 不久 不禁 不已 不同 不如 不料 不妨 不时 不免 不便",
    "不满 不必 不宜 不良 不法 未来 未必 未免",
    "非洲 非盟 无锡 不丹 无为 非凡 无人机",
    "无论 无数 无疑 无限 无比 无私 无偿 无线 无人 无形 无缝 非常 非遗 非法 非凡 没想 不得",
)

# Pairs that say opposite things of the same subject: one in the summary, the other in the aligned
# article clause (and not its partner) is a flip.
ANTONYMS: tuple[tuple[str, str], ...] = _pairs(
    "上升/下降 增长/下降 增加/减少 增长/减少 扩大/缩小 提高/降低 升高/降低 上涨/下跌 上调/下调",
    "增多/减少 加快/放缓 加强/削弱 好转/恶化 盈利/亏损 顺差/逆差 领先/落后 成功/失败 支持/反对",
    "批准/否决 同意/反对 开放/关闭 合法/非法 不菲/不高 不菲/低廉 昂贵/便宜 高于/低于 多于/少于",
    "超过/不足 增/减 涨/跌 升/降 最高/最低 首次/再次 胜/负 赢/输 净流入/净流出 扩张/收缩 回升/回落",
    "提速/放缓 利好/利空",
)

# What an organisation's name ends with. 办公厅/新闻办 … also name a body *under* another one: 国务院
# for 国务院办公厅 is the wrong actor.
ORG_SUFFIXES: tuple[str, ...] = longest_first(
    "办公厅 办公室 新闻办 委员会 常委会 管理局 总局 部 厅 局 委 署 院 办 集团 公司 协会 学会 联合会",
    "银行 大学 医院 政府 法院 检察院 中心 研究院 研究所 联络部 宣传部 组织部 中央 国务院 人大 政协",
    "党委 党组 工会 团委 妇联 科协 侨联 联盟 基金会 交易所",
)
# Bodies under a larger one: the article's 国务院办公厅 is not the 国务院.
SUB_BODIES: tuple[str, ...] = longest_first(
    "办公厅 办公室 新闻办公室 新闻办 国资委 台办 侨办 港澳办 研究室 参事室 常委会 秘书处 党组 机关",
    "联防联控机制 安委会 督查组 工作组",
)

# The single-character surnames that make up most of China's population, and the common double ones.
SURNAMES: frozenset[str] = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚"
    "卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常"
    "温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴"
    "霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚"
    "岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟"
    "邝"
) | _words("欧阳 司马 上官 诸葛 东方 皇甫 令狐 慕容 尉迟 长孙 宇文 司徒")

# Ends of place names that make a jieba "place" a real one even when no list knows it.
PLACE_SUFFIXES: tuple[str, ...] = tuple(_words("省 市 县 区 乡 镇 村 州 盟 旗 岛 湾 港 自治区 街道 社区"))

# Places a summary may name without a suffix: provinces and regions in their short forms, the largest
# cities and the countries news mentions most. A jieba "place" outside this list and without a place
# suffix (嘉宾, 城市, 东西) is a tokenizer artefact, not an invented place.
KNOWN_PLACES: frozenset[str] = _words(
    "北京 天津 上海 重庆 河北 山西 辽宁 吉林 黑龙江 江苏 浙江 安徽 福建 江西 山东 河南 湖北",
    "湖南 广东 海南 四川 贵州 云南 陕西 甘肃 青海 台湾 内蒙古 广西 西藏 宁夏 新疆 香港 澳门",
    "深圳 广州 杭州 南京 武汉 成都 西安 长沙 郑州 济南 青岛 大连 沈阳 哈尔滨 长春 石家庄",
    "太原 合肥 福州 厦门 南昌 南宁 贵阳 昆明 兰州 西宁 银川 乌鲁木齐 拉萨 呼和浩特 海口 三亚",
    "苏州 无锡 宁波 温州 东莞 佛山 珠海 株洲 湘潭 岳阳 衡阳 常德 雄安 浦东 中国 美国 日本",
    "韩国 朝鲜 俄罗斯 英国 法国 德国 意大利 西班牙 印度 巴西 加拿大 澳大利亚 新西兰 墨西哥",
    "阿根廷 南非 埃及 土耳其 伊朗 伊拉克 以色列 沙特 越南 泰国 新加坡 马来西亚 印度尼西亚",
    "菲律宾 巴基斯坦 哈萨克斯坦 乌克兰 波兰 荷兰 比利时 瑞士 瑞典 挪威 芬兰 丹麦 希腊 葡萄牙",
    "奥地利 匈牙利 塞尔维亚 老挝 柬埔寨 缅甸 蒙古 尼泊尔 孟加拉国 斯里兰卡 肯尼亚 尼日利亚",
    "埃塞俄比亚 智利 秘鲁 古巴 欧洲 亚洲 非洲 美洲 拉美 东盟 欧盟 中东 亚太 大湾区 长三角",
    "珠三角 京津冀",
)

# A summary's own verdicts: superlatives, firsts and judgements a small model adds (填补空白, 标志着,
# 典范). Present in the summary and absent from the article, they are claims the article never made.
VERDICTS: tuple[str, ...] = longest_first(
    "填补 空白 标志着 意味着 里程碑 典范 样板 标杆 首次 首个 首家 首座 首批 首创 唯一 最大 最高 最长 最多",
    "最早 最先 领先 历史性 重大突破 重大进展 开创 创下 纪录 世界级 国际领先 全球首 全国首 彻底 奠定",
    "注入 新活力 新动能 新篇章 新高度 典型 榜样 楷模 重要意义 深远意义 重要贡献 有力保障 坚实基础",
    "做出了贡献 作出了贡献 做出贡献 作出贡献",
)

# Last characters of common nouns that name someone who can act (农民, 双方, 老人, 气象部门, 企业): only
# such nouns, or names, are a clause's doer or a speaker (计划, 热潮, 标志 are not).
ACTOR_ENDS = "人民者员方部局委厅院队门党府会司校商企团组军警师生农工众们宾士手友客"
