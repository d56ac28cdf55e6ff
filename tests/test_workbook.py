"""A workbook read by fastexcel into Arrow (queries/ingest/workbook.py, #14): rows and columns keep the
sheet's own numbering, cells that are not text are written as documented, and an import turns
only the rows it searches for the header into Python lists, never the body."""
from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

from conftest import write_xlsx
from queries import db
from queries.ingest import workbook
from queries.ingest.importer import import_file
from queries.ingest.workbook import GridRows, read_grids


def grids(path: Path) -> dict[str, GridRows]:
    return dict(read_grids(path.read_bytes()))


def test_leading_empty_rows_and_columns_keep_the_sheets_numbering(tmp_path):
    path = write_xlsx(tmp_path / "w.xlsx", {"s": [[], [], [None, None, "x", "y"], [None, "a", None, "b"]]})
    rows = grids(path)["s"]
    assert list(rows) == [[None] * 4, [None] * 4, [None, None, "x", "y"], [None, "a", None, "b"]]


def test_cells_that_are_not_text_are_written_as_documented(tmp_path):
    cells = [1.0, 1.5, 1e12, True, False, datetime(2026, 3, 3, 10, 30), date(2026, 3, 2), 46100, -1, "",
             "约 2026-03-02 00:00:00 到访"]
    path = write_xlsx(tmp_path / "t.xlsx", {"s": [cells]})
    assert grids(path)["s"][0] == ["1", "1.5", "1000000000000", "true", "false", "2026-03-03 10:30:00",
                                    "2026-03-02", "46100", "-1", None, "约 2026-03-02 00:00:00 到访"]


def test_rows_are_sliced_indexed_and_iterated_across_chunks(tmp_path, monkeypatch):
    monkeypatch.setattr(workbook, "ROWS_PER_CHUNK", 3)
    table = [[f"r{i}", str(i)] for i in range(1, 9)]
    rows = grids(write_xlsx(tmp_path / "c.xlsx", {"s": table}))["s"]
    assert len(rows) == 8 and list(rows) == table
    middle = rows[2:7]
    assert isinstance(middle, GridRows) and list(middle) == table[2:7]
    assert middle[0] == ["r3", "3"] and middle[-1] == ["r7", "7"] and rows[-1] == ["r8", "8"]
    assert list(rows[6:100]) == table[6:] and list(rows[9:]) == []
    with pytest.raises(IndexError):
        rows[8]


def test_a_chart_sheet_has_no_rows(tmp_path):
    import xlsxwriter
    path = tmp_path / "chart.xlsx"
    book = xlsxwriter.Workbook(str(path))
    book.add_worksheet("数据").write_row(0, 0, ["信访件编号", "登记日期"])
    chart = book.add_chart({"type": "line"})
    chart.add_series({"values": "=数据!$A$1:$B$1"})
    book.add_chartsheet("图").set_chart(chart)
    book.close()
    assert {name: len(rows) for name, rows in grids(path).items()} == {"数据": 1, "图": 0}


def test_an_import_reads_the_body_from_arrow_not_as_python_rows(tmp_path, monkeypatch):
    """Only the rows searched for the header become lists (one chunk here); the 3,000 rows of
    the body go to DuckDB as Arrow and are still all imported."""
    monkeypatch.setattr(workbook, "ROWS_PER_CHUNK", 100)
    converted = []
    real = workbook._rows
    monkeypatch.setattr(workbook, "_rows", lambda table: converted.append(table.num_rows) or real(table))
    body = [[f"W-{i}", f"2026-03-{1 + i % 28:02d}", "来访", "张三"] for i in range(3000)]
    path = write_xlsx(tmp_path / "big.xlsx", {"台账": [["某镇信访事项登记台账"], ["信访件编号", "登记日期", "信访形式", "信访人"],
                                                       *body]})
    report = import_file(db.connect(tmp_path / "t.duckdb"), path, as_of=date(2026, 11, 1))
    assert (report.refused, report.rows_read, report.imported) == (None, 3000, 3000)
    assert 0 < sum(converted) <= 500, converted
