"""The command line prints the same numbers as the functions, in the shapes of CLI.md."""
from __future__ import annotations

import json
import subprocess
import sys
from datetime import date as d
from pathlib import Path

import pytest

from queries.metrics.kpi import kpi, rank
from queries.metrics.registry import PUBLIC
from queries.periods import Scope
from test_metrics import build

ROOT = Path(__file__).resolve().parent.parent
SPEC_IDS = {  # every metric id of METRICS.md
    "cases", "person_visits", "repeat_ratio", "skip_level_persons", "skip_level_petitioners",
    "first_time_resolution_rate", "resolved_or_stable_rate", "satisfaction_rate", "key_person_stability",
    "evaluation_rate", "on_time_acceptance_rate", "on_time_closure_rate", "overdue_open",
    "beijing_province_visits", "large_collective_city", "large_collective_province",
    "repeat_collective_province", "rebound_petitioners",
}
RANK_KEYS = {"rank", "township", "village", "score", "grade", "cases", "repeat_ratio", "skip_level_persons",
             "beijing_province_visits", "overdue_open", "satisfaction_rate"}


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "queries", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)


@pytest.fixture()
def db(tmp_path):
    con = build(tmp_path, [
        {"case_id": "A1", "registered_on": d(2024, 1, 1), "township": "青石镇", "village": "上庄村",
         "channel": "来访", "level": "省", "persons": 3, "closed_on": d(2024, 1, 9), "resolution": "已化解",
         "satisfaction": "满意"},
        {"case_id": "A2", "registered_on": d(2025, 2, 1), "township": "青石镇", "village": "下庄村",
         "category": "劳动保障类", "closed_on": d(2025, 2, 9), "resolution": "稳控", "satisfaction": "不满意"},
        {"case_id": "A3", "registered_on": d(2025, 3, 1), "township": "柳河镇", "village": "东风村"},
    ])
    con.close()
    return tmp_path / "t.duckdb"


def test_kpi_json_shape_and_same_numbers(db):
    args = ["--as-of", "2025-03-31", "--from", "2025-01-01", "--to", "2025-03-31", "--township", "青石镇"]
    out = cli("kpi", "--db", str(db), *args, "--json")
    assert out.returncode == 0, out.stderr
    document = json.loads(out.stdout)
    assert (document["as_of"], document["from"], document["to"]) == ("2025-03-31", "2025-01-01", "2025-03-31")
    assert SPEC_IDS <= set(document["metrics"])
    for figure in document["metrics"].values():
        assert {"name", "value", "yoy", "pop", "target", "met"} <= set(figure)
        assert figure["met"] in (True, False, None)
        for key in ("value", "yoy", "pop"):
            assert figure[key] is None or isinstance(figure[key], (int, float))
    # hand-worked: one 青石镇 case in the period (A2), one a year earlier (A1)
    assert document["metrics"]["cases"]["value"] == 1 and document["metrics"]["cases"]["yoy"] == 1
    assert document["metrics"]["satisfaction_rate"]["value"] == 0.0
    assert document["metrics"]["resolved_or_stable_rate"]["value"] == 1.0
    assert document["metrics"]["beijing_province_visits"]["yoy"] == 1
    from queries.db import connect
    expected = kpi(connect(db), Scope(townships=("青石镇",)), d(2025, 3, 31), d(2025, 1, 1), d(2025, 3, 31))
    assert document == json.loads(json.dumps(expected.to_json()))
    assert [m.id for m in PUBLIC] == list(document["metrics"])


def test_rank_json_shape_and_same_numbers(db):
    out = cli("rank", "--db", str(db), "--as-of", "2025-03-31", "--json")
    assert out.returncode == 0, out.stderr
    rows = json.loads(out.stdout)
    assert [r["rank"] for r in rows] == [1, 2, 3]
    for row in rows:
        assert RANK_KEYS <= set(row)
        assert row["grade"] in ("绿", "黄", "红")
    from queries.db import connect
    assert rows == json.loads(json.dumps(rank(connect(db), as_of=d(2025, 3, 31))))
    # 上庄村 has no case in 2025 and no backlog: 100 with 0 cases, first
    assert (rows[0]["village"], rows[0]["cases"], rows[0]["score"], rows[0]["satisfaction_rate"]) == (
        "上庄村", 0, 100.0, None)


def test_usage_errors_exit_2_and_missing_db_exits_1(tmp_path):
    assert cli("kpi", "--as-of", "2025-13-01", "--db", str(tmp_path / "x.duckdb")).returncode == 2
    assert cli("nonsense").returncode == 2
    missing = cli("kpi", "--db", str(tmp_path / "none.duckdb"), "--json")
    assert missing.returncode == 1 and "数据库不存在" in missing.stderr and missing.stdout == ""
