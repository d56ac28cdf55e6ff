"""责任 in the meeting outputs, parsed back and compared with the CLI's functions: the workbook's
交办件台账, 责任单位 and 坐班安排 sheets, the 通报's two sections and the deck's three slides."""
from __future__ import annotations

from datetime import date

import pytest
from pptx import Presentation
from python_calamine import CalamineWorkbook

from queries.metrics.duty import duty
from queries.metrics.accountability import handed, leaders, status_counts, units
from queries.outputs.accountability import HANDED_SHEET, UNIT_SHEET
from queries.db import open_reader
from queries.periods import Scope
from queries.outputs.meeting_files import write_report
from queries.outputs.report import ReportRequest, bulletin_markdown

AS_OF = date(2026, 9, 30)
REQUEST = ReportRequest(Scope(), AS_OF)


@pytest.fixture(scope="module")
def con(demo_db):
    con = open_reader(demo_db)
    yield con
    con.close()


def _sheet(path, name):
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(name).to_python()
    return [dict(zip(rows[0], row)) for row in rows[1:]]


def _plain(value):
    if value == "":
        return None
    if hasattr(value, "isoformat"):
        return value.isoformat()[:10]
    return int(value) if isinstance(value, float) and value.is_integer() else value


def test_workbook_sheets_equal_the_cli(con, tmp_path):
    path = tmp_path / "lists.xlsx"
    write_report(con, "xlsx", path, REQUEST)
    expected_units = units(con, as_of=AS_OF)
    shown = [{field: _plain(row[label]) for field, label in UNIT_SHEET.items()} for row in _sheet(path, "责任单位")]
    assert shown == expected_units
    rows = [{field: _plain(row[label]) for field, label in HANDED_SHEET.items()} for row in _sheet(path, "交办件台账")]
    assert rows == handed(con, as_of=AS_OF)
    roster = _sheet(path, "坐班安排")
    result = duty(con, as_of=AS_OF)
    assert [(_plain(r["日期"]), r["值班领导"], r["到岗"]) for r in roster] == [
        (d["date"], d["leader"], "是" if d["kept"] else "否") for d in result["days"]]


def test_bulletin_sections_state_the_cli_numbers(con):
    text = bulletin_markdown(con, REQUEST)
    assert "## 附一、县级领导接访交办件办理情况" in text and "## 附二、责任单位办理情况" in text
    counts = status_counts(handed(con, as_of=AS_OF))
    assert f"其中已办结{counts['已办结']}件、办理中{counts['办理中']}件、超期{counts['超期']}件" in text
    for row in leaders(con, as_of=AS_OF):
        assert f"**{row['leader']}**：坐班接访{row['receptions']}次，接待来访{row['batches']}批{row['persons']}人次" in text
    worst = units(con, as_of=AS_OF)[0]
    assert f"1. **{worst['unit']}**：信访总量{worst['cases']}件" in text


def test_deck_slides_hold_the_cli_rows(con, tmp_path):
    path = tmp_path / "deck.pptx"
    write_report(con, "pptx", path, REQUEST)
    slides = {s.shapes.title.text: s for s in Presentation(str(path)).slides}

    def table(title):
        shape = next(s for s in slides[title].shapes if s.has_table)
        return [[cell.text for cell in row.cells] for row in shape.table.rows]

    assert [r[0] for r in table("责任单位办理情况")[1:]] == [u["unit"] for u in units(con, as_of=AS_OF)][:12]
    assert [[r[0], r[1], r[6]] for r in table("县级领导接访情况")[1:]] == [
        [r["leader"], str(r["receptions"]), str(r["handed_over"])] for r in leaders(con, as_of=AS_OF)][:12]
    progress = table("交办件办理进度")
    assert progress[0] == ["责任单位", "已办结", "办理中", "超期"]
    rows = handed(con, as_of=AS_OF)
    for unit, *shown in progress[1:]:
        mine = [r for r in rows if r["unit"] == unit]
        assert shown == [str(len({r["case_id"] for r in mine if r["status"] == s})) for s in ("已办结", "办理中", "超期")]
