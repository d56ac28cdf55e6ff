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
from queries.ingest.importer import import_file
from queries.ingest.reader import FileRefused, read_tables

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
from queries.ingest.reader import FileRefused, read_tables
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


# --- 人数 bounds and one file's failure (#17.2, SCHEMA.md §5 rule 4) -----------------------

def test_persons_beyond_the_bound_refuse_the_row_with_the_raw_value(tmp_path):
    con = db.connect(tmp_path / "t.duckdb")
    rows = [HEADER, ["P-1", "2026-03-02", "来访", "10000"],       # the bound itself: kept
            ["P-2", "2026-03-02", "来访", "10001"],
            ["P-3", "2026-03-02", "来访", "2147483647"],
            ["P-4", "2026-03-02", "来访", "3000000000"],
            ["P-5", "2026-03-02", "来访", "9" * 400],
            ["P-6", "2026-03-02", "来访", "１２"]]                 # full-width 12: kept
    report = import_file(con, write_csv(tmp_path / "p.csv", rows), as_of=AS_OF)
    assert (report.imported, report.rejected, report.refused) == (2, 4, None)
    stored = dict(db.cursor(con).execute("SELECT case_id, persons FROM cases").fetchall())
    assert stored == {"P-1": 10000, "P-6": 12}
    reasons = [r[0] for r in db.cursor(con).execute("SELECT reason FROM rejected_rows ORDER BY source_row").fetchall()]
    assert reasons[0] == "人数不是 1 至 10000 之间的整数：“10001”"
    assert reasons[2] == "人数不是 1 至 10000 之间的整数：“3000000000”"
    assert reasons[3].endswith("9" * 400 + "”")


def test_numeric_persons_of_1e12_in_xlsx_refuse_the_row(tmp_path):
    con = db.connect(tmp_path / "t.duckdb")
    path = tmp_path / "n.xlsx"
    path.write_bytes(sheet_xlsx([HEADER, ["N-1", "2026-03-02", "来访", 1e12], ["N-2", "2026-03-02", "来访", 3e9],
                                 ["N-3", "2026-03-02", "来访", 7.0]]))
    report = import_file(con, path, as_of=AS_OF)
    assert (report.imported, report.rejected) == (1, 2)
    assert "人数不是 1 至 10000 之间的整数：“1000000000000”" in \
        [r[0] for r in db.cursor(con).execute("SELECT reason FROM rejected_rows").fetchall()]


def test_the_bound_is_a_setting(tmp_path, monkeypatch):
    config = tmp_path / "c.toml"
    config.write_text("[import]\nmax_persons = 50\n", encoding="utf-8")
    monkeypatch.setenv("XINFANG_CONFIG", str(config))
    con = db.connect(tmp_path / "t.duckdb")
    rows = [HEADER, ["B-1", "2026-03-02", "来访", 50], ["B-2", "2026-03-02", "来访", 51]]
    report = import_file(con, write_csv(tmp_path / "b.csv", rows), as_of=AS_OF)
    assert (report.imported, report.rejected) == (1, 1)


def test_import_good_good_bad_keeps_both_good_files(tmp_path):
    """The CLI, as issue #17.2 ran it: a 人数 of 3000000000 once rolled back all three files."""
    good1 = write_csv(tmp_path / "good1.csv", [HEADER, ["G1-1", "2026-03-02", "来访", 1]])
    good2 = write_csv(tmp_path / "good2.csv", [HEADER, ["G2-1", "2026-03-03", "来信", 2]])
    bad = write_csv(tmp_path / "bad.csv", [HEADER, ["X-1", "2026-03-04", "来访", "3000000000"],
                                           ["X-2", "2026-03-04", "来访", "1000000000000"]])
    out = subprocess.run([sys.executable, "-m", "queries", "import", str(good1), str(good2), str(bad),
                          "--db", str(tmp_path / "t.duckdb"), "--as-of", "2026-11-01", "--json"],
                         capture_output=True, text=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert out.returncode == 0 and "Traceback" not in out.stderr, out.stderr
    files = {f["file"]: f for f in json.loads(out.stdout)["files"]}
    assert (files["good1.csv"]["imported"], files["good2.csv"]["imported"]) == (1, 1)
    assert (files["bad.csv"]["imported"], files["bad.csv"]["rejected"]) == (0, 2)


def test_an_unexpected_error_refuses_that_file_only(tmp_path, monkeypatch, capsys):
    """Whatever goes wrong inside one file (here: the writer raises for it) becomes that file's
    refusal in Chinese, in the import history; the files before and after it land."""
    import queries.ingest.importer as importer
    from queries import cli
    real = importer.upsert_cases

    def failing(cur, staged, present, batch):
        if cur.execute(f"SELECT count(*) FROM {staged} WHERE source_file = 'bad.csv'").fetchone()[0]:
            raise ValueError("Value 3000000000 out of range")   # as pyarrow's ArrowInvalid said
        return real(cur, staged, present, batch)

    monkeypatch.setattr(importer, "upsert_cases", failing)
    paths = [write_csv(tmp_path / f"{name}.csv", [HEADER, [f"{name}-1", "2026-03-02", "来访", 1]])
             for name in ("good1", "bad", "good2")]
    database = tmp_path / "t.duckdb"
    code = cli.main(["import", *map(str, paths), "--db", str(database), "--as-of", "2026-11-01"])
    said = capsys.readouterr()
    assert code == 1 and "Traceback" not in said.err
    assert "bad.csv：拒收整个文件——导入此文件时发生意外错误（ValueError）" in said.out
    con = db.connect(database, read_only=True)
    assert [r[0] for r in db.cursor(con).execute("SELECT case_id FROM cases ORDER BY 1").fetchall()] == \
        ["good1-1", "good2-1"]
    history = db.cursor(con).execute("SELECT file_name, refused IS NOT NULL FROM imports ORDER BY imported_at").fetchall()
    assert history == [("good1.csv", False), ("bad.csv", True), ("good2.csv", False)]


@pytest.mark.parametrize("first", [True, False], ids=["first import", "into stored cases"])
def test_running_out_of_import_memory_names_the_setting(tmp_path, monkeypatch, first):
    """DuckDB out of memory while writing (the facts of a very large first import, stored with its
    cases; or a whole case_facts rebuild) refuses the file with the setting that raises the limit,
    nothing half written (#14.2)."""
    import duckdb

    import queries.ingest.importer as importer

    def out_of_memory(*args):
        raise duckdb.OutOfMemoryException("Out of Memory Error: could not allocate block")

    con = db.connect(tmp_path / "t.duckdb")
    if not first:
        importer.import_file(con, write_csv(tmp_path / "a.csv", [HEADER, ["A-1", "2026-03-01", "来访", 1]]), as_of=AS_OF)
    monkeypatch.setattr(db, "_insert_with_facts", out_of_memory)
    monkeypatch.setattr(db, "refresh_facts", out_of_memory)   # after the upsert of stored cases
    path = write_csv(tmp_path / "m.csv", [HEADER, ["M-1", "2026-03-02", "来访", 1]])
    report = importer.import_file(con, path, as_of=AS_OF)
    assert "设置项 [import] memory_mb，当前 600MB" in report.refused
    assert db.cursor(con).execute("SELECT count(*) FROM cases").fetchone()[0] == (0 if first else 1)


def test_no_table_of_cases_carries_a_key_index(tmp_path):
    """DuckDB keeps a PRIMARY KEY's index in memory: at 10,000,000 case_ids it outgrows the
    import's memory_limit by itself (#14.2). Uniqueness comes from merging by case_id instead
    (test_importer's re-imports, test_case_answers)."""
    con = db.connect(tmp_path / "k.duckdb")
    keyed = con.execute("SELECT table_name, constraint_type FROM duckdb_constraints() "
                        "WHERE table_name IN ('cases', 'case_answers') AND constraint_type IN ('PRIMARY KEY', 'UNIQUE') "
                        "UNION ALL SELECT table_name, index_name FROM duckdb_indexes() "
                        "WHERE table_name IN ('cases', 'case_answers')").fetchall()
    assert keyed == []
