"""Which kind of file an import is (ACCOUNTABILITY.md §2): the header row is the first row with
three known names of either vocabulary; a reception ledger has held_on and leader and not the
case_id + registered_on pair."""
from __future__ import annotations

from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import write_csv, write_xlsx
from queries.ingest.import_ledgers import split_case_ids
from queries.ingest.importer import import_files

DAY = date(2026, 6, 30)


def _import(con, path):
    (report,) = import_files(con, [path], as_of=DAY)["files"]
    return report


@pytest.mark.parametrize("header, kind", [
    (["信访件编号", "登记日期", "信访形式", "备注"], "cases"),
    (["信访件编号", "登记日期", "日期", "领导", "方式"], "cases"),          # the case pair wins
    (["日期", "领导", "方式", "信访件编号"], "receptions"),                 # an id column, no 登记日期
    (["活动日期", "带班领导", "类型"], "receptions"),
    (["值班日期", "值班领导", "乡镇"], "roster"),
    (["日期", "值班领导"], "roster"),                                      # two columns only
])
def test_kind_of_file(con, tmp_path, header, kind):
    row = {"信访件编号": "A1", "登记日期": "2026-01-02", "信访形式": "来信", "日期": "2026-01-03",
           "活动日期": "2026-01-03", "值班日期": "2026-01-03", "领导": "张三", "带班领导": "张三",
           "值班领导": "张三", "方式": "接访", "类型": "接访", "乡镇": "青石镇"}
    path = write_csv(tmp_path / "f.csv", [["某县台账"], header, [row.get(h) for h in header]])
    report = _import(con, path)
    assert (report["kind"], report["refused"], report["rows_read"]) == (kind, None, 1)


def test_title_rows_semicolons_and_traditional_headers(con, tmp_path):
    path = tmp_path / "f.csv"
    path.write_text("領導接訪登記台賬;;\n;;\n接訪日期;接訪領導;接訪方式;交辦件編號\n2026-03-01;張三;約見;A1 A2\n",
                    encoding="utf-8")
    report = _import(con, path)
    assert (report["kind"], report["imported"], report["columns"]["kind"]) == ("receptions", 1, "接訪方式")
    assert con.execute("SELECT leader, kind, case_ids FROM receptions").fetchall() == [("张三", "约访", ["A1", "A2"])]


def test_a_ledger_without_a_kind_column_refuses_its_rows(con, tmp_path):
    path = write_xlsx(tmp_path / "f.xlsx", {"S": [["日期", "领导", "人次"], [DAY, "张三", 3]]})
    report = _import(con, path)
    assert (report["kind"], report["rejected"]) == ("receptions", 1)
    assert con.execute("SELECT reason FROM rejected_rows").fetchone()[0].startswith("方式为空")


def test_batches_default_by_kind(con, tmp_path):
    rows = [["日期", "领导", "方式", "批次"], ["2026-01-05", "甲", "接访", None], ["2026-01-05", "甲", "约访", None],
            ["2026-01-05", "甲", "下访", None], ["2026-01-05", "甲", "调度", None], ["2026-01-06", "甲", "接访", "3.0"]]
    _import(con, write_csv(tmp_path / "f.csv", rows))
    assert con.execute("SELECT kind, batches FROM receptions ORDER BY held_on, kind").fetchall() == [
        ("下访", 0), ("接访", 1), ("约访", 1), ("调度", 0), ("接访", 3)]


@pytest.mark.parametrize("cell, ids", [
    ("A1、A2，A3,A4；A5;A6 A7\u3000A8\nA9", ["A1", "A2", "A3", "A4", "A5", "A6", "A7", "A8", "A9"]),
    ("Ａ１、A1", ["A1"]),          # full-width is NFKC-normalised, then a repeat counts once
    (" 、 ", []),
    (12345.0, ["12345"]),
])
def test_split_case_ids(cell, ids):
    assert split_case_ids(cell) == ids


_cell = st.one_of(st.none(), st.text(alphabet="接访约见下调度会甲乙0123456789-/ ", max_size=8),
                  st.integers(-3, 50), st.dates(date(1970, 1, 1), date(2030, 1, 1)))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.lists(_cell, min_size=4, max_size=4), max_size=12))
def test_every_row_is_accounted_for(make_db, tmp_path, rows):
    """rows_read = imported + updated + rejected + skipped, and a second import adds nothing."""
    con = make_db(f"p{abs(hash(str(rows)))}.duckdb")
    path = write_xlsx(tmp_path / f"p{abs(hash(str(rows)))}.xlsx", {"S": [["日期", "领导", "方式", "人次"], *rows]})
    first = _import(con, path)
    assert first["kind"] == "receptions"
    assert first["rows_read"] == first["imported"] + first["updated"] + first["rejected"] + first["skipped"]
    stored = con.execute("SELECT count(*) FROM receptions").fetchone()[0]
    assert stored == first["imported"]
    second = _import(con, path)
    assert (second["imported"], second["updated"]) == (0, first["imported"] + first["updated"])
    assert con.execute("SELECT count(*) FROM receptions").fetchone()[0] == stored
