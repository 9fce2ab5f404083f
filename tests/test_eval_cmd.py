"""``zhaiyao eval``: reading eval files (bad ones fail clearly) and the command end to end."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from zhaiyao.cli import main
from zhaiyao.errors import InputError
from zhaiyao.evaluate.report import is_shot_row, read_eval_rows

FLOOR = Path(__file__).parent / "data" / "eval" / "lcsts_floor.jsonl"

ROWS = [
    {
        "id": "a1",
        "text": "株洲市今年空气优良率达到91.4%，比去年提高3个百分点。市民出行更加方便。",
        "summary": "株洲空气优良率91.4%",
    },
    {
        "id": "a2",
        "text": "神农城音乐节9月27日开幕，来自全国的30支乐队参加演出。",
        "summary": "神农城音乐节开幕",
    },
    {
        "id": "a3",
        "text": "２０１１年８月２４日，第五期乡村教师培训举行结业仪式。１００位教师参加。",
        "summary": "乡村教师培训结业",
    },
]


def write_jsonl(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def good_file(tmp_path: Path) -> Path:
    return write_jsonl(tmp_path / "dev.jsonl", [json.dumps(r, ensure_ascii=False) for r in ROWS])


# --- reading eval files -------------------------------------------------------------------------


def test_reads_rows_with_their_lines(tmp_path: Path) -> None:
    path = write_jsonl(
        tmp_path / "d.jsonl", [json.dumps(ROWS[0], ensure_ascii=False), "", json.dumps(ROWS[1])]
    )
    rows = read_eval_rows(path)
    assert [(r.id, r.line) for r in rows] == [("a1", 1), ("a2", 3)]
    assert rows[1].summary == "神农城音乐节开幕"
    assert [r.id for r in read_eval_rows(path, limit=1)] == ["a1"]


@pytest.mark.parametrize(
    ("lines", "line", "problem"),
    [
        (['{"id": "x", "text": "正文"}'], 1, "missing field summary"),
        ([json.dumps(ROWS[0]), '{"id": "y", "summary": "摘要"}'], 2, "missing field text"),
        ([json.dumps(ROWS[0]), '{"id": "z", "text": "正文", "summary": '], 2, "malformed JSON"),
        (['["not", "an", "object"]'], 1, "expected a JSON object"),
        (['{"id": "x", "text": "   ", "summary": "摘要"}'], 1, "field 'text' is empty"),
        (['{"id": "x", "text": "正文", "summary": 3}'], 1, "field 'summary' must be a string"),
        ([json.dumps(ROWS[0]), json.dumps(ROWS[0])], 2, "duplicate id 'a1' (first on line 1)"),
    ],
)
def test_bad_rows_name_file_line_and_problem(
    tmp_path: Path, lines: list[str], line: int, problem: str
) -> None:
    path = write_jsonl(tmp_path / "bad.jsonl", lines)
    with pytest.raises(InputError) as err:
        read_eval_rows(path)
    assert err.value.line == line
    assert problem in err.value.problem
    assert str(err.value).startswith(f"{path}:{line}: ")


@pytest.mark.parametrize("content", ["", "\n\n  \n"])
def test_empty_file_is_an_error(tmp_path: Path, content: str) -> None:
    path = tmp_path / "empty.jsonl"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError, match="empty eval file") as err:
        read_eval_rows(path)
    assert str(err.value).startswith(str(path))


def test_missing_and_non_utf8_files(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="eval file not found"):
        read_eval_rows(tmp_path / "nope.jsonl")
    path = tmp_path / "gbk.jsonl"
    path.write_bytes(json.dumps(ROWS[0]).encode() + b"\n" + '{"id": "中文"}'.encode("gb18030") + b"\n")
    with pytest.raises(InputError, match="not UTF-8") as err:
        read_eval_rows(path)
    assert err.value.line == 2


def test_shot_split_is_stable_and_disjoint() -> None:
    rows = read_eval_rows(FLOOR)
    assert len(rows) == 20
    # The floor subset is drawn from the scored part: no row of it may be a few-shot example.
    assert not any(is_shot_row(r.id) for r in rows)
    ids = [f"row{i}" for i in range(200)]
    shots = [i for i in ids if is_shot_row(i)]
    assert 5 < len(shots) < 40  # about one in ten
    assert shots == [i for i in ids if is_shot_row(i)]


def test_split_option_selects_rows(tmp_path: Path) -> None:
    lines = [json.dumps({"id": f"r{i}", "text": "正文内容", "summary": "摘要"}) for i in range(60)]
    path = write_jsonl(tmp_path / "many.jsonl", lines)
    every = {r.id for r in read_eval_rows(path)}
    scored = {r.id for r in read_eval_rows(path, split="scored")}
    shots = {r.id for r in read_eval_rows(path, split="shots")}
    assert shots and scored and scored | shots == every and not scored & shots


# --- the command --------------------------------------------------------------------------------


def test_command_bad_file_is_one_line_error(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "bad.jsonl", ['{"id": "x", "text": "正文"}'])
    result = CliRunner().invoke(main, ["eval", str(path), "--backend", "lead"])
    assert result.exit_code == 2
    assert f"error: {path}:1: missing field summary" in result.output
    assert "Traceback" not in result.output


def test_command_lead_baseline_scores_first_sentence(tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    result = CliRunner().invoke(main, ["eval", str(good_file(tmp_path)), "--backend", "lead", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "ROUGE-1 / 2 / L F1" in result.output
    assert "character-level ROUGE" in result.output
    report = json.loads(out.read_text(encoding="utf-8"))
    assert report["rows"] == 3 and report["backend"] == "lead" and report["style"] == "headline"
    by_id = {r["id"]: r for r in report["results"]}
    # Lead copies the article's opening, so it shares characters with the reference: Chinese is scored.
    assert by_id["a1"]["summary"].startswith("株洲市今年空气优良率")
    assert by_id["a1"]["rougeL"] > 0.3
    assert 0 < report["rougeL"] <= 100
    assert report["invented_number_share"] == 0.0
    assert (
        report["guard_ok"] + report["guard_unsure"] + report["guard_retried"] + report["guard_fallback"]
    ) == pytest.approx(1.0)
    assert report["articles_per_min"] > 0


def test_command_with_tiny_llm(tmp_path: Path, tiny_model_dir: Path) -> None:
    # The real llm path (load, prompt, generate, guard) on a random model: its output is noise, so the
    # guard must retry and fall back, and the report has to count that rather than crash or hide it.
    out = tmp_path / "report.json"
    result = CliRunner().invoke(
        main,
        ["eval", str(good_file(tmp_path)), "--backend", "llm", "--model", str(tiny_model_dir),
         "--limit", "2", "--batch-size", "2", "-o", str(out)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    report = json.loads(out.read_text(encoding="utf-8"))
    assert report["rows"] == 2
    assert [r["id"] for r in report["results"]] == ["a1", "a2"]
    assert (
        report["guard_ok"] + report["guard_unsure"] + report["guard_retried"] + report["guard_fallback"]
    ) == pytest.approx(1.0)
    assert all(r["summary"] for r in report["results"])
    assert report["invented_number_share"] == 0.0  # the guard never lets an invented number through
    assert "summarising" in result.output  # the progress bar


def test_few_shot_examples_are_unscored_rows_whose_numbers_come_from_their_text() -> None:
    """Few-shot examples must never be rows the eval scores, and must not teach inventing numbers."""
    from tiny_model import EVAL_DIR
    from zhaiyao.summarise import guard, prompts

    examples = [
        (style, text, answer)
        for style in {*prompts.FEW_SHOT, *prompts.FEW_SHOT_ALTERNATE}
        for shots in prompts.shot_sets(style)
        for text, answer in shots
    ]
    floor_texts = {r.text for r in read_eval_rows(FLOOR)}
    assert not floor_texts & {text for _, text, _ in examples}
    if not EVAL_DIR.is_dir():
        pytest.skip(f"{EVAL_DIR} is not here")
    rows = {}
    for data in EVAL_DIR.glob("*.jsonl"):
        rows.update({r.text: r for r in read_eval_rows(data)})
    assert len({text for _, text, _ in examples}) == len(examples)  # each set shows other rows
    for style, text, answer in examples:
        assert text in rows, f"{style} example is not an eval row: {text[:20]}"
        assert is_shot_row(rows[text].id), f"{style} example {rows[text].id} is a scored row"
        assert guard.check_numbers(answer, text) == [], answer
