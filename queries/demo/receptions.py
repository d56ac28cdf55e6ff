"""The demo county's 领导接访登记台账 and 坐班接访安排表 (2026), written as messy files and imported
through the real import path after the case exports.

The roster follows a rota of six county leaders over China's official working days (every day
in the configured windows); on most duty days the scheduled leader (now and then a substitute)
records a 接访 and hands over cases registered in the days before. Each month the leaders also
go down to a township (下访), meet petitioners by appointment (约访) and chair a 调度 meeting;
township 包案领导 go down too. The clerk's habits: title rows, traditional characters, kind
variants, ids separated every way, a 合计 row and a few rows the importer must refuse.
"""
from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb
import xlsxwriter

from ..config import load_config
from ..db import cursor
from ..metrics.duty import rota_days

SEED = 20260105
LEDGER_FILE = "东安县县级领导接访登记台账_2026.xlsx"
ROSTER_FILE = "东安县县级领导坐班接访安排表_2026.xlsx"
COUNTY_LEADERS = (("王海涛", "县长"), ("刘建军", "常务副县长"), ("陈立新", "副县长"),
                  ("张国华", "政法委书记"), ("李红梅", "副县长"), ("赵志远", "副县长"))
TOWNSHIP_LEADERS = {"青石镇": "周志强", "柳河镇": "李国平", "城东街道": "王少华"}   # also 包案领导 in the demo
TRADITIONAL = {"王海涛": "王海濤", "刘建军": "劉建軍", "陈立新": "陳立新", "张国华": "張國華", "赵志远": "趙志遠",
               "青石镇": "青石鎮", "柳河镇": "柳河鎮", "城东街道": "城東街道"}
KIND_WORDS = {"接访": ("坐班接访", "接访", "值班接访", "接待", "坐班接訪"), "下访": ("带案下访", "走访", "下访", "帶案下訪"),
              "约访": ("约见", "约谈", "约访"), "调度": ("专题会", "调度会", "会商", "專題會")}
SEPARATORS = ("、", "，", ",", "；", ";", " ", "\u3000", "、 ")
HEADERS = ("序号", "日期", "接访领导", "职务", "接访方式", "乡镇", "村(社区)", "接待批次", "接待人次", "交办件编号", "处理意见")
BAD_ROWS = (  # (date, leader, kind, batches): each refused, for its own reason
    ("2026-02-30", "陈立新", "坐班接访", 1), (date(2026, 4, 8), None, "接访", 1),
    (date(2026, 6, 9), "李红梅", "座谈会", 1), (date(2026, 7, 14), "张国华", "接访", "两批"),
    (date(2026, 11, 26), "刘建军", "接访", 1),
)
ROTA = {"leaders": [name for name, _ in COUNTY_LEADERS], "start": date(2026, 1, 5)}


def _cases(con: duckdb.DuckDBPyConnection, since: date) -> list[tuple]:
    return cursor(con).execute(
        "SELECT case_id, registered_on, township, village FROM cases WHERE registered_on >= ? "
        "ORDER BY registered_on, case_id", [since]).fetchall()


def _ids(rng: random.Random, ids: list[str]) -> str | None:
    if not ids:
        return None
    text = ids[0]
    for case_id in ids[1:]:
        text += rng.choice(SEPARATORS) + case_id
    return text


def _name(rng: random.Random, text: str | None) -> str | None:
    return TRADITIONAL.get(text, text) if text and rng.random() < 0.15 else text


def _rows(rng: random.Random, cases: list[tuple], duty_days: list[dict], as_of: date) -> list[list]:
    titles = dict(COUNTY_LEADERS)
    rows = []

    def add(day, leader, kind, township=None, village=None, batches=None, persons=None, ids=(), note=None):
        rows.append([day, leader, titles.get(leader, "镇党委书记"), rng.choice(KIND_WORDS[kind]), township, village,
                     batches, persons, list(ids), note])

    for duty in (d for d in duty_days if d["date"] <= as_of):
        if rng.random() < 0.07:
            continue                      # nobody recorded: a missed day
        day, leader = duty["date"], duty["substitute"] or duty["leader"]
        recent = [c for c in cases if day - timedelta(days=12) <= c[1] <= day]
        picked = rng.sample(recent, min(len(recent), rng.choice((0, 1, 1, 2, 3))))
        township = picked[0][2] if picked and rng.random() < 0.7 else None
        batches = rng.randint(1, 4)
        add(day, leader, "接访", township, None, batches if rng.random() < 0.85 else None,
            batches * rng.randint(1, 3), [c[0] for c in picked], rng.choice((None, "当场交办", "已登记转办")))
    for month in range(1, as_of.month + 1):
        first = date(2026, month, 1)
        month_cases = [c for c in cases if c[1].month == month and c[1] <= as_of]
        for leader, _ in COUNTY_LEADERS:
            day = first + timedelta(days=rng.randint(0, 26))
            if day > as_of or not month_cases:
                continue
            case = rng.choice(month_cases)
            town_cases = [c[0] for c in month_cases if c[2] == case[2]][:rng.randint(1, 3)]
            add(day, leader, "下访", case[2], case[3] if rng.random() < 0.5 else None, 0, None, town_cases)
            if rng.random() < 0.6:
                add(day + timedelta(days=1), leader, "约访", case[2], None, None,
                    None if rng.random() < 0.4 else rng.randint(1, 4), [case[0]])
            if rng.random() < 0.5:
                add(day + timedelta(days=2), leader, "调度", None, None, None, None,
                    [c[0] for c in rng.sample(month_cases, min(len(month_cases), rng.randint(2, 5)))], "专题研究化解方案")
        for township, leader in TOWNSHIP_LEADERS.items():
            town = [c for c in month_cases if c[2] == township]
            day = first + timedelta(days=rng.randint(0, 26))
            if town and day <= as_of:
                add(day, leader, "下访", township, rng.choice(town)[3], 0, None, [rng.choice(town)[0]])
    rows = [r for r in rows if r[0] <= as_of]
    rows.sort(key=lambda r: r[0])
    if rows:
        rows[len(rows) // 3][8].append("XF-2026-99999")      # not (yet) in any export: kept, warned
        rows[len(rows) // 2][8].append(rows[len(rows) // 2][8][0] if rows[len(rows) // 2][8] else "XF-2026-99998")
    return rows


def _written(rng: random.Random, row: list) -> list:
    day, leader, title, kind, township, village, batches, persons, ids, note = row
    shown = day if rng.random() < 0.6 else f"{day.year}年{day.month}月{day.day}日" if rng.random() < 0.5 else f"{day:%Y/%m/%d}"
    return [shown, _name(rng, leader), title, kind, _name(rng, township), village, batches, persons,
            _ids(rng, ids), note]


def _write(path: Path, title: str, headers: tuple, rows: list[list], total: list | None = None) -> None:
    workbook = xlsxwriter.Workbook(str(path))
    workbook.set_properties({"created": None})   # fixed metadata: the same bytes every build
    sheet = workbook.add_worksheet("2026年")
    dated = workbook.add_format({"num_format": "yyyy-mm-dd"})
    sheet.write(0, 0, title)
    sheet.write(1, 0, "填报单位：东安县信访局")
    sheet.write_row(3, 0, headers)
    for r, row in enumerate(rows + ([total] if total else []), start=4):
        for c, value in enumerate(row):
            if isinstance(value, date):
                sheet.write_datetime(r, c, datetime(value.year, value.month, value.day), dated)
            elif value is not None:
                sheet.write(r, c, value)
    workbook.close()


def write_reception_demo(con: duckdb.DuckDBPyConnection, directory: Path, as_of: date) -> list[Path]:
    """Write the demo ledger and roster from the imported demo cases; returns their paths."""
    rng = random.Random(SEED)
    config = {**load_config(), "duty": ROTA}
    duty_days = rota_days(config, ROTA["start"], date(2026, 12, 31))
    leaders = ROTA["leaders"]
    for duty in duty_days:   # now and then a leader is away and a colleague sits in
        duty["substitute"] = rng.choice([n for n in leaders if n != duty["leader"]]) if rng.random() < 0.06 else None
    rows = _rows(rng, _cases(con, date(2026, 1, 1)), duty_days, as_of)
    written = [[n, *_written(rng, row)] for n, row in enumerate(rows, start=1)]
    for (day, leader, kind, batches), at in zip(BAD_ROWS, (17, 60, 120, 170, 230)):
        written.insert(min(at, len(written)), ["", day, leader, None, kind, None, None, batches, None, None, None])
    ledger, roster = Path(directory) / LEDGER_FILE, Path(directory) / ROSTER_FILE
    _write(ledger, "东安县县级领导接访登记台账（2026年）", HEADERS, written,
           ["合计", None, None, None, None, None, None, sum(r[6] or 0 for r in rows), None, None, None])
    weekdays = "一二三四五六日"
    _write(roster, "东安县县级领导坐班接访安排表（2026年）", ("日期", "星期", "值班领导", "替班领导", "备注"),
           [[d["date"], f"星期{weekdays[d['date'].weekday()]}", d["leader"], d["substitute"], d["window"]]
            for d in duty_days])
    return [ledger, roster]
