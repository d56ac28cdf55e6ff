"""The importer against SCHEMA.md §2–§6 and the `import` command of CLI.md.

Every test writes a real export file (CSV or xlsx) and imports it into a fresh DuckDB file.
Expected numbers are worked out by hand from the rows written, in the comments.
"""
from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import pytest

import queries.ingest.importer as importer_module
from conftest import table_rows, write_csv, write_xlsx
from queries.ingest.importer import CASE_COLUMNS, import_file, import_files

ROOT = Path(__file__).resolve().parent.parent
AS_OF = date(2025, 6, 30)
CJK = re.compile(r"[\u4e00-\u9fff]")
HEADER = ["信访件编号", "登记日期", "信访形式", "乡镇", "村(社区)", "人数"]
DATA_COLUMNS = ", ".join(CASE_COLUMNS)


def run(con, *paths, as_of=AS_OF) -> list[dict]:
    """Import the files; their report dicts (each checked for the CLI.md identity)."""
    reports = import_files(con, list(paths), as_of=as_of)["files"]
    for r in reports:
        assert r["rows_read"] == r["imported"] + r["updated"] + r["rejected"] + r["skipped"], r
    return reports


def one(con, path, as_of=AS_OF) -> dict:
    (report,) = run(con, path, as_of=as_of)
    return report


def cases(con) -> dict[str, dict]:
    frame = con.execute("SELECT * FROM cases ORDER BY case_id").df()
    return {r["case_id"]: r for r in frame.to_dict("records")}


def case_ids(con) -> list[str]:
    return [r[0] for r in con.execute("SELECT case_id FROM cases ORDER BY case_id").fetchall()]


def data_rows(con) -> list[tuple]:
    """All data columns of `cases` (no provenance), by case_id."""
    return con.execute(f"SELECT {DATA_COLUMNS} FROM cases ORDER BY case_id").fetchall()


def rejected(con) -> list[dict]:
    frame = con.execute("SELECT * FROM rejected_rows ORDER BY source_sheet, source_row").df()
    return frame.to_dict("records")


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "queries", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)


def val(v):
    """A DuckDB/pandas cell as a plain Python value (NaT/NaN/None -> None, Timestamp -> date)."""
    if v is None:
        return None
    try:
        import pandas as pd
        if pd.isna(v):
            return None
        if isinstance(v, pd.Timestamp):
            return v.date()
    except (TypeError, ValueError):
        pass
    return v


# --- §4 Sheets: the header row ------------------------------------------------------------

def test_header_row_below_title_rows(tmp_path, con):
    # rows 1-3 are a title, a subtitle and a blank row; the header is row 4; data rows 5 and 6.
    path = write_csv(tmp_path / "a.csv", [
        ["青石镇信访事项登记台账"],
        ["制表单位：青石镇信访办", "", "制表日期：2025年6月"],
        [],
        HEADER,
        ["A1", "2025-01-02", "来信", "青石镇", "上庄村", "1"],
        ["A2", "2025-01-03", "来访", "青石镇", "下庄村", "2"],
    ])
    r = one(con, path)
    # rows read are the rows below the header: 2 = 2 imported + 0 + 0 + 0
    assert (r["rows_read"], r["imported"], r["updated"], r["rejected"], r["skipped"]) == (2, 2, 0, 0, 0)
    c = cases(con)
    assert list(c) == ["A1", "A2"]
    assert (c["A1"]["source_row"], c["A2"]["source_row"]) == (5, 6)
    assert c["A2"]["persons"] == 2 and c["A2"]["village"] == "下庄村"
    assert c["A1"]["source_file"] == "a.csv"


def test_row_with_fewer_than_three_known_headers_is_not_the_header(tmp_path, con):
    # Row 1 has only two known headers (信访件编号, 登记日期) -> not the header row; row 2 has six.
    # Row 1 is therefore a title row and is not read.
    path = write_csv(tmp_path / "a.csv", [
        ["信访件编号", "登记日期", "说明"],
        HEADER,
        ["A1", "2025-01-02", "来信", "青石镇", "上庄村", ""],
    ])
    r = one(con, path)
    assert (r["rows_read"], r["imported"]) == (1, 1)
    assert cases(con)["A1"]["source_row"] == 3


def test_no_header_row_names_the_closest_row(tmp_path, con):
    """The refusal says where the header probably is and which names were recognised there."""
    # (备注 would be a third known name: it is a reception-ledger header, ACCOUNTABILITY.md §2)
    path = write_csv(tmp_path / "a.csv", [["某镇信访台账"], ["编号", "登记日期", "说明"], ["A1", "2025-01-02", ""]])
    refused = one(con, path)["refused"]
    assert refused.startswith("未找到表头行") and "最接近表头的是第2行，仅识别出：编号、登记日期。" in refused
    path = write_csv(tmp_path / "b.csv", [["a", "b", "c"], ["1", "2", "3"]])
    assert "文件中未见任何可识别的列名" in one(con, path)["refused"]


# --- §2 Header synonyms -------------------------------------------------------------------

def test_header_synonyms_full_width_star_traditional(tmp_path, con):
    path = write_csv(tmp_path / "a.csv", [[
        "信訪件編號*",          # traditional + trailing *  -> case_id
        "　登记日期＊　",        # full-width spaces + full-width *  -> registered_on
        "來訪人數",             # traditional synonym of persons
        "鄉鎮（街道）",          # traditional + full-width brackets -> township
        "村（社区）",            # full-width brackets -> village
        "信访方式",             # second synonym of channel
        "问题属地（村）",         # not used: 村(社区) is listed before 问题属地(村)
    ], ["A1", "2025-02-01", "3", "青石鎮", "上莊村", "來訪", "别处村"]])
    r = one(con, path)
    assert r["imported"] == 1
    assert r["columns_unused"] == ["问题属地（村）"]
    a1 = cases(con)["A1"]
    assert val(a1["registered_on"]) == date(2025, 2, 1)
    assert (a1["persons"], a1["township"], a1["village"], a1["channel"]) == (3, "青石镇", "上庄村", "来访")


def test_first_listed_synonym_wins_and_loser_is_unused(tmp_path, con):
    # 信访日期 is listed after 登记日期 for registered_on, 编号 after 信访件编号 for case_id:
    # the first-listed header wins regardless of column order.
    path = write_csv(tmp_path / "a.csv", [
        ["信访日期", "编号", "信访件编号", "登记日期", "信访形式"],
        ["2025-01-01", "X-1", "A1", "2025-02-02", "来信"],
    ])
    r = one(con, path)
    assert set(r["columns_unused"]) == {"信访日期", "编号"}
    assert case_ids(con) == ["A1"]
    assert val(cases(con)["A1"]["registered_on"]) == date(2025, 2, 2)


def test_unknown_headers_are_listed_never_an_error(tmp_path, con):
    path = write_csv(tmp_path / "a.csv", [
        HEADER + ["备注", "经办人"],
        ["A1", "2025-01-02", "来信", "青石镇", "上庄村", "1", "无", "李四"],
    ])
    r = one(con, path)
    assert r["refused"] is None and r["imported"] == 1
    assert set(r["columns_unused"]) == {"备注", "经办人"}


@pytest.mark.parametrize("header, missing", [
    (["登记日期", "信访人", "乡镇", "信访形式", "备注"], "信访件编号"),
    (["信访件编号", "信访人", "乡镇", "信访形式", "备注"], "登记日期"),
])
def test_file_without_required_header_is_refused_whole(tmp_path, con, header, missing):
    path = write_csv(tmp_path / "a.csv", [header, ["x", "张三", "青石镇", "来信", "无"]])
    r = one(con, path)
    assert r["refused"], "the file must be refused"
    assert CJK.search(r["refused"])
    assert missing in r["refused"]
    for found in header:            # the message names the headers it did find
        assert found in r["refused"]
    assert (r["imported"], r["updated"]) == (0, 0)
    assert case_ids(con) == []
    assert con.execute("SELECT count(*) FROM rejected_rows").fetchone()[0] == 0


def test_cli_refused_file_exit_code_1(tmp_path):
    path = write_csv(tmp_path / "a.csv", [["登记日期", "信访人", "乡镇", "信访形式"],
                                          ["2025-01-02", "张三", "青石镇", "来信"]])
    out = cli("import", str(path), "--db", str(tmp_path / "t.duckdb"), "--as-of", "2025-06-30", "--json")
    assert out.returncode == 1, out.stderr
    doc = json.loads(out.stdout)
    (f,) = doc["files"]
    assert "信访件编号" in f["refused"] and "信访人" in f["refused"]
    assert doc["cases_total"] == 0


# --- §4 Encodings -------------------------------------------------------------------------

ROWS = [
    ["东安县青石镇信访台账"],
    HEADER + ["信访人", "信访事由"],
    ["A1", "2025-01-02", "来访", "青石镇", "上庄村", "1", "张三", "反映拆迁补偿问题，要求解决"],
    ["A2", "2025年1月3日", "网上信访", "柳河镇", "东风村", "2", "李四", "工资拖欠（约３万元）"],
]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_csv_encodings(tmp_path, con, encoding):
    path = write_csv(tmp_path / "a.csv", ROWS, encoding=encoding)
    r = one(con, path)
    assert r["refused"] is None and r["imported"] == 2
    c = cases(con)
    assert (c["A1"]["township"], c["A1"]["village"], c["A1"]["petitioner_name"]) == ("青石镇", "上庄村", "张三")
    assert c["A1"]["summary"] == "反映拆迁补偿问题，要求解决"
    assert c["A2"]["summary"] == "工资拖欠（约３万元）"
    assert val(c["A2"]["registered_on"]) == date(2025, 1, 3)


def test_gb18030_only_character(tmp_path, con):
    # 䶮 (U+4DAE, as in 刘䶮) is outside GBK; GB18030 encodes it in four bytes.
    rows = [HEADER + ["信访人"], ["A1", "2025-01-02", "来信", "青石镇", "上庄村", "1", "刘䶮"]]
    with pytest.raises(UnicodeEncodeError):
        "刘䶮".encode("gbk")
    path = write_csv(tmp_path / "a.csv", rows, encoding="gb18030")
    one(con, path)
    assert cases(con)["A1"]["petitioner_name"] == "刘䶮"


def test_gbk_and_utf8_bom_import_identically(tmp_path, make_db):
    # Same rows, same file name (source_file is provenance and equal), two databases.
    gbk = write_csv(tmp_path / "gbk" / "export.csv", ROWS, encoding="gbk")
    bom = write_csv(tmp_path / "bom" / "export.csv", ROWS, encoding="utf-8-sig")
    assert gbk.read_bytes() != bom.read_bytes()
    con_gbk, con_bom = make_db("gbk.duckdb"), make_db("bom.duckdb")
    one(con_gbk, gbk)
    one(con_bom, bom)
    a = table_rows(con_gbk, "cases", exclude=("import_batch",), order_by="case_id")
    b = table_rows(con_bom, "cases", exclude=("import_batch",), order_by="case_id")
    assert len(a) == 2 and a == b


def test_undecodable_csv_is_refused(tmp_path, con):
    # 0xFF is invalid in UTF-8 and is not a GBK/GB18030 lead byte: no encoding of §4 fits.
    data = ",".join(HEADER).encode("utf-8") + b"\r\nA1,2025-01-02,\xff\xfe\xff\xff,x,y,1\r\n"
    path = tmp_path / "bad.csv"
    path.write_bytes(data)
    r = one(con, path)
    assert r["refused"] and CJK.search(r["refused"])
    assert case_ids(con) == []


def test_replacement_characters_are_refused(tmp_path, con):
    # A file that decodes to replacement characters (e.g. mangled by an earlier conversion).
    path = write_csv(tmp_path / "bad.csv", [HEADER, ["A1", "2025-01-02", "来信", "\ufffd\ufffd镇", "村", "1"]],
                     encoding="utf-8")
    r = one(con, path)
    assert r["refused"] and CJK.search(r["refused"])
    assert case_ids(con) == []


# --- §4 Several sheets --------------------------------------------------------------------

def test_xlsx_two_sheets_each_with_a_header(tmp_path, con):
    path = write_xlsx(tmp_path / "book.xlsx", {
        "一月": [
            ["青石镇信访事项登记台账（一月）"],             # row 1 title
            [],                                            # row 2 blank (above header: not read)
            HEADER,                                        # row 3 header
            [2025001, date(2025, 1, 5), "来访", "青石镇", "上庄村", 3],                  # row 4
            ["2025002", datetime(2025, 1, 6, 9, 30), "来信", "青石镇", "下庄村", None],   # row 5
        ],
        "二月": [
            ["登记日期", "信访件编号", "村(社区)", "乡镇", "人数"],  # row 1, another column order
            [45693, "2025003", "东风村", "柳河镇", 1],           # row 2: Excel serial, see below
            ["2025-02-07", "2025004", "东风村", "柳河镇", 0],    # row 3: persons 0 -> refused
        ],
        "说明": [["本表由系统导出"], ["仅供参考"]],            # no header row: not read
    })
    r = one(con, path)
    # read: 2 (一月) + 2 (二月) = 4 = 3 imported + 1 refused
    assert (r["rows_read"], r["imported"], r["rejected"], r["skipped"]) == (4, 3, 1, 0)
    c = cases(con)
    assert list(c) == ["2025001", "2025002", "2025003"]          # Excel number 2025001 -> "2025001"
    assert val(c["2025001"]["registered_on"]) == date(2025, 1, 5)
    assert c["2025001"]["persons"] == 3 and c["2025002"]["persons"] == 1
    assert val(c["2025002"]["registered_on"]) == date(2025, 1, 6)  # date-time: time dropped
    # serial 45292 = 2024-01-01; + 366 (2024) = 45658 = 2025-01-01; + 31 (Jan) + 4 = 45693 = 2025-02-05
    assert val(c["2025003"]["registered_on"]) == date(2025, 2, 5)
    assert (c["2025003"]["township"], c["2025003"]["village"]) == ("柳河镇", "东风村")
    assert (c["2025001"]["source_row"], c["2025003"]["source_row"]) == (4, 2)
    (rej,) = rejected(con)
    assert (rej["source_sheet"], rej["source_row"]) == ("二月", 3)


def test_sheet_whose_header_lacks_a_required_column_is_not_dropped_silently(tmp_path, con):
    path = write_xlsx(tmp_path / "book.xlsx", {
        "一月": [["信访件编号", "登记日期", "信访形式"], ["A1", "2025-01-02", "来信"]],
        # a header row (four known headers) without 登记日期, and two rows of cases under it
        "二月": [["信访件编号", "信访人", "乡镇", "信访形式"],
                 ["B1", "张三", "青石镇", "来信"],
                 ["B2", "李四", "青石镇", "来访"]],
    })
    r = one(con, path)
    # Acceptable per spec: the whole file refused (§2: no 登记日期 among that sheet's headers), or
    # 二月's 2 rows read and refused by rule 2 (3 read = 1 imported + 2 refused).
    # Not acceptable: 1 row read and 二月's two cases gone without a trace.
    assert r["refused"] or (r["rows_read"], r["imported"], r["rejected"]) == (3, 1, 2)


# --- §4 Totals and blank rows -------------------------------------------------------------

def test_total_and_blank_rows_are_skipped_and_counted(tmp_path, con):
    path = write_csv(tmp_path / "a.csv", [
        HEADER,                                                     # row 1
        ["A1", "2025-01-02", "来信", "青石镇", "上庄村", "1"],       # row 2
        [],                                                         # row 3 blank
        ["A2", "2025-01-03", "来信", "青石镇", "上庄村", "1"],       # row 4
        ["小计", "", "", "", "", "2"],                               # row 5 total
        ["", "", "", "", "", ""],                                   # row 6 blank (empty cells)
        ["A3", "2025-01-04", "来信", "柳河镇", "东风村", "1"],       # row 7
        ["合计", "", "", "", "", "3"],                               # row 8 total
        ["总计", "3件", "", "", "", ""],                             # row 9 total
    ])
    r = one(con, path)
    # 8 rows below the header = 3 imported + 0 refused + (3 totals + 2 blank) skipped
    assert (r["rows_read"], r["imported"], r["rejected"], r["skipped"]) == (8, 3, 0, 5)
    assert (r["skipped_totals"], r["skipped_blank"]) == (3, 2)
    assert case_ids(con) == ["A1", "A2", "A3"]
    assert cases(con)["A3"]["source_row"] == 7


def test_case_whose_first_cell_starts_with_a_total_word_is_a_case(tmp_path, con):
    path = write_csv(tmp_path / "a.csv", [
        ["信访事由", "信访件编号", "登记日期", "信访形式"],
        ["合计拖欠工资五万元，要求支付", "A1", "2025-01-02", "来访"],   # a case, not a total
        ["合计", "", "", ""],                                          # a total
    ])
    r = one(con, path)
    # 2 rows read = 1 imported (A1) + 1 skipped (合计)
    assert (r["rows_read"], r["imported"], r["skipped"]) == (2, 1, 1)
    assert case_ids(con) == ["A1"]


# --- §5 Refused rows ----------------------------------------------------------------------

REFUSAL_HEADER = ["信访件编号", "登记日期", "信访形式", "人数", "受理日期", "办结日期", "信访人"]
REFUSAL_ROWS = [  # as_of = 2025-06-30
    ["A1", "2025-01-10", "来访", "2", "2025-01-11", "2025-02-01", "张三"],   # row 2 ok
    ["", "2025-01-10", "来访", "1", "", "", "李四"],                          # row 3 rule 1
    ["A3", "", "来访", "1", "", "", "王五"],                                  # row 4 rule 2 blank
    ["A4", "2025-02-30", "来访", "1", "", "", "赵六"],                        # row 5 rule 2 no date
    ["A5", "2025-07-01", "来访", "1", "", "", "钱七"],                        # row 6 rule 3
    ["A6", "2025-06-30", "来访", "1", "", "", "孙八"],                        # row 7 ok (= as_of)
    ["A7", "2025-03-01", "来访", "0", "", "", "周九"],                        # row 8 rule 4
    ["A8", "2025-03-01", "来访", "两人", "", "", "吴十"],                     # row 9 rule 4
    ["A9", "2025-03-01", "来访", "1.5", "", "", "郑一"],                      # row 10 rule 4
    ["A10", "2025-03-01", "来访", "-3", "", "", "冯二"],                      # row 11 rule 4
    ["A11", "2025-03-10", "来访", "1", "", "2025-03-09", "陈三"],             # row 12 rule 5 closed
    ["A12", "2025-03-10", "来访", "1", "2025-03-01", "", "褚四"],             # row 13 rule 5 accepted
    ["A13", "2025-03-10", "来访", "1", "2025-03-10", "2025-03-10", "卫五"],   # row 14 ok (equal)
    ["A14", "2025-03-10", "来访", "", "", "", "蒋六"],                        # row 15 ok, persons -> 1
]


def test_five_refusal_rules(tmp_path, con):
    path = write_csv(tmp_path / "a.csv", [REFUSAL_HEADER] + REFUSAL_ROWS)
    r = one(con, path)
    # 14 rows = 4 imported (A1, A6, A13, A14) + 10 refused
    assert (r["rows_read"], r["imported"], r["updated"], r["rejected"], r["skipped"]) == (14, 4, 0, 10, 0)
    assert case_ids(con) == ["A1", "A13", "A14", "A6"]
    assert cases(con)["A14"]["persons"] == 1
    rows = {x["source_row"]: x for x in rejected(con)}
    assert sorted(rows) == [3, 4, 5, 6, 8, 9, 10, 11, 12, 13]
    for x in rows.values():
        assert x["source_file"] == "a.csv"
        assert x["import_batch"] == r["batch"]
        assert CJK.search(x["reason"])
    # the reason names the field that failed
    expected_field = {3: "信访件编号", 4: "登记日期", 5: "登记日期", 6: "登记日期",
                      8: "人数", 9: "人数", 10: "人数", 11: "人数", 12: "办结日期", 13: "受理日期"}
    for row, label in expected_field.items():
        assert label in rows[row]["reason"], (row, rows[row]["reason"])
    # raw values: every non-blank cell of the row, keyed by its header, as written
    for row in rows:
        raw = json.loads(rows[row]["raw_values"])
        written = dict(zip(REFUSAL_HEADER, REFUSAL_ROWS[row - 2]))
        assert raw == {k: v for k, v in written.items() if v != ""}, row
    assert json.loads(rows[9]["raw_values"])["人数"] == "两人"
    assert json.loads(rows[5]["raw_values"])["登记日期"] == "2025-02-30"


def test_a_bare_year_is_not_a_registration_date(tmp_path, con):
    """"2025" in 登记日期 is refused (rule 2) with the cell as written, not read as Excel serial
    day 2025 (1905-07-17); in 办结日期 it is a warning and the date is left blank."""
    path = write_csv(tmp_path / "a.csv", [REFUSAL_HEADER,
                                          ["Y1", "2025", "来访", "1", "", "", "张三"],
                                          ["Y2", "2025-03-10", "来访", "1", "", "2025", "李四"]])
    r = one(con, path)
    assert (r["imported"], r["rejected"]) == (1, 1)
    [row] = rejected(con)
    assert row["source_row"] == 2 and "登记日期无法识别为日期" in row["reason"]
    assert json.loads(row["raw_values"])["登记日期"] == "2025"
    assert val(cases(con)["Y2"]["closed_on"]) is None


def test_refusal_rule_3_depends_on_as_of(tmp_path, make_db):
    path = write_csv(tmp_path / "a.csv", [HEADER, ["A1", "2025-07-01", "来信", "青石镇", "上庄村", "1"]])
    early, late = make_db("early.duckdb"), make_db("late.duckdb")
    assert one(early, path, as_of=date(2025, 6, 30))["rejected"] == 1
    assert one(late, path, as_of=date(2025, 7, 1))["imported"] == 1


def test_other_problems_are_warnings_on_imported_rows(tmp_path, con):
    path = write_csv(tmp_path / "a.csv", [
        ["信访件编号", "登记日期", "办结日期", "办理期限", "重点人员", "信访形式"],
        ["A1", "2025-01-10", "不详", "待定", "也许", "来信"],
    ])
    r = one(con, path)
    # unreadable 办结日期, 办理期限 and 重点人员: 3 warnings, the row is imported
    assert (r["imported"], r["rejected"], r["warnings"]) == (1, 0, 3)
    a1 = cases(con)["A1"]
    assert val(a1["closed_on"]) is None and val(a1["due_on"]) is None and val(a1["key_person"]) is None
    fields = sorted(x[0] for x in con.execute("SELECT field FROM import_warnings").fetchall())
    assert fields == ["closed_on", "due_on", "key_person"]


# --- §4 Values through the importer -------------------------------------------------------

def test_date_forms_and_booleans_through_a_file(tmp_path, con):
    path = write_csv(tmp_path / "a.csv", [
        ["信访件编号", "登记日期", "信访形式", "重点人员", "是否重复信访"],
        ["A1", "2024-03-05", "来信", "是", "初件"],
        ["A2", "2024/3/5", "来信", "√", "重件"],
        ["A3", "2024.3.5", "来信", "", ""],
        ["A4", "2024年3月5日", "来信", "否", "否"],
        ["A5", "20240305", "来信", "Y", "1"],
        ["A6", "2024-03-05 16:45:00", "来信", "N", "0"],
        ["A7", "２０２４－０３－０５", "来信", "true", "false"],
    ])
    r = one(con, path)
    assert (r["imported"], r["warnings"]) == (7, 0)
    c = cases(con)
    assert {val(x["registered_on"]) for x in c.values()} == {date(2024, 3, 5)}
    assert [val(c[k]["key_person"]) for k in sorted(c)] == [True, True, None, False, True, False, True]
    assert [val(c[k]["repeat_flag"]) for k in sorted(c)] == [False, True, None, False, True, False, False]


def test_text_trimmed_and_traditional_converted_where_the_spec_says(tmp_path, con):
    path = write_csv(tmp_path / "a.csv", [
        ["信访件编号", "登记日期", "信访形式", "乡镇", "村(社区)", "问题分类", "化解情况", "满意度",
         "登记层级", "信访人", "信访事由"],
        [" A1 ", "2025-01-02", "來訪", "東安縣", "上莊村", "勞動保障_工資", "穩控", "滿意", "區縣",
         "  張三 ", "反映問題"],
        ["A2", "2025-01-03", "来访", "东安县", "上庄村", "劳动保障_工资", "稳控", "满意", "区县",
         "张三", "反映问题"],
    ])
    one(con, path)
    c = cases(con)
    assert list(c) == ["A1", "A2"]                      # " A1 " trimmed
    for key in ("township", "village", "category", "channel", "resolution", "satisfaction", "level"):
        assert c["A1"][key] == c["A2"][key], key
    assert (c["A1"]["township"], c["A1"]["village"], c["A1"]["category"]) == ("东安县", "上庄村", "劳动保障类")
    assert (c["A1"]["channel"], c["A1"]["level"], c["A1"]["resolution"], c["A1"]["satisfaction"]) == \
        ("来访", "县", "稳控", "满意")
    # only places, categories and enumerated fields are converted; names and free text are trimmed
    assert c["A1"]["petitioner_name"] == "張三"
    assert c["A1"]["summary"] == "反映問題"
    assert con.execute("SELECT count(DISTINCT township) FROM cases").fetchone()[0] == 1


def test_channel_and_level_variants_stored_canonical(tmp_path, con):
    variants = [  # (信访形式, 登记层级) -> (channel, level)
        ("手机信访", "国家", "网上信访", "京"),
        ("微信信访", "中央", "网上信访", "京"),
        ("网上建议", "北京", "网上信访", "京"),
        ("领导信箱", "省（自治区）", "网上信访", "省"),
        ("电话信访", "省级", "电话", "省"),
        ("来信", "市级", "来信", "市"),
        ("来访", "区县", "来访", "县"),
        ("电话", "县级", "电话", "县"),
        ("其他", "区", "其他", "县"),
        ("来访", "乡镇", "来访", "镇"),
        ("来访", "街道", "来访", "镇"),
        ("来访", "村居", "来访", "村"),
        ("来访", "社区", "来访", "村"),
    ]
    rows = [["信访件编号", "登记日期", "信访形式", "登记层级"]]
    rows += [[f"A{i:02d}", "2025-01-02", ch, lv] for i, (ch, lv, _, _) in enumerate(variants)]
    r = one(con, write_csv(tmp_path / "a.csv", rows))
    assert (r["imported"], r["warnings"]) == (13, 0)
    got = con.execute("SELECT channel, level FROM cases ORDER BY case_id").fetchall()
    assert got == [(ch, lv) for _, _, ch, lv in variants]


def test_unknown_enum_values_kept_raw_with_warnings(tmp_path, con):
    path = write_csv(tmp_path / "a.csv", [
        ["信访件编号", "登记日期", "信访形式", "登记层级", "信访目的", "办理方式", "化解情况", "满意度"],
        ["A1", "2025-01-02", "走访", "乡", "咨询", "督办", "部分化解", "一般"],
        ["A2", "2025-01-02", "来访", "镇", "求决", "转送", "已化解", "满意"],
    ])
    r = one(con, path)
    # six unknown values in A1, none in A2: 6 warnings, both rows imported
    assert (r["imported"], r["rejected"], r["warnings"]) == (2, 0, 6)
    a1 = cases(con)["A1"]
    assert [a1[k] for k in ("channel", "level", "purpose", "handling", "resolution", "satisfaction")] == \
        ["走访", "乡", "咨询", "督办", "部分化解", "一般"]
    got = con.execute("SELECT field, value, case_id FROM import_warnings ORDER BY field").fetchall()
    assert got == [("channel", "走访", "A1"), ("handling", "督办", "A1"), ("level", "乡", "A1"),
                   ("purpose", "咨询", "A1"), ("resolution", "部分化解", "A1"), ("satisfaction", "一般", "A1")]


def test_categories_map_and_unmatched_are_counted(tmp_path, con):
    path = write_csv(tmp_path / "a.csv", [
        ["信访件编号", "登记日期", "信访形式", "内容分类"],
        ["A1", "2025-01-02", "来信", "城乡建设_住房保障_物业管理"],   # name + 类
        ["A2", "2025-01-02", "来信", "自然资源_土地征收"],            # alias
        ["A3", "2025-01-02", "来信", "教育_学校管理"],                # unmatched -> 其他
        ["A4", "2025-01-02", "来信", "涉法涉诉类"],                   # exact
        ["A5", "2025-01-02", "来信", "卫生健康"],                     # unmatched -> 其他
    ])
    r = one(con, path)
    assert r["imported"] == 5
    assert r["categories_unmatched"] == 2
    got = con.execute("SELECT category, category_raw FROM cases ORDER BY case_id").fetchall()
    assert got == [("城乡建设类", "城乡建设_住房保障_物业管理"), ("城乡建设类", "自然资源_土地征收"),
                   ("其他", "教育_学校管理"), ("涉法涉诉类", "涉法涉诉类"), ("其他", "卫生健康")]


def test_place_path_used_when_no_township_village_columns(tmp_path, con):
    path = write_csv(tmp_path / "a.csv", [
        ["信访件编号", "登记日期", "信访形式", "问题属地"],
        ["A1", "2025-01-02", "来信", "湖南省某市某县青石镇上庄村"],
        ["A2", "2025-01-02", "来信", "湖南省长沙市芙蓉区定王台街道韭菜园社区"],
        ["A3", "2025-01-02", "来信", "湖南省某市東安縣柳河鄉東風村"],
    ])
    r = one(con, path)
    assert r["imported"] == 3 and r["columns_unused"] == []
    got = con.execute("SELECT township, village FROM cases ORDER BY case_id").fetchall()
    assert got == [("青石镇", "上庄村"), ("定王台街道", "韭菜园社区"), ("柳河乡", "东风村")]


def test_place_path_ignored_when_township_and_village_columns_exist(tmp_path, con):
    path = write_csv(tmp_path / "a.csv", [
        ["信访件编号", "登记日期", "乡镇", "村(社区)", "问题发生地"],
        ["A1", "2025-01-02", "青石镇", "上庄村", "湖南省某市某县柳河镇东风村"],
    ])
    r = one(con, path)
    assert con.execute("SELECT township, village FROM cases").fetchall() == [("青石镇", "上庄村")]
    assert r["columns_unused"] == ["问题发生地"]


# --- §6 Imports are safe to repeat --------------------------------------------------------

def _ledger(tmp_path, name="ledger.csv"):
    return write_csv(tmp_path / name, [
        ["信访件编号", "登记日期", "信访形式", "乡镇", "村(社区)", "人数", "办结日期", "化解情况",
         "重点人员", "问题分类"],
        ["A1", "2025-01-02", "来访", "青石镇", "上庄村", "6", "2025-01-20", "已化解", "是", "城建"],
        ["A2", "2025-02-03", "来信", "青石镇", "下庄村", "", "", "", "", "涉农_宅基地"],
        ["A3", "2025-03-04", "网上信访", "柳河镇", "东风村", "1", "", "稳控", "否", "其他"],
        ["A4", "2025-09-01", "来访", "柳河镇", "东风村", "1", "", "", "", ""],  # refused: after as_of
    ])


def test_reimporting_the_same_file_changes_nothing_but_provenance(tmp_path, con):
    path = _ledger(tmp_path)
    first = one(con, path)
    assert (first["imported"], first["updated"], first["rejected"]) == (3, 0, 1)
    before = data_rows(con)
    second = one(con, path)
    # 4 rows = 0 new + 3 updated + 1 refused again
    assert (second["rows_read"], second["imported"], second["updated"], second["rejected"]) == (4, 0, 3, 1)
    assert data_rows(con) == before
    assert con.execute("SELECT count(*) FROM cases").fetchone()[0] == 3
    batches = con.execute("SELECT DISTINCT import_batch FROM cases").fetchall()
    assert batches == [(second["batch"],)]
    assert con.execute("SELECT count(*), count(DISTINCT import_batch), count(DISTINCT sha256) FROM imports"
                       ).fetchone() == (2, 2, 1)


def test_overlapping_newer_export_updates_overlap_and_inserts_rest(tmp_path, con):
    one(con, _ledger(tmp_path))
    a1_before = data_rows(con)[0]
    newer = write_csv(tmp_path / "newer.csv", [
        ["信访件编号", "登记日期", "信访形式", "乡镇", "村(社区)", "人数", "办结日期", "化解情况",
         "重点人员", "问题分类"],
        ["A2", "2025-02-03", "来信", "青石镇", "下庄村", "2", "2025-04-01", "已化解", "否", "涉农_宅基地"],
        ["A3", "2025-03-04", "网上信访", "柳河镇", "西山村", "1", "", "未化解", "否", "其他"],
        ["A5", "2025-04-05", "来访", "柳河镇", "东风村", "5", "", "", "", "人社"],
        ["A6", "2025-04-06", "电话", "青石镇", "上庄村", "1", "", "", "", ""],
    ])
    r = one(con, newer)
    # overlap A2, A3 -> 2 updated; A5, A6 new -> 2 imported; 3 + 2 = 5 cases
    assert (r["rows_read"], r["imported"], r["updated"], r["rejected"]) == (4, 2, 2, 0)
    assert case_ids(con) == ["A1", "A2", "A3", "A5", "A6"]
    c = cases(con)
    assert (c["A2"]["persons"], val(c["A2"]["closed_on"]), c["A2"]["resolution"], val(c["A2"]["key_person"])) \
        == (2, date(2025, 4, 1), "已化解", False)
    assert (c["A3"]["village"], c["A3"]["resolution"]) == ("西山村", "未化解")
    assert (c["A2"]["source_file"], c["A2"]["source_row"]) == ("newer.csv", 2)
    assert c["A5"]["category"] == "劳动保障类"
    assert data_rows(con)[0] == a1_before                 # A1 untouched
    assert c["A1"]["source_file"] == "ledger.csv"


def test_in_file_duplicates_later_row_wins(tmp_path, con):
    path = write_csv(tmp_path / "a.csv", [
        HEADER,
        ["A1", "2025-01-02", "来信", "青石镇", "上庄村", "1"],   # row 2
        ["A2", "2025-01-03", "来信", "青石镇", "上庄村", "1"],   # row 3
        ["A1", "2025-01-04", "来访", "柳河镇", "东风村", "2"],   # row 4: same case, later row wins
    ])
    r = one(con, path)
    # 3 rows = 2 new cases + 1 duplicate counted as updated
    assert (r["rows_read"], r["imported"], r["updated"], r["rejected"]) == (3, 2, 1, 0)
    assert r["duplicates"] == ["A1"]
    a1 = cases(con)["A1"]
    assert (val(a1["registered_on"]), a1["channel"], a1["township"], a1["persons"], a1["source_row"]) == \
        (date(2025, 1, 4), "来访", "柳河镇", 2, 4)
    assert con.execute("SELECT count(*) FROM cases").fetchone()[0] == 2


def test_in_file_duplicate_of_a_stored_case(tmp_path, con):
    one(con, write_csv(tmp_path / "a.csv", [HEADER, ["A1", "2025-01-02", "来信", "青石镇", "上庄村", "1"]]))
    r = one(con, write_csv(tmp_path / "b.csv", [
        HEADER,
        ["A1", "2025-01-02", "来信", "青石镇", "上庄村", "3"],
        ["A1", "2025-01-02", "来信", "青石镇", "上庄村", "4"],
    ]))
    # both rows concern the stored A1: 2 = 0 new + 2 updated
    assert (r["rows_read"], r["imported"], r["updated"]) == (2, 0, 2)
    assert r["duplicates"] == ["A1"]
    assert cases(con)["A1"]["persons"] == 4


def test_imports_table_records_each_run(tmp_path, con):
    path = _ledger(tmp_path)
    r = one(con, path)
    refused = one(con, write_csv(tmp_path / "x.csv", [["甲", "乙"], ["1", "2"]]))
    rows = con.execute("SELECT * FROM imports ORDER BY imported_at").df().to_dict("records")
    assert len(rows) == 2
    first = rows[0]
    assert first["import_batch"] == r["batch"]
    assert first["file_name"] == "ledger.csv"
    assert first["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest() == r["sha256"]
    assert first["imported_at"] is not None and not str(first["imported_at"]) == "NaT"
    assert val(first["as_of"]) == AS_OF
    assert (first["rows_read"], first["imported"], first["updated"], first["rejected"], first["skipped"]) == \
        (4, 3, 0, 1, 0)
    assert rows[1]["refused"] == refused["refused"] and refused["refused"]
    # every case carries the batch of the run that wrote it
    assert {x[0] for x in con.execute("SELECT import_batch FROM cases").fetchall()} == {r["batch"]}


# --- §6 One import is one transaction ------------------------------------------------------

def _snapshot(con) -> dict:
    return {
        "cases": table_rows(con, "cases", order_by="case_id"),
        "rejected_rows": table_rows(con, "rejected_rows"),
        "imports": table_rows(con, "imports"),
        "import_warnings": table_rows(con, "import_warnings"),
        "case_facts": con.execute("SELECT * FROM case_facts ORDER BY case_id").fetchall(),
    }


def _second_file(tmp_path):
    # overlaps A2 (updated), adds A7 (new), one refused row, one warning
    return write_csv(tmp_path / "second.csv", [
        ["信访件编号", "登记日期", "信访形式", "乡镇", "村(社区)", "人数", "办结日期", "化解情况"],
        ["A2", "2025-02-03", "来信", "青石镇", "下庄村", "2", "2025-05-01", "已化解"],
        ["A7", "2025-05-01", "走访", "柳河镇", "东风村", "1", "", ""],
        ["", "2025-05-02", "来信", "柳河镇", "东风村", "1", "", ""],
    ])


@pytest.mark.parametrize("where", ["_record", "upsert_cases"])
def test_failed_import_leaves_database_as_it_was(tmp_path, con, monkeypatch, where):
    one(con, _ledger(tmp_path))
    before = _snapshot(con)
    assert len(before["cases"]) == 3 and len(before["rejected_rows"]) == 1 and len(before["case_facts"]) == 3

    original = getattr(importer_module, where)

    def fail_after(*args, **kwargs):
        original(*args, **kwargs)   # the upsert and its facts (and for _record, the bookkeeping) are done
        raise RuntimeError("disk full")

    monkeypatch.setattr(importer_module, where, fail_after)
    if where == "_record":   # the history itself cannot be written: the error surfaces
        with pytest.raises(RuntimeError):
            import_file(con, _second_file(tmp_path), as_of=AS_OF)
        assert _snapshot(con) == before
    else:                    # the file is refused whole (#17.2): only its history line is added
        report = import_file(con, _second_file(tmp_path), as_of=AS_OF)
        assert "意外错误（RuntimeError）" in report.refused
        after = _snapshot(con)
        assert {k: v for k, v in after.items() if k != "imports"} == {k: v for k, v in before.items() if k != "imports"}
        assert len(after["imports"]) == len(before["imports"]) + 1

    monkeypatch.undo()             # the connection is usable and the same file imports normally
    r = one(con, _second_file(tmp_path))
    assert (r["imported"], r["updated"], r["rejected"]) == (1, 1, 1)


def test_failed_import_through_the_db_module_rolls_back(tmp_path, con, monkeypatch):
    # The case_facts refresh raising inside the import (patched where the SQL is run).
    import queries.db as db_module
    one(con, _ledger(tmp_path))
    before = _snapshot(con)
    real_sql = db_module.sql

    def broken_sql(name):
        if name == "case_facts":
            return "SELECT no_such_column FROM {cases} WHERE {persons_filter}"
        return real_sql(name)

    monkeypatch.setattr(db_module, "sql", broken_sql)
    report = import_file(con, _second_file(tmp_path), as_of=AS_OF)   # refused whole (#17.2)
    monkeypatch.undo()
    assert "意外错误（BinderException）" in report.refused
    after = _snapshot(con)
    assert len(after["imports"]) == len(before["imports"]) + 1
    assert {k: v for k, v in after.items() if k != "imports"} == {k: v for k, v in before.items() if k != "imports"}


# --- CLI.md `import --json` ---------------------------------------------------------------

FILE_KEYS = {"file": str, "sha256": str, "rows_read": int, "imported": int, "updated": int, "rejected": int,
             "skipped": int, "warnings": int, "columns_unused": list}


def _check_shape(doc):
    assert set(doc) >= {"files", "cases_total"}
    assert isinstance(doc["cases_total"], int)
    for f in doc["files"]:
        for key, kind in FILE_KEYS.items():
            assert isinstance(f[key], kind) and not isinstance(f[key], bool), (key, f[key])
        assert all(isinstance(h, str) for h in f["columns_unused"])
        assert "refused" in f and (f["refused"] is None or isinstance(f["refused"], str))
        assert re.fullmatch(r"[0-9a-f]{64}", f["sha256"])
        assert f["rows_read"] == f["imported"] + f["updated"] + f["rejected"] + f["skipped"]


def test_cli_import_json(tmp_path):
    ledger = _ledger(tmp_path)
    db = tmp_path / "cli.duckdb"
    out = cli("import", str(ledger), "--db", str(db), "--as-of", "2025-06-30", "--json")
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)             # one JSON document on stdout
    _check_shape(doc)
    (f,) = doc["files"]
    assert f["file"] == "ledger.csv"
    assert f["sha256"] == hashlib.sha256(ledger.read_bytes()).hexdigest()
    assert (f["rows_read"], f["imported"], f["updated"], f["rejected"], f["skipped"], f["refused"]) == \
        (4, 3, 0, 1, 0, None)
    assert doc["cases_total"] == 3

    # a second run: one good file (overlap + new) and one refused file -> exit 1, both reported
    bad = write_csv(tmp_path / "bad.csv", [["登记日期", "信访人", "乡镇"], ["2025-01-01", "张三", "青石镇"]])
    out = cli("import", str(_second_file(tmp_path)), str(bad), "--db", str(db), "--as-of", "2025-06-30", "--json")
    assert out.returncode == 1, out.stderr
    doc = json.loads(out.stdout)
    _check_shape(doc)
    good, refused = doc["files"]
    assert (good["imported"], good["updated"], good["rejected"], good["refused"]) == (1, 1, 1, None)
    assert refused["refused"] and "信访件编号" in refused["refused"]
    assert (refused["rows_read"], refused["imported"]) == (0, 0)
    assert doc["cases_total"] == 4            # A1, A2, A3 + A7


def test_cli_as_of_defaults_to_today(tmp_path):
    # A case registered tomorrow is refused without --as-of (the import day is today).
    from datetime import timedelta
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    path = write_csv(tmp_path / "a.csv", [HEADER, ["A1", tomorrow, "来信", "青石镇", "上庄村", "1"],
                                          ["A2", date.today().isoformat(), "来信", "青石镇", "上庄村", "1"]])
    out = cli("import", str(path), "--db", str(tmp_path / "t.duckdb"), "--json")
    assert out.returncode == 0, out.stderr
    (f,) = json.loads(out.stdout)["files"]
    assert (f["imported"], f["rejected"]) == (1, 1)


def test_cli_wrong_usage_exit_code_2(tmp_path):
    out = cli("import", "--db", str(tmp_path / "t.duckdb"), "--json")   # no FILE
    assert out.returncode == 2
    out = cli("import", "x.csv", "--db", str(tmp_path / "t.duckdb"), "--as-of", "2025-13-45")
    assert out.returncode == 2


# --- the shared helpers of conftest.py (reused by metric and page tests) -------------------

def test_cases_db_helper_imports_case_dicts(cases_db):
    con = cases_db([
        {"case_id": "A1", "registered_on": date(2025, 1, 2), "channel": "来访", "persons": 5,
         "township": "青石镇", "village": "上庄村", "category": "劳动保障类", "level": "省",
         "accepted_on": date(2025, 1, 3), "due_on": date(2025, 3, 4), "closed_on": date(2025, 2, 1),
         "resolution": "已化解", "satisfaction": "满意", "key_person": True, "petitioner_idno": "430000199001011234",
         "repeat_flag": False},
        {"信访件编号": "A2", "登记日期": "2025-02-03", "乡镇": "柳河镇"},   # Chinese keys, blanks elsewhere
    ])
    c = cases(con)
    a1, a2 = c["A1"], c["A2"]
    assert (a1["persons"], a1["channel"], a1["level"], a1["category"], val(a1["key_person"])) == \
        (5, "来访", "省", "劳动保障类", True)
    assert (val(a1["accepted_on"]), val(a1["due_on"]), val(a1["closed_on"])) == \
        (date(2025, 1, 3), date(2025, 3, 4), date(2025, 2, 1))
    assert val(a1["repeat_flag"]) is False and a1["petitioner_idno"] == "430000199001011234"
    assert (a2["persons"], a2["township"], val(a2["channel"]), a2["category"]) == (1, "柳河镇", None, "其他")
    assert con.execute("SELECT count(*) FROM case_facts").fetchone()[0] == 2


def test_cases_db_helper_refuses_to_lose_rows(cases_db):
    # strict by default: a case that the importer would refuse fails the helper loudly
    with pytest.raises(AssertionError):
        cases_db([{"case_id": "A1", "registered_on": date(2027, 1, 1)}])   # after the fixed as_of
