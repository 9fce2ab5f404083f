"""``zhaiyao split --explain PAGE`` and ``--score GOLD_DIR``: the splitter's decisions and its score."""

from __future__ import annotations

from pathlib import Path

import click
from zhaiyao.config import Settings
from zhaiyao.documents import Article
from zhaiyao.errors import InputError
from zhaiyao.sources.files import read_inputs
from zhaiyao.split.page import explain_page, split_page
from zhaiyao.split.score import score_folder
from zhaiyao.text.safe import one_line


def explain_lines(path: str, settings: Settings) -> list[str]:
    """One line per page line: its number, the class it got and the rule that decided it."""
    out = []
    for page in read_inputs([path], settings):
        out.append(f"# {page.source} ({page.format}, {page.kind})")
        for e in explain_page(page):
            out.append(f"{e.number:>5}  {e.kind:<9}  {e.text}")
            out.append(f"{'':>5}  {'':<9}  ↳ {e.rule}")
            if e.confidence:
                out.append(f"{'':>5}  {'':<9}  ↳ {e.confidence}")
    return out


def _split(path: Path, settings: Settings) -> list[Article]:
    return [a for page in read_inputs([str(path)], settings) for a in split_page(page)]


def _row(name: str, gold: int, split: int, matched: int, f1: float, titles: float, furn: int) -> str:
    return f"{name:<22}{gold:>6}{split:>7}{matched:>9}{f1:>8.3f}{titles:>9.1%}{furn:>11}"


def score_lines(folder: str, settings: Settings) -> list[str]:
    """Per page and in all (and per part, where the gold files name one): article F1, exact-title
    rate and furniture lines left in bodies."""
    root = Path(folder)
    if not root.is_dir():
        raise InputError(folder, "not a folder of pages with .gold.json files")
    totals = score_folder(root, lambda p: _split(p, settings))
    if not totals["all"].pages:
        raise InputError(folder, "no NAME.gold.json with a NAME.txt (or .html) beside it")
    head = f"{'page':<22}{'gold':>6}{'split':>7}{'matched':>9}{'F1':>8}{'titles':>9}{'furniture':>11}"
    out = [head]
    for s in totals["all"].scores:
        out.append(_row(s.name, s.gold, s.split, s.matched, s.f1, s.title_rate, s.furniture_left))
    out.append("-" * len(head))
    for name, t in sorted(totals.items(), key=lambda kv: kv[0] == "all"):
        label = f"{name} ({t.pages} pages)"
        out.append(_row(label, t.gold, t.split, t.matched, t.f1, t.title_rate, t.furniture_left))
    return out


def run(explain: str | None, score: str | None, settings: Settings) -> None:
    """The --explain / --score modes of ``zhaiyao split``: print the report (an unreadable input is the
    CLI's one error line). Page text reaches the terminal with its control characters escaped."""
    lines = explain_lines(explain, settings) if explain else score_lines(str(score), settings)
    click.echo("\n".join(one_line(line) for line in lines))
