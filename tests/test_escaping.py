"""Hostile names in what leaves the dashboard (issue #17 items 3, 9, 10): control characters
never break a document, CSV cells never run as formulas, and names never become links or HTML in
Markdown or Plotly."""
from __future__ import annotations

import csv
import io
import re
from datetime import date as d

import docx
import pandas as pd
import pytest
from python_calamine import CalamineWorkbook

from queries.outputs import charts
from queries.escaping import csv_bytes, markdown_plain, markdown_text, plotly_text
from queries.metrics.kpi import rank
from queries.metrics.registry import BY_ID
from queries.outputs.meeting_files import write_report
from queries.outputs.report import ReportRequest
from test_metrics import build

CONTROL_VILLAGE = "上\x0b庄\x1b村"
LINK_VILLAGE = "[点我](http://evil.example/)村"
HTML_VILLAGE = '<a href="http://evil.example/">点我</a>村'
REQUEST = ReportRequest(as_of=d(2025, 6, 30))


@pytest.fixture()
def hostile_db(tmp_path):
    """Three villages with hostile names, each the subject of a few repeated 进京 visits (so all
    three are among the lowest ranked the 通报 names)."""
    cases = [{"case_id": f"{n}-{i}", "registered_on": d(2025, 3, 1 + i), "township": "青石镇", "village": village,
              "channel": "来访", "level": "京", "petitioner_name": f"张{n}", "petitioner_idno": f"43010119800101{n:03d}X"}
             for n, village in enumerate((CONTROL_VILLAGE, LINK_VILLAGE, HTML_VILLAGE)) for i in range(3)]
    con = build(tmp_path, cases)
    yield con
    con.close()


@pytest.mark.parametrize("fmt", ["docx", "md", "xlsx", "pptx"])
def test_control_characters_in_names_never_break_a_document(hostile_db, tmp_path, fmt):
    out = tmp_path / f"out.{fmt}"
    write_report(hostile_db, fmt, out, REQUEST)   # python-docx raised ValueError on \x0b
    assert out.stat().st_size > 0
    if fmt == "docx":
        text = "\n".join(p.text for p in docx.Document(out).paragraphs)
        assert "上庄村" in text and "\x0b" not in text


def test_markdown_bulletin_carries_no_link_and_no_html(hostile_db, tmp_path):
    out = tmp_path / "通报.md"
    write_report(hostile_db, "md", out, REQUEST)
    text = out.read_text(encoding="utf-8")
    # only escaped: \< and \](… are text in Markdown
    assert not re.search(r"(?<!\\)<|(?<!\\)\]\(", text)
    assert markdown_text(LINK_VILLAGE) in text and markdown_text(HTML_VILLAGE) in text


def test_word_bulletin_shows_the_names_as_typed(hostile_db, tmp_path):
    out = tmp_path / "通报.docx"
    write_report(hostile_db, "docx", out, REQUEST)
    text = "\n".join(p.text for p in docx.Document(out).paragraphs)
    assert LINK_VILLAGE in text and HTML_VILLAGE in text and "\\" not in text


def test_xlsx_holds_the_names_without_control_characters(hostile_db, tmp_path):
    out = tmp_path / "清单.xlsx"
    write_report(hostile_db, "xlsx", out, REQUEST)
    rows = CalamineWorkbook.from_path(str(out)).get_sheet_by_name("村居排名").to_python()
    villages = {row[rows[0].index("村(社区)")] for row in rows[1:]}
    assert {"上庄村", LINK_VILLAGE, HTML_VILLAGE} <= villages


def test_plotly_figures_carry_no_tags(hostile_db):
    ranking = pd.DataFrame(rank(hostile_db, as_of=d(2025, 6, 30)))
    figures = [charts.ranking_figure(ranking),
               charts.bar_figure(ranking.assign(cases=ranking["cases"].astype(float)), "village", BY_ID["cases"]),
               charts.stacked_figure(pd.DataFrame({"m": ["2025-03"], "level": [HTML_VILLAGE], "n": [1]}),
                                     "m", "level", "n", [HTML_VILLAGE], {})]
    for figure in figures:
        text = figure.to_json()
        assert "<a" not in text and "\\u003ca" not in text.lower(), text[:300]
    labels = list(figures[0].data[0].y)
    assert plotly_text(HTML_VILLAGE).replace("青石镇", "") in " ".join(labels)


def test_plotly_text_escapes_tags_and_keeps_the_rest():
    assert plotly_text('<a href="x">点我</a>村') == '&lt;a href="x"&gt;点我&lt;/a&gt;村'
    assert plotly_text("上庄村") == "上庄村"


def test_markdown_text_makes_links_and_directives_inert():
    joiner = "\u2060"
    assert markdown_text(LINK_VILLAGE) == rf"\[点我\]\(http:{joiner}//evil.example/\)村"
    assert markdown_text(":red[大字]") == rf":{joiner}red\[大字\]"
    assert markdown_text("www.evil.example a@evil.example") == f"www{joiner}.evil.example a@{joiner}evil.example"
    assert markdown_text("a\nb") == "a b"
    for text in (LINK_VILLAGE, HTML_VILLAGE, "\\& www.x a@b 12:30 :material/home:"):
        assert markdown_plain(markdown_text(text)) == text


HOSTILE_CELLS = ["=HYPERLINK(\"http://evil.example\",\"点我\")", "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)",
                 "\tx", "\rx"]


def test_csv_cells_never_start_a_formula():
    frame = pd.DataFrame({"村(社区)": HOSTILE_CELLS + ["上庄村"], "件数": range(7), "=x": ["a"] * 7})
    rows = list(csv.reader(io.StringIO(csv_bytes(frame).decode("utf-8-sig"), newline="")))
    assert rows[0] == ["村(社区)", "件数", "'=x"]
    assert [row[0] for row in rows[1:]] == ["'" + cell for cell in HOSTILE_CELLS] + ["上庄村"]
    assert [row[1] for row in rows[1:]] == [str(i) for i in range(7)]   # numbers stay numbers


def test_page_csv_downloads_escape_formulas():
    """Every page CSV (问题清单, 重复标记不一致, 审计日志, 排名) is made by _privacy.csv_bytes."""
    from pages._privacy import csv_bytes
    data = csv_bytes(pd.DataFrame({"reason": ["=HYPERLINK(\"http://evil.example\")"]}))
    assert data.decode("utf-8-sig").split("\r\n")[1] == "\"'=HYPERLINK(\"\"http://evil.example\"\")\""


def test_no_page_writes_csv_by_itself():
    """One helper for every page download: no page calls to_csv itself."""
    from pathlib import Path
    pages = Path(__file__).resolve().parent.parent / "pages"
    offenders = [p.name for p in pages.glob("*.py") if ".to_csv(" in p.read_text(encoding="utf-8")]
    assert offenders == []


def test_the_overview_builds_the_word_bulletin_for_a_control_character_village(hostile_db, tmp_path, monkeypatch):
    """The page's 生成通报（Word） for a scope holding 上\\x0b庄\\x1b村 offers the file (it said
    "生成失败，请稍后重试" forever)."""
    from test_pages import open_app
    hostile_db.close()   # the app opens the file itself
    at = open_app(monkeypatch, tmp_path / "t.duckdb", asof="2025-06-30")
    next(b for b in at.button if b.label == "生成通报（Word）").click().run()
    assert not at.exception and not [e.value for e in at.error if "生成失败" in e.value]
    assert "下载通报（Word）" in str(at.get("download_button"))
