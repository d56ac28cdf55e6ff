"""处理意见 (how the office answered) kept beside the cases for 相似来访 (issue 15, spec-notes 研判 1).

Not a field of SCHEMA.md: the column stays in the report's columns not used, and is also named
in `columns_kept`; the answers are stored in `case_answers`, a blank never erasing one."""
from __future__ import annotations

import json
import subprocess
import sys

from conftest import AS_OF, write_csv
from queries.db import connect
from queries.demo.database import remove_demo
from queries.ingest.importer import import_files
from queries.research.similar import similar

HEADER = ["信访件编号", "登记日期", "乡镇", "村(社区)", "信访事由", "办理方式", "责任单位", "办结日期",
          "化解情况"]


def export(path, rows, answer_header="处理意见", extra_header=None):
    header = HEADER + [answer_header] + ([extra_header] if extra_header else [])
    return write_csv(path, [header] + rows)


def answers(con) -> dict[str, str]:
    rows = con.execute("SELECT case_id, answer FROM case_answers").fetchall()
    assert len({case_id for case_id, _ in rows}) == len(rows), "one answer a case (merged by case_id, no key)"
    return dict(rows)


def test_answers_are_stored_and_the_column_still_reported_unused(tmp_path):
    con = connect(tmp_path / "a.duckdb")
    path = export(tmp_path / "a.csv", [
        ["A1", "2026-03-01", "柳河镇", "新桥村", "拖欠工程款未支付", "交办", "县住建局", "2026-03-20", "已化解",
         "  已协调施工方于3月18日付清  "],
        ["A2", "2026-03-02", "柳河镇", "新桥村", "拖欠工程款未支付", "交办", "县住建局", "", "", ""],
    ], extra_header="办理结果")
    (report,) = import_files(con, [path], as_of=AS_OF)["files"]
    assert report["columns_unused"] == ["处理意见", "办理结果"]   # SCHEMA.md §2: not a field
    assert report["columns_kept"] == ["处理意见"]                  # the first listed header wins
    assert answers(con) == {"A1": "已协调施工方于3月18日付清"}     # trimmed; a blank stores nothing


def test_a_blank_never_erases_and_a_newer_answer_replaces(tmp_path):
    con = connect(tmp_path / "b.duckdb")
    row = ["B1", "2026-03-01", "柳河镇", "新桥村", "征地补偿款未到位", "交办", "县自然资源局", "2026-03-25", "稳控"]
    import_files(con, [export(tmp_path / "1.csv", [row + ["已书面答复，落实稳控"]])], as_of=AS_OF)
    import_files(con, [export(tmp_path / "2.csv", [row + [""]])], as_of=AS_OF)
    write_csv(tmp_path / "3.csv", [HEADER, row])   # an export without the column at all
    import_files(con, [tmp_path / "3.csv"], as_of=AS_OF)
    assert answers(con) == {"B1": "已书面答复，落实稳控"}
    import_files(con, [export(tmp_path / "4.csv", [row + ["補償款已兌付"]], answer_header="答复意见")], as_of=AS_OF)
    assert answers(con) == {"B1": "補償款已兌付"}   # kept as written: the office's own words


def test_a_traditional_header_is_the_same_header(tmp_path):
    con = connect(tmp_path / "c.duckdb")
    path = export(tmp_path / "c.csv", [["C1", "2026-03-01", "青石镇", "上庄村", "低保", "直接受理", "青石镇人民政府",
                                        "2026-03-09", "已化解", "已纳入低保"]], answer_header="處理意見")
    (report,) = import_files(con, [path], as_of=AS_OF)["files"]
    assert report["columns_kept"] == ["處理意見"] and answers(con) == {"C1": "已纳入低保"}


def test_similar_shows_the_stored_answer_else_the_composed_line(tmp_path):
    con = connect(tmp_path / "d.duckdb")
    path = export(tmp_path / "d.csv", [
        ["D1", "2026-02-01", "柳河镇", "新桥村", "反映拖欠工程款", "直接受理", "柳河镇人民政府", "2026-02-10", "已化解",
         "已督促施工方付清工程款"],
        ["D2", "2026-02-05", "柳河镇", "新桥村", "反映拖欠工程款", "直接受理", "柳河镇人民政府", "2026-02-20", "已化解",
         ""],
        ["D3", "2026-03-01", "柳河镇", "新桥村", "反映拖欠工程款", "", "", "", "", "正在核查"],
    ])
    import_files(con, [path], as_of=AS_OF)
    result = similar(con, "D3")
    assert result["case"]["note"] == "正在核查"
    notes = {r["case_id"]: r["note"] for r in result["similar"]}
    assert notes == {"D1": "已督促施工方付清工程款", "D2": "直接受理；柳河镇人民政府办理；2026-02-20办结"}
    con.close()   # the CLI refuses a file another program holds open for writing
    out = subprocess.run([sys.executable, "-m", "queries", "similar", "D3", "--db", str(tmp_path / "d.duckdb"),
                          "--json"], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert {r["case_id"]: r["note"] for r in json.loads(out.stdout)} == notes


def test_the_demo_carries_answers_and_removing_it_removes_them(demo_db, tmp_path):
    path = tmp_path / "demo.duckdb"
    path.write_bytes(demo_db.read_bytes())
    con = connect(path)
    stored, closed_system = con.execute(
        "SELECT (SELECT count(*) FROM case_answers), (SELECT count(*) FROM cases WHERE closed_on IS NOT NULL "
        "AND source_file LIKE '信访信息系统导出%' AND (resolution IS NOT NULL OR handling = '不予受理'))").fetchone()
    assert stored == closed_system > 1000   # every closed case of the system export, none of the others
    remove_demo(con)
    assert con.execute("SELECT count(*) FROM case_answers").fetchone()[0] == 0
