"""Reading inputs: formats, encodings, paths, and one clear error for each kind of bad input."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest
from zhaiyao.config import Settings
from zhaiyao.errors import InputError
from zhaiyao.sources.files import read_bytes, read_inputs

INPUTS = Path(__file__).parent / "data" / "inputs"
SEED = Path(__file__).parents[1] / "examples" / "zhuzhou_front_page.txt"
PAGE = "## 标题\n\n本报讯 9月27日,这是正文的第一段。\n"


def _error(paths: list[str], settings: Settings | None = None) -> InputError:
    with pytest.raises(InputError) as info:
        read_inputs(paths, settings or Settings())
    return info.value


# ---------------------------------------------------------------------------------------------- formats


def test_text_and_markdown_pages_are_layout_pages(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text(PAGE, encoding="utf-8")
    pages = read_inputs([str(SEED), str(tmp_path / "a.md")], Settings())
    assert [(p.format, p.kind, p.encoding) for p in pages] == [
        ("txt", "layout", "utf-8"),
        ("md", "layout", "utf-8"),
    ]
    assert pages[0].source == str(SEED)
    assert pages[0].text == SEED.read_text(encoding="utf-8")


def test_utf8_bom_is_recorded_and_stripped(tmp_path: Path) -> None:
    path = tmp_path / "bom.txt"
    path.write_bytes(b"\xef\xbb\xbf" + PAGE.encode("utf-8"))
    (page,) = read_inputs([str(path)], Settings())
    assert page.encoding == "utf-8-sig"
    assert page.text == PAGE


@pytest.mark.parametrize(("name", "encoding"), [("gb18030_page.txt", "gb18030"), ("big5_page.txt", "big5")])
def test_legacy_chinese_encodings_are_detected(name: str, encoding: str) -> None:
    (page,) = read_inputs([str(INPUTS / name)], Settings())
    assert page.encoding == encoding
    assert "本报讯" in page.text or "本報訊" in page.text


def test_gbk_text_written_by_another_tool(tmp_path: Path) -> None:
    path = tmp_path / "gbk.txt"
    path.write_bytes(SEED.read_text(encoding="utf-8").encode("gbk"))
    (page,) = read_inputs([str(path)], Settings())
    assert page.encoding == "gb18030"  # GB18030 is a superset of GBK, so it reads GBK files exactly
    assert page.text == SEED.read_text(encoding="utf-8")


def test_jsonl_rows_become_article_pages_with_line_sources() -> None:
    pages = read_inputs([str(INPUTS / "articles.jsonl")], Settings())
    assert [p.source.rsplit("/", 1)[-1] for p in pages] == [
        "articles.jsonl#L1",
        "articles.jsonl#L2",
        "articles.jsonl#L4",
    ]
    assert all(p.kind == "article" and p.format == "jsonl" for p in pages)
    assert [p.title for p in pages] == ["市区新增公交线路3条", "秋季运动会开幕", None]


def test_csv_rows_and_configurable_field_names(tmp_path: Path) -> None:
    pages = read_inputs([str(INPUTS / "articles.csv")], Settings())
    assert [p.source.rsplit("#", 1)[-1] for p in pages] == ["L2", "L3"]
    assert pages[0].title == "市区新增公交线路3条"
    path = tmp_path / "custom.csv"
    path.write_text("headline,body\n标题甲,正文甲。\n", encoding="utf-8")
    (page,) = read_inputs([str(path)], Settings(title_field="headline", text_field="body"))
    assert (page.title, page.text) == ("标题甲", "正文甲。")


def test_json_array_and_object(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text(
        '[{"title": "甲", "text": "正文甲。"}, {"text": "正文乙。"}]', encoding="utf-8"
    )
    (tmp_path / "b.json").write_text('{"articles": [{"title": "丙", "text": "正文丙。"}]}', encoding="utf-8")
    pages = read_inputs([str(tmp_path / "a.json"), str(tmp_path / "b.json")], Settings())
    assert [(p.title, p.text) for p in pages] == [("甲", "正文甲。"), (None, "正文乙。"), ("丙", "正文丙。")]
    assert pages[1].source.endswith("a.json#2")


def test_html_article_page() -> None:
    (page,) = read_inputs([str(INPUTS / "article.html")], Settings())
    assert page.kind == "article" and page.format == "html"
    assert page.title == "13家株企参加2020绿博会"
    assert "2020湖南国际绿色发展博览会" in page.text
    assert "首页" not in page.text and "版权所有" not in page.text  # navigation and footer are dropped
    assert not page.text.startswith("#")


def test_html_with_several_articles_is_a_layout_page() -> None:
    (page,) = read_inputs([str(INPUTS / "multi.html")], Settings())
    assert page.kind == "layout"
    assert page.text.count("## ") == 2


# ---------------------------------------------------------------------------------------------- paths


def test_directory_is_read_recursively_in_order(tmp_path: Path) -> None:
    (tmp_path / "sub" / "deeper").mkdir(parents=True)
    (tmp_path / "b.txt").write_text(PAGE, encoding="utf-8")
    (tmp_path / "sub" / "deeper" / "a.md").write_text(PAGE, encoding="utf-8")
    (tmp_path / "notes.docx").write_bytes(b"PK\x03\x04 ignored: not a known suffix")
    (tmp_path / ".hidden").mkdir()
    (tmp_path / ".hidden" / "c.txt").write_text(PAGE, encoding="utf-8")
    pages = read_inputs([str(tmp_path)], Settings())
    assert [Path(p.source).relative_to(tmp_path).as_posix() for p in pages] == ["b.txt", "sub/deeper/a.md"]


def test_glob(tmp_path: Path) -> None:
    for name in ("x1.txt", "x2.txt", "y.txt"):
        (tmp_path / name).write_text(PAGE, encoding="utf-8")
    pages = read_inputs([str(tmp_path / "x*.txt")], Settings())
    assert [Path(p.source).name for p in pages] == ["x1.txt", "x2.txt"]


def test_stdin(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(PAGE.encode("gb18030"))))
    (page,) = read_inputs(["-"], Settings())
    assert page.source == "-" and page.text == PAGE and page.encoding == "gb18030"


def test_read_bytes_for_uploads() -> None:
    pages = read_bytes("upload.jsonl", '{"title": "甲", "text": "正文。"}\n'.encode(), Settings())
    assert pages[0].source == "upload.jsonl#L1" and pages[0].title == "甲"
    (page,) = read_bytes("upload", PAGE.encode("utf-8"), Settings())  # no suffix: sniffed as a text page
    assert page.kind == "layout"


# ---------------------------------------------------------------------------------------------- bad input


def test_missing_path() -> None:
    err = _error(["no/such/file.txt"])
    assert str(err) == "no/such/file.txt: no such file or directory"


def test_glob_matching_nothing(tmp_path: Path) -> None:
    err = _error([str(tmp_path / "*.txt")])
    assert "no files match" in err.problem


def test_directory_with_nothing_readable(tmp_path: Path) -> None:
    (tmp_path / "image.png").write_bytes(b"\x89PNG\r\n")
    err = _error([str(tmp_path)])
    assert err.source == str(tmp_path) and "no readable files" in err.problem


def test_empty_file(tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "blank.txt").write_bytes(b"\xef\xbb\xbf \n\n")
    assert _error([str(tmp_path / "empty.txt")]).problem == "empty file"
    assert _error([str(tmp_path / "blank.txt")]).problem == "empty file"


def test_binary_file(tmp_path: Path) -> None:
    (tmp_path / "page.txt").write_bytes(b"%PDF-1.7\n\xe2\xe3\xcf\xd3 stream")
    (tmp_path / "nul.txt").write_bytes("正文".encode() + b"\x00\x01\x02")
    assert _error([str(tmp_path / "page.txt")]).problem == "binary file, not text"
    assert _error([str(tmp_path / "nul.txt")]).problem == "binary file, not text"


def test_undecodable_bytes(tmp_path: Path) -> None:
    path = tmp_path / "broken.txt"
    good = "第一行是正常的中文文本，足够长。\n第二行也是。\n".encode()
    path.write_bytes(good + b"\xff\xfe\xfa bad")
    err = _error([str(path)])
    assert "undecodable bytes" in err.problem and err.line == 3
    garbage = tmp_path / "garbage.txt"
    garbage.write_bytes(bytes([0x80, 0xFF, 0xFE, 0x81, 0x20]) * 20)
    assert "undecodable bytes" in _error([str(garbage)]).problem


def test_malformed_json_line(tmp_path: Path) -> None:
    path = tmp_path / "rows.jsonl"
    path.write_text('{"text": "好的一行。"}\n{"text": "缺了结尾\n', encoding="utf-8")
    err = _error([str(path)])
    assert err.line == 2 and "malformed JSON" in err.problem
    assert str(err).startswith(f"{path}:2: malformed JSON")
    # With a handler, the bad row is reported and the good one kept.
    seen: list[InputError] = []
    pages = read_inputs([str(path)], Settings(), on_error=seen.append)
    assert [p.text for p in pages] == ["好的一行。"]
    assert [e.line for e in seen] == [2]


def test_malformed_json_file(tmp_path: Path) -> None:
    path = tmp_path / "rows.json"
    path.write_text('[{"text": "甲"},\n {"text": }]', encoding="utf-8")
    err = _error([str(path)])
    assert err.line == 2 and "malformed JSON" in err.problem


def test_required_field_or_column_missing(tmp_path: Path) -> None:
    (tmp_path / "rows.csv").write_text("title,body\n甲,正文。\n", encoding="utf-8")
    err = _error([str(tmp_path / "rows.csv")])
    assert err.line == 1 and "required column 'text' missing" in err.problem and "title, body" in err.problem
    (tmp_path / "rows.jsonl").write_text('{"title": "甲", "content": "正文。"}\n', encoding="utf-8")
    err = _error([str(tmp_path / "rows.jsonl")])
    assert err.line == 1 and "required field 'text' missing" in err.problem


def test_file_over_the_size_limit(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    path.write_text(PAGE * 2000, encoding="utf-8")
    err = _error([str(path)], Settings(max_file_mb=0.01))
    assert "over the 0.01 MB limit" in err.problem
    assert read_inputs([str(path)], Settings())  # the default 20 MB limit lets it through
    with pytest.raises(InputError, match="over the"):
        read_bytes("upload.txt", PAGE.encode() * 2000, Settings(max_file_mb=0.01))


def test_bad_files_are_reported_and_skipped_in_a_run(tmp_path: Path) -> None:
    shutil.copy(SEED, tmp_path / "good.txt")
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "bin.md").write_bytes(b"\x00\x01")
    seen: list[InputError] = []
    pages = read_inputs([str(tmp_path), str(tmp_path / "missing.txt")], Settings(), on_error=seen.append)
    assert [Path(p.source).name for p in pages] == ["good.txt"]
    assert sorted(Path(e.source).name for e in seen) == ["bin.md", "empty.txt", "missing.txt"]


def test_html_in_gbk_loses_markdown_marks() -> None:
    html = (
        '<html><head><meta charset="gbk"><title>测试页</title></head><body><article><h1>市里召开会议</h1>'
        "<p>本报讯 9月28日，市里召开<b>重要会议</b>，部署下一阶段工作。会议强调，要抓好落实。</p>"
        "<ul><li>一是加强领导；</li><li>二是压实责任。</li></ul>"
        "<p>会议还通报了前一阶段的工作情况，各部门负责人参加会议并作表态发言，表示将全力以赴。</p>"
        "</article></body></html>"
    )
    (page,) = read_bytes("notice.html", html.encode("gbk"), Settings())
    assert page.encoding == "gb18030" and page.title == "市里召开会议"
    assert "召开重要会议" in page.text and "*" not in page.text
    assert "\n一是加强领导；\n" in page.text


def test_empty_text_cell_is_reported_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "rows.csv"
    path.write_text("title,text\n甲,正文甲。\n乙\n丙,正文丙。\n", encoding="utf-8")
    seen: list[InputError] = []
    pages = read_inputs([str(path)], Settings(), on_error=seen.append)
    assert [p.title for p in pages] == ["甲", "丙"]
    assert [(e.line, e.problem) for e in seen] == [(3, "field 'text' is empty")]
