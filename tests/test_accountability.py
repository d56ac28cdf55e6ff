"""责任单位, leaders' receptions and 交办件 (ACCOUNTABILITY.md §1, §2) on a hand-worked ledger.

The cases (as of 2026-06-30, period 2026-01-01..06-30; due = due_on, else accepted + 60, else
registered + 75):
  C1 住建局       青石镇上庄村 reg 01-10 acc 01-12 closed 02-20 已化解 满意  包案 张三  due 03-13
  C2 東安縣民政局 青石镇       reg 03-01 acc 03-20 (late)  open              包案 張三  due 05-19 -> 超期
  C3 东安县民政局 白水乡       reg 05-01 not accepted      open              包案 李四  due 07-15 -> 超期 only after 07-15
  C4 住建局       白水乡       reg 2025-11-01 acc 11-03 due_on 2025-12-31 open (backlog, 超期)
  C5 (blank unit) 青石镇       reg 02-01 acc 02-02 closed 02-10 稳控 不满意               due 04-03
The ledger (see LEDGER): R1/R1' one identity (the later, 5 人次, wins), R2 without a place lists
C2 again and the unknown C9, R3 约访 with blank 人次 (counts 1), R8 before the period, five
refused rows and a 合计 row.
"""
from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from conftest import build_db, table_rows, write_csv, write_xlsx
from queries.metrics.accountability import handed, leaders, units
from queries.ingest.importer import import_files
from queries.metrics.kpi import kpi
from queries.periods import Scope

AS_OF = date(2026, 6, 30)
IMPORT_DAY = date(2026, 7, 1)
CASES = [
    {"case_id": "C1", "registered_on": date(2026, 1, 10), "responsible_unit": "住建局", "township": "青石镇",
     "village": "上庄村", "accepted_on": date(2026, 1, 12), "closed_on": date(2026, 2, 20),
     "resolution": "已化解", "satisfaction": "满意", "case_leader": "张三"},
    {"case_id": "C2", "registered_on": date(2026, 3, 1), "responsible_unit": "東安縣民政局", "township": "青石镇",
     "accepted_on": date(2026, 3, 20), "case_leader": "張三"},
    {"case_id": "C3", "registered_on": date(2026, 5, 1), "responsible_unit": "东安县民政局", "township": "白水乡",
     "case_leader": "李四"},
    {"case_id": "C4", "registered_on": date(2025, 11, 1), "responsible_unit": "住建局", "township": "白水乡",
     "accepted_on": date(2025, 11, 3), "due_on": date(2025, 12, 31)},
    {"case_id": "C5", "registered_on": date(2026, 2, 1), "township": "青石镇", "accepted_on": date(2026, 2, 2),
     "closed_on": date(2026, 2, 10), "resolution": "稳控", "satisfaction": "不满意"},
]
HEADER = ["日期", "接訪領導", "職務", "方式", "鄉鎮", "村(社區)", "批次", "人次", "交辦件編號", "備註"]
LEDGER = [
    ["東安縣縣級領導接訪登記台賬"],
    [],
    HEADER,
    [date(2026, 1, 15), "张三", "副县长", "坐班接访", "青石镇", "上庄村", 2, 4, "C1、C2", "初记"],
    ["2026/1/15", " 張三 ", "副县长", "坐班接訪", "青石鎮", "上莊村", 2, 5, "C2，C1", "复核"],   # R1': same identity
    ["2026年2月3日", "張三", None, "開門接訪", None, None, None, None, "C2;C9", None],
    [date(2026, 3, 5), "张三", None, "约见", "白水乡", None, None, None, None, None],
    [date(2026, 3, 6), "张三", None, "约谈", "青石镇", None, None, 3, None, None],
    [date(2026, 4, 1), "李四", None, "带案下访", "白水乡", None, None, None, "C3 C3", None],
    [date(2026, 4, 2), "李四", None, "专题会", None, None, None, None, "C4；C5", None],
    [date(2026, 5, 5), "李四", None, "接待", "白水乡", None, 1, 2, None, None],
    [date(2025, 12, 20), "张三", None, "接访", None, None, None, None, "C5", None],
    ["2026-13-01", "王五", None, "接访", None, None, None, None, None, None],
    [date(2026, 5, 6), None, None, "接访", None, None, None, None, None, None],
    [date(2026, 5, 7), "王五", None, "座谈", None, None, None, None, None, None],
    [date(2026, 5, 8), "王五", None, "接访", None, None, -1, None, None, None],
    [date(2026, 12, 1), "王五", None, "接访", None, None, None, None, None, None],
    ["合计", None, None, None, None, None, 5, 14, None, None],
]


@pytest.fixture()
def ledger_db(tmp_path):
    con = build_db(tmp_path, CASES)
    path = write_xlsx(tmp_path / "接访台账.xlsx", {"台账": LEDGER})
    report = import_files(con, [path], as_of=IMPORT_DAY)
    yield con, report, path
    con.close()


def test_import_report_counts_every_row(ledger_db):
    con, report, _ = ledger_db
    (file,) = report["files"]
    assert file["kind"] == "receptions" and file["refused"] is None
    assert (file["rows_read"], file["imported"], file["updated"], file["rejected"], file["skipped"]) == (15, 8, 1, 5, 1)
    assert file["warnings"] == 1      # C9 is not in cases: kept, warned
    reasons = [r[0] for r in con.execute("SELECT reason FROM rejected_rows ORDER BY source_row").fetchall()]
    assert reasons[0].startswith("日期无法识别为日期")
    assert reasons[1] == "接访领导为空"
    assert "座谈" in reasons[2] and "批次" in reasons[3] and "晚于导入日期" in reasons[4]
    assert con.execute("SELECT case_ids, persons, note, leader, township, village FROM receptions "
                       "WHERE held_on = '2026-01-15'").fetchall() == [(["C1", "C2"], 5, "复核", "张三", "青石镇", "上庄村")]
    assert con.execute("SELECT kind, batches, persons FROM receptions WHERE held_on = '2026-02-03'").fetchall() == [("接访", 1, None)]
    assert con.execute("SELECT case_ids FROM receptions WHERE held_on = '2026-04-01'").fetchone()[0] == ["C3"]
    assert con.execute("SELECT case_id FROM import_warnings WHERE field = 'case_ids'").fetchall() == [("C9",)]


def test_same_file_again_changes_nothing(ledger_db):
    con, _, path = ledger_db
    before = table_rows(con, "receptions", exclude=("import_batch",))
    (again,) = import_files(con, [path], as_of=IMPORT_DAY)["files"]
    assert (again["imported"], again["updated"], again["rejected"], again["skipped"]) == (0, 9, 5, 1)
    assert table_rows(con, "receptions", exclude=("import_batch",)) == before


ZHANG = {"leader": "张三", "receptions": 2, "batches": 3, "persons": 5, "appointment_persons": 4,
         "visits_down": 0, "dispatches": 0, "handed_over": 2, "handed_resolved": 1, "handed_closed": 1,
         "handed_overdue": 1, "owned_cases": 2}
LI = {"leader": "李四", "receptions": 1, "batches": 1, "persons": 2, "appointment_persons": 0,
      "visits_down": 1, "dispatches": 1, "handed_over": 3, "handed_resolved": 0, "handed_closed": 1,
      "handed_overdue": 1, "owned_cases": 1}


def test_leaders(ledger_db):
    con = ledger_db[0]
    assert leaders(con, as_of=AS_OF) == [ZHANG, LI]
    # C3 falls overdue on 07-16: 李四's 交办件 overdue grows between the two as-of dates
    assert leaders(con, as_of=date(2026, 7, 31))[1]["handed_overdue"] == 2


def test_leaders_under_a_township_filter(ledger_db):
    # R2 has no place: it drops out; R3 is 白水乡; 包案件 count wherever the case is
    assert leaders(ledger_db[0], Scope(townships=("青石镇",)), as_of=AS_OF) == [
        {**ZHANG, "receptions": 1, "batches": 2, "persons": 5, "appointment_persons": 3}]
    assert leaders(ledger_db[0], Scope(villages=("上庄村",)), as_of=AS_OF) == [
        {**ZHANG, "receptions": 1, "batches": 2, "persons": 5, "appointment_persons": 0}]


def _row(case_id, held_on, leader, kind, unit, township, village, due, closed_on, resolution, status):
    return dict(case_id=case_id, held_on=held_on, leader=leader, kind=kind, unit=unit, township=township,
                village=village, due=due, closed_on=closed_on, resolution=resolution, status=status)


def test_handed_progress(ledger_db):
    assert handed(ledger_db[0], as_of=AS_OF) == [
        _row("C1", "2026-01-15", "张三", "接访", "住建局", "青石镇", "上庄村", "2026-03-13", "2026-02-20", "已化解", "已办结"),
        _row("C2", "2026-01-15", "张三", "接访", "东安县民政局", "青石镇", None, "2026-05-19", None, None, "超期"),
        _row("C2", "2026-02-03", "张三", "接访", "东安县民政局", "青石镇", None, "2026-05-19", None, None, "超期"),
        _row("C9", "2026-02-03", "张三", "接访", None, None, None, None, None, None, "未入库"),
        _row("C3", "2026-04-01", "李四", "下访", "东安县民政局", "白水乡", None, "2026-07-15", None, None, "办理中"),
        _row("C4", "2026-04-02", "李四", "调度", "住建局", "白水乡", None, "2025-12-31", None, None, "超期"),
        _row("C5", "2026-04-02", "李四", "调度", "（未明确）", "青石镇", None, "2026-04-03", "2026-02-10", "稳控", "已办结"),
    ]
    later = {r["case_id"]: r["status"] for r in handed(ledger_db[0], as_of=date(2026, 7, 31))}
    assert later["C3"] == "超期"
    # a closure after the as-of date is not a closure yet
    assert [r["closed_on"] for r in handed(ledger_db[0], as_of=date(2026, 2, 15)) if r["case_id"] == "C1"] == [None]


def test_handed_under_a_township_filter(ledger_db):
    rows = handed(ledger_db[0], Scope(townships=("白水乡",)), as_of=AS_OF)
    assert [(r["case_id"], r["kind"]) for r in rows] == [("C3", "下访")]


UNITS = [
    {"unit": "东安县民政局", "cases": 2, "on_time_acceptance_rate": 0.0, "on_time_closure_rate": 0.0,
     "overdue_open": 1, "satisfaction_rate": None, "resolved_or_stable_rate": 0.0,
     "handed_over": 2, "handed_over_open": 2, "handed_over_overdue": 1},
    {"unit": "住建局", "cases": 1, "on_time_acceptance_rate": 1.0, "on_time_closure_rate": 1.0,
     "overdue_open": 1, "satisfaction_rate": 1.0, "resolved_or_stable_rate": 1.0,
     "handed_over": 2, "handed_over_open": 1, "handed_over_overdue": 1},
    {"unit": "（未明确）", "cases": 1, "on_time_acceptance_rate": 1.0, "on_time_closure_rate": 1.0,
     "overdue_open": 0, "satisfaction_rate": 0.0, "resolved_or_stable_rate": 1.0,
     "handed_over": 1, "handed_over_open": 0, "handed_over_overdue": 0},
]


def test_units_worst_first(ledger_db):
    assert units(ledger_db[0], as_of=AS_OF) == UNITS


def test_unit_filter_and_township_filter(ledger_db):
    con = ledger_db[0]
    assert units(con, Scope(units=("東安縣民政局",)), as_of=AS_OF) == [UNITS[0]]
    # 白水乡: 住建局 has no case in the period but its backlog C4 lists it; C1 (青石镇) is not its 交办件 here
    assert units(con, Scope(townships=("白水乡",)), as_of=AS_OF) == [
        {"unit": "住建局", "cases": 0, "on_time_acceptance_rate": None, "on_time_closure_rate": None,
         "overdue_open": 1, "satisfaction_rate": None, "resolved_or_stable_rate": None,
         "handed_over": 1, "handed_over_open": 1, "handed_over_overdue": 1},
        {"unit": "东安县民政局", "cases": 1, "on_time_acceptance_rate": 0.0, "on_time_closure_rate": None,
         "overdue_open": 0, "satisfaction_rate": None, "resolved_or_stable_rate": 0.0,
         "handed_over": 1, "handed_over_open": 1, "handed_over_overdue": 0},
    ]
    metrics = kpi(con, Scope(units=("（未明确）",)), AS_OF).figures
    assert (metrics["cases"].value, metrics["resolved_or_stable_rate"].value) == (1, 1.0)
    assert kpi(con, Scope(units=("住建局",)), AS_OF).figures["overdue_open"].value == 1


def test_a_gbk_csv_ledger_reads_the_same(tmp_path):
    con = build_db(tmp_path, CASES)
    path = write_csv(tmp_path / "台账.csv", [[c.isoformat() if isinstance(c, date) else c for c in row]
                                            for row in LEDGER], encoding="gb18030")
    (file,) = import_files(con, [path], as_of=IMPORT_DAY)["files"]
    assert (file["kind"], file["imported"], file["rejected"]) == ("receptions", 8, 5)
    assert leaders(con, as_of=AS_OF) == [ZHANG, LI]
    con.close()


def test_cli_json(ledger_db, tmp_path):
    con, _, _ = ledger_db
    db = tmp_path / "cases.duckdb"   # build_db's file

    def cli(*args):
        done = subprocess.run([sys.executable, "-m", "queries", *args, "--db", str(db), "--as-of", "2026-06-30",
                               "--json"], capture_output=True, text=True, check=True,
                              cwd=Path(__file__).resolve().parent.parent)
        return json.loads(done.stdout)

    con.close()
    assert cli("units") == UNITS
    assert cli("leaders", "--township", "青石镇") == [
        {**ZHANG, "receptions": 1, "batches": 2, "persons": 5, "appointment_persons": 3}]
    assert len(cli("handed")) == 7
    assert cli("kpi", "--unit", "住建局", "--unit", "（未明确）")["metrics"]["cases"]["value"] == 2


def test_a_record_entered_by_hand_follows_the_import_rules_and_is_audited(ledger_db):
    from queries.access import LOCAL_USER
    from queries.ingest.reception_entry import EntryRefused, save_reception
    con = ledger_db[0]
    values = {"held_on": date(2026, 6, 1), "leader": " 趙六 ", "leader_title": "副县长", "kind": "約見",
              "township": "白水乡", "village": None, "batches": "", "persons": "", "case_ids": "C3，C3 C9", "note": None}
    with pytest.raises(EntryRefused, match="晚于导入日期"):
        save_reception(con, {**values, "held_on": date(2026, 8, 1)}, LOCAL_USER, today=IMPORT_DAY)
    key = save_reception(con, values, LOCAL_USER, today=IMPORT_DAY)
    with pytest.raises(EntryRefused, match="已有同一"):
        save_reception(con, values, LOCAL_USER, today=IMPORT_DAY)
    assert con.execute("SELECT leader, kind, batches, persons, case_ids FROM receptions WHERE reception_key = ?",
                       [key]).fetchall() == [("赵六", "约访", 1, None, ["C3", "C9"])]
    assert [r for r in leaders(con, as_of=AS_OF) if r["leader"] == "赵六"][0]["appointment_persons"] == 1
    corrected = save_reception(con, {**values, "persons": "3"}, LOCAL_USER, replaces=key, today=IMPORT_DAY)
    assert corrected == key and con.execute("SELECT persons FROM receptions WHERE reception_key = ?",
                                            [key]).fetchone() == (3,)
    assert [a for (a,) in con.execute("SELECT action FROM audit_log ORDER BY recorded_at").fetchall()] == [
        "登记接访记录：2026-06-01 赵六 约访", "更正接访记录：2026-06-01 赵六 约访"]
