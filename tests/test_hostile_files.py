"""Hostile and broken files: each is refused whole with a Chinese reason, the database keeps its
cases, the refusal is in the import history, and nothing raises — through the importer, the CLI
and the upload page. A fuzz suite feeds random and damaged bytes with zero unhandled exceptions.
"""
from __future__ import annotations

import io
import random
import re
import zipfile
from datetime import date as d
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from streamlit.testing.v1 import AppTest

from conftest import write_csv, write_xlsx
from crafted_files import sheet_xlsx
from queries import db
from queries.ingest.importer import import_file
from test_pages import APP, TIMEOUT

HEADER = ["信访件编号", "登记日期", "信访形式", "信访人", "乡镇", "村(社区)", "信访事由"]
ROW = ["H-001", "2026-03-02", "来访", "王小明", "青石镇", "上庄村", "土地补偿"]
CJK = re.compile(r"[\u4e00-\u9fff]")


def good_xlsx(path: Path) -> Path:
    return write_xlsx(path, {"台账": [HEADER, ROW]})


def zip_bomb(path: Path) -> Path:
    """A small .xlsx whose one member unpacks to 100 MB of zeros (ratio ~1000:1)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("xl/worksheets/sheet1.xml", "w") as member:
            chunk = b"\0" * 2**20
            for _ in range(100):
                member.write(chunk)
    return path


def formula_workbook(path: Path) -> Path:
    import xlsxwriter
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet("台账")
    sheet.write_row(0, 0, HEADER)
    sheet.write_row(1, 0, ROW[:6])
    # A formula with a cached result: the result is read, the formula never evaluated.
    sheet.write_formula(1, 6, '=CONCATENATE("土地","补偿")', None, "土地补偿")
    sheet.write_row(2, 0, ["H-002", "2026-03-03", "来信", "李四", "青石镇", "上庄村"])
    sheet.write_formula(2, 6, '=cmd|" /C calc"!A0', None, "已处理")   # a DDE payload: only its cached value is read
    workbook.close()
    return path


BROKEN = ["renamed_pdf.xlsx", "csv_renamed.xlsx", "xlsx_renamed.csv", "truncated.xlsx", "junk.xlsx", "junk.csv",
          "junk.xls", "empty.csv", "empty.xlsx", "blank_lines.csv", "unsupported.pdf", "bomb.xlsx",
          "huge_cell.csv", "no_header.xlsx", "no_header.csv", "far_cell.xlsx"]


def broken_files(folder: Path) -> dict[str, Path]:
    """The crafted folder: name -> file. Every one must be refused whole."""
    folder.mkdir(parents=True, exist_ok=True)
    valid = good_xlsx(folder / "valid.xlsx").read_bytes()
    files = {
        "renamed_pdf.xlsx": b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n" * 20,
        "csv_renamed.xlsx": ("\n".join([",".join(HEADER), ",".join(ROW)])).encode("utf-8"),
        "xlsx_renamed.csv": valid,
        "truncated.xlsx": valid[: len(valid) // 2],
        "junk.xlsx": random.Random(1).randbytes(20_000),
        "junk.csv": random.Random(2).randbytes(20_000),
        "junk.xls": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + random.Random(3).randbytes(20_000),  # OLE magic, then junk
        "empty.csv": b"",
        "empty.xlsx": b"",
        "blank_lines.csv": b"\r\n \r\n\t\r\n",
        "unsupported.pdf": b"%PDF-1.4 not an export",
    }
    paths = {name: folder / name for name in files}
    for name, data in files.items():
        paths[name].write_bytes(data)
    paths["bomb.xlsx"] = zip_bomb(folder / "bomb.xlsx")
    paths["huge_cell.csv"] = write_csv(folder / "huge_cell.csv", [HEADER, ROW[:6] + ["长" * 10 * 2**20]])
    paths["no_header.xlsx"] = write_xlsx(folder / "no_header.xlsx", {"Sheet1": [["某某县信访台账"], ROW, ROW]})
    paths["no_header.csv"] = write_csv(folder / "no_header.csv", [ROW, ROW])
    paths["far_cell.xlsx"] = folder / "far_cell.xlsx"   # one stray cell: a 512 GB sheet for calamine
    paths["far_cell.xlsx"].write_bytes(sheet_xlsx([HEADER, ROW], {"XFD1048576": "x"}))
    return paths


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    return broken_files(tmp_path_factory.mktemp("broken"))


@pytest.fixture
def seeded(tmp_path):
    """A database with one case in it, to show a refused file leaves it alone."""
    path = tmp_path / "t.duckdb"
    con = db.connect(path)
    report = import_file(con, write_csv(tmp_path / "seed.csv", [HEADER, ["S-1", "2026-01-05", "来访", "甲", "青石镇", "上庄村", "x"]]),
                         as_of=d(2026, 11, 1))
    assert report.imported == 1
    return con


def cases(con) -> list:
    return db.cursor(con).execute("SELECT * FROM cases ORDER BY case_id").fetchall()


@pytest.mark.parametrize("name", BROKEN)
def test_broken_file_is_refused_whole_in_chinese(files, seeded, name):
    before = cases(seeded)
    report = import_file(seeded, files[name], as_of=d(2026, 11, 1))
    assert report.refused and CJK.search(report.refused), report
    assert report.imported == report.updated == report.rows_read == 0
    assert cases(seeded) == before
    history = db.cursor(seeded).execute("SELECT file_name, refused FROM imports ORDER BY imported_at").fetchall()
    assert history[-1] == (name, report.refused)


def test_refusal_messages_say_what_is_wrong(files, seeded):
    said = {name: import_file(seeded, files[name], as_of=d(2026, 11, 1)).refused
            for name in ("renamed_pdf.xlsx", "bomb.xlsx", "empty.csv", "huge_cell.csv", "no_header.xlsx",
                         "unsupported.pdf", "junk.csv")}
    assert "并非 Excel 格式" in said["renamed_pdf.xlsx"]
    assert "解压后过大" in said["bomb.xlsx"]
    assert "空" in said["empty.csv"]
    assert "过长" in said["huge_cell.csv"]
    assert "未找到表头行" in said["no_header.xlsx"]
    assert "不支持的文件类型" in said["unsupported.pdf"]
    assert "编码" in said["junk.csv"]


def test_oversize_file_is_refused_before_reading(tmp_path, seeded, monkeypatch):
    config = tmp_path / "small.toml"
    config.write_text("[import]\nmax_file_mb = 1\n", encoding="utf-8")
    monkeypatch.setenv("XINFANG_CONFIG", str(config))
    big = write_csv(tmp_path / "big.csv", [HEADER] + [[f"B-{i}", "2026-03-02", "来访", "王", "青石镇", "上庄村", "x" * 40]
                                                     for i in range(20_000)])
    report = import_file(seeded, big, as_of=d(2026, 11, 1))
    assert "文件过大" in report.refused and "上限 1 MB" in report.refused
    assert len(cases(seeded)) == 1


def test_formulas_are_read_as_their_values_never_evaluated(tmp_path, seeded):
    report = import_file(seeded, formula_workbook(tmp_path / "f.xlsx"), as_of=d(2026, 11, 1))
    assert report.imported == 2 and not report.refused
    summaries = dict(db.cursor(seeded).execute("SELECT case_id, summary FROM cases WHERE case_id LIKE 'H-%'").fetchall())
    assert summaries == {"H-001": "土地补偿", "H-002": "已处理"}


def test_the_cli_refuses_broken_files_with_exit_1(files, tmp_path):
    from test_cli import cli
    run = cli("import", str(files["bomb.xlsx"]), str(files["truncated.xlsx"]), "--db", str(tmp_path / "c.duckdb"))
    assert run.returncode == 1 and "Traceback" not in run.stderr
    assert "bomb.xlsx：拒收整个文件" in run.stdout and "truncated.xlsx：拒收整个文件" in run.stdout


def test_the_upload_page_refuses_them_without_a_traceback(files, tmp_path, monkeypatch):
    path = tmp_path / "page.duckdb"
    db.connect(path).close()
    monkeypatch.setenv("XINFANG_DB", str(path))
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    at.switch_page("pages/data_import.py").run()
    names = ["bomb.xlsx", "truncated.xlsx", "junk.csv", "no_header.xlsx"]
    for name in names:
        at.file_uploader[0].upload(name, files[name].read_bytes(), "application/octet-stream")
    at.run()
    next(b for b in at.button if b.label == "开始导入").click().run()
    assert not at.exception
    errors = " ".join(e.value for e in at.error).replace("\\", "")  # file names are Markdown-escaped
    assert all(name in errors for name in names) and errors.count("被整体拒收") == len(names)


# --- fuzz ----------------------------------------------------------------------------------

FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@FUZZ
@given(data=st.binary(max_size=4096), suffix=st.sampled_from([".csv", ".xlsx", ".xls", ".ods", ".txt"]))
def test_random_bytes_never_raise(seeded, data, suffix):
    before = len(cases(seeded))
    report = import_file(seeded, Path(f"fuzz{suffix}"), as_of=d(2026, 11, 1), data=data)
    assert report.refused or report.rows_read == report.imported + report.updated + report.rejected + report.skipped
    assert len(cases(seeded)) == before + report.imported


@pytest.fixture(scope="module")
def valid_bytes(tmp_path_factory) -> bytes:
    return good_xlsx(tmp_path_factory.mktemp("valid") / "v.xlsx").read_bytes()


@FUZZ
@given(flips=st.lists(st.tuples(st.integers(min_value=0), st.integers(0, 255)), min_size=1, max_size=8),
       cut=st.one_of(st.none(), st.integers(min_value=0)))
def test_damaged_workbooks_never_raise(seeded, valid_bytes, flips, cut):
    data = bytearray(valid_bytes)
    for position, value in flips:
        data[position % len(data)] = value
    if cut is not None:
        data = data[: cut % len(data)]
    report = import_file(seeded, Path("damaged.xlsx"), as_of=d(2026, 11, 1), data=bytes(data))
    assert report.refused or report.imported + report.updated + report.rejected + report.skipped == report.rows_read


def test_zip_bomb_is_refused_without_unpacking(files):
    """The check reads only the zip directory: the declared size, not the content."""
    with zipfile.ZipFile(io.BytesIO(files["bomb.xlsx"].read_bytes())) as archive:
        assert sum(i.file_size for i in archive.infolist()) >= 100 * 2**20
    assert files["bomb.xlsx"].stat().st_size < 2**20


def test_workbook_claiming_an_unknown_zip_version_is_refused(seeded, valid_bytes):
    """Found by the fuzz test: zipfile raises NotImplementedError, not BadZipFile, here."""
    data = bytearray(valid_bytes)
    entry = data.index(b"PK\x01\x02")          # first central-directory entry
    data[entry + 6] = 64                       # "version needed to extract": 6.4
    report = import_file(seeded, Path("v64.xlsx"), as_of=d(2026, 11, 1), data=bytes(data))
    assert report.refused and "并非 Excel 格式" in report.refused
