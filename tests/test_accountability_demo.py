"""The demo's reception ledger and roster, and the per-leader, 交办件 and per-unit figures
recomputed independently in pandas from the raw tables (a second route to every number)."""
from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import pytest

from queries.demo.receptions import LEDGER_FILE, ROSTER_FILE
from queries.metrics.duty import duty
from queries.metrics.accountability import handed, leaders, units
from queries.db import connect
from queries.demo.database import build_demo
from queries.normalize import simplified

AS_OF = date(2026, 9, 30)
START = date(2026, 1, 1)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    root = tmp_path_factory.mktemp("acct_demo")
    report = build_demo(root / "demo.duckdb", root / "exports")
    con = connect(root / "demo.duckdb", read_only=True)
    yield {f["file"]: f for f in report["files"]}, con
    con.close()


def _facts(con, as_of: date) -> pd.DataFrame:
    cases = con.execute("SELECT * FROM cases").df()
    due = cases["due_on"].copy()
    accepted = cases["accepted_on"].notna() & (cases["accepted_on"] <= pd.Timestamp(as_of))
    due = due.where(due.notna(), (cases["accepted_on"] + timedelta(days=60)).where(accepted))
    due = due.where(due.notna(), cases["registered_on"] + timedelta(days=75))
    cases["due"] = due
    cases["closed"] = cases["closed_on"].notna() & (cases["closed_on"] <= pd.Timestamp(as_of))
    cases["overdue"] = ~cases["closed"] & (cases["due"] < pd.Timestamp(as_of))
    cases["unit"] = [simplified(u.strip()) if isinstance(u, str) and u.strip() else "（未明确）"
                     for u in cases["responsible_unit"]]
    return cases.set_index("case_id")


def _receptions(con) -> pd.DataFrame:
    frame = con.execute("SELECT * FROM receptions").df()
    frame["held_on"] = pd.to_datetime(frame["held_on"]).dt.date
    return frame[(frame["held_on"] >= START) & (frame["held_on"] <= AS_OF)]


def test_the_demo_files_are_read_as_their_kinds(demo):
    files, con = demo
    assert (files[LEDGER_FILE]["kind"], files[ROSTER_FILE]["kind"]) == ("receptions", "roster")
    ledger = files[LEDGER_FILE]
    assert ledger["rejected"] == 5 and ledger["skipped"] == 1 and ledger["warnings"] == 1
    assert ledger["rows_read"] == ledger["imported"] + ledger["updated"] + ledger["rejected"] + ledger["skipped"]
    assert con.execute("SELECT count(DISTINCT kind) FROM receptions").fetchone()[0] == 4


def test_leaders_match_an_independent_count(demo):
    con = demo[1]
    facts, rec = _facts(con, AS_OF), _receptions(con)
    expected = []
    for leader, rows in sorted(rec.groupby("leader")):
        visits = rows[rows["kind"] == "接访"]
        ids = {i for ids in rows["case_ids"] for i in ids if i in facts.index}
        mine = facts.loc[sorted(ids)]
        led = facts[[isinstance(l, str) and simplified(l.strip()) == leader for l in facts["case_leader"]]]
        expected.append({
            "leader": leader, "receptions": len(visits), "batches": int(visits["batches"].sum()),
            "persons": int(visits["persons"].fillna(0).sum()),
            "appointment_persons": int(rows[rows["kind"] == "约访"]["persons"].fillna(1).sum()),
            "visits_down": int((rows["kind"] == "下访").sum()), "dispatches": int((rows["kind"] == "调度").sum()),
            "handed_over": len(ids), "handed_resolved": int((mine["resolution"] == "已化解").sum()),
            "handed_closed": int(mine["closed"].sum()), "handed_overdue": int(mine["overdue"].sum()),
            "owned_cases": int(((led["registered_on"] >= pd.Timestamp(START))
                                & (led["registered_on"] <= pd.Timestamp(AS_OF))).sum()),
        })
    assert leaders(con, as_of=AS_OF) == expected
    assert any(r["owned_cases"] for r in expected) and any(r["appointment_persons"] for r in expected)


def test_handed_statuses_match(demo):
    con = demo[1]
    facts, rec = _facts(con, AS_OF), _receptions(con)
    expected = {}
    for row in rec.itertuples():
        for case_id in row.case_ids:
            if case_id not in facts.index:
                status = "未入库"
            else:
                case = facts.loc[case_id]
                status = "已办结" if case["closed"] else "超期" if case["overdue"] else "办理中"
            expected[(row.held_on.isoformat(), row.leader, row.kind, case_id)] = status
    rows = handed(con, as_of=AS_OF)
    assert {(r["held_on"], r["leader"], r["kind"], r["case_id"]): r["status"] for r in rows} == expected
    assert len(rows) == len(expected) and {"已办结", "超期", "未入库"} <= set(expected.values())


def test_units_handed_columns_match(demo):
    con = demo[1]
    facts, rec = _facts(con, AS_OF), _receptions(con)
    ids = {i for ids in rec["case_ids"] for i in ids if i in facts.index}
    mine = facts.loc[sorted(ids)]
    by_unit = {u: (len(g), int((~g["closed"]).sum()), int(g["overdue"].sum())) for u, g in mine.groupby("unit")}
    listed = units(con, as_of=AS_OF)
    for row in listed:
        assert (row["handed_over"], row["handed_over_open"], row["handed_over_overdue"]) == by_unit.get(row["unit"], (0, 0, 0))
    in_period = facts[(facts["registered_on"] >= pd.Timestamp(START)) & (facts["registered_on"] <= pd.Timestamp(AS_OF))]
    assert {r["unit"]: r["cases"] for r in listed if r["cases"]} == in_period.groupby("unit").size().to_dict()
    order = [(-r["overdue_open"], r["on_time_closure_rate"] is None, r["on_time_closure_rate"] or 0) for r in listed]
    assert [o[:2] for o in order] == sorted(o[:2] for o in order)


def test_demo_duty_is_mostly_kept(demo):
    result = duty(demo[1], as_of=AS_OF, start=START)
    assert result["source"] == "imported" and 0.85 < result["duty_kept_rate"] < 1
    assert len(result["missed"]) == result["duty_days"] - result["kept_days"] > 0
