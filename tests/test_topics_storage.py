"""研判's storage: each distinct 信访事由 is segmented and stored once, a case records its text,
and a re-import or a deletion of cases leaves no stale terms (counts worked out by hand)."""
from __future__ import annotations

from datetime import date as d

from conftest import build_db, write_cases_csv
from queries.ingest.importer import import_files
from queries.ingest.terms import forget_removed_cases, refresh_terms

SHARED, OTHER = "小区物业乱收费", "退役军人参战补贴"


def case(case_id, summary, day=d(2026, 3, 3)):
    return {"case_id": case_id, "registered_on": day, "summary": summary, "township": "柳河镇",
            "village": "河口村"}


def one(con, statement, *params):
    return con.execute(statement, list(params)).fetchall()


def df(con, term):
    found = one(con, "SELECT df FROM term_df WHERE term = ?", term)
    return found[0][0] if found else 0


def test_a_text_carried_by_several_cases_is_stored_once_and_counted_per_case(tmp_path):
    con = build_db(tmp_path, [case("A", SHARED), case("B", SHARED), case("C", OTHER), case("D", "")])
    assert one(con, "SELECT count(*) FROM term_texts") == [(2,)]   # D has no 信访事由
    assert one(con, "SELECT count(*) FROM case_texts") == [(3,)]
    assert df(con, "物业") == 2 and df(con, "退役军人") == 1
    per_case = one(con, "SELECT case_id, count(*) FROM case_terms WHERE term = '物业' GROUP BY ALL ORDER BY 1")
    assert per_case == [("A", 1), ("B", 1)]
    assert one(con, "SELECT case_id, grp FROM case_groups ORDER BY 1") == [("A", "房地产"), ("B", "房地产"),
                                                                          ("C", "涉军")]


def test_a_reimport_moves_the_case_to_its_new_text_and_drops_the_text_nobody_carries(tmp_path):
    con = build_db(tmp_path, [case("A", SHARED), case("B", SHARED), case("C", OTHER)])
    again = write_cases_csv(tmp_path / "again.csv", [case("A", "退役军人优抚金"), case("C", "征地补偿款未到位")])
    import_files(con, [again], as_of=d(2026, 12, 31))
    assert df(con, "物业") == 1 and df(con, "退役军人") == 1   # B still has the shared text
    texts = {row[0] for row in one(con, "SELECT summary FROM term_texts")}
    assert texts == {SHARED, "退役军人优抚金", "征地补偿款未到位"}   # nobody says OTHER any more
    assert one(con, "SELECT count(*) FROM text_terms WHERE text_id NOT IN (SELECT text_id FROM term_texts)") == [(0,)]
    assert one(con, "SELECT case_id, grp FROM case_groups ORDER BY 1") == [("A", "涉军"), ("B", "房地产"),
                                                                          ("C", "征地拆迁")]


def test_deleted_cases_leave_no_terms_groups_or_texts_behind(tmp_path):
    con = build_db(tmp_path, [case("A", SHARED), case("B", SHARED), case("C", OTHER)])
    con.execute("DELETE FROM cases WHERE case_id IN ('B', 'C')")
    forget_removed_cases(con)
    assert one(con, "SELECT DISTINCT case_id FROM case_terms") == [("A",)]
    assert one(con, "SELECT case_id, grp FROM case_groups") == [("A", "房地产")]
    assert one(con, "SELECT summary FROM term_texts") == [(SHARED,)]
    assert df(con, "物业") == 1 and df(con, "退役军人") == 0


def test_an_older_files_case_terms_table_becomes_the_view(tmp_path):
    con = build_db(tmp_path, [case("A", SHARED)])
    con.execute("DROP VIEW case_terms")
    con.execute("CREATE TABLE case_terms AS SELECT 'OLD' AS case_id, 'stale' AS term, 1 AS tf")
    refresh_terms(con)
    assert one(con, "SELECT table_type FROM information_schema.tables WHERE table_name = 'case_terms'") == [("VIEW",)]
    assert {row[0] for row in one(con, "SELECT case_id FROM case_terms")} == {"A"}
