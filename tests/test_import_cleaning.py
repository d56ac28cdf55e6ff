"""Values that look alike but are not (SCHEMA.md §4, issue #17.11): format and control
characters are removed from every text field with a warning, ids are NFKC-normalised; and the
date floor of §5 rule 3 (#17.12)."""
from __future__ import annotations

from datetime import date

from conftest import write_csv
from crafted_files import sheet_xlsx
from queries import db
from queries import normalize as nz
from queries.ingest.importer import import_file

AS_OF = date(2026, 11, 1)
HEADER = ["信访件编号", "登记日期", "信访形式", "信访人", "证件号码", "乡镇", "村(社区)", "问题分类", "信访事由"]
INVISIBLE = ["\u200b", "\u200d", "\u202e", "\ufeff", "\u2060", "\u00ad", "\x0b", "\x1b", "\x00", "\x7f", "\u061c"]


def warnings(con) -> list[tuple]:
    return db.cursor(con).execute(
        "SELECT source_row, field, value, message FROM import_warnings ORDER BY source_row, field").fetchall()


def test_format_and_control_characters_are_removed_from_every_field_with_a_warning(tmp_path):
    con = db.connect(tmp_path / "t.duckdb")
    rows = [HEADER, ["C-1", "2026-03-02", "来访", "王小明", "", "青石镇", "上庄村", "劳动保障", "工资"]]
    for n, mark in enumerate(INVISIBLE, start=2):   # one look-alike per row: in the village, the township or the name
        rows.append([f"C-{n}", "2026-03-02", "来访", f"王小{mark}明", "", f"青石镇{mark}" if n % 2 else "青石镇",
                     f"上{mark}庄村", "劳动保障", f"工{mark}资"])
    path = tmp_path / "inv.xlsx"
    path.write_bytes(sheet_xlsx(rows))        # xlsx: NUL and \x1b cannot be in a CSV written by Excel either
    report = import_file(con, path, as_of=AS_OF)
    assert (report.imported, report.rejected, report.refused) == (12, 0, None)
    places = db.cursor(con).execute("SELECT DISTINCT township, village, petitioner_name, summary FROM cases").fetchall()
    assert places == [("青石镇", "上庄村", "王小明", "工资")]        # one village, one person, no look-alikes
    found = warnings(con)
    # row n+1 holds INVISIBLE[n-2] in name, village, summary, and (odd n) township
    assert len(found) == sum(4 if n % 2 else 3 for n in range(2, 13)) == report.warnings
    assert (3, "village", "上<U+200B>庄村", "村(社区)含不可见的格式或控制字符（如零宽空格、方向控制符），已删除") in found
    assert (4, "township", "青石镇<U+200D>", "乡镇(街道)含不可见的格式或控制字符（如零宽空格、方向控制符），已删除") in found
    assert (11, "petitioner_name", "王小<U+0000>明", "信访人含不可见的格式或控制字符（如零宽空格、方向控制符），已删除") in found


def test_a_date_or_a_count_with_a_zero_width_space_is_read_with_a_warning(tmp_path):
    con = db.connect(tmp_path / "t.duckdb")
    rows = [["信访件编号", "登记日期", "信访形式", "人数"], ["D-1", "2026-03-02\u200b", "来访", "\u20603"]]
    report = import_file(con, write_csv(tmp_path / "d.csv", rows), as_of=AS_OF)
    assert (report.imported, report.rejected, report.warnings) == (1, 0, 2)
    assert db.cursor(con).execute("SELECT registered_on, persons FROM cases").fetchall() == [(date(2026, 3, 2), 3)]


def test_tab_and_line_breaks_are_white_space_not_warned(tmp_path):
    con = db.connect(tmp_path / "t.duckdb")
    rows = [HEADER, ["T-1", "2026-03-02", "来访", "王五", "", "青石镇", "上庄村\n", "", "第一行\n第二行"]]
    report = import_file(con, write_csv(tmp_path / "t.csv", rows), as_of=AS_OF)
    assert report.warnings == 0
    assert db.cursor(con).execute("SELECT village, summary FROM cases").fetchall() == [("上庄村", "第一行 第二行")]


def test_full_width_case_ids_and_id_numbers_are_one(tmp_path):
    """ＲＴ04-001 is RT04-001 (one case, updated); a full-width ID number with Ｘ is the
    ASCII one (one person: the second case of the same category is a repeat)."""
    con = db.connect(tmp_path / "t.duckdb")
    first = write_csv(tmp_path / "a.csv", [HEADER, ["RT04-001", "2026-03-02", "来访", "王五", "43112219800101123X",
                                                    "青石镇", "上庄村", "劳动保障", "x"]])
    second = write_csv(tmp_path / "b.csv", [HEADER, ["ＲＴ04-001", "2026-03-02", "来信", "王五", "４３１１２２１９８００１０１１２３Ｘ",
                                                     "青石镇", "上庄村", "劳动保障", "x"],
                                            ["ＲＴ04-002", "2026-04-02", "来访", "王五", "４３１１２２１９８００１０１１２３ｘ",
                                             "青石镇", "上庄村", "劳动保障", "y"]])
    import_file(con, first, as_of=AS_OF)
    report = import_file(con, second, as_of=AS_OF)
    assert (report.imported, report.updated) == (1, 1)
    rows = db.cursor(con).execute(
        "SELECT case_id, channel, petitioner_idno, is_repeat FROM case_facts ORDER BY case_id").fetchall()
    assert rows == [("RT04-001", "来信", "43112219800101123X", False), ("RT04-002", "来访", "43112219800101123x", True)]


def test_headers_with_invisible_or_full_width_characters_are_recognised(tmp_path):
    con = db.connect(tmp_path / "t.duckdb")
    rows = [["\ufeff信访件编号\u200b", "登记\u00ad日期", "信访形式\u202e", "人数"], ["H-1", "2026-03-02", "来访", "２"]]
    report = import_file(con, write_csv(tmp_path / "h.csv", rows), as_of=AS_OF)
    assert (report.imported, report.refused) == (1, None)
    assert set(report.columns) == {"case_id", "registered_on", "channel", "persons"}


def test_normalise_functions():
    assert nz.clean_text("\u200b上\u202e庄\x00村\u00ad ") == "上庄村"
    assert nz.clean_id("ＲＴ０４－００１") == "RT04-001"
    assert nz.shown_invisible("a\u200bb") == "a<U+200B>b"
    assert nz.has_invisible("a\x1bb") and not nz.has_invisible("a\nb") and not nz.has_invisible(3)


# --- the date floor (SCHEMA.md §5 rule 3, #17.12) ----------------------------------------

DATED = ["信访件编号", "登记日期", "信访形式", "受理日期", "办理期限", "办结日期"]


def test_registration_before_the_floor_refuses_the_row(tmp_path):
    con = db.connect(tmp_path / "t.duckdb")
    path = tmp_path / "old.xlsx"
    path.write_bytes(sheet_xlsx([DATED, ["F-1", "1899-12-30", "来访"], ["F-2", "0001-01-01", "来访"],
                                 ["F-3", -5, "来访"],                 # a negative Excel serial
                                 ["F-4", 1, "来访"],                  # serial 1: 1899-12-31
                                 ["F-5", "1979-12-31", "来访"],
                                 ["F-6", "1980-01-01", "来访"]]))     # the floor itself: kept
    report = import_file(con, path, as_of=AS_OF)
    assert (report.imported, report.rejected) == (1, 5)
    reasons = dict(db.cursor(con).execute("SELECT source_row, reason FROM rejected_rows").fetchall())
    assert reasons[2] == "登记日期 1899-12-30 早于最早允许日期 1980-01-01（设置项 [import] earliest_date）"
    assert reasons[3] == "登记日期 0001-01-01 早于最早允许日期 1980-01-01（设置项 [import] earliest_date）"
    assert reasons[4].startswith("登记日期无法识别为日期")
    assert reasons[6].startswith("登记日期 1979-12-31 早于")
    assert db.cursor(con).execute("SELECT min(registered_on) FROM cases").fetchone()[0] == date(1980, 1, 1)


def test_other_dates_before_the_floor_are_left_blank_with_a_warning(tmp_path):
    con = db.connect(tmp_path / "t.duckdb")
    rows = [DATED, ["G-1", "2026-03-02", "来访", "0001-01-01", "1899-12-30", "1970-01-01"]]
    report = import_file(con, write_csv(tmp_path / "g.csv", rows), as_of=AS_OF)
    assert (report.imported, report.rejected, report.warnings) == (1, 0, 3)   # not refused by rule 5 either
    assert db.cursor(con).execute("SELECT accepted_on, due_on, closed_on FROM cases").fetchall() == [(None, None, None)]
    assert "办结日期早于 1980-01-01（设置项 [import] earliest_date），视为无效日期，已留空" in \
        [w[3] for w in warnings(con)]


def test_the_floor_is_a_setting(tmp_path, monkeypatch):
    config = tmp_path / "c.toml"
    config.write_text("[import]\nearliest_date = 2000-01-01\n", encoding="utf-8")
    monkeypatch.setenv("XINFANG_CONFIG", str(config))
    con = db.connect(tmp_path / "t.duckdb")
    rows = [DATED, ["S-1", "1999-12-31", "来访"], ["S-2", "2000-01-01", "来访"]]
    report = import_file(con, write_csv(tmp_path / "s.csv", rows), as_of=AS_OF)
    assert (report.imported, report.rejected) == (1, 1)


# --- fuzz: control and format characters, NFKC forms ---------------------------------------

from hypothesis import HealthCheck, given, settings, strategies as st  # noqa: E402

INVISIBLE_CHARS = st.sampled_from(INVISIBLE + ["\u2066", "\u200e", "\x07", "\x85", "\u180e"])
FULL_WIDTH_IDS = st.sampled_from(["ＲＴ04-001", "RT04-001", "ＲＴ０４－００１", "RT04\u200b-001", "\ufeffRT04-001"])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(village=st.lists(st.one_of(st.sampled_from("上庄村"), INVISIBLE_CHARS), min_size=1, max_size=10),
       case_id=FULL_WIDTH_IDS)
def test_fuzz_invisible_characters_never_raise_and_never_survive(tmp_path_factory, village, case_id):
    tmp = tmp_path_factory.mktemp("fuzz")
    con = db.connect(tmp / "t.duckdb")
    path = tmp / "f.xlsx"
    path.write_bytes(sheet_xlsx([HEADER, [case_id, "2026-03-02", "来访", "王五", "", "青石镇", "".join(village), "", ""]]))
    report = import_file(con, path, as_of=AS_OF)
    assert report.refused is None
    stored = db.cursor(con).execute("SELECT case_id, village FROM cases").fetchall()
    visible = "".join(ch for ch in village if ch in "上庄村") or None
    assert stored == [("RT04-001", visible)]
    assert not any(nz.has_invisible(v) for v in stored[0] if v)
