"""The demo county's cases written as the messy exports a petition office really has:

- `东安县信访事项登记台账_2024-2025.xlsx`: a hand-kept ledger (title rows, one sheet per year,
  blank rows, a 合计 row, dates typed in seven ways, traditional characters, value variants),
  compiled on 2026-01-31;
- `信访信息系统导出_2025-2026.csv` (GBK): the provincial system's export from 2025-12-26 on,
  with other column names, a 问题属地 path instead of place columns, national categories,
  date-times, cases overlapping the ledger (some since closed), two rows exported twice, and a
  handful of rows the importer must refuse;
- `城东街道信访登记补充_2026.csv` (UTF-8 with BOM): a street office's own 2026 cases that
  never reached the system.

The clerks' habits come from their own seeded `random.Random` and the files carry fixed
metadata, so every build writes the same bytes.
"""
from __future__ import annotations

import csv
import io
import random
from datetime import date, datetime, time, timedelta
from pathlib import Path

from . import texts as demo_texts
from .county import (
    AS_OF,
    CATEGORIES,
    COUNTY,
    COUNTY_PATH,
    DEMO_FILES,
    LEDGER_COMPILED,
    LEDGER_FILE,
    SEED,
    STREET_FILE,
    SYSTEM_FILE,
    SYSTEM_FROM,
    TRADITIONAL,
    TRADITIONAL_CATEGORIES,
    Case,
    simulate,
)


def _traditional(rng: random.Random, text: str | None, share: float) -> str | None:
    return TRADITIONAL.get(text, text) if text and rng.random() < share else text


def _written_id(rng: random.Random, idno: str | None) -> str | None:
    if idno is None:
        return None
    if idno.endswith("X") and rng.random() < 0.4:
        return idno[:-1] + "x"
    if len(idno) == 18 and rng.random() < 0.03:
        return f"{idno[:6]} {idno[6:14]} {idno[14:]}"
    return idno


def _as_of(case: Case, day: date) -> dict:
    """The case's closure fields as an export made on `day` shows them."""
    if case.closed_on and case.closed_on <= day:
        return {"closed_on": case.closed_on, "resolution": case.resolution, "satisfaction": case.satisfaction}
    return {"closed_on": None, "resolution": case.resolution if case.closed_on is None else None,
            "satisfaction": None}


LEDGER_HEADERS = ("序号", "信访件编号*", "登记日期*", "信访形式", "信访人姓名", "身份证号码", "联系电话",
                  "来访人数", "乡镇（街道）", "村（社区）", "内容分类", "信访目的", "主要诉求", "登记层级",
                  "办理方式", "责任单位", "包案领导", "受理日期", "办理期限", "办结日期", "化解情况",
                  "满意度评价", "是否重点人员", "是否重复信访", "备注")
LEDGER_WIDTHS = (5, 22, 12, 9, 9, 20, 13, 8, 10, 11, 28, 8, 40, 8, 9, 22, 8, 12, 12, 12, 9, 10, 8, 8, 16)
LEDGER_LEVELS = {"村": ("村", "村居"), "镇": ("镇", "乡镇"), "县": ("县", "县级", "区县"), "市": ("市", "市级"),
                 "省": ("省", "省级"), "京": ("京", "北京", "国家")}
LEDGER_CHANNELS = {"网上信访": ("手机信访", "微信信访", "领导信箱"), "电话": ("电话信访",), "来访": ("來訪",)}
REMARKS = ("已息诉罢访", "转县自然资源局办理", "多次来访", "已签订息诉协议", "联名信", "已召开听证会")


class _Ledger:
    """The hand-kept Excel ledger: one sheet per year, as typed by several clerks."""

    def __init__(self, path: Path, rng: random.Random):
        import xlsxwriter
        self.rng = rng
        self.book = xlsxwriter.Workbook(str(path))
        self.book.set_properties({"title": "东安县信访事项登记台账", "author": "东安县信访局",
                                  "created": datetime.combine(LEDGER_COMPILED, time(17, 30))})
        fmt = self.book.add_format
        self.title = fmt({"bold": True, "font_size": 16, "align": "center", "valign": "vcenter"})
        self.head = fmt({"bold": True, "border": 1, "align": "center", "bg_color": "#D9E1F2", "text_wrap": True})
        self.date = fmt({"num_format": "yyyy-mm-dd"})

    def _date_cell(self, day: date | None):
        """A date typed the way one of the clerks types dates."""
        if day is None:
            return None
        style = self.rng.random()
        if style < 0.45:
            return day
        if style < 0.6:
            return f"{day.year}/{day.month}/{day.day}"
        if style < 0.7:
            return f"{day.year}.{day.month}.{day.day}"
        if style < 0.85:
            return f"{day.year}年{day.month}月{day.day}日"
        if style < 0.9:
            return f"{day:%Y%m%d}"
        if style < 0.95:
            return int(f"{day:%Y%m%d}")
        return (day - date(1899, 12, 30)).days  # an Excel serial number shown as a number

    def _write(self, sheet, row: int, cells: list) -> None:
        for column, value in enumerate(cells):
            if value is None:
                continue
            if isinstance(value, date):
                sheet.write_datetime(row, column, datetime.combine(value, time()), self.date)
            elif isinstance(value, (int, float)):
                sheet.write_number(row, column, value)
            else:
                sheet.write_string(row, column, value)

    def _cells(self, number: int, case: Case, planted: str | None) -> list:
        rng = self.rng
        state = _as_of(case, LEDGER_COMPILED)
        due = case.due_on if rng.random() < 0.9 else None
        registered = None if planted == "no date" else case.registered_on
        closed = state["closed_on"]
        if planted == "closed early":
            closed = closed.replace(year=closed.year - 1)  # a typo in the year
        phone = case.person.phone
        written_phone = int(phone) if phone and phone.isdigit() and rng.random() < 0.3 else phone
        category_raw = CATEGORIES[case.category][2][case.topic][0]
        key = "是" if case.person.key else ("否" if rng.random() < 0.7 else None)
        if key == "是" and rng.random() < 0.2:
            key = "√"
        return [
            number, case.case_id, self._date_cell(registered),
            rng.choice(LEDGER_CHANNELS[case.channel]) if case.channel in LEDGER_CHANNELS and rng.random() < 0.2
            else case.channel,
            case.person.name, _written_id(rng, case.person.idno), written_phone,
            case.persons if case.channel == "来访" or case.persons > 1 else None,
            _traditional(rng, case.township, 0.04), _traditional(rng, case.village, 0.06),
            TRADITIONAL_CATEGORIES.get(category_raw, category_raw) if rng.random() < 0.04 else category_raw,
            case.purpose, case.summary, rng.choice(LEDGER_LEVELS[case.level]), case.handling, case.unit,
            case.leader, self._date_cell(case.accepted_on),
            "60日" if due and rng.random() < 0.002 else self._date_cell(due),
            self._date_cell(closed), state["resolution"], state["satisfaction"], key,
            "是" if case.repeat_flag else "否",
            rng.choice(REMARKS) if rng.random() < 0.08 else None,
        ]

    def sheet(self, year: int, cases: list[Case], planted: dict[str, str]) -> None:
        sheet = self.book.add_worksheet(f"{year}年")
        last = len(LEDGER_HEADERS) - 1
        sheet.merge_range(0, 0, 0, last, f"{COUNTY}信访事项登记台账（{year}年）", self.title)
        sheet.set_row(0, 30)
        sheet.write_string(2, 0, "制表单位：东安县信访局")
        sheet.write_string(2, last - 3, f"制表日期：{LEDGER_COMPILED.year}年{LEDGER_COMPILED.month}月{LEDGER_COMPILED.day}日")
        for column, (header, width) in enumerate(zip(LEDGER_HEADERS, LEDGER_WIDTHS)):
            sheet.write_string(3, column, header, self.head)
            sheet.set_column(column, column, width)
        sheet.freeze_panes(4, 3)
        gaps = {len(cases) // 3, 2 * len(cases) // 3}  # rows a clerk left empty
        row = 4
        for number, case in enumerate(cases, start=1):
            if number in gaps:
                row += 1
            self._write(sheet, row, self._cells(number, case, planted.get(case.case_id)))
            row += 1
        self._write(sheet, row, ["合计", f"共 {len(cases)} 件"])

    def close(self) -> None:
        self.book.close()


SYSTEM_HEADERS = ("信访编号", "信访日期", "信访方式", "信访人", "证件号码", "手机号码", "人数", "问题属地",
                  "问题类别", "信访目的", "信访内容", "上访去向", "处理方式", "承办单位", "责任领导",
                  "受理时间", "办结期限", "办结时间", "化解状态", "群众评价", "重点人员", "初重标志",
                  "处理意见", "录入人员", "系统流水号")
SYSTEM_LEVELS = {"村": "村居", "镇": "乡镇", "县": "县级", "市": "市级", "省": "省级", "京": "国家"}
SYSTEM_CHANNELS = {"网上信访": ("网上信访", "手机信访", "领导信箱"), "电话": ("电话信访",)}
CLERKS = ("李敏", "张婷", "罗静")
# The refused rows planted in the system export: what is wrong with each.
SYSTEM_FAULTS = ("no id", "zero date", "future date", "zero persons", "persons in words", "closed early")


def _stamp(rng: random.Random, day: date | None) -> str | None:
    if day is None:
        return None
    return f"{day:%Y-%m-%d} {rng.randint(8, 17):02d}:{rng.randrange(60):02d}:{rng.randrange(60):02d}"


def _system_row(rng: random.Random, serial: int, case: Case, state: dict, fault: str | None) -> list:
    place = f"{COUNTY_PATH}{_traditional(rng, case.township, 0.03)}{_traditional(rng, case.village, 0.03)}"
    registered = _stamp(rng, case.registered_on)
    persons = str(case.persons)
    closed = _stamp(rng, state["closed_on"])
    if fault == "zero date":
        registered = "0000-00-00 00:00:00"
    elif fault == "future date":
        registered = _stamp(rng, case.registered_on.replace(month=12, day=3))
    elif fault == "zero persons":
        persons = "0"
    elif fault == "persons in words":
        persons = "两人"
    elif fault == "closed early":
        closed = _stamp(rng, case.registered_on - timedelta(days=rng.randint(5, 40)))
    return [
        None if fault == "no id" else case.case_id, registered,
        rng.choice(SYSTEM_CHANNELS.get(case.channel, (case.channel,))), case.person.name,
        _written_id(rng, case.person.idno), case.person.phone, persons, place,
        CATEGORIES[case.category][2][case.topic][1], case.purpose, case.summary,
        SYSTEM_LEVELS[case.level], case.handling, case.unit, case.leader,
        _stamp(rng, case.accepted_on), case.due_on and f"{case.due_on:%Y-%m-%d}", closed,
        state["resolution"], state["satisfaction"], "是" if case.person.key else "否",
        "重件" if case.repeat_flag else "初件",
        demo_texts.answer(case.case_id, case.handling, state["resolution"], case.unit) if state["closed_on"] else None,
        rng.choice(CLERKS), f"LS{serial:09d}",
    ]


STREET_HEADERS = ("编号", "来访日期", "来源渠道", "姓名", "身份证号", "电话", "信访人数", "所属乡镇", "所属村",
                  "问题分类", "反映问题", "信访层级", "办理单位", "包案领导", "作出受理意见日期",
                  "应办结日期", "办结日期", "化解稳控情况", "满意度", "重点人员", "是否重复")


def _slashed(day: date | None) -> str | None:
    return day and f"{day.year}/{day.month}/{day.day}"


def _street_row(case: Case) -> list:
    sub = CATEGORIES[case.category][2][case.topic][0].split("_")[1]
    return [case.case_id, _slashed(case.registered_on), case.channel, case.person.name, case.person.idno,
            case.person.phone, case.persons, case.township, case.village,
            f"{case.category.removesuffix('类')}-{sub}", case.summary, case.level, case.unit, case.leader,
            _slashed(case.accepted_on), _slashed(case.due_on), _slashed(case.closed_on), case.resolution,
            case.satisfaction, "是" if case.person.key else "", "是" if case.repeat_flag else "否"]


def _csv_bytes(headers: tuple, rows: list[list], encoding: str) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(headers)
    writer.writerows([["" if v is None else v for v in row] for row in rows])
    return buffer.getvalue().encode(encoding)


def write_exports(directory: str | Path, seed: int = SEED) -> list[Path]:
    """Simulate the county and write its three export files; returns their paths."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    cases = simulate(seed)
    rng = random.Random(seed + 1)  # the clerks' habits, apart from what happened

    ledger_cases = [c for c in cases if c.source == LEDGER_FILE]
    candidates = [c for c in ledger_cases if c.registered_on.year == 2025 and c.closed_on
                  and c.closed_on <= LEDGER_COMPILED and c.registered_on < SYSTEM_FROM]
    ledger_faults = dict(zip((c.case_id for c in rng.sample(candidates, 2)), ("no date", "closed early")))
    ledger = _Ledger(directory / LEDGER_FILE, rng)
    for year in (2024, 2025):
        ledger.sheet(year, [c for c in ledger_cases if c.registered_on.year == year], ledger_faults)
    ledger.close()

    system_cases = [c for c in cases if c.source != STREET_FILE and c.registered_on >= SYSTEM_FROM]
    recent = [c for c in system_cases if date(2026, 2, 1) <= c.registered_on <= date(2026, 9, 30) and c.closed_on]
    picked = rng.sample(recent, len(SYSTEM_FAULTS) + 2)
    faults = dict(zip((c.case_id for c in picked), SYSTEM_FAULTS))
    exported_twice = {c.case_id for c in picked[len(SYSTEM_FAULTS):]}
    rows = []
    for case in system_cases:
        if case.case_id in exported_twice:  # first exported while still open
            open_day = case.closed_on - timedelta(days=1)
            rows.append(_system_row(rng, len(rows) + 1, case, _as_of(case, open_day), None))
        rows.append(_system_row(rng, len(rows) + 1, case, _as_of(case, AS_OF), faults.get(case.case_id)))
    (directory / SYSTEM_FILE).write_bytes(_csv_bytes(SYSTEM_HEADERS, rows, "gbk"))

    street = [_street_row(c) for c in cases if c.source == STREET_FILE]
    (directory / STREET_FILE).write_bytes(_csv_bytes(STREET_HEADERS, street, "utf-8-sig"))
    return [directory / name for name in DEMO_FILES]
