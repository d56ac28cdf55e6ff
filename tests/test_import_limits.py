"""Files built to exhaust the importer: sheets whose farthest cell is far away (issue #17.1) and
counts beyond any plausible 人数 (#17.2). Each is refused in Chinese, recorded in the import
history, and never aborts the process or raises."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from conftest import write_csv
from crafted_files import sheet_xlsx
from queries import db
from queries.importer import import_file
from queries.reader import FileRefused, read_tables

ROOT = Path(__file__).resolve().parent.parent
AS_OF = date(2026, 11, 1)
HEADER = ["信访件编号", "登记日期", "信访形式", "人数"]
GOOD = [HEADER, ["L-1", "2026-03-02", "来访", 2]]

# Run in a child process limited to 1.5 GB of address space: without the check calamine asks
# for 1.5 GB (XFD3000) to 512 GB (XFD1048576) and aborts the process (SIGABRT, exit 134).
_CHILD = """
import json, resource, sys
from pathlib import Path
resource.setrlimit(resource.RLIMIT_AS, (1536 * 2**20, 1536 * 2**20))
from queries.config import load_config
from queries.reader import FileRefused, read_tables
try:
    read_tables(Path("far.xlsx"), Path(sys.argv[1]).read_bytes(), load_config()["import"]["headers"])
    print(json.dumps({"refused": None}))
except FileRefused as refusal:
    print(json.dumps({"refused": str(refusal)}, ensure_ascii=False))
"""


@pytest.mark.parametrize("far", ["XFD1048576", "XFD20000", "XFD3000", "D9000000"])
def test_a_far_cell_is_refused_without_allocating_the_sheet(tmp_path, far):
    path = tmp_path / "far.xlsx"
    path.write_bytes(sheet_xlsx(GOOD, {far: "x"}, dimension=far))
    assert path.stat().st_size < 4096
    child = subprocess.run([sys.executable, "-c", _CHILD, str(path)], capture_output=True, text=True,
                           cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=600)
    assert child.returncode == 0, child.stderr[-2000:]
    refused = json.loads(child.stdout)["refused"]
    assert refused and "单元格范围过大" in refused and "[import] max_sheet_cells" in refused


def test_a_far_cell_refusal_is_in_the_import_history(tmp_path):
    con = db.connect(tmp_path / "t.duckdb")
    path = tmp_path / "far.xlsx"
    path.write_bytes(sheet_xlsx(GOOD, {"XFD1048576": 1}))
    report = import_file(con, path, as_of=AS_OF)
    assert "单元格范围过大" in report.refused
    assert db.cursor(con).execute("SELECT file_name, refused FROM imports").fetchall() == [("far.xlsx", report.refused)]


def test_the_cell_cap_is_the_product_of_rows_and_columns(tmp_path):
    """20 rows × 30 columns (A..AD) = 600 cells: a cap of 600 reads it, 599 refuses it. Sheets
    of single-letter columns count as 26 wide; a reference written in lower-case
    letters (calamine reads it) counts too."""
    headers = {"case_id": ["信访件编号"], "registered_on": ["登记日期"], "channel": ["信访形式"], "persons": ["人数"]}
    data = sheet_xlsx(GOOD, {"AD20": 1})
    assert len(read_tables(Path("a.xlsx"), data, headers, max_cells=600)[0].rows) == 19
    with pytest.raises(Exception, match="按 30 列计，第 19 行以下"):
        read_tables(Path("a.xlsx"), data, headers, max_cells=599)
    narrow = sheet_xlsx(GOOD, {"D20": 1})
    assert len(read_tables(Path("a.xlsx"), narrow, headers, max_cells=26 * 20)[0].rows) == 19
    with pytest.raises(Exception, match="按 26 列计"):
        read_tables(Path("a.xlsx"), narrow, headers, max_cells=26 * 20 - 1)
    wide = sheet_xlsx(GOOD, {"ab3": 1})
    assert len(read_tables(Path("a.xlsx"), wide, headers, max_cells=28 * 3)[0].rows) == 2
    with pytest.raises(Exception, match="按 28 列计"):
        read_tables(Path("a.xlsx"), wide, headers, max_cells=28 * 3 - 1)


def test_the_cell_cap_is_a_setting(tmp_path, monkeypatch):
    config = tmp_path / "small.toml"
    config.write_text("[import]\nmax_sheet_cells = 10\n", encoding="utf-8")
    monkeypatch.setenv("XINFANG_CONFIG", str(config))
    con = db.connect(tmp_path / "t.duckdb")
    path = tmp_path / "wide.xlsx"
    path.write_bytes(sheet_xlsx(GOOD, {"D5": 1}))   # 5 × 4 = 20 cells
    assert "单元格范围过大" in import_file(con, path, as_of=AS_OF).refused


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(column=st.integers(1, 16384), row=st.integers(3, 1_048_576), cap=st.integers(26, 5000))
def test_any_far_cell_is_read_or_refused_by_the_product_rule(column, row, cap):
    """Fuzz over sheet dimensions: the sheet (2 rows × 4 columns, plus one cell) is read exactly
    when its rows × columns (single-letter columns counted as 26) fit the cap."""
    headers = {"case_id": ["信访件编号"], "registered_on": ["登记日期"], "channel": ["信访形式"]}
    ref = f"{_letters(column)}{row}"
    data = sheet_xlsx(GOOD, {ref: 1})
    fits = row * max(column, 26) <= cap
    try:
        read_tables(Path("f.xlsx"), data, headers, max_cells=cap)
        assert fits, ref
    except FileRefused as refusal:
        assert not fits and "单元格范围过大" in str(refusal), (ref, str(refusal))


def _letters(index: int) -> str:
    letters = ""
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters
