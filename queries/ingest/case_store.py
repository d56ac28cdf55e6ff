"""The `cases` table's columns (SCHEMA.md §1) and the upsert of one file's parsed cases into it:
by case_id, the newer import winning, except that a blank identity field never erases a stored one."""
from __future__ import annotations

import duckdb

from ..db import literal, sql, store_cases

DATE_FIELDS = ("registered_on", "accepted_on", "due_on", "closed_on")
CASE_COLUMNS = (
    "case_id", "registered_on", "channel", "petitioner_name", "petitioner_idno", "phone",
    "persons", "township", "village", "category", "category_raw", "purpose", "summary", "level",
    "handling", "responsible_unit", "case_leader", "accepted_on", "due_on", "closed_on",
    "resolution", "satisfaction", "key_person", "repeat_flag",
)
PROVENANCE = ("source_file", "source_row", "import_batch")
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


def _identity_conflicts(cur, staged: str, present: set[str]) -> list[dict]:
    """Warnings for stored identity values that this file changes to another non-blank value."""
    warnings = []
    for name in IDENTITY_FIELDS:
        if name not in present:
            continue
        compact = "upper(regexp_replace({}, '\\s', '', 'g'))"
        changed = cur.execute(
            f"SELECT s.source_sheet, s.source_row, s.case_id, s.{name} FROM {staged} s JOIN cases c USING (case_id) "
            f"WHERE {compact.format('s.' + name)} <> {compact.format('c.' + name)} ORDER BY s.source_row").fetchall()
        warnings += [{"source_sheet": sheet, "source_row": row, "case_id": case_id, "field": name, "value": value,
                      "message": f"{FIELD_LABELS[name]}与库中已有的值不同，以本次导入为准，请核对"}
                     for sheet, row, case_id, value in changed]
    return warnings


def upsert_cases(cur: duckdb.DuckDBPyConnection, staged: str, present: set[str],
                 batch: str) -> tuple[int, list[dict]]:
    """Insert or update the staged cases (a relation with CASE_COLUMNS, source_file, source_row and
    source_sheet, one row per case_id) and their facts (db.store_cases); (how many were new,
    identity warnings). A blank identity field keeps the stored value; a changed one is warned about."""
    staged_count, existing = cur.execute(
        f"SELECT count(*), count(c.case_id) FROM {staged} s LEFT JOIN cases c USING (case_id)").fetchone()
    warnings = _identity_conflicts(cur, staged, present) if existing else []
    columns = CASE_COLUMNS + PROVENANCE
    assignments = ", ".join(
        f"{name} = coalesce(excluded.{name}, cases.{name})" if name in IDENTITY_FIELDS else f"{name} = excluded.{name}"
        for name in columns if name != "case_id" and (name in present or name in PROVENANCE))
    rows = (f"SELECT {', '.join(CASE_COLUMNS)}, source_file, source_row, {literal(batch)} AS import_batch "
            f"FROM {staged}")
    store_cases(cur, rows, staged, assignments if existing else "")   # a merge costs a join even unused
    return staged_count - existing, warnings


def upsert_answers(cur: duckdb.DuckDBPyConnection, staged: str, source_file: str, batch: str) -> None:
    """Store the 处理意见 of the staged cases that carry one (case_answers); a blank keeps the
    stored answer, as a blank identity field does."""
    cur.execute(f"CREATE OR REPLACE TEMP VIEW new_answers AS SELECT case_id, answer FROM {staged} "
                "WHERE answer IS NOT NULL")
    try:
        cur.execute(sql("upsert_answers"), {"source_file": source_file, "batch": batch})
    finally:
        cur.execute("DROP VIEW new_answers")
