"""The importer's rules as they were written row by row before the columnar import (#14):
the reference the differential test holds the columnar path to.

It reads a file with reader.read_tables (the whole file in memory) and applies each rule to each
row in Python, calling the same cell readers (normalize, field_parsers). Only the tests use it.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd

from queries import normalize as nz
from queries.ingest.ledgers import other_header_keys
from queries.ingest.case_store import CASE_COLUMNS, DATE_FIELDS, FIELD_LABELS
from queries.config import load_config
from queries.ingest.field_parsers import ENUM_FIELDS, FieldParsers
from queries.ingest.importer import _column_report, answer_column
from queries.ingest.reader import FileRefused, Table, read_tables

TEXT_FIELDS = ("case_id", "petitioner_name", "petitioner_idno", "phone", "summary",
               "responsible_unit", "case_leader")
ID_FIELDS = ("case_id", "petitioner_idno")
PLACE_FIELDS = ("township", "village")
BOOL_FIELDS = {"key_person": nz.parse_bool, "repeat_flag": nz.parse_repeat_flag}
REFUSING_FIELDS = ("registered_on", "persons")


def refuse_invisible(value) -> None:
    """For each_distinct: a value holding format or control characters counts as 'bad'."""
    if nz.has_invisible(value):
        raise nz.Unreadable(value)


def each_distinct(values: list, parse) -> tuple[list, list[bool]]:
    """parse() once per distinct value; (results, unreadable flags) aligned with values."""
    codes, uniques = pd.factorize(pd.Series(values, dtype=object), use_na_sentinel=True)
    results, bad = [], []
    for value in uniques:
        try:
            results.append(parse(value))
            bad.append(False)
        except nz.Unreadable:
            results.append(None)
            bad.append(True)
    none_result = parse(None)
    return ([results[c] if c >= 0 else none_result for c in codes],
            [bad[c] if c >= 0 else False for c in codes])


@dataclass
class Report:
    rows_read: int = 0
    skipped_blank: int = 0
    skipped_totals: int = 0
    categories_unmatched: int = 0
    columns_kept: list[str] = field(default_factory=list)


@dataclass
class _Rows:
    cases: list[dict] = field(default_factory=list)
    rejected: list[dict] = field(default_factory=list)
    warnings: list[dict] = field(default_factory=list)


def _parse_table(table: Table, file_name: str, as_of: date, parsers: FieldParsers,
                 totals: tuple[str, ...], rows: _Rows, report: Report) -> None:
    body, numbers = [], []
    for offset, cells in enumerate(table.rows):
        report.rows_read += 1
        texts = [nz.clean_text(c) for c in cells]
        first = next((t for t in texts if t is not None), None)
        if first is None:
            report.skipped_blank += 1
        elif nz.folded(first).replace(" ", "") in totals:
            report.skipped_totals += 1
        else:
            body.append(cells)
            numbers.append(table.first_row + offset)
    if not body:
        return

    raw: dict[str, list] = {}  # field -> the cells of its column, one per row of the body

    def column(name: str) -> list:
        if name not in raw:
            index = table.columns.get(name)
            raw[name] = [row[index] if index is not None and index < len(row) else None for row in body]
        return raw[name]

    parsed: dict[str, list] = {}
    problems: list[tuple[int, str, str]] = []  # (row index, field, message)

    def read(name: str, parse, message: str = "") -> list:
        values, bad = each_distinct(column(name), parse)
        problems.extend((i, name, message) for i, b in enumerate(bad) if b)
        return values

    for name in TEXT_FIELDS:
        parsed[name] = read(name, nz.clean_id if name in ID_FIELDS else nz.clean_text)
    answer_at = answer_column(table, parsers.answer_headers)
    if answer_at is not None:
        raw["answer"] = [row[answer_at] if answer_at < len(row) else None for row in body]
        report.columns_kept = list(dict.fromkeys(report.columns_kept + [table.headers[answer_at]]))
    parsed["answer"] = read("answer", nz.clean_text)
    read("petitioner_idno", nz.check_id_number, "证件号码校验位不符，请核对（该行照常导入）")
    cleaned: list[tuple[int, str, str]] = []  # warnings only, whatever the field
    for name in table.columns:
        _, invisible = each_distinct(column(name), refuse_invisible)
        cleaned.extend((i, name, f"{FIELD_LABELS.get(name, name)}含不可见的格式或控制字符（如零宽空格、方向控制符），已删除")
                       for i, found in enumerate(invisible) if found)
    place_from_path = "place_path" in table.columns
    paths = read("place_path", nz.split_place_path) if place_from_path else None
    for position, name in enumerate(PLACE_FIELDS):
        if name in table.columns or not place_from_path:
            parsed[name] = read(name, nz.folded)
        else:
            parsed[name] = [p[position] for p in paths]
    for name in ENUM_FIELDS:
        pairs = read(name, parsers.enum(name))
        parsed[name] = [value for value, _ in pairs]
        problems.extend((i, name, f"{FIELD_LABELS[name]}“{value}”不在标准取值中，按原值保留")
                        for i, (value, known) in enumerate(pairs) if not known)
    pairs = read("category", parsers.category)
    parsed["category"] = [value for value, _ in pairs]
    parsed["category_raw"] = read("category", nz.clean_text)
    unmatched = [i for i, (_, matched) in enumerate(pairs) if not matched]
    report.categories_unmatched += len(unmatched)
    problems.extend((i, "category", "问题分类无法对应七类之一，归入“其他”") for i in unmatched)
    floor = parsers.earliest_date
    for name in DATE_FIELDS:
        parsed[name] = read(name, nz.parse_date, f"{FIELD_LABELS[name]}无法识别为日期")
        if name == "registered_on":
            continue   # refuses the row below (SCHEMA.md §5 rule 3)
        for i, day in enumerate(parsed[name]):   # spec-notes: an impossible date is a warning, left blank
            if day is not None and day < floor:
                parsed[name][i] = None
                problems.append((i, name, f"{FIELD_LABELS[name]}早于 {floor}（设置项 [import] earliest_date），"
                                          "视为无效日期，已留空"))
    most = parsers.max_persons
    parsed["persons"] = read("persons", lambda raw: nz.parse_persons(raw, most), f"人数不是 1 至 {most} 之间的整数")
    for name, parse in BOOL_FIELDS.items():
        parsed[name] = read(name, parse, f"{FIELD_LABELS[name]}无法识别为是/否")

    refusals: dict[int, list[str]] = {}
    for i, name, message in problems:
        if name in REFUSING_FIELDS:
            refusals.setdefault(i, []).append(f"{message}：“{nz.clean_text(column(name)[i])}”")
    for i in range(len(body)):
        reasons = refusals.get(i, [])
        registered = parsed["registered_on"][i]
        if parsed["case_id"][i] is None:
            reasons.insert(0, "信访件编号为空")
        if registered is None and nz.clean_text(column("registered_on")[i]) is None:
            reasons.append("登记日期为空")
        if registered is not None:
            if registered > as_of:
                reasons.append(f"登记日期 {registered} 晚于导入日期 {as_of}")
            if registered < floor:
                reasons.append(f"登记日期 {registered} 早于最早允许日期 {floor}（设置项 [import] earliest_date）")
            for name in ("accepted_on", "closed_on"):
                other = parsed[name][i]
                if other is not None and other < registered:
                    reasons.append(f"{FIELD_LABELS[name]} {other} 早于登记日期 {registered}")
        if reasons:
            refusals[i] = reasons

    warned = [(i, name, message, nz.clean_text(column(name)[i]))
              for i, name, message in problems if name not in REFUSING_FIELDS]
    warned += [(i, name, message, nz.shown_invisible(column(name)[i])) for i, name, message in cleaned]
    for i, name, message, value in warned:
        if i not in refusals:
            rows.warnings.append({
                "source_sheet": table.sheet, "source_row": numbers[i], "case_id": parsed["case_id"][i],
                "field": name, "value": value, "message": message,
            })
    for i, cells in enumerate(body):
        if i in refusals:
            values = {table.headers[c]: nz.clean_text(v) for c, v in enumerate(cells)
                      if c < len(table.headers) and nz.clean_text(v) is not None}
            rows.rejected.append({
                "source_sheet": table.sheet, "source_row": numbers[i], "reason": "；".join(refusals[i]),
                "raw_values": json.dumps(values, ensure_ascii=False, default=str),
            })
        else:
            case = {name: parsed[name][i] for name in CASE_COLUMNS}
            case["answer"] = parsed["answer"][i]
            case["source_file"] = file_name
            case["source_row"] = numbers[i]
            case["source_sheet"] = table.sheet   # for warnings raised at the upsert; not stored
            rows.cases.append(case)


def reference(path: Path, as_of: date) -> dict:
    """What the row-by-row importer staged for one file: its refusal, or its report figures,
    accepted cases (the latest of each case_id), refused rows and warnings."""
    config = load_config()
    data = Path(path).read_bytes()
    try:
        tables = read_tables(Path(path), data, config["import"]["headers"],
                             int(config["import"]["max_file_mb"] * 2**20),
                             max_cells=int(config["import"]["max_sheet_cells"]),
                             also_known=other_header_keys(config))
    except FileRefused as refusal:
        return {"refused": str(refusal)}
    report, rows = Report(), _Rows()
    parsers = FieldParsers(config)
    totals = tuple(nz.folded(m) for m in config["import"]["totals"]["markers"])
    for table in tables:
        rows.warnings.extend({"source_sheet": table.sheet, "source_row": 0, "case_id": None, "field": "file",
                              "value": None, "message": note} for note in table.notes)
        _parse_table(table, Path(path).name, as_of, parsers, totals, rows, report)
    latest, duplicates = {}, set()
    for case in rows.cases:
        if case["case_id"] in latest:
            duplicates.add(case["case_id"])
        latest[case["case_id"]] = case
    columns, unused = _column_report(tables)
    return {"refused": None, "rows_read": report.rows_read, "skipped_blank": report.skipped_blank,
            "skipped_totals": report.skipped_totals, "categories_unmatched": report.categories_unmatched,
            "columns_kept": report.columns_kept, "columns": columns, "columns_unused": unused,
            "duplicates": sorted(duplicates), "accepted": len(rows.cases), "cases": list(latest.values()),
            "rejected": rows.rejected, "warnings": rows.warnings}
