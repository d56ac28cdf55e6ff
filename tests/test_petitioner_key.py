"""petitioner_key (METRICS.md): a 15-digit ID number and its 18-character form are one person
(issue #16.3); an 18-character number with a wrong check character is an import warning."""
from __future__ import annotations

import random
from datetime import date

from conftest import write_csv
from queries import db
from queries import normalize as nz
from queries.ingest.importer import import_file

AS_OF = date(2026, 11, 1)
HEADER = ["信访件编号", "登记日期", "信访形式", "信访人", "证件号码", "乡镇", "村(社区)", "问题分类"]

# Worked by hand: 431122 + "19" + 800101123 = 43112219800101123; digits × weights
# 4·7 + 3·9 + 1·10 + 1·5 + 2·8 + 2·4 + 1·2 + 9·1 + 8·6 + 0·3 + 0·7 + 1·9 + 0·10 + 1·5 + 1·8 + 2·4 + 3·2
# = 28+27+10+5+16+8+2+9+48+0+0+9+0+5+8+8+6 = 189; 189 mod 11 = 2; "10X98765432"[2] = "X".
OLD, NEW = "431122800101123", "43112219800101123X"


def facts(con) -> list[tuple]:
    return db.cursor(con).execute(
        "SELECT case_id, petitioner_key, is_repeat FROM case_facts ORDER BY registered_on").fetchall()


def test_a_15_digit_number_and_its_18_character_form_are_one_person(tmp_path):
    con = db.connect(tmp_path / "t.duckdb")
    rows = [HEADER, ["K-1", "2026-01-05", "来访", "王五", OLD, "青石镇", "上庄村", "劳动保障"],
            ["K-2", "2026-03-05", "来信", "王五", NEW.lower(), "青石镇", "上庄村", "劳动保障"]]   # 60 days later
    report = import_file(con, write_csv(tmp_path / "k.csv", rows), as_of=AS_OF)
    assert (report.imported, report.warnings) == (2, 0)
    assert facts(con) == [("K-1", NEW, False), ("K-2", NEW, True)]    # one key, so the second is a repeat


def test_the_sql_check_character_agrees_with_python_for_random_numbers(tmp_path):
    """An independent route: the SQL widening against nz.id_check_character on 200 numbers."""
    rng = random.Random(7)
    olds = [f"{rng.randrange(10**14, 10**15)}" for _ in range(200)]
    con = db.connect(tmp_path / "t.duckdb")
    rows = [HEADER] + [[f"R-{i}", "2026-01-05", "来访", "", old, "", "", ""] for i, old in enumerate(olds)]
    import_file(con, write_csv(tmp_path / "r.csv", rows), as_of=AS_OF)
    keys = dict(db.cursor(con).execute("SELECT case_id, petitioner_key FROM case_facts").fetchall())
    for i, old in enumerate(olds):
        body = old[:6] + "19" + old[6:]
        assert keys[f"R-{i}"] == body + nz.id_check_character(body)


def test_other_forms_are_kept_as_they_are(tmp_path):
    con = db.connect(tmp_path / "t.duckdb")
    rows = [HEADER, ["O-1", "2026-01-05", "来访", "", "43112280010112A", "", "", ""],   # 15 characters, not digits
            ["O-2", "2026-01-06", "来访", "", "4311221980010112", "", "", ""]]         # 16: not an ID number
    import_file(con, write_csv(tmp_path / "o.csv", rows), as_of=AS_OF)
    assert [k for _, k, _ in facts(con)] == ["43112280010112A", "O-2"]


def test_a_wrong_check_character_is_a_warning_and_the_row_is_kept(tmp_path):
    con = db.connect(tmp_path / "t.duckdb")
    rows = [HEADER, ["W-1", "2026-01-05", "来访", "李四", "431122198001011230", "", "", ""],   # should end in X
            ["W-2", "2026-01-06", "来访", "李四", NEW, "", "", ""]]
    report = import_file(con, write_csv(tmp_path / "w.csv", rows), as_of=AS_OF)
    assert (report.imported, report.rejected, report.warnings) == (2, 0, 1)
    assert db.cursor(con).execute("SELECT source_row, field, value, message FROM import_warnings").fetchall() == \
        [(2, "petitioner_idno", "431122198001011230", "证件号码校验位不符，请核对（该行照常导入）")]
