"""The `cases` table's columns (SCHEMA.md §1) and the upsert of one file's parsed cases into it:
by case_id, the newer import winning, except that a blank identity field never erases a stored one."""
from __future__ import annotations

import duckdb
import pyarrow as pa

from .db import sql

DATE_FIELDS = ("registered_on", "accepted_on", "due_on", "closed_on")
CASE_COLUMNS = (
    "case_id", "registered_on", "channel", "petitioner_name", "petitioner_idno", "phone",
    "persons", "township", "village", "category", "category_raw", "purpose", "summary", "level",
    "handling", "responsible_unit", "case_leader", "accepted_on", "due_on", "closed_on",
    "resolution", "satisfaction", "key_person", "repeat_flag",
)
PROVENANCE = ("source_file", "source_row", "import_batch")
ARROW_TYPES = {
    **{name: pa.string() for name in CASE_COLUMNS},
    **{name: pa.date32() for name in DATE_FIELDS},
    "persons": pa.int32(), "key_person": pa.bool_(), "repeat_flag": pa.bool_(),
    "source_file": pa.string(), "source_row": pa.int32(), "import_batch": pa.string(),
}
FIELD_LABELS = {
    "case_id": "信访件编号", "registered_on": "登记日期", "channel": "信访形式",
    "petitioner_name": "信访人", "petitioner_idno": "证件号码", "phone": "联系电话",
    "persons": "人数", "township": "乡镇(街道)", "village": "村(社区)", "place_path": "问题属地",
    "category": "问题分类", "purpose": "信访目的", "summary": "信访事由", "level": "登记层级",
    "handling": "办理方式", "responsible_unit": "责任单位", "case_leader": "包案领导",
    "accepted_on": "受理日期", "due_on": "办理期限", "closed_on": "办结日期",
    "resolution": "化解情况", "satisfaction": "满意度", "key_person": "重点人员",
    "repeat_flag": "是否重复信访",
}


IDENTITY_FIELDS = ("petitioner_name", "petitioner_idno", "phone")  # a blank never erases them (spec-notes)


def _identity_conflicts(cur, cases: list[dict], present: set[str]) -> list[dict]:
    """Warnings for stored identity values that this file changes to another non-blank value."""
    sheets = {c["case_id"]: c.get("source_sheet") for c in cases}
    warnings = []
    for name in IDENTITY_FIELDS:
        if name not in present:
            continue
        compact = "upper(regexp_replace({}, '\\s', '', 'g'))"
        changed = cur.execute(
            f"SELECT s.case_id, s.source_row, s.{name} FROM staging s JOIN cases c USING (case_id) "
            f"WHERE {compact.format('s.' + name)} <> {compact.format('c.' + name)}").fetchall()
        warnings += [{"source_sheet": sheets.get(case_id), "source_row": row, "case_id": case_id, "field": name,
                      "value": value, "message": f"{FIELD_LABELS[name]}与库中已有的值不同，以本次导入为准，请核对"}
                     for case_id, row, value in changed]
    return warnings


def upsert_cases(cur: duckdb.DuckDBPyConnection, cases: list[dict], present: set[str], batch: str,
            warnings: list[dict] | None = None) -> int:
    """Insert or update the file's cases; returns how many were new. A blank identity field
    keeps the stored value; a changed one is added to `warnings`."""
    for case in cases:
        case["import_batch"] = batch
    columns = CASE_COLUMNS + PROVENANCE
    staging = pa.table({name: pa.array([c[name] for c in cases], type=ARROW_TYPES[name])
                        for name in columns})
    cur.register("staging", staging)
    try:
        existing = cur.execute(
            "SELECT count(*) FROM staging JOIN cases USING (case_id)").fetchone()[0]
        if warnings is not None:
            warnings.extend(_identity_conflicts(cur, cases, present))
        names = ", ".join(columns)
        assignments = ", ".join(
            f"{name} = coalesce(excluded.{name}, cases.{name})" if name in IDENTITY_FIELDS else f"{name} = excluded.{name}"
            for name in columns if name in present or name in PROVENANCE)
        cur.execute(f"INSERT INTO cases ({names}) SELECT {names} FROM staging "
                    f"ON CONFLICT (case_id) DO UPDATE SET {assignments}")
    finally:
        cur.unregister("staging")
    return len(cases) - existing


def upsert_answers(cur: duckdb.DuckDBPyConnection, cases: list[dict], source_file: str, batch: str) -> None:
    """Store the 处理意见 of the file's cases that carry one (case_answers); a blank keeps the
    stored answer, as a blank identity field does."""
    answered = [c for c in cases if c.get("answer")]
    if not answered:
        return
    staging = pa.table({"case_id": pa.array([c["case_id"] for c in answered], type=pa.string()),
                        "answer": pa.array([c["answer"] for c in answered], type=pa.string())})
    cur.register("new_answers", staging)
    try:
        cur.execute(sql("upsert_answers"), {"source_file": source_file, "batch": batch})
    finally:
        cur.unregister("new_answers")
