"""Importing case exports into `cases` (SCHEMA.md §2–§6).

One file is one transaction: its accepted rows are upserted by case_id, its refused rows go to
`rejected_rows` with a Chinese reason, its warnings to `import_warnings`, and a line to
`imports`. Every row read is accounted for: rows_read = imported + updated + rejected + skipped.
"""
from __future__ import annotations

import hashlib
import logging
import tempfile
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from pathlib import Path

import duckdb

from .. import normalize as nz
from ..config import load_config
from ..db import cursor, literal
from . import import_stage, raw_load
from .case_store import CASE_COLUMNS, upsert_answers, upsert_cases
from .field_parsers import FieldParsers
from .import_ledgers import import_ledger
from .import_stage import stage_relation
from .ledgers import CASES, other_header_keys, sniff_kind
from .reader import FileRefused, Header
from .terms import refresh_terms

_log = logging.getLogger(__name__)
PLACE_FIELDS = ("township", "village")


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


def answer_column(header: Header, keys: list[str]) -> int | None:
    """The column of the table's 处理意见 (the first of `keys` it carries among the columns no
    field took), or None."""
    taken = set(header.columns.values())
    found = {nz.header_key(h): c for c, h in enumerate(header.headers) if c not in taken}
    return next((found[k] for k in keys if k in found), None)


def _present_fields(headers: list[Header]) -> set[str]:
    """Case fields this file carries (a field absent from the file keeps its stored value)."""
    present = {"case_id", "registered_on"}
    for table in headers:
        present |= set(table.columns)
        if "place_path" in table.columns:
            present |= set(PLACE_FIELDS)
        if "category" in table.columns:
            present.add("category_raw")
    present.discard("place_path")
    return present & set(CASE_COLUMNS)


def _column_report(tables: list[Header]) -> tuple[dict[str, str], list[str]]:
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


def _record(cur, report: FileReport, as_of: date, stage: Path | None = None,
            conflicts: tuple[dict, ...] = ()) -> None:
    """The file's line in `imports` and, when it was staged, its refused rows and warnings."""
    cur.execute(
        "INSERT INTO imports VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [report.batch, report.file, report.sha256, datetime.now(), as_of, report.rows_read,
         report.imported, report.updated, report.rejected, report.skipped, report.warnings,
         report.columns_unused, report.refused])
    if stage is None:
        return
    provenance = f"{literal(report.batch)}, {literal(report.file)}"
    cur.execute(f"INSERT INTO rejected_rows SELECT {provenance}, source_sheet, source_row, reason, raw_values "
                f"FROM {stage_relation(stage, 'rejected')}")
    cur.execute(f"INSERT INTO import_warnings SELECT {provenance}, source_sheet, source_row, case_id, field, "
                f"value, message FROM {stage_relation(stage, 'warnings')}")
    if conflicts:
        cur.executemany("INSERT INTO import_warnings VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                        [[report.batch, report.file, w["source_sheet"], w["source_row"], w["case_id"], w["field"],
                          w["value"], w["message"]] for w in conflicts])


@dataclass
class Prepared:
    """One file read, parsed and judged into stage files (import_stage), before any database work:
    a refused file is known without opening the database for writing (#17.14)."""
    report: FileReport
    as_of: date
    accepted: int = 0
    present: set[str] = field(default_factory=set)
    stage: Path | None = None    # the folder of its stage files (import_stage.stage_relation)
    ledger: tuple[str, Path, bytes] | None = None   # a reception ledger or roster: (kind, path, data)
    scratch: tempfile.TemporaryDirectory | None = field(default=None, repr=False)   # removed when done

    def close(self) -> None:
        if self.scratch is not None:
            self.scratch.cleanup()


def _sha256(path: Path) -> str:
    with open(path, "rb") as file:
        return hashlib.file_digest(file, "sha256").hexdigest()


def memory_limit(config: dict) -> str:
    """DuckDB's memory_limit while importing ([import] memory_mb)."""
    return f"{int(config['import']['memory_mb'])}MB"


def _stage_connection(folder: Path, config: dict) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB for reading and judging one file; beyond its memory_limit it spills to the folder."""
    return duckdb.connect(":memory:", config={
        "memory_limit": memory_limit(config), "temp_directory": str(folder / "spill"), "preserve_insertion_order": True})


def prepare_file(path: Path, as_of: date | None = None, display_name: str | None = None,
                 data: bytes | None = None) -> Prepared:
    """Read and judge one export (`data`: its bytes, when it was uploaded); never raises for what
    the file holds."""
    path = Path(path)
    as_of = as_of or date.today()
    scratch = tempfile.TemporaryDirectory(prefix="xinfang-import-")
    folder = Path(scratch.name)
    source = path
    if data is not None:
        source = folder / f"upload{path.suffix.lower()}"
        source.write_bytes(data)
    with ThreadPoolExecutor(1) as pool:   # hashlib lets go of the GIL: the file is hashed while it is read
        digest = pool.submit(_sha256, source)
        report = FileReport(file=display_name or path.name, sha256="", batch=uuid.uuid4().hex[:12])
        prepared = _judge(path, source, folder, report, as_of)
        prepared.report.sha256 = digest.result()
    prepared.scratch = scratch
    return prepared


def _judge(path: Path, source: Path, folder: Path, report: FileReport, as_of: date) -> Prepared:
    config = load_config()
    settings = config["import"]
    max_bytes = int(settings["max_file_mb"] * 2**20)
    try:
        sheets = raw_load.excel_sheets(source, max_bytes, int(settings["max_sheet_cells"]))
        kind = sniff_kind(source, config, sheets)   # a 领导接访登记台账 or a 值班表 has its own importer
        if kind != CASES:   # read and checked by its own importer, when it is applied
            return Prepared(report, as_of, ledger=(kind, path, source.read_bytes()))
        con = _stage_connection(folder, config)
        try:
            raws = raw_load.load(con, source, folder, settings["headers"], max_bytes, other_header_keys(config),
                                 sheets)
            headers = [raw.header for raw in raws]
            report.columns, report.columns_unused = _column_report(headers)
            parsers = FieldParsers(config)
            answers = [answer_column(h, parsers.answer_headers) for h in headers]
            totals = tuple(nz.folded(m) for m in settings["totals"]["markers"])
            counts = import_stage.build(con, folder, raws, parsers, as_of, report.file, totals, answers)
            with_rows = {n for (n,) in con.execute("SELECT DISTINCT tbl FROM checked").fetchall()}
            report.columns_kept = list(dict.fromkeys(
                h.headers[a] for n, (h, a) in enumerate(zip(headers, answers)) if a is not None and n in with_rows))
        finally:
            con.close()
    except FileRefused as refusal:
        return Prepared(_refused(report, str(refusal)), as_of)
    except Exception as error:  # an input no rule foresaw: this file only is refused
        return Prepared(_refused(report, _unexpected(error)), as_of)
    report.rows_read, report.rejected = counts.rows_read, counts.rejected
    report.skipped_blank, report.skipped_totals = counts.skipped_blank, counts.skipped_totals
    report.skipped = counts.skipped_blank + counts.skipped_totals
    report.warnings, report.categories_unmatched = counts.warnings, counts.categories_unmatched
    report.duplicates = counts.duplicates
    return Prepared(report, as_of, counts.accepted, _present_fields(headers), folder)


def import_file(con: duckdb.DuckDBPyConnection, path: Path, as_of: date | None = None,
                display_name: str | None = None, data: bytes | None = None) -> FileReport:
    """Import one export in one transaction. A refused file changes nothing but the history."""
    return apply_prepared(con, prepare_file(path, as_of, display_name, data))


def apply_prepared(con: duckdb.DuckDBPyConnection, prepared: Prepared) -> FileReport:
    """Write one prepared file in one transaction (a refused one: its history line only)."""
    try:
        return _apply(con, prepared)
    finally:
        prepared.close()


def _apply(con: duckdb.DuckDBPyConnection, prepared: Prepared) -> FileReport:
    report, as_of = prepared.report, prepared.as_of
    if prepared.ledger:
        kind, path, data = prepared.ledger
        return import_ledger(con, kind, path, data, as_of, report)
    cur = cursor(con)
    if report.refused:
        return _refuse(cur, report, as_of, report.refused)
    cases = stage_relation(prepared.stage, "cases")
    cur.execute("BEGIN TRANSACTION")
    try:
        new, conflicts = upsert_cases(cur, cases, prepared.present, report.batch)
        upsert_answers(cur, cases, report.file, report.batch)
        report.warnings += len(conflicts)
        report.imported = new
        report.updated = prepared.accepted - new
        _record(cur, report, as_of, prepared.stage, conflicts)
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
        _record(cur, report, as_of)
        cur.execute("COMMIT")
    except Exception:
        cur.execute("ROLLBACK")
        raise
    return report


def _unexpected(error: Exception) -> str:
    _log.error("import failed unexpectedly", exc_info=error)  # the details go to the log, not the screen
    if isinstance(error, duckdb.OutOfMemoryException):
        return (f"导入此文件所需的内存超过了上限（设置项 [import] memory_mb，当前 {memory_limit(load_config())}），"
                "该文件未导入，其他文件不受影响。请调高该设置后重新导入，或把文件按年份拆分后分别导入。")
    return (f"导入此文件时发生意外错误（{type(error).__name__}），该文件未导入，其他文件不受影响。"
            "请将此文件交系统维护人员检查。")


def import_files(con: duckdb.DuckDBPyConnection, paths: list[Path], as_of: date | None = None) -> dict:
    """Import several files in turn (each its own transaction); the CLI's JSON report."""
    reports = [import_file(con, Path(p), as_of).to_dict() for p in paths]
    total = cursor(con).execute("SELECT count(*) FROM cases").fetchone()[0]
    return {"files": reports, "cases_total": total}
