"""Text clean-up rules for newspaper articles: one small function per convention.

The recognisers (bylines, captions, datelines, continuation markers, sidebar headings) follow how
Chinese papers print these things in general (本报讯, 新华社北京9月27日电（记者 X）, ■记者 X, 图/X,
记者 X 摄, >>> 下转 A2版), never the names of one page. The splitter (``zhaiyao.split.page``) decides where
each line goes; the paragraph rules here (dedupe, rejoin, width) then tidy an article's body.
Everything here is pure and uses precompiled patterns, because it runs on every line of every page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from zhaiyao.text.sentences import SENTENCE_ENDS

HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
# Full-width punctuation that counts as "Chinese context" for the width rule.
_CJK_PUNCT = "\u3000-\u303f\uff00-\uffef\u2018-\u201d\u2026\u2014\u00b7"

# A paragraph ending a sentence, or a label's colon, is finished; anything else may have been cut by a
# column break.
_TERMINAL = re.escape(SENTENCE_ENDS + "：:")
_CLOSERS = "”’」』）)】》"
# ...and so is one ending in a parenthetical note after a full stop: …3.2万户。（本报通讯员 X 供稿）
_ENDS_SENTENCE = re.compile(
    rf"(?:[{_TERMINAL}]|[{_TERMINAL}][{_CLOSERS}]+|——|[。！？!?…][（(][^（()）]*[）)])\s*$"
)
# Prose has clause punctuation or length; labels ("举报电话:0731-…"), signature lines and times do not.
_PROSE_MARK = re.compile(r"[，,、；;。“”《》]")
_LABEL_LINE = re.compile(rf"^[{HAN}]{{2,8}}[：:][^，,。]*$")
_LIST_ITEM = re.compile(
    r"^(?:[一二三四五六七八九十]+、|\d{1,2}[.、．]|[（(][一二三四五六七八九十\d]{1,3}[）)]|[■□●◆◇▲△★☆▶►•])"
)
_STARTS_CONTINUATION = re.compile(rf"^[{HAN}A-Za-z0-9“‘《、，,·]")

# Traditional forms of the role and marker words, folded to simplified before string checks.
_T2S = str.maketrans(
    "訊員記報編輯責對攝圖實習轉見體駐約聞網戶導為關鏈閱讀資貼詞釋識間電",
    "讯员记报编辑责对摄图实习转见体驻约闻网户导为关链阅读资贴词释识间电",
)

_HALF_TO_FULL = {",": "，", ":": "：", ";": "；", "?": "？", "!": "！"}
# A half-width , : ; ? ! with Chinese (a character or full-width punctuation) on either side was typed
# wrong; digits on both sides (7,000 / 8:00) or Latin text keep theirs.
_WIDTH = re.compile(rf"(?<=[{HAN}{_CJK_PUNCT}])[,:;?!]|[,:;?!](?=[{HAN}{_CJK_PUNCT}])")

_BULLETS = "■□●◆◇▲△★☆▶►•·"
_NAME_STOP = (
    "[图圖]片|通[讯訊][员員]|[记記]者|[实實][习習]生|[编編][辑輯]|[责責][编編]|校[对對]|[摄攝]影|[报報][道導]"
)
_NAME_CHAR = rf"(?:(?!{_NAME_STOP})[{HAN}])"
# 2–6 characters, or a transliterated name with a middle dot (阿卜杜拉·买买提).
_NAME = re.compile(
    rf"(?:{_NAME_CHAR}{{1,6}}[·•]{_NAME_CHAR}{{1,6}}|{_NAME_CHAR}{{2,6}})"
    rf"(?=$|[\s、，,/／;；）)]|[摄攝]|{_NAME_STOP})"
)
# "本报评论员" under a commentary title: the byline is the role itself.
_COMMENTATOR = re.compile(rf"^(?:本[报報]|[{HAN}]{{1,8}}?)?(?:特[约約])?[评評][论論][员員]$")
_QUALIFIER = (
    rf"(?:全媒[体體]|融媒[体體]|首席|[见見][习習]|[实實][习習]|特约|特約|[摄攝]影|文字|[驻駐][{HAN}]{{1,4}})"
)
# Role markers. One-character roles (文/图) only count with an explicit separator, so that a name
# such as 文涛 is not read as "文" + "涛".
_ROLE = re.compile(
    rf"(?P<role>[{HAN}·]{{0,12}}?{_QUALIFIER}?(?:[记記]者|通[讯訊][员員]|[实實][习習]生)"
    rf"|[责責]任[编編][辑輯]|[责責][编編]|[编編][辑輯]|校[对對]|作者)"
    rf"\s*[/／:：|]?\s*"
    rf"|(?P<both>文[/／][图圖]|[图圖][/／]文)\s*[/／:：|]?\s*"
    rf"|(?P<short>[摄攝]影|[图圖]片|文字|[图圖]|文)\s*[/／:：|]\s*"
)
_SUFFIX = re.compile(r"(?P<suffix>[摄攝]影[报報][道導]|[摄攝]影|[摄攝]|[报報][道導])(?=$|[\s）)、，,])")
_SEPARATORS = re.compile(r"[\s、，,;；\u3000]+")
_PADDED_NAME = re.compile(rf"(?<![{HAN}])([{HAN}])[\u3000 ]([{HAN}]{{1,2}})(?![{HAN}])")
_ENCLOSED = re.compile(r"^[（(【\[](.*)[）)】\]]$")

_DATELINE = re.compile(
    rf"^(?P<agency>(?:本[报報]|[{HAN}]{{1,8}}?(?:日[报報]|晚[报報]|早[报報]|[报報]|[网網]|社|台|新[闻聞]|客[户戶]端))"
    rf"(?:[{HAN}]{{0,8}}?\d{{1,2}}月\d{{1,2}}日)?[电電讯訊])"
    rf"(?=[\s\u3000（(：:\d]|$)"
)
_DATELINE_CREDIT = re.compile(r"\s*[（(](?P<credit>[^）)]{1,80})[）)]")
_DATELINE_DATE = re.compile(
    r"[\s\u3000：:]*(?P<date>\d{1,2}月\d{1,2}日(?:[上下]午|晚[间間]|晚|[电電])?)[\s\u3000,，]+"
)
_DATELINE_SEP = re.compile(r"[\s\u3000：:,，]*")

_CONTINUATION = re.compile(
    r"\s*(?P<lead>>{2,}|》{2,}|→)?\s*(?P<open>[（(【])?\s*(?P<dir>下[转轉]|上接|[转轉]|接)\s*"
    r"(?P<where>第?\s*[A-Za-z]?\s*[\d一二三四五六七八九十]{1,3}\s*版[^\s）)】]{0,4}|[A-Za-z]\d{1,3}[^\s）)】]{0,4})"
    r"\s*(?P<close>[）)】])?\s*$"
)

# (上接第1版) / >>> 上接 A1版 at the start of a paragraph continued from another page.
_LEADING_CONTINUATION = re.compile(
    r"^\s*(?:>{2,}\s*)?(?:[（(【]\s*(?:上接|接上|接)\s*[^（()）【】]{1,12}?版[^（()）【】]{0,4}[）)】]"
    r"|>{2,}\s*上接\s*\S{1,12}?版\S{0,4}\s)\s*"
)

_SIDEBAR = re.compile(
    r"^[【\[■●◆]?\s*(?:相[关關][链鏈]接|新[闻聞][链鏈]接|背景[链鏈]接|知[识識][链鏈]接|延伸[阅閱][读讀]|相[关關][阅閱][读讀]"
    r"|相[关關]新[闻聞]|新[闻聞]背景|背景[资資]料|小[贴貼]士|名[词詞]解[释釋]|[链鏈]接)"
)
_CAPTION_LEAD = re.compile(r"^(?:[图圖][为為]|[▲△↑↓←→]|[上下左右][图圖][：:为為]|[图圖][：:])")
_CAPTION_SPLIT = re.compile(r"[。！？!?\s\u3000（(]")

# Common surnames, for telling an author's lone name line from a short kicker line.
_SURNAMES = set(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁"
    "任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴"
    "莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪"
    "梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简"
    "车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄"
    "丛仲虞敖巩明佘池查麻苑迟邝封"
    # traditional forms
    "陳劉楊黃趙吳孫馬鄭謝韓馮鄧蕭葉蘇呂盧鍾譚陸湯賴羅許錢顧龔萬嚴龍賀鄒閻聶莊關華"
)
_COMPOUND_SURNAMES = ("欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "令狐", "慕容", "尉迟", "公孙", "长孙")
_DATE_ONLY = re.compile(r"^[\d\s年月日号/.\-]+$")
_LONE_NAME = re.compile(rf"^[{HAN}]{{2,4}}$")
_PADDED_PAIR = re.compile(rf"^[{HAN}][ \u3000]{{1,3}}[{HAN}]$")


@dataclass
class Credit:
    """People named in a byline or photo credit, by role."""

    reporters: list[str] = field(default_factory=list)
    correspondents: list[str] = field(default_factory=list)
    photographers: list[str] = field(default_factory=list)
    editors: list[str] = field(default_factory=list)

    def merge(self, other: Credit) -> None:
        for name in ("reporters", "correspondents", "photographers", "editors"):
            mine = getattr(self, name)
            mine.extend(n for n in getattr(other, name) if n not in mine)


@dataclass(frozen=True)
class Dateline:
    dateline: str  # e.g. "株洲日报讯 9月27日", "新华社北京9月27日电"
    credit: Credit | None
    removed: str  # the exact prefix taken off the paragraph
    rest: str  # the paragraph without its dateline


def normalise_width(text: str) -> str:
    """Half-width , : ; ? ! next to Chinese become full-width (numbers like 7,000 and 8:00 keep theirs)."""
    return _WIDTH.sub(lambda m: _HALF_TO_FULL[m.group(0)], text)


def ends_sentence(text: str) -> bool:
    return bool(_ENDS_SENTENCE.search(text))


def continues(previous: str, following: str) -> bool:
    """Whether ``following`` is the rest of ``previous``, cut apart by a column or page break.

    Only prose is rejoined: a fragment that stops without sentence-final punctuation and reads as a
    sentence (clause punctuation or length), followed by text that can carry on a sentence. Labels,
    signatures, times and list items stay separate paragraphs.
    """
    if ends_sentence(previous) or _LABEL_LINE.match(previous):
        return False
    if len(previous) < 30 and (not _PROSE_MARK.search(previous) or previous[-1] in _CLOSERS):
        # Short and unpunctuated, or short and closing a quote: a heading (“@贷”，改变“难、贵、慢”),
        # a label or a signature, not half a sentence.
        return False
    return bool(_STARTS_CONTINUATION.match(following)) and not _LIST_ITEM.match(following)


def rejoin_column_breaks(paragraphs: list[str], fixed: set[int] | None = None) -> list[str]:
    """Join paragraphs split by a column or page break (努力推进 | 干部队伍建设)."""
    fixed = fixed or set()
    out: list[str] = []
    out_fixed: list[bool] = []
    for i, para in enumerate(paragraphs):
        is_fixed = i in fixed
        if out and not is_fixed and not out_fixed[-1] and continues(out[-1], para):
            out[-1] = out[-1] + para
            continue
        out.append(para)
        out_fixed.append(is_fixed)
    return out


def dedupe_paragraphs(paragraphs: list[str], min_chars: int = 8) -> tuple[list[str], list[str]]:
    """Drop verbatim repeats of a paragraph (a layout tool pasting a block twice); keep the first.

    Very short lines (a lone "成本低。" heading-like line) may repeat legitimately, so they stay.
    Returns (kept, dropped).
    """
    seen: set[str] = set()
    kept: list[str] = []
    dropped: list[str] = []
    for para in paragraphs:
        key = para.strip()
        if len(key) >= min_chars and key in seen:
            dropped.append(para)
            continue
        seen.add(key)
        kept.append(para)
    return kept, dropped


def _strip_wrappers(text: str) -> str:
    text = text.strip().lstrip(_BULLETS).strip()
    m = _ENCLOSED.match(text)
    if m:
        text = m.group(1).strip()
    return _PADDED_NAME.sub(r"\1\2", text)


def _role_lists(role: str) -> set[str]:
    """Which Credit lists a role's names go to; ``role`` may join roles printed together (文/图+记者)."""
    targets: set[str] = set()
    for part in role.translate(_T2S).split("+"):
        if "通讯员" in part:
            targets.add("correspondents")
        elif any(word in part for word in ("编辑", "责编", "校对")):
            targets.add("editors")
        elif part in ("文/图", "图/文", "文／图", "图／文"):
            targets.update(("reporters", "photographers"))
        elif part.startswith(("摄影", "图")):
            targets.add("photographers")
        else:
            targets.add("reporters")
    return targets


_Group = tuple[str | None, list[str], str | None]  # (role, names, suffix such as 摄)


def parse_credit(text: str) -> Credit | None:
    """Read a byline or photo credit, or return None when ``text`` is anything else.

    Accepts e.g. 株洲日报记者 罗欣 / 通讯员/袁媛 闻湘 / ■记者 王芳 / （记者 张三 通讯员 李四） /
    全媒体记者 刘震 摄 / 文/张三 图/李四 / 本报记者 王芳 李明. The whole text must be roles and names.
    """
    if len(text) > 90:  # bylines are short; most body paragraphs stop here
        return None
    text = _strip_wrappers(text)
    if not text or len(text) > 80:
        return None
    if _COMMENTATOR.match(text):
        return Credit(reporters=[text])
    groups = _credit_groups(text)
    return None if groups is None else _credit_of(groups)


def _credit_groups(text: str) -> list[_Group] | None:
    """The text as (role, names, suffix) groups, or None when something in it is neither."""
    groups: list[_Group] = []
    role: str | None = None
    names: list[str] = []
    pos = 0
    while pos < len(text):
        sep = _SEPARATORS.match(text, pos)
        if sep:
            pos = sep.end()
            continue
        m = _ROLE.match(text, pos)
        if m:
            new_role = m.group("role") or m.group("both") or m.group("short")
            if role is not None and not names:
                role = f"{role}+{new_role}"  # 文/图 本报记者 X: both roles apply to the names after them
            else:
                if names or role is not None:
                    groups.append((role, names, None))
                role, names = new_role, []
            pos = m.end()
            continue
        m = _SUFFIX.match(text, pos)
        if m and names:
            groups.append((role, names, m.group("suffix")))
            role, names = None, []
            pos = m.end()
            continue
        m = _NAME.match(text, pos)
        if not m:
            return None
        names.append(m.group(0))
        pos = m.end()
    if names or role is not None:
        groups.append((role, names, None))
    return groups


def _credit_of(groups: list[_Group]) -> Credit | None:
    credit = Credit()
    for role, group_names, suffix in groups:
        if not group_names or (role is None and suffix is None):
            return None
        targets = sorted(_role_lists(role)) if role else ["reporters"]
        if suffix in ("摄", "摄影"):
            targets = ["photographers"]
        elif suffix == "摄影报道":
            targets = ["reporters", "photographers"]
        for target in targets:
            getattr(credit, target).extend(n for n in group_names if n not in getattr(credit, target))
    return credit


# …体验传统文化。杨梅清摄 / 记者 杨梅清摄: a name of two to four characters glued to 摄, after a sentence.
_GLUED_PHOTO = re.compile(
    rf"^\s*(?P<role>[{HAN}·]{{0,12}}?(?:记者|通讯员)\s*)?(?P<name>[{HAN}]{{2,4}})[摄攝]\s*$"
)


def _glued_photo_credit(tail: str) -> Credit | None:
    m = _GLUED_PHOTO.match(tail)
    return Credit(photographers=[m.group("name")]) if m else None


def parse_caption(text: str) -> tuple[str, Credit | None] | None:
    """A photo caption: text ending in a photographer's credit (…发车。全媒体记者 刘震 摄 / …。图/X),
    or a line led by 图为 / ▲ / 上图：. Returns (caption, credit); caption may be "" for a bare credit.
    """
    text = text.strip()
    if len(text) > 200:
        return None
    end = text[-3:].translate(_T2S)
    slash = ("/" in text or "／" in text) and ("图/" in (folded := text.translate(_T2S)) or "图／" in folded)
    if end.endswith(("摄", "摄影", "摄）", "摄)", "摄影）", "摄影)")) or slash:
        for m in _CAPTION_SPLIT.finditer(text):
            tail = text[m.end() - (1 if m.group(0) in "（(" else 0) :]
            credit = parse_credit(tail) or _glued_photo_credit(tail)
            if credit and credit.photographers:
                return text[: m.start() + (0 if m.group(0) in "（(" else 1)].strip(), credit
        credit = parse_credit(text)
        if credit and credit.photographers:
            return "", credit
    if _CAPTION_LEAD.match(text) and len(text) <= 150:
        return text, None
    return None


def parse_dateline(paragraph: str) -> Dateline | None:
    """本报讯 / 株洲日报讯 9月27日, / 新华社北京9月27日电（记者 X） at the start of a paragraph."""
    m = _DATELINE.match(paragraph)
    if not m:
        return None
    dateline = m.group("agency")
    pos = m.end()
    credit = None
    c = _DATELINE_CREDIT.match(paragraph, pos)
    if c:
        credit = parse_credit(c.group("credit"))
        if credit is not None:
            pos = c.end()
    d = _DATELINE_DATE.match(paragraph, pos)
    if d:
        dateline = f"{dateline} {d.group('date')}"
        pos = d.end()
    pos = _DATELINE_SEP.match(paragraph, pos).end()  # type: ignore[union-attr]
    return Dateline(dateline, credit, paragraph[:pos].strip(), paragraph[pos:].strip())


def split_continuation(paragraph: str) -> tuple[str, str | None, str | None]:
    """Take a continuation marker off the end of a paragraph.

    Returns (rest, direction, where): direction is 下转/转 (continued on) or 上接/接 (continued from).
    """
    # Markers sit at the very end; looking only at the tail keeps this linear on long paragraphs.
    offset = max(0, len(paragraph) - 40)
    tail = paragraph[offset:]
    if "转" not in tail and "接" not in tail and "轉" not in tail:
        return paragraph, None, None
    m = _CONTINUATION.search(tail)
    if not m:
        return paragraph, None, None
    direction = m.group("dir").translate(_T2S)
    bracketed = m.group("open") is not None
    if bracketed != (m.group("close") is not None):
        return paragraph, None, None
    # A bare 转/接 is a common word; only trust it with an explicit >>> or brackets.
    if direction in ("转", "接") and not (m.group("lead") or bracketed):
        return paragraph, None, None
    return paragraph[: offset + m.start()].rstrip(), direction, re.sub(r"\s+", "", m.group("where"))


def split_leading_continuation(paragraph: str) -> tuple[str, str | None]:
    """Take a "continued from" marker off the start of a paragraph: returns (rest, marker)."""
    m = _LEADING_CONTINUATION.match(paragraph)
    if not m or m.end() == len(paragraph):
        return paragraph, None
    return paragraph[m.end() :], m.group(0).strip()


def is_sidebar_heading(text: str) -> bool:
    return bool(_SIDEBAR.match(text.strip()))


def is_lone_name(text: str) -> bool:
    """A line that is just a person's name (an author under a commentary title: 朱理平, or a pen name
    padded to the width of a name: 南 评)."""
    text = text.strip().lstrip(_BULLETS).strip()
    if _PADDED_PAIR.match(text):
        return True
    text = _PADDED_NAME.sub(r"\1\2", text)
    if not _LONE_NAME.match(text):
        return False
    return text[0] in _SURNAMES or text.startswith(_COMPOUND_SURNAMES)


def is_date_only(text: str) -> bool:
    """A line that is only a date (2020年9月15日 under a signature block), never a title or kicker."""
    return bool(_DATE_ONLY.match(text))
