"""坐班接访安排 (ACCOUNTABILITY.md §3): the rota over China's official calendar and windows, an
imported roster, 坐班到岗率 and the published A4 table.

2026 Spring Festival (国务院办公厅 arrangement): 2-15..2-23 off, Saturdays 2-14 and 2-28 are
make-up working days. With leaders 张三, 李四, 王五 from Monday 2-2, the duty days 2-2..2-6 and
2-9 take turns 0..5, so 2-10 is 张三's turn again.
"""
from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from docx import Document
from python_calamine import CalamineWorkbook

from conftest import build_db, write_csv
from queries.metrics.duty import DutyError, duty, roster, rota_days
from queries.outputs.duty_roster import write_roster
from queries.config import load_config
from queries.ingest.importer import import_files

ROTA = """
[duty]
leaders = ["张三", "李四", "王五"]
start = 2026-02-02
windows = [{ name = "特别防护期", start = 2026-02-20, end = 2026-02-22 }]
"""


@pytest.fixture()
def rota_config(tmp_path, monkeypatch):
    path = tmp_path / "xinfang.toml"
    path.write_text(ROTA, encoding="utf-8")
    monkeypatch.setenv("XINFANG_CONFIG", str(path))
    return path


@pytest.fixture()
def db(tmp_path):
    con = build_db(tmp_path, [{"case_id": "X1", "registered_on": date(2026, 1, 5)}])
    yield con
    con.close()


def _receptions(con, tmp_path, rows):
    path = write_csv(tmp_path / "接访.csv", [["日期", "接访领导", "方式"], *rows])
    (report,) = import_files(con, [path], as_of=date(2026, 12, 31))["files"]
    assert report["kind"] == "receptions" and report["rejected"] == 0


def test_rota_across_spring_festival_and_a_window(rota_config):
    days = rota_days(load_config(), date(2026, 2, 10), date(2026, 3, 2))
    assert [(d["date"].day if d["date"].month == 2 else 100 + d["date"].day, d["leader"]) for d in days] == [
        (10, "张三"), (11, "李四"), (12, "王五"), (13, "张三"),
        (14, "李四"),                              # 调休 Saturday
        (20, "王五"), (21, "张三"), (22, "李四"),   # holiday, but 特别防护期: every day
        (24, "王五"), (25, "张三"), (26, "李四"), (27, "王五"),
        (28, "张三"),                              # 调休 Saturday
        (102, "李四"),                             # 2-23 (day off) and Sunday 3-1 are no duty days
    ]
    assert [d["window"] for d in days[5:8]] == ["特别防护期"] * 3


def test_windows_default_to_the_configured_events(tmp_path, monkeypatch):
    path = tmp_path / "x.toml"
    path.write_text('[duty]\nleaders = ["甲", "乙"]\nstart = 2026-09-28\n', encoding="utf-8")
    monkeypatch.setenv("XINFANG_CONFIG", str(path))
    days = {d["date"]: d for d in rota_days(load_config(), date(2026, 9, 28), date(2026, 10, 11))}
    # 国庆假期 event 10-01..10-08: every day; 10-10 is a 调休 Saturday; 10-11 is Sunday
    assert sorted(days) == [date(2026, 9, 28), date(2026, 9, 29), date(2026, 9, 30),
                            *[date(2026, 10, d) for d in range(1, 9)], date(2026, 10, 9), date(2026, 10, 10)]
    assert days[date(2026, 10, 3)]["window"] == "国庆假期"


def test_kept_rate_and_missed_days(rota_config, db, tmp_path):
    _receptions(db, tmp_path, [["2026-02-10", "张三", "接访"], ["2026-02-11", "李四", "约访"],
                               ["2026-02-13", "張三", "坐班接访"], ["2026-02-14", "李四", "接访"]])
    result = duty(db, as_of=date(2026, 2, 14), start=date(2026, 2, 10))
    assert (result["source"], result["duty_days"], result["kept_days"], result["duty_kept_rate"]) == ("rota", 5, 3, 0.6)
    assert result["missed"] == [{"date": "2026-02-11", "leader": "李四"}, {"date": "2026-02-12", "leader": "王五"}]
    assert [d["kept"] for d in result["days"]] == [True, False, False, True, True]


def test_imported_roster_with_a_substitute(db, tmp_path):
    path = write_csv(tmp_path / "值班表.csv", [["值班日期", "值班领导", "替班领导"],
                                              ["2026-03-02", "赵六", None], ["2026-03-03", "钱七", "孙八"],
                                              ["2026-03-04", "钱七", None]])
    (report,) = import_files(db, [path], as_of=date(2026, 1, 1))["files"]   # a roster may lie ahead
    assert (report["kind"], report["imported"], report["rejected"]) == ("roster", 3, 0)
    _receptions(db, tmp_path, [["2026-03-03", "孙八", "接访"], ["2026-03-02", "赵六", "下访"]])
    result = duty(db, as_of=date(2026, 3, 3), start=date(2026, 3, 1))
    assert (result["source"], result["duty_days"], result["kept_days"]) == ("imported", 2, 1)
    assert result["missed"] == [{"date": "2026-03-02", "leader": "赵六"}]


def test_a_townships_roster_is_its_own(db, tmp_path):
    path = write_csv(tmp_path / "镇值班表.csv", [["日期", "值班领导", "乡镇"], ["2026-03-02", "周九", "青石鎮"],
                                                ["2026-03-02", "吴十", "白水乡"]])
    (report,) = import_files(db, [path], as_of=date(2026, 3, 3))["files"]
    assert (report["kind"], report["imported"]) == ("roster", 2)
    days, source = roster(db, "青石镇", date(2026, 3, 1), date(2026, 3, 31))
    assert [(d["date"], d["leader"]) for d in days] == [(date(2026, 3, 2), "周九")] and source == "imported"
    assert roster(db, None, date(2026, 3, 1), date(2026, 3, 31)) == ([], "none")


def _covered(year: int) -> bool:
    import chinese_calendar
    try:
        chinese_calendar.is_workday(date(year, 6, 1))
        return True
    except NotImplementedError:
        return False


def test_a_year_without_a_published_calendar_is_refused_in_words(tmp_path, monkeypatch):
    year = next(y for y in range(2026, 2200) if not _covered(y))
    path = tmp_path / "x.toml"
    path.write_text(f'[duty]\nleaders = ["甲"]\nstart = {year - 1}-12-28\nwindows = []\n', encoding="utf-8")
    monkeypatch.setenv("XINFANG_CONFIG", str(path))
    with pytest.raises(DutyError, match=f"节假日安排数据未覆盖 {year} 年"):
        rota_days(load_config(), date(year, 1, 1), date(year, 1, 5))


def test_published_roster_reads_back(rota_config, tmp_path):
    days, _ = roster_of_february()
    xlsx, docx = tmp_path / "roster.xlsx", tmp_path / "roster.docx"
    write_roster(days, xlsx)
    write_roster(days, docx)
    sheet = CalamineWorkbook.from_path(str(xlsx)).get_sheet_by_name("坐班安排").to_python()
    assert sheet[0][0].endswith("县级领导坐班接访安排表") and sheet[1] == ["日期", "星期", "坐班领导", "备注"]
    expected = [[d["date"].isoformat(), d["weekday"], d["leader"], d["window"] or ""] for d in days]
    assert sheet[2:] == expected
    table = Document(str(docx)).tables[0]
    assert [[c.text for c in row.cells] for row in table.rows][1:] == expected
    section = Document(str(docx)).sections[0]
    assert (round(section.page_width.cm, 1), round(section.page_height.cm, 1)) == (21.0, 29.7)


def roster_of_february():
    return [{**d, "weekday": f"星期{'一二三四五六日'[d['date'].weekday()]}"}
            for d in rota_days(load_config(), date(2026, 2, 1), date(2026, 2, 28))], "rota"


def test_cli_duty_json(rota_config, db, tmp_path):
    _receptions(db, tmp_path, [["2026-02-10", "张三", "接访"]])
    db.close()
    done = subprocess.run([sys.executable, "-m", "queries", "duty", "--db", str(tmp_path / "cases.duckdb"),
                           "--as-of", "2026-02-11", "--from", "2026-02-10", "--json"],
                          capture_output=True, text=True, check=True, cwd=Path(__file__).resolve().parent.parent)
    result = json.loads(done.stdout)
    assert (result["duty_days"], result["kept_days"], result["duty_kept_rate"]) == (2, 1, 0.5)
