"""Importing a 领导接访登记台账 into `receptions` and a 值班表 into `duty_roster`
(ACCOUNTABILITY.md §2, §3), with the case importer's guarantees: one transaction per file,
refused rows kept with a Chinese reason, rows_read = imported + updated + rejected + skipped.

A reception row's identity is (held_on, leader, kind, township, village, sorted case_ids):
the same file again updates every row and changes nothing; a later row of one file with the
same identity wins and counts as updated. A roster row's identity is (date, township).
"""
from __future__ import annotations

import json
import re
import unicodedata
from datetime import date, datetime
from pathlib import Path

import duckdb

from .. import normalize as nz
from ..config import load_config
from ..db import cursor
from .ledgers import RECEPTIONS, read_ledger_tables
from .reader import FileRefused, Table

ID_SEPARATORS = re.compile(r"[、,，;；\s]+")
BATCHES_DEFAULT = {"接访": 1, "约访": 1}   # a blank 批次 of any other kind is 0
_WHOLE = re.compile(r"\d+(?:\.0*)?")
RECEPTION_COLUMNS = ("reception_key", "held_on", "leader", "leader_title", "kind", "township", "village",
                     "batches", "persons", "case_ids", "note", "source_file", "source_row", "import_batch")
ROSTER_COLUMNS = ("duty_on", "township", "leader", "substitute", "source_file", "source_row", "import_batch")


def split_case_ids(value) -> list[str]:
    """Distinct ids of a 交办件编号 cell, sorted; separators 、，,；; and white space."""
    text = nz.clean_text(value)
    if text is None:
        return []
    text = unicodedata.normalize("NFKC", text)
    return sorted({part for part in ID_SEPARATORS.split(text) if part})


def whole_number(value) -> int | None:
    """A count ≥ 0; None for blank; Unreadable otherwise."""
    if isinstance(value, bool):
        raise nz.Unreadable(value)
    if isinstance(value, (int, float)):
        if value != value:
            return None
        if float(value).is_integer() and value >= 0:
            return int(value)
        raise nz.Unreadable(value)
    text = nz.folded(value)
    if text is None:
        return None
    if _WHOLE.fullmatch(text):
        return int(float(text))
    raise nz.Unreadable(value)


def reception_key(held_on: date, leader: str, kind: str, township, village, case_ids: list[str]) -> str:
    return json.dumps([held_on.isoformat(), leader, kind, township, village, case_ids], ensure_ascii=False)


class _Kinds:
    def __init__(self, config: dict):
        spec = config["enums"]["reception_kind"]
        self.values = [nz.folded(v) for v in spec["values"]]
        self.variants = {nz.folded(k): v for k, v in spec["variants"].items()}

    def read(self, raw) -> str | None:
        value, known = nz.enum_value(raw, self.values, self.variants)
        return value if known else None


def _cell(table: Table, cells: list, name: str):
    index = table.columns.get(name)
    return cells[index] if index is not None and index < len(cells) else None


def _raw_values(table: Table, cells: list) -> str:
    values = {table.headers[c]: nz.clean_text(v) for c, v in enumerate(cells)
              if c < len(table.headers) and nz.clean_text(v) is not None}
    return json.dumps(values, ensure_ascii=False, default=str)


def _date_of(table, cells, name, label, reasons):
    raw = _cell(table, cells, name)
    try:
        value = nz.parse_date(raw)
    except nz.Unreadable:
        reasons.append(f"{label}无法识别为日期：“{nz.clean_text(raw)}”")
        return None
    if value is None:
        reasons.append(f"{label}为空")
    return value


def _count_of(table, cells, name, label, reasons):
    raw = _cell(table, cells, name)
    try:
        return whole_number(raw)
    except nz.Unreadable:
        reasons.append(f"{label}不是大于等于 0 的整数：“{nz.clean_text(raw)}”")
        return None


def reception_from_values(values: dict, as_of: date, config: dict) -> tuple[dict, list[str]]:
    """A reception row from field -> raw value (a form), read by the importer's rules:
    (row, reasons the row would be refused)."""
    names = list(values)
    table = Table(None, names, {name: i for i, name in enumerate(names)}, [], 0, [])
    reasons: list[str] = []
    earliest = config["import"].get("earliest_date", date(1980, 1, 1))
    return _reception(table, list(values.values()), _Kinds(config), as_of, earliest, reasons), reasons


def _reception(table, cells, kinds: _Kinds, as_of: date, earliest: date, reasons: list[str]) -> dict:
    held_on = _date_of(table, cells, "held_on", "日期", reasons)
    if held_on is not None and held_on > as_of:
        reasons.append(f"日期 {held_on} 晚于导入日期 {as_of}")
    if held_on is not None and held_on < earliest:
        reasons.append(f"日期 {held_on} 早于最早允许日期 {earliest}")
    leader = nz.folded(_cell(table, cells, "leader"))
    if leader is None:
        reasons.append("接访领导为空")
    raw_kind = _cell(table, cells, "kind")
    kind = kinds.read(raw_kind)
    if nz.clean_text(raw_kind) is None:
        reasons.append("方式为空（应为接访、约访、下访或调度）")
    elif kind is None:
        reasons.append(f"方式“{nz.clean_text(raw_kind)}”不是接访、约访、下访、调度之一")
    batches = _count_of(table, cells, "batches", "批次", reasons)
    persons = _count_of(table, cells, "persons", "人次", reasons)
    if batches is None:
        batches = BATCHES_DEFAULT.get(kind, 0)
    return {"held_on": held_on, "leader": leader, "kind": kind,
            "leader_title": nz.clean_text(_cell(table, cells, "leader_title")),
            "township": nz.folded(_cell(table, cells, "township")),
            "village": nz.folded(_cell(table, cells, "village")),
            "batches": batches, "persons": persons,
            "case_ids": split_case_ids(_cell(table, cells, "case_ids")),
            "note": nz.clean_text(_cell(table, cells, "note"))}


def _roster_row(table, cells, reasons: list[str]) -> dict:
    duty_on = _date_of(table, cells, "duty_on", "日期", reasons)
    leader = nz.folded(_cell(table, cells, "leader"))
    if leader is None:
        reasons.append("值班领导为空")
    return {"duty_on": duty_on, "leader": leader,
            "township": nz.folded(_cell(table, cells, "township")) or "",
            "substitute": nz.folded(_cell(table, cells, "substitute"))}


def _rows(tables: list[Table], kind: str, file_name: str, as_of: date, config: dict, report):
    """(accepted rows by identity, refused rows); counts rows read and skipped on the report."""
    totals = tuple(nz.folded(m) for m in config["import"]["totals"]["markers"])
    kinds = _Kinds(config)
    earliest = config["import"].get("earliest_date", date(1980, 1, 1))
    accepted: dict[str, dict] = {}
    refused: list[dict] = []
    for table in tables:
        for offset, cells in enumerate(table.rows):
            report.rows_read += 1
            texts = [nz.clean_text(c) for c in cells]
            first = next((t for t in texts if t is not None), None)
            if first is None:
                report.skipped_blank += 1
                continue
            if nz.folded(first).replace(" ", "") in totals:
                report.skipped_totals += 1
                continue
            row_number = table.first_row + offset
            reasons: list[str] = []
            if kind == RECEPTIONS:
                row = _reception(table, cells, kinds, as_of, earliest, reasons)
            else:
                row = _roster_row(table, cells, reasons)
            if reasons:
                refused.append({"source_sheet": table.sheet, "source_row": row_number,
                                "reason": "；".join(reasons), "raw_values": _raw_values(table, cells)})
                continue
            if kind == RECEPTIONS:
                key = reception_key(row["held_on"], row["leader"], row["kind"], row["township"],
                                    row["village"], row["case_ids"])
                row["reception_key"] = key
            else:
                key = f"{row['duty_on']}|{row['township']}"
            if key in accepted:
                report.duplicates.append(f"第{row_number}行与前面的行相同（{_describe(row)}），以后者为准")
            accepted[key] = {**row, "source_file": file_name, "source_row": row_number,
                             "source_sheet": table.sheet}
    return accepted, refused


def _describe(row: dict) -> str:
    if "held_on" in row:
        return f"{row['held_on']} {row['leader']} {row['kind']}"
    return f"{row['duty_on']} {row['township'] or '县'} {row['leader']}"


def _unknown_id_warnings(cur, rows: list[dict]) -> list[dict]:
    """A listed id not in `cases` is kept and warned about (it may come in a later export)."""
    ids = sorted({i for row in rows for i in row["case_ids"]})
    if not ids:
        return []
    known = {r[0] for r in cur.execute(
        "SELECT case_id FROM cases WHERE list_contains(?::VARCHAR[], case_id)", [ids]).fetchall()}
    return [{"source_sheet": row["source_sheet"], "source_row": row["source_row"], "case_id": case_id,
             "field": "case_ids", "value": case_id,
             "message": f"交办件编号“{case_id}”不在信访事项库中（可能在以后的导出中），记录照常保存"}
            for row in rows for case_id in row["case_ids"] if case_id not in known]


def _store(cur, kind: str, rows: list[dict], batch: str) -> int:
    """Upsert the rows; returns how many were new."""
    table, columns, key = (("receptions", RECEPTION_COLUMNS, ["reception_key"]) if kind == RECEPTIONS
                           else ("duty_roster", ROSTER_COLUMNS, ["duty_on", "township"]))
    import pandas as pd  # here, not at the top: a case import never needs pandas (0.2 s of its start)
    frame = pd.DataFrame([{**{c: r.get(c) for c in columns}, "import_batch": batch} for r in rows],
                         columns=list(columns))
    cur.register("staging_ledger", frame)
    try:
        on = " AND ".join(f"t.{k} = s.{k}" for k in key)
        existing = cur.execute(f"SELECT count(*) FROM staging_ledger s JOIN {table} t ON {on}").fetchone()[0]
        names = ", ".join(columns)
        casts = ", ".join(f"{c}::VARCHAR[]" if c == "case_ids" else c for c in columns)
        updates = ", ".join(f"{c} = excluded.{c}" for c in columns if c not in key)
        cur.execute(f"INSERT INTO {table} ({names}) SELECT {casts} FROM staging_ledger "
                    f"ON CONFLICT ({', '.join(key)}) DO UPDATE SET {updates}")
    finally:
        cur.unregister("staging_ledger")
    return len(rows) - existing


def _record(cur, report, as_of: date, refused: list[dict], warnings: list[dict]) -> None:
    cur.execute(
        "INSERT INTO imports VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [report.batch, report.file, report.sha256, datetime.now(), as_of, report.rows_read,
         report.imported, report.updated, report.rejected, report.skipped, report.warnings,
         report.columns_unused, report.refused])
    if refused:
        cur.executemany("INSERT INTO rejected_rows VALUES (?, ?, ?, ?, ?, ?)",
                        [[report.batch, report.file, r["source_sheet"], r["source_row"], r["reason"],
                          r["raw_values"]] for r in refused])
    if warnings:
        cur.executemany(
            "INSERT INTO import_warnings (import_batch, source_file, source_sheet, source_row, case_id,"
            " field, value, message) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [[report.batch, report.file, w["source_sheet"], w["source_row"], w["case_id"], w["field"],
              w["value"], w["message"]] for w in warnings])


def _columns(tables: list[Table]) -> tuple[dict[str, str], list[str]]:
    columns, unused = {}, []
    for table in tables:
        for name, index in table.columns.items():
            columns.setdefault(name, table.headers[index])
        unused.extend(table.unused)
    return columns, list(dict.fromkeys(unused))


def import_ledger(con: duckdb.DuckDBPyConnection, kind: str, path: Path, data: bytes, as_of: date,
                  report):
    """Import a reception ledger or a roster in one transaction; fills and returns `report`
    (the importer's FileReport). A refused file changes nothing but the history."""
    config = load_config()
    report.kind = kind
    cur = cursor(con)
    try:
        tables = read_ledger_tables(Path(path), data, kind, config)
    except FileRefused as refusal:
        report.refused = str(refusal)
        cur.execute("BEGIN TRANSACTION")
        _record(cur, report, as_of, [], [])
        cur.execute("COMMIT")
        return report
    report.columns, report.columns_unused = _columns(tables)
    accepted, refused = _rows(tables, kind, report.file, as_of, config, report)
    rows = list(accepted.values())
    report.rejected = len(refused)
    report.skipped = report.skipped_blank + report.skipped_totals
    cur.execute("BEGIN TRANSACTION")
    try:
        warnings = _unknown_id_warnings(cur, rows) if kind == RECEPTIONS else []
        report.warnings = len(warnings)
        report.imported = _store(cur, kind, rows, report.batch) if rows else 0
        report.updated = report.rows_read - report.rejected - report.skipped - report.imported
        _record(cur, report, as_of, refused, warnings)
        cur.execute("COMMIT")
    except Exception:
        cur.execute("ROLLBACK")
        raise
    return report
