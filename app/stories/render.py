"""A digest (``digest.build_digest``'s dict) as Markdown or HTML; every piece of article or model text
is escaped, so it renders as text and never as markup or a link."""

from __future__ import annotations

import html
from typing import Any

from zhaiyao.text.safe import markdown_text


def _cited(sentence: dict[str, Any]) -> str:
    """The sentence (escaped) with its marks before its end punctuation: "…召开[1][2]。"."""
    marks = "".join(f"[{n}]" for n in sentence["cites"])
    text = sentence["text"]
    end = text[-1] if text and text[-1] in "。！？；" else ""
    return markdown_text(text[: len(text) - len(end)], inline=True) + marks + end


def _where(source: dict[str, Any]) -> str:
    return " ".join(x for x in (source.get("paper"), source.get("page") and f"{source['page']}版") if x)


def markdown(digest: dict[str, Any]) -> str:
    md = markdown_text
    lines = [f"# 今日 · {md(digest.get('day') or '(无日期)', inline=True)}", ""]
    several = [s for s in digest["stories"] if len(s["articles"]) > 1]
    singles = [s for s in digest["stories"] if len(s["articles"]) == 1]
    for story in several:
        lines += [f"## {md(story['headline'], inline=True)}", ""]
        lines += [" ".join(_cited(s) for s in story["sentences"]), ""]
        lines += [f"*{len(story['articles'])} 篇 · guard {story['guard']}*", ""]
    if singles:
        lines += ["## 其他报道", ""]
        for story in singles:
            text = " ".join(_cited(s) for s in story["sentences"])
            lines.append(f"- **{md(story['headline'], inline=True)}** {text}")
        lines.append("")
    lines += ["## 来源", ""]
    for source in digest["sources"]:
        title = md(source.get("title") or "(无标题)", inline=True)
        lines.append(f"{source['n']}. {title}（{md(_where(source), inline=True)}）")
    return "\n".join(lines) + "\n"


def html_page(digest: dict[str, Any]) -> str:
    esc = html.escape
    day = esc(digest.get("day") or "(无日期)")
    out = [
        "<!doctype html>",
        '<html lang="zh"><head><meta charset="utf-8">',
        f"<title>今日 · {day}</title></head><body>",
        f"<h1>今日 · {day}</h1>",
    ]
    for story in digest["stories"]:
        level = "h2" if len(story["articles"]) > 1 else "h3"
        out.append(f'<section class="story" id="{esc(story["id"])}">')
        out.append(f"<{level}>{esc(story['headline'])}</{level}>")
        parts = []
        for s in story["sentences"]:
            marks = "".join(f'<a href="#src-{n}">[{n}]</a>' for n in s["cites"])
            parts.append(f"{esc(s['text'])}{marks}")
        out.append(f"<p>{''.join(parts)}</p></section>")
    out.append("<h2>来源</h2><ol>")
    for source in digest["sources"]:
        title = esc(source.get("title") or "(无标题)")
        out.append(f'<li id="src-{source["n"]}" value="{source["n"]}">{title}（{esc(_where(source))}）</li>')
    out.append("</ol></body></html>")
    return "\n".join(out) + "\n"
