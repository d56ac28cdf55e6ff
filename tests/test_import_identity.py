"""A newer export with blank 信访人 / 证件号码 / 联系电话 keeps the stored values; a different
non-blank value wins with a warning (issue #17.15, docs/spec-notes.md)."""
from __future__ import annotations

from datetime import date

from conftest import write_csv
from queries import db
from queries.ingest.importer import import_file

AS_OF = date(2026, 11, 1)
HEADER = ["信访件编号", "登记日期", "信访形式", "信访人", "证件号码", "联系电话", "化解情况"]


def stored(con) -> list[tuple]:
    return db.cursor(con).execute(
        "SELECT case_id, petitioner_name, petitioner_idno, phone, resolution FROM cases ORDER BY case_id").fetchall()


def test_blank_identity_fields_do_not_erase_and_changes_are_warned(tmp_path):
    con = db.connect(tmp_path / "t.duckdb")
    first = write_csv(tmp_path / "old.csv", [HEADER,
        ["I-1", "2026-03-02", "来访", "王五", "43112219800101123X", "13800000000", "未化解"],
        ["I-2", "2026-03-03", "来信", "李四", "", "13900000000", "未化解"]])
    newer = write_csv(tmp_path / "new.csv", [HEADER,
        ["I-1", "2026-03-02", "来访", "", "", "", "已化解"],                        # blanks: kept
        ["I-2", "2026-03-03", "来信", "李四", "43112219800101123x", "13700000000", ""]])  # x = X; phone changed
    import_file(con, first, as_of=AS_OF)
    report = import_file(con, newer, as_of=AS_OF)
    assert (report.updated, report.warnings) == (2, 1)
    assert stored(con) == [("I-1", "王五", "43112219800101123X", "13800000000", "已化解"),
                           ("I-2", "李四", "43112219800101123x", "13700000000", None)]   # other fields: blank = blank
    assert db.cursor(con).execute(
        "SELECT source_row, case_id, field, value, message FROM import_warnings").fetchall() == \
        [(3, "I-2", "phone", "13700000000", "联系电话与库中已有的值不同，以本次导入为准，请核对")]
