"""Importing case exports into `cases` (SCHEMA.md §2–§6).

One file is one transaction: its accepted rows are upserted by case_id, its refused rows go to
`rejected_rows` with a Chinese reason, its warnings to `import_warnings`, and a line to
`imports`. Every row read is accounted for: rows_read = imported + updated + rejected + skipped.
"""
from __future__ import annotations

import hashlib
import json
import logging
import uuid
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from pathlib import Path

import duckdb
import pandas as pd

from . import normalize as nz
from .config import load_config
from .db import cursor, refresh_facts
from .field_parsers import ENUM_FIELDS, FieldParsers, each_distinct, refuse_invisible
from .accountability.import_ledgers import import_ledger
from .accountability.ledgers import CASES, other_header_keys, sniff_kind
from .case_store import CASE_COLUMNS, DATE_FIELDS, FIELD_LABELS, upsert_answers, upsert_cases
from .reader import FileRefused, Table, read_tables
from .research.terms import refresh_terms

_log = logging.getLogger(__name__)
TEXT_FIELDS = ("case_id", "petitioner_name", "petitioner_idno", "phone", "summary",
               "responsible_unit", "case_leader")
ID_FIELDS = ("case_id", "petitioner_idno")   # NFKC-normalised (SCHEMA.md §4)
PLACE_FIELDS = ("township", "village")
BOOL_FIELDS = {"key_person": nz.parse_bool, "repeat_flag": nz.parse_repeat_flag}
REFUSING_FIELDS = ("registered_on", "persons")  # unreadable -> the row is refused (SCHEMA.md §5)


@dataclass
class FileReport:
    file: str
    sha256: str
    rows_read: int = 0
    imported: int = 0
    updated: int = 0
    rejected: int = 0
    skipped: int = 0
    warnings: int = 0
    columns_unused: list[str] = field(default_factory=list)
    refused: str | None = None
    columns_kept: list[str] = field(default_factory=list)   # unused columns stored for 研判 ([import.kept_headers])
    batch: str = ""
    columns: dict[str, str] = field(default_factory=dict)   # field -> header used
    skipped_totals: int = 0
    skipped_blank: int = 0
    duplicates: list[str] = field(default_factory=list)     # case ids repeated inside the file
    categories_unmatched: int = 0
    kind: str = "cases"   # cases, receptions or roster (ACCOUNTABILITY.md §2)

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class _Rows:
    """The rows of one file, accumulated across its sheets."""
    cases: list[dict] = field(default_factory=list)
    rejected: list[dict] = field(default_factory=list)
    warnings: list[dict] = field(default_factory=list)


def answer_column(table: Table, keys: list[str]) -> int | None:
    """The column of the table's 处理意见 (the first of `keys` it carries among the columns no
    field took), or None."""
    taken = set(table.columns.values())
    found = {nz.header_key(h): c for c, h in enumerate(table.headers) if c not in taken}
    return next((found[k] for k in keys if k in found), None)


def _parse_table(table: Table, file_name: str, as_of: date, parsers: FieldParsers,
                 totals: tuple[str, ...], rows: _Rows, report: FileReport) -> None:
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


def _present_fields(tables: list[Table]) -> set[str]:
    """Case fields this file carries (a field absent from the file keeps its stored value)."""
    present = {"case_id", "registered_on"}
    for table in tables:
        present |= set(table.columns)
        if "place_path" in table.columns:
            present |= set(PLACE_FIELDS)
        if "category" in table.columns:
            present.add("category_raw")
    present.discard("place_path")
    return present & set(CASE_COLUMNS)


def _column_report(tables: list[Table]) -> tuple[dict[str, str], list[str]]:
    columns, unused = {}, []
    for table in tables:
        for name, index in table.columns.items():
            header = table.headers[index]
            path_unneeded = name == "place_path" and all(f in table.columns for f in PLACE_FIELDS)
            if path_unneeded:
                unused.append(header)
            else:
                columns.setdefault(name, header)
        unused.extend(table.unused)
    return columns, list(dict.fromkeys(unused))


def _record(cur, report: FileReport, as_of: date, rows: _Rows) -> None:
    cur.execute(
        "INSERT INTO imports VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [report.batch, report.file, report.sha256, datetime.now(), as_of, report.rows_read,
         report.imported, report.updated, report.rejected, report.skipped, report.warnings,
         report.columns_unused, report.refused])
    if rows.rejected:
        cur.executemany(
            "INSERT INTO rejected_rows VALUES (?, ?, ?, ?, ?, ?)",
            [[report.batch, report.file, r["source_sheet"], r["source_row"], r["reason"], r["raw_values"]]
             for r in rows.rejected])
    if rows.warnings:
        frame = pd.DataFrame(rows.warnings).assign(import_batch=report.batch, source_file=report.file)
        cur.register("new_warnings", frame)
        cur.execute("INSERT INTO import_warnings BY NAME SELECT * FROM new_warnings")
        cur.unregister("new_warnings")


@dataclass
class Prepared:
    """One file read, parsed and checked, before any database work: a refused file is known
    without opening the database for writing (#17.14)."""
    report: FileReport
    as_of: date
    rows: _Rows = field(default_factory=_Rows)
    cases: list[dict] = field(default_factory=list)   # the latest row of each case_id
    present: set[str] = field(default_factory=set)
    ledger: tuple[str, Path, bytes] | None = None   # a reception ledger or roster: (kind, path, data)


def prepare_file(path: Path, as_of: date | None = None, display_name: str | None = None,
                 data: bytes | None = None) -> Prepared:
    """Read and check one export; never raises for what the file holds."""
    path = Path(path)
    as_of = as_of or date.today()
    data = path.read_bytes() if data is None else data
    report = FileReport(file=display_name or path.name, sha256=hashlib.sha256(data).hexdigest(),
                        batch=uuid.uuid4().hex[:12])
    config = load_config()
    kind = sniff_kind(path, data, config)   # a 领导接访登记台账 or a 值班表 has its own importer
    if kind != CASES:   # read and checked by its own importer, when it is applied
        return Prepared(report, as_of, ledger=(kind, path, data))
    rows = _Rows()
    try:
        tables = read_tables(path, data, config["import"]["headers"],
                             int(config["import"]["max_file_mb"] * 2**20),
                             max_cells=int(config["import"]["max_sheet_cells"]),
                             also_known=other_header_keys(config))
        report.columns, report.columns_unused = _column_report(tables)
        parsers = FieldParsers(config)
        totals = tuple(nz.folded(m) for m in config["import"]["totals"]["markers"])
        for table in tables:
            rows.warnings.extend({"source_sheet": table.sheet, "source_row": 0, "case_id": None, "field": "file",
                                  "value": None, "message": note} for note in table.notes)
            _parse_table(table, report.file, as_of, parsers, totals, rows, report)
    except FileRefused as refusal:
        return Prepared(_refused(report, str(refusal)), as_of)
    except Exception as error:  # an input no rule foresaw: this file only is refused
        return Prepared(_refused(report, _unexpected(error)), as_of)

    latest = {}
    for case in rows.cases:
        if case["case_id"] in latest:
            report.duplicates.append(case["case_id"])
        latest[case["case_id"]] = case
    report.duplicates = sorted(set(report.duplicates))
    report.rejected = len(rows.rejected)
    report.skipped = report.skipped_blank + report.skipped_totals
    report.warnings = len(rows.warnings)
    return Prepared(report, as_of, rows, list(latest.values()), _present_fields(tables))


def import_file(con: duckdb.DuckDBPyConnection, path: Path, as_of: date | None = None,
                display_name: str | None = None, data: bytes | None = None) -> FileReport:
    """Import one export in one transaction. A refused file changes nothing but the history."""
    return apply_prepared(con, prepare_file(path, as_of, display_name, data))


def apply_prepared(con: duckdb.DuckDBPyConnection, prepared: Prepared) -> FileReport:
    """Write one prepared file in one transaction (a refused one: its history line only)."""
    report, rows, as_of = prepared.report, prepared.rows, prepared.as_of
    if prepared.ledger:
        kind, path, data = prepared.ledger
        return import_ledger(con, kind, path, data, as_of, report)
    cur = cursor(con)
    if report.refused:
        return _refuse(cur, report, as_of, report.refused)
    cur.execute("BEGIN TRANSACTION")
    try:
        new = upsert_cases(cur, prepared.cases, prepared.present, report.batch, rows.warnings) if prepared.cases else 0
        upsert_answers(cur, prepared.cases, report.file, report.batch)
        report.warnings = len(rows.warnings)
        report.imported = new
        report.updated = len(rows.cases) - new
        _record(cur, report, as_of, rows)
        refresh_facts(cur)
        refresh_terms(cur, report.batch)
        cur.execute("COMMIT")
    except Exception as error:
        cur.execute("ROLLBACK")
        if isinstance(error, (OSError, duckdb.IOException)):  # disk full, read-only: nothing can be recorded
            raise
        return _refuse(cur, report, as_of, _unexpected(error))
    return report


def _refused(report: FileReport, reason: str) -> FileReport:
    return FileReport(file=report.file, sha256=report.sha256, batch=report.batch, refused=reason)


def _refuse(cur, report: FileReport, as_of: date, reason: str) -> FileReport:
    """The file is refused whole: only a line in the import history is written."""
    report = _refused(report, reason)
    cur.execute("BEGIN TRANSACTION")
    try:
        _record(cur, report, as_of, _Rows())
        cur.execute("COMMIT")
    except Exception:
        cur.execute("ROLLBACK")
        raise
    return report


def _unexpected(error: Exception) -> str:
    _log.error("import failed unexpectedly", exc_info=error)  # the details go to the log, not the screen
    return (f"导入此文件时发生意外错误（{type(error).__name__}），该文件未导入，其他文件不受影响。"
            "请将此文件交系统维护人员检查。")


def import_files(con: duckdb.DuckDBPyConnection, paths: list[Path], as_of: date | None = None) -> dict:
    """Import several files in turn (each its own transaction); the CLI's JSON report."""
    reports = [import_file(con, Path(p), as_of).to_dict() for p in paths]
    total = cursor(con).execute("SELECT count(*) FROM cases").fetchone()[0]
    return {"files": reports, "cases_total": total}
