"""queries.db: readers and writers of one database file never block or half-see each other."""
from __future__ import annotations

import subprocess
import sys
import threading
from datetime import date as d

import pytest

from queries import db
from queries.metrics.kpi import kpi
from test_cli import cli
from conftest import write_csv

HEADERS = ["信访件编号", "登记日期", "信访形式", "乡镇", "村(社区)"]


def ledger(tmp_path, name: str, ids: range):
    return write_csv(tmp_path / name, [HEADERS] + [[f"C{i}", "2026-03-01", "来访", "青石镇", "上庄村"] for i in ids])


def count(con) -> int:
    return db.cursor(con).execute("SELECT count(*) FROM cases").fetchone()[0]


@pytest.fixture
def database(tmp_path):
    path = tmp_path / "x.duckdb"
    assert cli("import", str(ledger(tmp_path, "a.csv", range(3))), "--db", str(path), "--as-of", "2026-11-01").returncode == 0
    return path


def test_reader_keeps_its_file_while_a_writer_replaces_it(database, tmp_path):
    reader = db.open_reader(database)
    before = db.identity(database)
    assert cli("import", str(ledger(tmp_path, "b.csv", range(3, 10))), "--db", str(database),
               "--as-of", "2026-11-01").returncode == 0
    assert count(reader) == 3                      # the open reader: the old file, whole
    assert db.identity(database) != before         # the file was replaced...
    assert count(db.open_reader(database)) == 10   # ...and a new reader sees all of the new one


def test_a_failed_writer_changes_nothing(database):
    before = db.identity(database)
    with pytest.raises(RuntimeError):
        with db.writing(database) as con:
            con.execute("DELETE FROM cases")
            raise RuntimeError("disk full")
    assert db.identity(database) == before
    assert count(db.open_reader(database)) == 3
    assert not list(database.parent.glob(".*.writing*"))


def test_writers_queue_rather_than_lose_each_other(database):
    """Two writers at once: both changes land (the second copies the first one's result)."""
    def add(case_id: str):
        with db.writing(database) as con:
            con.execute("INSERT INTO cases (case_id, registered_on) VALUES (?, DATE '2026-03-02')", [case_id])
    threads = [threading.Thread(target=add, args=(f"W{i}",)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert count(db.open_reader(database)) == 7


def test_cli_reads_and_imports_while_another_process_reads(database, tmp_path):
    """A dashboard (another process holding a read connection) never stops the CLI."""
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, queries.db as db; con = db.open_reader(sys.argv[1]); "
         "print(db.cursor(con).execute('SELECT count(*) FROM cases').fetchone()[0], flush=True); sys.stdin.read()",
         str(database)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "3"
        assert cli("kpi", "--db", str(database), "--json").returncode == 0
        run = cli("import", str(ledger(tmp_path, "c.csv", range(3, 5))), "--db", str(database), "--as-of", "2026-11-01")
        assert run.returncode == 0, run.stderr
    finally:
        holder.communicate("")
    assert kpi(db.open_reader(database), as_of=d(2026, 11, 1)).figures["cases"].value == 5


def test_an_outdated_file_is_brought_up_to_date_for_readers(database):
    with db.connect(database) as con:
        con.execute("UPDATE meta SET value = 'old' WHERE key = 'build_signature'")
        con.execute("UPDATE cases SET petitioner_key = NULL, is_repeat = NULL")
    reader = db.open_reader(database)
    assert db.is_current(reader)
    assert db.cursor(reader).execute("SELECT count(petitioner_key), count(is_repeat) FROM case_facts").fetchone() == (3, 3)


def test_a_file_that_kept_the_facts_in_their_own_table_is_brought_up_to_date(database):
    """Earlier versions wrote case_facts as a second table beside `cases`: the table goes, the
    cases get their fact columns, and the figures are those of a file built now."""
    expected = kpi(db.open_reader(database), as_of=d(2026, 11, 1)).figures
    with db.connect(database) as con:
        con.execute("CREATE TABLE old_facts AS SELECT * FROM case_facts")
        con.execute("DROP VIEW case_facts")
        con.execute("ALTER TABLE cases DROP COLUMN is_repeat")
        con.execute("ALTER TABLE cases DROP COLUMN person_id")
        con.execute("ALTER TABLE old_facts RENAME TO case_facts")
        con.execute("UPDATE meta SET value = 'old' WHERE key = 'build_signature'")
    reader = db.open_reader(database)
    kinds = db.cursor(reader).execute(
        "SELECT table_name, table_type FROM information_schema.tables WHERE table_name IN ('cases', 'case_facts') "
        "ORDER BY 1").fetchall()
    assert kinds == [("case_facts", "VIEW"), ("cases", "BASE TABLE")]
    assert kpi(reader, as_of=d(2026, 11, 1)).figures == expected


def test_a_file_whose_cases_carry_a_primary_key_still_merges_by_case_id(tmp_path):
    """Earlier versions declared case_id the PRIMARY KEY (now merged without one, #14.2): such a
    file, which keeps its key, takes a re-import and an overlapping export as a new file does."""
    import duckdb
    path = tmp_path / "old.duckdb"
    with duckdb.connect(str(path)) as old:
        old.execute(db.sql("schema").replace("case_id          VARCHAR NOT NULL,", "case_id VARCHAR PRIMARY KEY,", 1))
        assert old.execute("SELECT count(*) FROM duckdb_constraints() WHERE table_name = 'cases' "
                           "AND constraint_type = 'PRIMARY KEY'").fetchone() == (1,)
    for name, ids in (("a.csv", range(3)), ("a.csv", range(3)), ("b.csv", range(2, 5))):
        assert cli("import", str(ledger(tmp_path, name, ids)), "--db", str(path), "--as-of", "2026-11-01").returncode == 0
    with db.connect(path) as con:
        assert con.execute("SELECT count(*), count(DISTINCT case_id) FROM cases").fetchone() == (5, 5)


def test_compose_fills_every_placeholder_and_refuses_a_missing_one():
    from queries.db import compose
    filled = compose("metric_base", in_view="TRUE AND f.case_id <> 'x'")
    assert "TRUE AND f.case_id <> 'x'" in filled and "{in_view}" not in filled
    assert r"\p{Z}" in compose("case_facts", cases="cases", persons_filter="true")   # regex braces stay
    with pytest.raises(KeyError):
        compose("metric_base")                       # a placeholder left unfilled
    with pytest.raises(KeyError):
        compose("metric_base", in_view="TRUE", other="x")   # a part with no placeholder


def test_no_sql_comment_holds_a_placeholder():
    """compose fills every occurrence: one in a comment would put a multi-line part half in it."""
    from queries.db import SQL_DIR, _PLACEHOLDER
    found = [(path.name, line) for path in SQL_DIR.rglob("*.sql")
             for line in path.read_text(encoding="utf-8").splitlines()
             if "--" in line and _PLACEHOLDER.search(line.split("--", 1)[1])]
    assert found == []
