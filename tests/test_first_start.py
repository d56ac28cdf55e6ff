"""First start (issue #13.8): the quick start builds the demo before the server starts, with
`python -m queries demo --if-missing`, which builds it only when there is no database yet and
otherwise leaves the file as it is (the demo, or the office's own data after `demo --remove`)."""
from __future__ import annotations

import json

from queries import cli, db
from queries.demo.county import DEMO_FILES
from queries.demo.database import has_demo
from test_metrics import build


def test_if_missing_builds_the_demo_once_then_leaves_the_file_alone(tmp_path, capsys):
    path = tmp_path / "data" / "xinfang.duckdb"   # as on a fresh clone: not there yet
    assert cli.main(["demo", "--if-missing", "--db", str(path)]) == 0
    report = capsys.readouterr().out
    con = db.connect(path, read_only=True)
    try:
        assert has_demo(con)
        files = {row[0] for row in con.execute("SELECT DISTINCT source_file FROM cases").fetchall()}
    finally:
        con.close()
    assert files == set(DEMO_FILES) and all(name in report for name in DEMO_FILES)

    built = db.identity(path)
    assert cli.main(["demo", "--if-missing", "--db", str(path), "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"skipped": str(path)}
    assert db.identity(path) == built   # not rebuilt, not even re-imported


def test_if_missing_leaves_an_office_database_alone_where_demo_refuses(tmp_path, capsys):
    build(tmp_path, [{"case_id": "A1", "registered_on": "2025-01-01", "source_file": "台账.xlsx"}]).close()
    path = tmp_path / "t.duckdb"
    before = path.read_bytes()
    assert cli.main(["demo", "--db", str(path)]) == 1   # the plain command refuses to mix
    assert "非演示数据" in capsys.readouterr().err
    assert cli.main(["demo", "--if-missing", "--db", str(path)]) == 0   # so `&& streamlit run` goes on
    assert "数据库已存在" in capsys.readouterr().out
    assert path.read_bytes() == before and not (tmp_path / "demo_exports").exists()
