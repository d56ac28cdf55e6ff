"""Hostile filter values reach DuckDB as bound parameters: the data stays, the result is empty."""
from __future__ import annotations

import json
from datetime import date as d

from queries.db import connect
import pytest

from queries.metrics.kpi import kpi, rank
from queries.periods import Scope
from test_cli import cli
from test_metrics import build

HOSTILE = ["' OR 1=1 --", '"; DROP TABLE cases; --', "x" * 100_000, "青石镇\x00\x1b[31m\r\n",
           "$townships", "') OR list_contains(['a'], 'a') --"]


@pytest.fixture()
def db(tmp_path):
    con = build(tmp_path, [{"case_id": f"A{i}", "registered_on": d(2025, 2, 1), "township": "青石镇",
                            "village": "上庄村", "channel": "来访"} for i in range(3)])
    con.close()
    return tmp_path / "t.duckdb"


def case_count(db) -> int:
    with connect(db, read_only=True) as con:
        return con.execute("SELECT count(*) FROM cases").fetchone()[0]


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_values_in_functions(db, value):
    con = connect(db)
    for field in ("townships", "villages", "categories", "channels"):
        scope = Scope(**{field: (value,)})
        assert kpi(con, scope, as_of=d(2025, 3, 1)).figures["cases"].value == 0
        assert all(row["cases"] == 0 for row in rank(con, scope, as_of=d(2025, 3, 1)))
    con.close()
    assert case_count(db) == 3


@pytest.mark.parametrize("value", HOSTILE[:2] + HOSTILE[4:])
def test_hostile_values_through_the_cli(db, value):
    for option in ("--township", "--village", "--category", "--channel"):
        out = cli("kpi", "--db", str(db), "--as-of", "2025-03-01", option, value, "--json")
        assert out.returncode == 0, out.stderr
        assert json.loads(out.stdout)["metrics"]["cases"]["value"] == 0
    assert case_count(db) == 3
