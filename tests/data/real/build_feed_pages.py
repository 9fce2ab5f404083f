"""Rebuild the ``unseen`` pages (新华每日电讯, 学习时报, more 人民日报) from git mirrors of public crawls.

    python tests/data/real/build_feed_pages.py MIRROR_DIR

MIRROR_DIR holds one git mirror per crawl as ``<owner>+<name>/repo`` (bare, or a checkout with
``repo/.git``), the layout of the shared set's ``rebuild.sh``; e.g.
``git clone --mirror https://github.com/ifyuls/xhmrdx-rss MIRROR_DIR/ifyuls+xhmrdx-rss/repo``.
Every file is read at a pinned commit, so two runs give byte-identical files.

The three crawls are one family (GitHub-Actions scrapers that save each day's e-paper as an RSS
file; ``<title>`` is ``[NN版：版名] 标题``, ``<description>`` the article's HTML as cut from the
e-paper). A page (版面) is the day's items of that 版面, in feed order; ``.txt`` is the innerText
rendering of their ``<description>`` HTML joined by newlines (the renderer of
``build_rmrb_pages.py``, so every page of the corpus is rendered alike), ``html/NAME.html`` the
raw HTML. The gold list comes from each e-paper's own markup:

- 新华每日电讯 (mrdx.cn): a table per article, rows 引题 / 标题 / 副题 / rule / ``（ date ） 稿件来源：…``,
  then a ``<br>``-separated body whose first line is the byline when the article has one.
- 学习时报 (paper.studytimes.cn): ``h3.headline`` 引题, ``h1`` 标题, ``h3.subtitle`` 副题,
  ``p.datesource`` author line with ``字数`` and the page stamp, ``cms-content`` body.
- 人民日报: as ``build_rmrb_pages.py`` (``h3``/``h1``/``h2``/``p.sec``/``#ozoom``).

The script refuses the held-out papers and dates, checks that each page's article ids are
contiguous, that the feed's own date is the page's date, and that every gold title and first_words
string occurs in the page text in gold order. All pages get ``part`` = ``unseen``: scored once with
the splitter unchanged, before anyone tuned on them.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import build_rmrb_pages as rmrb  # noqa: E402  (the shared renderer and the 人民日报 gold reader)
from build_rmrb_pages import Node, cls, inner_text, kind_of, norm, parse_html  # noqa: E402

PART = "unseen"


@dataclass(frozen=True)
class Crawl:
    repo: str
    commit: str
    newspaper: str
    stem: str


XHMRDX = Crawl("ifyuls/xhmrdx-rss", "068a7450e3c45cfe37fa5971bf661cfcdd00c860", "新华每日电讯", "xhmrdx")
XXSB = Crawl("ifyuls/xxsb-rss", "ad6d64ec45125485d15e6f322a424639ca208948", "学习时报", "xxsb")
RMRB = Crawl("ifyuls/rmrb-rss", rmrb.COMMIT, "人民日报", "rmrb")
RMRB_FIRST = 31  # rmrb_01–30 are the tune/check/check2 pages

# (crawl, file in the crawl, edition date, 版面 as the feed names it, a note on what the page holds)
PAGES: list[tuple[Crawl, str, str, str, str]] = [
    (
        XHMRDX,
        "history/mrdx_2026-04-27.xml",
        "2026-04-27",
        "01版：要闻",
        "Front page: a 中办国办 document whose subtitle is its date in brackets, with numbered "
        "section heads (一、总体要求 …); five features whose first body line is the byline (新华社记者 "
        "…), three with 小标题 ((二)…, (一), 文脉绵长 才子之乡 …), one with a —— subtitle; a datelined "
        "dispatch.",
    ),
    (
        XHMRDX,
        "history/mrdx_2026-04-27.xml",
        "2026-04-27",
        "05版：新华智见",
        "Analysis page: four features, each opening with a 新华社记者 byline line; 小标题 in two of them.",
    ),
    (
        XHMRDX,
        "history/mrdx_2026-04-27.xml",
        "2026-04-27",
        "08版：国际",
        "International page: a feature by 本报记者; an analysis whose byline is a bare 新华社记者 "
        "line, with 小标题 (有何目的, 能否实施); a dispatch with a subtitle without ——; a feature; a "
        "dispatch whose dateline runs into the text (新华社柏林4月26日电德国…).",
    ),
    (
        XHMRDX,
        "history/mrdx_2026-04-29.xml",
        "2026-04-29",
        "02版：要闻",
        "News page of nine items: a briefing report (—— subtitle, four 小标题); a title of 63 "
        "characters; kickers above two titles; a title with an unmarked subtitle (网信部门依法查处);"
        " short 新华社…电 dispatches.",
    ),
    (
        XHMRDX,
        "history/mrdx_2026-04-29.xml",
        "2026-04-29",
        "03版：文化",
        "Culture page: two features with 新华社记者 / 本报记者 byline lines and three 小标题 each "
        "(承继文脉塑新韵 …, 新工具：…), a feature, a datelined report.",
    ),
    (
        XHMRDX,
        "history/mrdx_2026-04-29.xml",
        "2026-04-29",
        "06版：各地",
        "Regional page: a feature with 小标题 (一颗钻石的“跃迁”：…); two reports whose author stands "
        "in brackets at the end ((本报记者田金文)) instead of a byline line; a —— subtitle.",
    ),
    (
        XHMRDX,
        "history/mrdx_2026-04-29.xml",
        "2026-04-29",
        "08版：国际",
        "International page: a datelined report; analyses with question 小标题 (为何退出, 天价票从何而来？);"
        " a commentary; a question title with an unmarked subtitle.",
    ),
    (
        XHMRDX,
        "history/mrdx_2026-05-01.xml",
        "2026-05-01",
        "02版：要闻",
        "News page: two features with three-name bylines, one with a —— subtitle; two datelined "
        "reports; a 新华社评论员 commentary.",
    ),
    (
        XHMRDX,
        "history/mrdx_2026-05-01.xml",
        "2026-05-01",
        "03版：要闻",
        "News page on a legislature session: a title with a two-part unmarked subtitle; a "
        "kicker above a title printed on two lines; a 据新华社…电 report with 小标题; a dispatch.",
    ),
    (
        XHMRDX,
        "history/mrdx_2026-05-03.xml",
        "2026-05-03",
        "01版：要闻",
        "Front page: a quoted title with a —— subtitle and a bare indented 新华社记者 byline; "
        "features with three-name bylines and 小标题 (奔跑者，风雨兼程 …); a 据新华社…电 dispatch.",
    ),
    (
        XHMRDX,
        "history/mrdx_2026-05-03.xml",
        "2026-05-03",
        "03版：国际",
        "International page: an anniversary commentary with a —— subtitle; a datelined report;"
        " two analyses with 小标题.",
    ),
    (
        XHMRDX,
        "rss_mrdx.xml",
        "2026-05-04",
        "03版：国际",
        "International page (the feed's current file, edition 2026-05-04): a feature with "
        "a —— subtitle and 小标题; two datelined reports; an unsigned analysis with 小标题; a dispatch.",
    ),
    (
        XXSB,
        "history/studytimes_2026-06-03.xml",
        "2026-06-01",
        "01版：国内大局",
        "Front page: three essays whose author line carries a word count (单位 or 姓名 then 字数: "
        "N), with 小标题; a 重要言论 box with a bare 字数 N line; a 本期导读 box (non-article).",
    ),
    (
        XXSB,
        "history/studytimes_2026-05-01.xml",
        "2026-04-29",
        "04版：综合报道",
        "News page: a report with a kicker (h3.headline); three reports with a bare 字数 N "
        "line and no author; one with an author.",
    ),
    (
        XXSB,
        "history/studytimes_2026-05-04.xml",
        "2026-05-01",
        "09版：党校（行政学院）通讯",
        "Party-school news page: a 新华社 report with an unmarked subtitle, 本报讯 items, a report "
        "whose subtitle starts with ——, an essay by a named author.",
    ),
    (
        XXSB,
        "history/studytimes_2026-05-04.xml",
        "2026-05-01",
        "12版：副刊",
        "Supplement page: a group piece with a —— subtitle, then three short essays by named "
        "young staff (姓名 字数: N).",
    ),
    (
        XXSB,
        "history/studytimes_2026-05-18.xml",
        "2026-05-15",
        "10版：校院新闻",
        "School news page: 本报讯 items, essays by named authors, one unmarked and one —— subtitle.",
    ),
    (
        XXSB,
        "history/studytimes_2026-05-22.xml",
        "2026-05-20",
        "02版：市场经济",
        "Economy page: four essays by named authors (姓名 字数: N) with 小标题.",
    ),
    (
        XXSB,
        "history/studytimes_2026-05-22.xml",
        "2026-05-20",
        "05版：学习文苑",
        "Culture page: four essays by named authors.",
    ),
    (
        XXSB,
        "history/studytimes_2026-06-10.xml",
        "2026-06-08",
        "07版：综合·经济",
        "Mixed page: four essays, each with only a 字数 N字 line (no author).",
    ),
    (
        XXSB,
        "history/studytimes_2026-06-29.xml",
        "2026-06-26",
        "09版：党校（行政学院）通讯",
        "Party-school news page of six items: 本报讯 reports with bare 字数 N字 lines, a report "
        "with a —— subtitle and two authors.",
    ),
    (
        XXSB,
        "history/studytimes_2026-06-29.xml",
        "2026-06-26",
        "10版：校院新闻",
        "School news page of six items: 本报讯 reports, a report with a —— subtitle and an author;"
        " item 5 is the report that is also item 2 of the same day's 09版 (the e-paper lists "
        "it on both).",
    ),
    (
        XXSB,
        "history/studytimes_2026-07-08.xml",
        "2026-07-06",
        "04版：学员天地",
        "Trainees' page: four essays (姓名 字数: N字).",
    ),
    (
        XXSB,
        "history/studytimes_2026-07-20.xml",
        "2026-07-17",
        "07版：综合报道",
        "News page: three essays on party building, one with a named author.",
    ),
    (
        XXSB,
        "history/studytimes_2026-08-16.xml",
        "2026-08-14",
        "01版：国内大局",
        "Front page: three essays by named authors (姓名 字数: N字), a 重要言论 box, "
        "a 本期导读 box (non-article).",
    ),
    (
        RMRB,
        "history/rmrb_2026-05-06.xml",
        "2026-05-06",
        "19版：消费",
        "Consumption page: a weekly economic commentary with its column tag in brackets, "
        "two reports with kickers without ——; 本版责编 credit.",
    ),
    (
        RMRB,
        "history/rmrb_2026-05-22.xml",
        "2026-05-22",
        "18版：新农村",
        "Rural page: a 三农观察 column, a report, a 记者手记; 本版责编 credit.",
    ),
    (
        RMRB,
        "history/rmrb_2026-06-04.xml",
        "2026-06-04",
        "18版：民主政治",
        "People's-congress page: reports with long kickers ending in —— and column tags, "
        "a deputy's column; 本版责编 credit.",
    ),
    (
        RMRB,
        "history/rmrb_2026-06-11.xml",
        "2026-06-11",
        "16版：产经",
        "Industry page: a weekly commentary, a report with a long kicker without ——, an essay "
        "(经济地理杂谈); 本版责编 credit.",
    ),
    (
        RMRB,
        "history/rmrb_2026-06-25.xml",
        "2026-06-25",
        "12版：文化",
        "The feed's 12版 of this day: a speech-style article by a named author, a land-day "
        "feature with a —— subtitle, a trade-fair report, a dispatch without byline; no 责编 "
        "item.",
    ),
    (
        RMRB,
        "history/rmrb_2026-07-05.xml",
        "2026-07-05",
        "07版：人文",
        "Humanities page: a report with a —— kicker, an essay (人文茶座), a report (传承); 本版责编 credit.",
    ),
    (
        RMRB,
        "history/rmrb_2026-07-28.xml",
        "2026-07-28",
        "18版：国际",
        "International page of seven items: an analysis with a —— subtitle and three-name "
        "byline, a column, 新华社 dispatches (one with a kicker without ——), a report with a "
        "—— kicker; 本版责编 credit.",
    ),
    (
        RMRB,
        "history/rmrb_2026-08-01.xml",
        "2026-08-01",
        "07版：文化遗产",
        "Heritage page of six column-tagged essays and reports with short bylines, one —— "
        "kicker; 本版责编 credit.",
    ),
    (
        RMRB,
        "history/rmrb_2026-08-09.xml",
        "2026-08-09",
        "06版：港澳台侨",
        "Hong Kong, Macao and Taiwan page: a feature without byline whose body (#ozoom) opens with "
        "a 小标题 and a 本报记者 line, so its first_words hold both; a short commentary, two columns; "
        "本版责编 credit.",
    ),
    (
        RMRB,
        "history/rmrb_2026-08-20.xml",
        "2026-08-20",
        "01版：要闻",
        "Front page: a feature with a —— subtitle, 新华社 dispatches, a report with a —— kicker,"
        " a readers' column, a report whose title has an unmarked second line (its 副题), a "
        "导读 box (non-article).",
    ),
]

# Kept out of all data (the independent check): these dates of any paper, these papers' dates.
HELD_OUT_DATES = {"2026-04-28", "2026-04-30", "2026-05-02", "2026-05-08", "2026-05-12"}
HELD_OUT_PAPERS = {"都市快报"}


def held_out(newspaper: str, date: str) -> bool:
    return newspaper in HELD_OUT_PAPERS or date in HELD_OUT_DATES or date.startswith(("2017", "2023"))


# ------------------------------------------------------------------------------ git and the feed
def git_dir(mirror: Path, crawl: Crawl) -> str:
    d = mirror / crawl.repo.replace("/", "+") / "repo"
    if (d / ".git").is_dir():
        d = d / ".git"
    if not d.is_dir():
        sys.exit(f"missing mirror for {crawl.repo}: {d}")
    return str(d)


def feed(mirror: Path, crawl: Crawl, path: str) -> tuple[str, list[dict[str, str]]]:
    """The feed's channel title and its items (版面, RSS title, link, description HTML)."""
    r = subprocess.run(
        ["git", "--git-dir", git_dir(mirror, crawl), "show", f"{crawl.commit}:{path}"], capture_output=True
    )
    if r.returncode:
        sys.exit(f"cannot read {crawl.repo}@{crawl.commit}:{path}: {r.stderr.decode().strip()}")
    channel = ET.fromstring(r.stdout).find("channel")
    items = []
    for it in channel.findall("item"):
        m = re.match(r"\[([^\]]+)\]\s*(.*)$", it.find("title").text or "", re.S)
        items.append(
            {
                "page": m.group(1),
                "rss_title": m.group(2),
                "url": it.find("link").text,
                "html": it.find("description").text or "",
            }
        )
    return channel.find("title").text or "", items


def feed_date(crawl: Crawl, channel_title: str) -> str:
    """The edition date the feed itself names (学习时报's files are named by the day after)."""
    m = re.search(r"(\d{4})-?(\d{2})[-/]?(\d{2})\s*$", channel_title)
    if not m:
        sys.exit(f"{crawl.repo}: no date in the channel title {channel_title!r}")
    return "-".join(m.groups())


def article_id(crawl: Crawl, url: str) -> int:
    if crawl is XHMRDX:  # http://mrdx.cn/content/20260429/Articel02005NR.htm: 版 02, article 005
        return int(re.search(r"Articel\d{2}(\d{3})", url).group(1))
    return int(re.search(r"content_(\d+)", url).group(1))


# ------------------------------------------------------------------------------ gold fields
_ROLE = re.compile(r"^(新华社|本报|新华每日电讯)?(特约|实习)?(记者|评论员|通讯员)")
_SENTENCE = re.compile(r"[。，；：！？、“”]")


def _byline_line(line: str) -> bool:
    """A body's first line is the byline when it is a role (新华社记者 …) or a flush short line
    of names, without sentence punctuation."""
    s = line.strip(" \u3000\u00a0")
    if not s or len(s) > 40 or _SENTENCE.search(s):
        return False
    return bool(_ROLE.match(s)) or not line.startswith("\u3000")


def _rows(table: Node) -> list[Node]:
    out: list[Node] = []

    def walk(n: Node) -> None:
        for c in n.children:
            if isinstance(c, Node):
                if c.tag == "tr":
                    out.append(c)
                else:
                    walk(c)

    walk(table)
    return out


def mrdx_fields(html: str) -> dict[str, str]:
    root = parse_html(html)
    table = root.find(lambda n: n.tag == "table")
    rows = _rows(table)
    cells = [inner_text(r) for r in rows]
    has_rule = len(rows) == 6 and rows[3].find(lambda n: n.tag == "hr") is not None
    if not has_rule or "稿件来源" not in cells[4]:  # a header cut short, with no body, is refused
        raise ValueError(f"unexpected header table: {cells}")
    lines = inner_text(root).split("\n")
    start = next(k for k, line in enumerate(lines) if "稿件来源" in line) + 1
    body = [line for line in lines[start:] if line.strip(" \u3000\u00a0")]
    byline = ""
    if body and _byline_line(body[0]):
        byline, body = body[0], body[1:]
    return {
        "kicker": cells[0],
        "title": cells[1],
        "subtitle": cells[2],
        "byline": byline,
        "body": "\n".join(body),
    }


def xxsb_fields(html: str) -> dict[str, str]:
    root = parse_html(html)

    def one(pred) -> str:
        n = root.find(pred)
        return inner_text(n) if n is not None else ""

    sources: list[Node] = []

    def walk(n: Node) -> None:
        for c in n.children:
            if isinstance(c, Node):
                if c.tag == "p" and cls(c) == "datesource":
                    sources.append(c)
                walk(c)

    walk(root)
    author = inner_text(sources[0]) if sources else ""
    if "字数" not in author:
        raise ValueError(f"no 字数 line: {author!r}")
    return {
        "kicker": one(lambda n: n.tag == "h3" and "headline" in cls(n).split()),
        "title": one(lambda n: n.tag == "h1"),
        "subtitle": one(lambda n: n.tag == "h3" and "subtitle" in cls(n).split()),
        "byline": re.sub(r"\s*字数[:：]?\s*\d+\s*字?\s*$", "", author),
        "body": one(lambda n: n.tag == "cms-content"),
    }


def _opt(s: str) -> str | None:
    return norm(s) or None


def build_page(
    crawl: Crawl, day: list[dict[str, str]], date: str, page: str, note: str, source: str
) -> tuple[str, str, dict]:
    items = [it for it in day if it["page"] == page]
    if not items:
        sys.exit(f"{crawl.newspaper} {date}: no 版面 {page} in the feed")
    ids = [article_id(crawl, it["url"]) for it in items]
    if sorted(ids) != list(range(min(ids), max(ids) + 1)):
        sys.exit(f"{crawl.newspaper} {date} {page}: article ids not contiguous: {ids}")
    html = "\n".join(it["html"] for it in items) + "\n"
    text = inner_text(parse_html(html)) + "\n"
    fields: dict[str, list] = {k: [] for k in ("titles", "first_words", "kinds", "kickers", "subtitles")}
    fields |= {"bylines": [], "refs": []}
    extras = []
    reader = mrdx_fields if crawl is XHMRDX else xxsb_fields
    for pos, it in enumerate(items):
        try:
            a = reader(it["html"])
        except ValueError as exc:
            sys.exit(f"{crawl.newspaper} {date} {page} {it['url']}: {exc}")
        kind = kind_of(a["title"] or it["rss_title"])
        if kind in ("editor_credit", "toc"):
            extras.append({"position": pos, "kind": kind, "text": norm(a["title"]) or norm(a["body"])[:40]})
            extras[-1]["ref"] = it["url"]
            continue
        if kind == "ad" or page.replace("\u3000", "").endswith("广告"):
            sys.exit(f"{date} {page}: advertising item {it['url']}")
        fields["titles"].append(_opt(a["title"]))
        fields["first_words"].append(norm(a["body"])[:12] or None)
        fields["kinds"].append(kind)
        fields["kickers"].append(_opt(a["kicker"]))
        fields["subtitles"].append(_opt(a["subtitle"]))
        fields["bylines"].append(_opt(a["byline"]))
        fields["refs"].append(it["url"])
    gold = {
        "newspaper": crawl.newspaper,
        "source": source,
        "date": date,
        "page": page,
        "part": PART,
        "format": rmrb.FORMAT,
        **fields,
        "non_article_items": extras,
        "notes": f"{note} Checks: article ids {min(ids)}-{max(ids)} contiguous.",
    }
    rmrb._check_order(text, gold, f"{crawl.newspaper} {date} {page}")
    return text, html, gold


def main(mirror: Path) -> None:
    counters: dict[str, int] = {XHMRDX.stem: 1, XXSB.stem: 1, RMRB.stem: RMRB_FIRST}
    feeds: dict[tuple[str, str], tuple[str, list]] = {}
    for crawl, path, date, page, note in PAGES:
        if held_out(crawl.newspaper, date):
            sys.exit(f"{crawl.newspaper} {date} is reserved for the held-out set")
        source = f"{crawl.repo}@{crawl.commit}:{path}"
        if crawl is RMRB:
            day = rmrb.rss_items(git_dir(mirror, crawl), date)
            text, html, gold = rmrb.build_page(day, date, page, note)
            gold["part"] = PART
        else:
            channel, day = feeds.setdefault((crawl.repo, path), feed(mirror, crawl, path))
            if feed_date(crawl, channel) != date:
                sys.exit(f"{source}: the feed is the edition of {feed_date(crawl, channel)}, not {date}")
            text, html, gold = build_page(crawl, day, date, page, note, source)
        assert gold["source"] == source and not held_out(gold["newspaper"], gold["date"])
        if None in gold["first_words"]:  # a picture item without text cannot be scored by its first words
            sys.exit(f"{source} {page}: an item without body text")
        stem = f"{crawl.stem}_{counters[crawl.stem]:02d}"
        counters[crawl.stem] += 1
        (HERE / f"{stem}.txt").write_text(text, encoding="utf-8", newline="")
        (HERE / "html" / f"{stem}.html").write_text(html, encoding="utf-8", newline="")
        dump = json.dumps(gold, ensure_ascii=False, indent=1) + "\n"
        (HERE / f"{stem}.gold.json").write_text(dump, encoding="utf-8")
        print(
            f"{stem:10} {crawl.newspaper} {date} {page:<14} items={len(gold['titles'])} "
            f"extras={len(gold['non_article_items'])}"
        )


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: build_feed_pages.py MIRROR_DIR  (holds <owner>+<name>/repo git mirrors)")
    main(Path(sys.argv[1]))
