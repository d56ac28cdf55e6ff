"""数据导入 lists every warning and refused row (file, sheet, row, column, value, reason), masked,
downloadable as a CSV Excel will not execute (issue #13.7, #17.9 for this list)."""
from __future__ import annotations

import csv
import io
from datetime import date

from conftest import write_csv
from queries import db
from queries.ingest.import_issues import import_issues, issues_csv
from queries.ingest.importer import import_file
from test_pages import TIMEOUT, assert_clean, open_app

AS_OF = date(2026, 11, 1)
ROWS = [["信访件编号", "登记日期", "信访形式", "信访人", "证件号码", "联系电话", "满意度"],
        ["Q-1", "2026-03-02", "来访", "王小明", "43112219800101123X", "13800001111", "=HYPERLINK(\"http://x\")"],
        ["Q-2", "不是日期", "来信", "李四", "431122198001011230", "13900002222", ""],
        ["Q-3", "2026-03-04", "来信", "+cmd|' /C calc'!A0", "431122198001011230", "", ""]]


def test_issues_list_every_warning_and_refusal_masked(tmp_path):
    con = db.connect(tmp_path / "t.duckdb")
    report = import_file(con, write_csv(tmp_path / "台账.csv", ROWS), as_of=AS_OF)
    issues = import_issues(con, report.batch)
    assert list(issues.columns) == ["类别", "文件", "工作表", "行号", "列", "原因", "值"]
    assert list(issues["工作表"]) == ["", "", ""]                      # a CSV has no sheet
    records = issues.astype(object).where(issues.notna(), None).to_dict("records")
    assert [(r["类别"], r["行号"], r["列"]) for r in records] == [
        ("警告", 2, "满意度"), ("拒收", 3, "（整行）"), ("警告", 4, "证件号码")]
    assert records[0]["值"] == '=HYPERLINK("http://x")' and "不在标准取值中" in records[0]["原因"]
    assert records[1]["值"].startswith("信访件编号=Q-2；登记日期=不是日期；信访形式=来信；信访人=李*；证件号码=4311**********1230")
    assert records[1]["原因"].startswith("登记日期无法识别为日期")
    assert records[2]["值"] == "4311**********1230"           # an ID number in a warning is masked too
    assert all(r["文件"] == "台账.csv" for r in records)


def test_the_csv_escapes_formulas(tmp_path):
    con = db.connect(tmp_path / "t.duckdb")
    report = import_file(con, write_csv(tmp_path / "台账.csv", ROWS), as_of=AS_OF)
    data = issues_csv(import_issues(con, report.batch))
    assert data.startswith(b"\xef\xbb\xbf")
    cells = [c for row in csv.reader(io.StringIO(data.decode("utf-8-sig"))) for c in row]
    assert "'=HYPERLINK(\"http://x\")" in cells
    assert not any(c.startswith(("=", "+", "-", "@", "\t", "\r")) for c in cells)


def test_the_page_shows_the_issue_list_in_chinese(monkeypatch, tmp_path):
    path = tmp_path / "new.duckdb"
    db.connect(path).close()
    at = open_app(monkeypatch, path, page="data_import")
    assert at.get("file_uploader")[0].proto.label.startswith("选择台账文件")
    assert "max_file_mb" in at.get("file_uploader")[0].proto.help
    body = "\n".join(f"{r[0]},{r[1]},{r[2]},{r[3]},{r[4]},{r[5]},{r[6]}" for r in ROWS[:3])
    at.file_uploader[0].upload("台账.csv", body.replace('"', "").encode("utf-8"), "text/csv")
    at.run(timeout=TIMEOUT)
    next(b for b in at.button if b.label == "开始导入").click().run(timeout=TIMEOUT)
    assert_clean(at)
    assert any("问题清单" in m.value for m in at.markdown)
    shown = [f.value for f in at.dataframe if "原因" in f.value.columns]
    assert len(shown) == 1 and list(shown[0]["行号"]) == [2, 3]
    assert "李四" not in shown[0].to_string() and "李*" in shown[0].to_string()
    assert any(b.proto.label == "下载问题清单（CSV）" for b in at.get("download_button"))


def test_the_page_names_the_columns_kept_for_research(monkeypatch, tmp_path):
    path = tmp_path / "new.duckdb"
    db.connect(path).close()
    at = open_app(monkeypatch, path, page="data_import")
    body = "信访件编号,登记日期,处理意见,经办人\nK-1,2026-03-02,已书面答复,张三\n"
    at.file_uploader[0].upload("台账.csv", body.encode("utf-8"), "text/csv")
    at.run(timeout=TIMEOUT)
    next(b for b in at.button if b.label == "开始导入").click().run(timeout=TIMEOUT)
    assert_clean(at)
    texts = [m.value for m in at.markdown]
    assert "**未使用的列**：处理意见、经办人" in texts
    assert "**其中另存供研判**（相似来访显示其处理意见）：处理意见" in texts
