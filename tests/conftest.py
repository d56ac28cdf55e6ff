"""Shared fixtures and helpers: fresh databases and real export files written to disk.

Plain helpers (importable as `from conftest import write_csv, write_xlsx, ...`):

- `write_csv(path, rows, encoding="utf-8-sig")`: a CSV export; rows are lists of cells.
- `write_xlsx(path, {"Sheet1": rows, ...})`: an Excel export written with xlsxwriter; cells may
  be str, int, float, bool, date, datetime or None (blank).
- `write_cases_csv(path, cases)`: a CSV with the canonical Chinese headers from case dicts.
- `build_db(tmp_path, cases, as_of=AS_OF)`: a database holding exactly these cases, imported
  through `import_files` (the real import path) with a fixed import day.

Fixtures: `make_db` (factory of fresh connections), `con` (one fresh connection),
`cases_db` (factory: cases -> connection, via `build_db`).
"""
from __future__ import annotations

import csv
import os
from datetime import date, datetime
from pathlib import Path

import pytest

from queries.db import connect
from queries.ingest.importer import import_files

# The dashboard's background warmer (pages._data) stays idle in tests: it would compute figures
# of every test's database behind the tests' backs. test_pages turns it on where it is tested.
os.environ["XINFANG_WARM_SECONDS"] = "0"

# The fixed import day of `build_db` (rule 3 of SCHEMA.md §5 refuses later registrations).
AS_OF = date(2026, 12, 31)

# Field -> canonical Chinese header (the first synonym of SCHEMA.md §2).
CANONICAL_HEADERS = {
    "case_id": "信访件编号",
    "registered_on": "登记日期",
    "channel": "信访形式",
    "petitioner_name": "信访人",
    "petitioner_idno": "证件号码",
    "persons": "人数",
    "township": "乡镇",
    "village": "村(社区)",
    "category": "问题分类",
    "level": "登记层级",
    "accepted_on": "受理日期",
    "due_on": "办理期限",
    "closed_on": "办结日期",
    "resolution": "化解情况",
    "satisfaction": "满意度",
    "key_person": "重点人员",
    "case_leader": "包案领导",
    "responsible_unit": "责任单位",
    "summary": "信访事由",
    "phone": "联系电话",
}
# Written only when some case carries them.
OPTIONAL_HEADERS = {
    "purpose": "信访目的",
    "handling": "办理方式",
    "repeat_flag": "是否重复信访",
}
_HEADER_FIELD = {h: f for f, h in {**CANONICAL_HEADERS, **OPTIONAL_HEADERS}.items()}


def cell_text(value) -> str:
    """A cell as it appears in a CSV export."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def write_csv(path, rows, encoding: str = "utf-8-sig") -> Path:
    """Write rows (lists of cells) as a CSV export in the given encoding."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle)
        for row in rows:
            writer.writerow([cell_text(c) for c in row])
    return path


def write_xlsx(path, sheets: dict) -> Path:
    """Write an Excel workbook: {sheet name: rows}; None cells stay empty."""
    import xlsxwriter

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook = xlsxwriter.Workbook(str(path))
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
    datetime_format = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
    for name, rows in sheets.items():
        sheet = workbook.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is None:
                    continue
                if isinstance(value, bool):
                    sheet.write_boolean(r, c, value)
                elif isinstance(value, datetime):
                    sheet.write_datetime(r, c, value, datetime_format)
                elif isinstance(value, date):
                    sheet.write_datetime(r, c, datetime(value.year, value.month, value.day), date_format)
                elif isinstance(value, (int, float)):
                    sheet.write_number(r, c, value)
                else:
                    sheet.write_string(r, c, str(value))
    workbook.close()
    return path


def case_rows(cases: list[dict]) -> list[list]:
    """Header row + one row per case. Keys are field names (case_id, ...) or Chinese headers."""
    normalized = [{_HEADER_FIELD.get(k, k): v for k, v in case.items()} for case in cases]
    unknown = {k for case in normalized for k in case} - set(CANONICAL_HEADERS) - set(OPTIONAL_HEADERS)
    if unknown:
        raise KeyError(f"not a case field: {sorted(unknown)}")
    fields = list(CANONICAL_HEADERS) + [f for f in OPTIONAL_HEADERS if any(f in c for c in normalized)]
    header = [{**CANONICAL_HEADERS, **OPTIONAL_HEADERS}[f] for f in fields]
    return [header] + [[case.get(f) for f in fields] for case in normalized]


def write_cases_csv(path, cases: list[dict], encoding: str = "utf-8-sig") -> Path:
    return write_csv(path, case_rows(cases), encoding)


def build_db(tmp_path, cases: list[dict], as_of: date = AS_OF, name: str = "cases.duckdb",
             strict: bool = True):
    """A database holding these cases, imported through import_files with a fixed as_of.

    With strict=True every case must be accepted (a test that builds data should not lose
    rows silently). `build_db_with_report` also returns the import_files report.
    """
    return build_db_with_report(tmp_path, cases, as_of, name, strict)[0]


def build_db_with_report(tmp_path, cases: list[dict], as_of: date = AS_OF, name: str = "cases.duckdb",
                         strict: bool = True):
    tmp_path = Path(tmp_path)
    con = connect(tmp_path / name)
    path = write_cases_csv(tmp_path / (Path(name).stem + "_export.csv"), cases)
    report = import_files(con, [path], as_of=as_of)
    if strict:
        (file_report,) = report["files"]
        assert file_report["refused"] is None, file_report["refused"]
        assert file_report["rejected"] == 0, con.execute(
            "SELECT source_row, reason FROM rejected_rows").fetchall()
    return con, report


def table_rows(con, table: str, exclude: tuple[str, ...] = (), order_by: str | None = None) -> list[tuple]:
    """All rows of a table as tuples (optionally without some columns), in a stable order."""
    columns = [r[0] for r in con.execute(f"DESCRIBE {table}").fetchall() if r[0] not in exclude]
    names = ", ".join(columns)
    order = order_by or names
    return con.execute(f"SELECT {names} FROM {table} ORDER BY {order}").fetchall()


def _closing(factory):
    """Wrap a connection factory so every connection it opened is closed after the test."""
    opened = []

    def make(*args, **kwargs):
        con = factory(*args, **kwargs)
        opened.append(con)
        return con

    yield make
    for con in opened:
        try:
            con.close()
        except Exception:
            pass


@pytest.fixture()
def make_db(tmp_path):
    """Factory of connections on fresh DuckDB files under tmp_path (closed after the test)."""
    yield from _closing(lambda name="test.duckdb": connect(tmp_path / name))


@pytest.fixture()
def con(make_db):
    """One opened connection on a fresh database."""
    return make_db()


@pytest.fixture()
def cases_db(tmp_path):
    """Factory: cases (dicts) -> connection on a database built by importing them."""
    yield from _closing(lambda cases, as_of=AS_OF, name="cases.duckdb", strict=True:
                        build_db(tmp_path, cases, as_of, name, strict))


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory) -> Path:
    """The bundled demo county, built once for the session; tests only read it."""
    from queries.demo.database import build_demo
    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    build_demo(path)
    return path
