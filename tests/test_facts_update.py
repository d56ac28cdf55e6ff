"""The cases' facts after a small import (#14.5): only the persons the import touched are
recomputed (db.refresh_facts with `written`), and case_facts must equal a rebuild of every case."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from conftest import AS_OF, table_rows, write_cases_csv
from queries import db
from queries.ingest.importer import import_file

IDS = ["110101199003071232", "110101198507153417", "110101197712254419", "11010119650101123X"]


def _people() -> list[dict]:
    """40 cases of four identified persons and of named ones, repeats and settlements among them."""
    cases = []
    for n in range(40):
        person = n % 6
        cases.append({
            "case_id": f"F{n:03d}", "registered_on": date(2026, 1, 5) + timedelta(days=7 * n),
            "channel": "来访", "petitioner_name": f"甲{person}", "township": "青石镇", "village": "河口村",
            "petitioner_idno": IDS[person] if person < len(IDS) else None,
            "category": ["城乡建设", "劳动社保"][n % 2], "persons": 1 + n % 3,
            "resolution": "已化解" if n % 5 == 0 else None,
            "closed_on": date(2026, 1, 20) + timedelta(days=7 * n) if n % 5 == 0 else None,
        })
    return cases


def _facts(con) -> list[tuple]:
    return table_rows(con, "case_facts", exclude=("import_batch",), order_by="case_id")


@pytest.mark.parametrize("share", [1.0, 0.0])   # 1.0: always the update; 0.0: always the whole rebuild
def test_a_small_import_updates_case_facts_as_a_rebuild_would(cases_db, tmp_path, monkeypatch, share):
    con = cases_db(_people())
    monkeypatch.setattr(db, "FACTS_UPDATE_SHARE", share)
    second = [
        {**_people()[0], "case_id": "F100", "registered_on": date(2026, 11, 2), "resolution": None,
         "closed_on": None},   # person 0 comes again
        {**_people()[1], "petitioner_idno": IDS[2]},   # F001 was person 1's; now it is person 2's
        {**_people()[3], "resolution": "已化解", "closed_on": date(2026, 3, 1)},    # person 3 settles
        {"case_id": "F101", "registered_on": date(2026, 11, 3), "channel": "来访", "petitioner_name": "新人",
         "township": "白沙乡", "village": "东村", "category": "涉法涉诉"},
    ]
    report = import_file(con, write_cases_csv(tmp_path / "second.csv", second), as_of=AS_OF)
    assert (report.imported, report.updated) == (2, 2)
    updated = _facts(con)
    db.refresh_facts(con)   # every case again
    assert updated == _facts(con)
    person = {r[0]: r[1] for r in con.execute("SELECT case_id, petitioner_key FROM case_facts").fetchall()}
    assert person["F001"] == person["F002"] == IDS[2] and person["F100"] == IDS[0]


def test_a_large_rebuild_goes_by_parts_of_the_persons_and_gives_the_same_table(cases_db, monkeypatch):
    """Beyond db.FACTS_PART_CASES the persons are split by a hash of their key (#14.2): 40 cases
    in 6 parts give the facts one pass gives, repeats and settlements across a person's cases
    included."""
    con = cases_db(_people())
    whole = _facts(con)
    con.execute("UPDATE cases SET petitioner_key = NULL, person_id = NULL, is_repeat = NULL, next_same_matter_on = "
                "NULL, is_skip_level = NULL, is_collective = NULL, first_settled_on = NULL")   # the parts write them all
    monkeypatch.setattr(db, "FACTS_PART_CASES", 7)
    statements = []
    real_execute = con.execute
    spy = type("Spy", (), {"execute": lambda self, query, *a: statements.append(query) or real_execute(query, *a)})()
    db._rebuild_facts(spy, 40, db._facts_settings())
    assert sum(query.startswith("UPDATE cases") for query in statements) == 6
    assert _facts(con) == whole
    assert con.execute("SELECT count(*) FILTER (is_repeat), count(first_settled_on) FROM case_facts").fetchone() > (0, 0)


@pytest.mark.parametrize("part_cases", [db.FACTS_PART_CASES, 7], ids=["one pass", "six parts"])
def test_a_first_import_stores_the_facts_a_rebuild_computes(cases_db, monkeypatch, part_cases):
    """Into an empty database the cases go in with their facts (db.store_cases, #14.2), in
    parts of the persons beyond FACTS_PART_CASES: the same facts as recomputing every case after it,
    with no UPDATE of the fact columns."""
    monkeypatch.setattr(db, "FACTS_PART_CASES", part_cases)
    statements = []
    real_execute = db.duckdb.DuckDBPyConnection.execute
    monkeypatch.setattr(db.duckdb.DuckDBPyConnection, "execute", lambda self, query, *a:
                        statements.append(query) or real_execute(self, query, *a), raising=False)
    con = cases_db(_people())
    monkeypatch.undo()
    inserts = [n for n, q in enumerate(statements) if q.startswith("INSERT INTO cases BY NAME SELECT r.*")]
    assert len(inserts) == (1 if part_cases > 40 else 6)
    assert [q for q in statements[inserts[0]:] if q.startswith("UPDATE cases")] == []   # (connect's is before)
    first = _facts(con)
    assert con.execute("SELECT count(*) FILTER (is_repeat), count(first_settled_on), count(DISTINCT petitioner_key) "
                       "FROM case_facts").fetchone() > (0, 0, 5)
    db.refresh_facts(con)   # every case again
    assert _facts(con) == first
    assert db.is_current(con)
