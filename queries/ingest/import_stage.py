"""One export's parsed rows judged (SCHEMA.md §5) into the stage tables the writer copies in (#14):

* stage_judged — every row of the file, parsed, with its skip mark, refusal reason and warnings;
* stage_cases — the accepted rows, the latest of each case_id (a later row of the file wins):
  written only when some case_id repeats, else the accepted rows of stage_judged read in place;
* stage_rejected — refused rows, each with its reasons and its cells as read;
* stage_warnings — the file's notes and every warning of an accepted row.

Each is a Parquet file in the import's scratch folder (stage_relation reads it back), so that a
file is read and judged before the database is opened for writing, in memory bounded by the
scratch connection's memory_limit (DuckDB spills to the folder beyond it).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb
import pyarrow as pa

from ..db import literal
from .case_store import CASE_COLUMNS, DATE_FIELDS, FIELD_LABELS
from .columnar import BOOL_FIELDS, parse_table, raw_values
from .field_parsers import ENUM_FIELDS, FieldParsers
from .raw_load import RawTable

STAGED_COLUMNS = (*CASE_COLUMNS, "answer", "source_file", "source_row", "source_sheet")   # of stage_cases
ACCEPTED = "skip IS NULL AND reason IS NULL"   # a judged row that goes into the database


@dataclass
class StageCounts:
    rows_read: int = 0
    accepted: int = 0
    rejected: int = 0
    skipped_blank: int = 0
    skipped_totals: int = 0
    warnings: int = 0
    categories_unmatched: int = 0
    duplicates: list[str] = field(default_factory=list)


def _stage_file(folder: Path, name: str) -> str:
    return literal(str(folder / f"stage_{name}.parquet"))


def stage_relation(folder: Path, name: str) -> str:
    """SQL reading one stage table (cases, rejected or warnings) of a prepared file. The cases of
    a file without a repeated case_id are its accepted judged rows: a million rows are not copied
    a second time (0.7 s of a 1M-row CSV's import, docs/growth.md)."""
    if name == "cases" and not (folder / "stage_cases.parquet").exists():
        return (f"(SELECT {', '.join(STAGED_COLUMNS)} FROM read_parquet({_stage_file(folder, 'judged')}) "
                f"WHERE {ACCEPTED})")
    return f"read_parquet({_stage_file(folder, name)})"


def _save(con: duckdb.DuckDBPyConnection, folder: Path, name: str, query: str) -> None:
    con.execute(f"COPY ({query}) TO {_stage_file(folder, name)} (FORMAT parquet)")


def _reasons(parsers: FieldParsers, as_of: date) -> str:
    """SQL: a row's refusal reasons joined by '；', NULL when it is accepted."""
    floor, day = literal(parsers.earliest_date), "CAST(registered_on AS VARCHAR)"
    late = [f"CASE WHEN {name} < registered_on THEN '{FIELD_LABELS[name]} ' || CAST({name} AS VARCHAR) "
            f"|| ' 早于登记日期 ' || {day} END" for name in ("accepted_on", "closed_on")]
    reasons = [
        "CASE WHEN case_id IS NULL THEN '信访件编号为空' END",
        "CASE WHEN registered_on_bad THEN '登记日期无法识别为日期：“' || registered_on_clean || '”' END",
        f"CASE WHEN persons_bad THEN '人数不是 1 至 {parsers.max_persons} 之间的整数：“' || persons_clean || '”' END",
        "CASE WHEN registered_on IS NULL AND registered_on_clean IS NULL THEN '登记日期为空' END",
        f"CASE WHEN registered_on > {literal(as_of)} THEN '登记日期 ' || {day} || ' 晚于导入日期 {as_of}' END",
        f"CASE WHEN registered_on < {floor} THEN '登记日期 ' || {day} || "
        f"' 早于最早允许日期 {parsers.earliest_date}（设置项 [import] earliest_date）' END",
        *late,
    ]
    return f"NULLIF(concat_ws('；', {', '.join(reasons)}), '')"


def _warning_groups(parsers: FieldParsers, hidden: list[str]) -> list[tuple[str, str, str, str]]:
    """(field, condition, value, message) of each warning, in the order the rules are read."""
    groups = [("petitioner_idno", "idno_bad", "idno_clean", literal("证件号码校验位不符，请核对（该行照常导入）"))]
    groups += [(name, f"NOT {name}_known", f"{name}_clean",
                f"'{FIELD_LABELS[name]}“' || {name} || '”不在标准取值中，按原值保留'") for name in ENUM_FIELDS]
    groups.append(("category", "NOT category_matched", "category_raw", literal("问题分类无法对应七类之一，归入“其他”")))
    for name in DATE_FIELDS[1:]:
        label = FIELD_LABELS[name]
        groups.append((name, f"{name}_bad", f"{name}_clean", literal(f"{label}无法识别为日期")))
        groups.append((name, f"{name}_early", f"{name}_clean", literal(
            f"{label}早于 {parsers.earliest_date}（设置项 [import] earliest_date），视为无效日期，已留空")))
    groups += [(name, f"{name}_bad", f"{name}_clean", literal(f"{FIELD_LABELS[name]}无法识别为是/否"))
               for name in BOOL_FIELDS]
    groups += [(name, f"hidden_{name} IS NOT NULL", f"hidden_{name}", literal(
        f"{FIELD_LABELS.get(name, name)}含不可见的格式或控制字符（如零宽空格、方向控制符），已删除")) for name in hidden]
    return groups


def _warnings(groups: list[tuple[str, str, str, str]]) -> str:
    """SQL: the list of a row's warnings (g: the rule's place in `groups`, field, value, message),
    NULL when it has none; the list is built only for the rows that have one."""
    conditions = [f"coalesce({condition}, false)" for _, condition, _, _ in groups]
    entries = ", ".join(
        f"CASE WHEN {condition} THEN {{'g': {g}, 'field': {literal(name)}, 'value': CAST({value} AS VARCHAR), "
        f"'message': {message}}} END"
        for g, ((name, _, value, message), condition) in enumerate(zip(groups, conditions)))
    return f"CASE WHEN {' OR '.join(conditions)} THEN list_filter([{entries}], lambda w: w IS NOT NULL) END"


def build(con: duckdb.DuckDBPyConnection, folder: Path, raws: list[RawTable], parsers: FieldParsers, as_of: date,
          file_name: str, totals: tuple[str, ...], answer_columns: list[int | None]) -> StageCounts:
    """Judge the raw tables and write the stage files into `folder`; the report's figures."""
    names = [parse_table(con, raw, n, parsers, totals, answer_at)
             for n, (raw, answer_at) in enumerate(zip(raws, answer_columns))]
    parsed = " UNION ALL BY NAME ".join(f"SELECT * FROM {n}" for n in names)
    hidden = list(dict.fromkeys(name for raw in raws for name in raw.header.columns))
    kept = ", ".join(("tbl", "sheet", "source_row", "skip", *CASE_COLUMNS, "answer", "category_matched"))
    con.execute("SET preserve_insertion_order = false")   # every reader below orders what it needs: faster
    _save(con, folder, "judged", f"SELECT {kept}, {literal(file_name)} AS source_file, sheet AS source_sheet, reason, "
          f"CASE WHEN reason IS NULL THEN warnings END AS warnings FROM (SELECT *, CASE WHEN skip IS NULL THEN "
          f"{_reasons(parsers, as_of)} END AS reason, {_warnings(_warning_groups(parsers, hidden))} AS warnings "
          f"FROM ({parsed}))")
    con.execute(f"CREATE TEMP VIEW judged AS SELECT * FROM read_parquet({_stage_file(folder, 'judged')})")
    con.execute("CREATE TEMP VIEW checked AS SELECT * FROM judged WHERE skip IS NULL")
    duplicates = [v for (v,) in con.execute(
        f"SELECT case_id FROM judged WHERE {ACCEPTED} GROUP BY case_id HAVING count(*) > 1 "
        "ORDER BY case_id").fetchall()]
    if duplicates:   # the window sorts the whole file: only when some case_id repeats
        _save(con, folder, "cases", f"SELECT {', '.join(STAGED_COLUMNS)} FROM judged WHERE {ACCEPTED} "
              "QUALIFY row_number() OVER (PARTITION BY case_id ORDER BY tbl DESC, source_row DESC) = 1")
    con.execute("SET preserve_insertion_order = true")
    _stage_rejected(con, raws)
    _save(con, folder, "rejected", "SELECT * FROM stage_rejected ORDER BY rowid")
    notes = [(n, raw.sheet, note) for n, raw in enumerate(raws) for note in raw.notes]
    con.register("file_notes", pa.table({"tbl": pa.array([n for n, _, _ in notes], pa.int32()),
                                         "sheet": pa.array([s for _, s, _ in notes], pa.string()),
                                         "note": pa.array([t for _, _, t in notes], pa.string())}))
    con.execute(
        "CREATE TEMP TABLE stage_warnings AS SELECT source_sheet, CAST(source_row AS INTEGER) AS source_row, case_id, "
        "field, value, message FROM (SELECT tbl, -1 AS g, sheet AS source_sheet, 0 AS source_row, NULL::VARCHAR AS "
        "case_id, 'file' AS field, NULL::VARCHAR AS value, note AS message FROM file_notes UNION ALL "
        "SELECT tbl, w.g, sheet, source_row, case_id, w.field, w.value, w.message FROM "
        "(SELECT *, unnest(warnings) AS w FROM checked WHERE warnings IS NOT NULL)) ORDER BY tbl, g, source_row")
    con.unregister("file_notes")
    _save(con, folder, "warnings", "SELECT * FROM stage_warnings ORDER BY rowid")

    counts = StageCounts()
    counts.rows_read, counts.skipped_blank, counts.skipped_totals, counts.categories_unmatched = con.execute(
        "SELECT count(*), count(*) FILTER (skip = 'blank'), count(*) FILTER (skip = 'totals'), "
        "count(*) FILTER (skip IS NULL AND NOT category_matched) FROM judged").fetchone()
    counts.accepted, counts.rejected = con.execute(
        "SELECT count(*) FILTER (reason IS NULL), count(*) FILTER (reason IS NOT NULL) FROM checked").fetchone()
    counts.warnings = con.execute("SELECT count(*) FROM stage_warnings").fetchone()[0]
    counts.duplicates = duplicates
    return counts


def _stage_rejected(con: duckdb.DuckDBPyConnection, raws: list[RawTable]) -> None:
    con.execute("CREATE TEMP TABLE stage_rejected (source_sheet VARCHAR, source_row INTEGER, reason VARCHAR, "
                "raw_values VARCHAR)")
    for n, raw in enumerate(raws):
        refused = con.execute("SELECT source_row, reason FROM checked WHERE tbl = ? AND reason IS NOT NULL "
                              "ORDER BY source_row", [n]).fetchall()
        if not refused:
            continue
        values = raw_values(con, raw, [row for row, _ in refused])
        con.register("new_rejected", pa.table({
            "source_sheet": pa.array([raw.sheet] * len(refused), pa.string()),
            "source_row": pa.array([row for row, _ in refused], pa.int32()),
            "reason": pa.array([reason for _, reason in refused], pa.string()),
            "raw_values": pa.array([values[row] for row, _ in refused], pa.string())}))
        con.execute("INSERT INTO stage_rejected SELECT * FROM new_rejected")
        con.unregister("new_rejected")
