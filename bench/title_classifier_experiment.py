"""Rules or a learned line classifier for plain-text titles? The measurement behind the choice.

    pip install scikit-learn==1.5.2   # only for this experiment; the app does not need it
    python bench/title_classifier_experiment.py [tests/data/real]

Every line of every corpus page is labelled "title" when it is (or, for a tab-separated header
line, holds) its page's gold title. A logistic regression over per-line shape features (length,
indentation, punctuation, marks, the neighbours' kinds) is trained on the tuning part and scored on
the check part, next to the splitter's own rules on the same lines; then each is timed per page.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from zhaiyao.documents import Page
from zhaiyao.split import clean
from zhaiyao.split.lines import read_lines, title_shape
from zhaiyao.split.page import read_page

_SPACE = str.maketrans("", "", " \u3000\t")


def _labelled(folder: Path) -> dict[str, list[tuple[list, list[int], list[int]]]]:
    """Per part: (lines, gold labels, rule labels) for each page."""
    parts: dict[str, list] = {}
    for gold_path in sorted(folder.glob("*.gold.json")):
        gold = json.loads(gold_path.read_text(encoding="utf-8"))
        page = Page(source="p", text=gold_path.with_name(gold_path.name[:-10] + ".txt").read_text("utf-8"))
        lines = read_lines(page.text)
        titles = {t.translate(_SPACE) for t in gold["titles"]}
        truth = [
            int(
                any(p.translate(_SPACE) in titles for p in ln.text.split("\t"))
                or ln.text.translate(_SPACE) in titles
            )
            for ln in lines
        ]
        decided, _ = read_page(page)
        rule_titles = {ln.number for ln in decided if ln.kind == "title"}
        ruled = [int(ln.number in rule_titles) for ln in lines]
        parts.setdefault(gold["part"], []).append((lines, truth, ruled))
    return parts


def _features(lines: list, i: int) -> list[float]:
    line = lines[i]
    prev = lines[i - 1] if i else None
    nxt = lines[i + 1] if i + 1 < len(lines) else None
    text = line.text
    return [
        min(len(text), 80) / 80,
        float(line.indented),
        float(line.kind == "text"),
        float(clean.ends_sentence(text)),
        float(title_shape(text) is not None),
        float("\t" in text),
        float(text.startswith("—")),
        float(text.endswith("——")),
        float("：" in text or ":" in text),
        float(clean.is_lone_name(text)),
        float(prev is None),
        float(prev is not None and prev.kind == "text" and clean.ends_sentence(prev.text)),
        float(prev is not None and prev.kind in ("byline", "furniture")),
        float(nxt is not None and nxt.kind in ("byline", "furniture")),
        float(nxt is not None and nxt.indented),
        float(nxt is not None and nxt.kind == "text" and title_shape(nxt.text) is not None),
        float(nxt is not None and clean.parse_dateline(nxt.text) is not None),
    ]


def _prf(truth: list[int], pred: list[int]) -> tuple[float, float, float]:
    tp = sum(t and p for t, p in zip(truth, pred, strict=True))
    p = tp / max(sum(pred), 1)
    r = tp / max(sum(truth), 1)
    return p, r, 2 * p * r / (p + r) if p + r else 0.0


def main() -> int:
    try:
        from sklearn.linear_model import LogisticRegression
    except ImportError:
        print("needs scikit-learn (pip install scikit-learn==1.5.2); the app itself does not use it")
        return 2
    folder = (
        Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[1] / "tests/data/real"
    )
    parts = _labelled(folder)

    def flat(part: str) -> tuple[list, list[int], list[int]]:
        x, y, r = [], [], []
        for lines, truth, ruled in parts[part]:
            x += [_features(lines, i) for i in range(len(lines))]
            y += truth
            r += ruled
        return x, y, r

    x_tune, y_tune, _ = flat("tune")
    x_check, y_check, r_check = flat("check")
    model = LogisticRegression(max_iter=2000, class_weight="balanced").fit(x_tune, y_tune)
    learned = [int(v) for v in model.predict(x_check)]
    print(f"lines: tune {len(y_tune)} ({sum(y_tune)} titles), check {len(y_check)} ({sum(y_check)} titles)")
    for name, pred in (("rules (zhaiyao.split.page)", r_check), ("logistic regression", learned)):
        p, r, f = _prf(y_check, pred)
        print(f"{name:<22} check part, title lines: precision {p:.3f} recall {r:.3f} F1 {f:.3f}")
    pages = [Page(source="p", text="\n".join(ln.text for ln in lines)) for lines, _, _ in parts["check"]]
    start = time.perf_counter()
    for page in pages:
        read_page(page)
    rules_ms = (time.perf_counter() - start) / len(pages) * 1000
    start = time.perf_counter()
    for lines, _, _ in parts["check"]:
        model.predict([_features(lines, i) for i in range(len(lines))])
    model_ms = (time.perf_counter() - start) / len(pages) * 1000
    print(
        f"per page: rules {rules_ms:.2f} ms (whole read), classifier {model_ms:.2f} ms (features + predict)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
