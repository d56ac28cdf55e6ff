"""The metric layer against small databases whose right answers are worked out by hand.

Cases are written straight into `cases` (the importer has its own tests), then case_facts is
rebuilt exactly as after an import. Each test states the arithmetic it expects.
"""
from __future__ import annotations

from datetime import date as d

import pandas as pd
import pytest

from queries.db import connect, refresh_facts
from queries.metrics.kpi import kpi, rank
from queries.periods import Scope
from queries.metrics.scorecard import Scorecard

ID_P = "430000199001011234"


def build(tmp_path, cases: list[dict]):
    """A database holding exactly these cases (missing fields blank, persons 1)."""
    con = connect(tmp_path / "t.duckdb")
    frame = pd.DataFrame([{"persons": 1, "category": "城乡建设类", "channel": "来信", **c} for c in cases])
    con.register("new_cases", frame)
    con.execute("INSERT INTO cases BY NAME SELECT * FROM new_cases")
    con.unregister("new_cases")
    refresh_facts(con)
    return con


def facts(con) -> dict[str, dict]:
    rows = con.execute("SELECT * FROM case_facts").df().to_dict("records")
    return {r["case_id"]: r for r in rows}


def value(result: Scorecard, metric_id: str, which: str = "value"):
    return getattr(result.figures[metric_id], which)


# --- derived facts ----------------------------------------------------------------------

def test_repeat_window_is_365_days_inclusive(tmp_path):
    # 2024-01-01 -> 2024-12-31 is 365 days (leap year): repeat.
    # 2024-12-31 -> 2026-01-01 is 366 days: not a repeat.
    con = build(tmp_path, [
        {"case_id": "A1", "registered_on": d(2024, 1, 1), "petitioner_idno": ID_P},
        {"case_id": "A2", "registered_on": d(2024, 12, 31), "petitioner_idno": ID_P},
        {"case_id": "A3", "registered_on": d(2026, 1, 1), "petitioner_idno": ID_P},
    ])
    f = facts(con)
    assert [f[c]["is_repeat"] for c in ("A1", "A2", "A3")] == [False, True, False]


def test_same_day_cases_are_ordered_by_case_id(tmp_path):
    con = build(tmp_path, [
        {"case_id": "B2", "registered_on": d(2025, 3, 1), "petitioner_idno": ID_P},
        {"case_id": "B1", "registered_on": d(2025, 3, 1), "petitioner_idno": ID_P},
    ])
    f = facts(con)
    assert (f["B1"]["is_repeat"], f["B2"]["is_repeat"]) == (False, True)


def test_repeat_needs_same_category(tmp_path):
    con = build(tmp_path, [
        {"case_id": "C1", "registered_on": d(2025, 3, 1), "petitioner_idno": ID_P},
        {"case_id": "C2", "registered_on": d(2025, 4, 1), "petitioner_idno": ID_P, "category": "劳动保障类"},
    ])
    assert facts(con)["C2"]["is_repeat"] is False


def test_petitioner_key_from_id_numbers(tmp_path):
    con = build(tmp_path, [
        # 18 characters, lower-case x and white space (incl. U+3000) are the same person
        {"case_id": "D1", "registered_on": d(2025, 1, 1), "petitioner_idno": "43000019900101123x"},
        {"case_id": "D2", "registered_on": d(2025, 1, 2), "petitioner_idno": "430000 19900101\u3000123X"},
        # 15 digits is the 18-character number of the same person: 430000 + 19 + 900101123, check
        # character by hand: 28+27+0+0+0+0+2+9+54+0+0+9+0+5+8+8+6 = 156, 156 mod 11 = 2 -> "X"
        {"case_id": "D3", "registered_on": d(2025, 1, 3), "petitioner_idno": "430000900101123"},
        # 16 characters is not: the name decides
        {"case_id": "D4", "registered_on": d(2025, 1, 4), "petitioner_idno": "4300009001011234",
         "petitioner_name": "王五", "township": "青石镇", "village": "上庄村"},
    ])
    f = facts(con)
    assert f["D1"]["petitioner_key"] == f["D2"]["petitioner_key"] == "43000019900101123X"
    assert f["D2"]["is_repeat"] is True
    assert f["D3"]["petitioner_key"] == "43000019900101123X" and f["D3"]["is_repeat"] is True
    assert f["D4"]["petitioner_key"] == "王五|青石镇|上庄村"


def test_name_only_and_unknown_petitioners(tmp_path):
    con = build(tmp_path, [
        {"case_id": "E1", "registered_on": d(2025, 1, 1), "petitioner_name": "李四", "township": "青石镇"},
        {"case_id": "E2", "registered_on": d(2025, 2, 1), "petitioner_name": "李四", "township": "青石镇"},
        {"case_id": "E3", "registered_on": d(2025, 2, 1), "petitioner_name": "李四", "township": "柳河镇"},
        {"case_id": "E4", "registered_on": d(2025, 3, 1)},
        {"case_id": "E5", "registered_on": d(2025, 3, 1)},
    ])
    f = facts(con)
    assert f["E1"]["petitioner_key"] == "李四|青石镇|"
    assert [f[c]["is_repeat"] for c in ("E1", "E2", "E3", "E4", "E5")] == [False, True, False, False, False]
    assert f["E4"]["petitioner_key"] == "E4"


# --- periods and comparisons --------------------------------------------------------------

def test_default_period_and_cut_back(tmp_path):
    con = build(tmp_path, [
        {"case_id": "F1", "registered_on": d(2024, 5, 1)},
        {"case_id": "F2", "registered_on": d(2025, 6, 30)},
    ])
    result = kpi(con)
    # as-of = latest registration; period = 1 January of that year .. as-of
    period = result.period
    assert (period.as_of, period.start, period.end) == (d(2025, 6, 30), d(2025, 1, 1), d(2025, 6, 30))
    result = kpi(con, as_of=d(2025, 3, 1), start=d(2025, 1, 1), end=d(2025, 12, 31))
    assert result.period.end == d(2025, 3, 1)
    assert value(result, "cases") == 0


def test_leap_day_comparisons(tmp_path):
    con = build(tmp_path, [{"case_id": "G0", "registered_on": d(2022, 1, 1)},
                           {"case_id": "G1", "registered_on": d(2024, 2, 29)}])
    result = kpi(con, as_of=d(2024, 2, 29), start=d(2024, 2, 1), end=d(2024, 2, 29))
    yoy, pop = result.periods.yoy, result.periods.pop
    assert (yoy.start, yoy.end, yoy.as_of) == (d(2023, 2, 1), d(2023, 2, 28), d(2023, 2, 28))
    # 29 days back: 2024-01-03 .. 2024-01-31, as of 2024-01-31
    assert (pop.start, pop.end, pop.as_of) == (d(2024, 1, 3), d(2024, 1, 31), d(2024, 1, 31))


def test_comparison_before_the_data_is_null(tmp_path):
    con = build(tmp_path, [{"case_id": "H1", "registered_on": d(2025, 2, 1)}])
    result = kpi(con, as_of=d(2025, 3, 31), start=d(2025, 1, 1), end=d(2025, 3, 31))
    assert value(result, "cases") == 1
    assert value(result, "cases", "yoy") is None and value(result, "cases", "pop") is None
    assert value(result, "cases", "met") is None


def test_comparison_is_computed_as_of_its_own_day(tmp_path):
    # A case of 2024-02-01 closed on 2024-05-01: closed as of today's view, still open as of
    # the 同比 as-of day 2024-03-31, so the 同比 rate has no closed first-time case: null.
    con = build(tmp_path, [
        {"case_id": "I0", "registered_on": d(2023, 1, 1), "closed_on": d(2023, 1, 2)},  # data since 2023
        {"case_id": "I1", "registered_on": d(2024, 2, 1), "closed_on": d(2024, 5, 1), "resolution": "已化解",
         "accepted_on": d(2024, 2, 2), "due_on": d(2024, 3, 15)},
        {"case_id": "I2", "registered_on": d(2025, 2, 1), "closed_on": d(2025, 2, 10), "resolution": "已化解"},
    ])
    result = kpi(con, as_of=d(2025, 3, 31), start=d(2025, 1, 1), end=d(2025, 3, 31))
    assert value(result, "first_time_resolution_rate") == 1.0
    assert value(result, "first_time_resolution_rate", "yoy") is None
    # I1's due date 2024-03-15 < 2024-03-31 and open then: the 同比 backlog holds it;
    # as of 2025-03-31 it is closed, so today's backlog is empty.
    assert value(result, "overdue_open", "yoy") == 1
    assert value(result, "overdue_open") == 0


def test_zero_denominators_are_null(tmp_path):
    con = build(tmp_path, [{"case_id": "J1", "registered_on": d(2025, 1, 5)}])
    result = kpi(con, as_of=d(2025, 1, 5))
    for metric_id in ("satisfaction_rate", "evaluation_rate", "first_time_resolution_rate",
                      "key_person_stability", "on_time_closure_rate", "on_time_acceptance_rate"):
        assert value(result, metric_id) is None, metric_id
        assert value(result, metric_id, "met") is None, metric_id
    assert value(result, "repeat_ratio") == 0.0


# --- 三降 ---------------------------------------------------------------------------------

def test_fall_metrics_met_against_yoy(tmp_path):
    cases = [{"case_id": f"K{y}{i}", "registered_on": d(y, 3, 1), "persons": 2}
             for y, n in ((2024, 3), (2025, 2)) for i in range(n)]
    cases.append({"case_id": "K0", "registered_on": d(2023, 12, 1), "closed_on": d(2023, 12, 2)})  # data start
    cases.append({"case_id": "S1", "registered_on": d(2025, 3, 2), "channel": "来访", "level": "市", "persons": 4,
                  "petitioner_idno": ID_P})
    cases.append({"case_id": "S2", "registered_on": d(2025, 3, 3), "channel": "来访", "level": "省", "persons": 1,
                  "petitioner_idno": ID_P, "category": "劳动保障类"})
    cases.append({"case_id": "S3", "registered_on": d(2025, 3, 3), "channel": "来信", "level": "京"})
    con = build(tmp_path, cases)
    result = kpi(con, as_of=d(2025, 3, 31), start=d(2025, 1, 1), end=d(2025, 3, 31))
    assert (value(result, "cases"), value(result, "cases", "yoy")) == (5, 3)
    assert value(result, "cases", "met") is False
    # persons: 2+2 + 4 + 1 + 1 = 10 against 3*2 = 6
    assert (value(result, "person_visits"), value(result, "person_visits", "yoy")) == (10, 6)
    # skip level: only 来访 at 市/省/京 -> S1 (4) + S2 (1); 来信 at 京 is not a visit
    assert value(result, "skip_level_persons") == 5
    assert value(result, "skip_level_petitioners") == 1
    assert value(result, "skip_level_petitioners", "met") is None
    assert value(result, "skip_level_persons", "yoy") == 0


def test_repeat_ratio_and_target(tmp_path):
    # 10 cases in 2025, of which one repeat -> 10% (target <= 10%: met)
    cases = [{"case_id": f"L{i:02d}", "registered_on": d(2025, 2, 1 + i)} for i in range(9)]
    cases.append({"case_id": "L99", "registered_on": d(2025, 2, 20), "petitioner_idno": ID_P})
    cases.append({"case_id": "L00x", "registered_on": d(2024, 12, 1), "petitioner_idno": ID_P})
    con = build(tmp_path, cases)
    result = kpi(con, as_of=d(2025, 2, 28), start=d(2025, 1, 1))
    assert value(result, "repeat_ratio") == pytest.approx(0.1)
    assert value(result, "repeat_ratio", "target") == 0.1
    assert value(result, "repeat_ratio", "met") is True


# --- 四升 ---------------------------------------------------------------------------------

def test_first_time_resolution_needs_no_follow_up_until_as_of(tmp_path):
    con = build(tmp_path, [
        {"case_id": "M1", "registered_on": d(2025, 1, 10), "closed_on": d(2025, 2, 1), "resolution": "已化解",
         "petitioner_idno": ID_P},
        {"case_id": "M2", "registered_on": d(2025, 6, 1), "petitioner_idno": ID_P},  # same matter again
        {"case_id": "M3", "registered_on": d(2025, 1, 11), "closed_on": d(2025, 2, 1), "resolution": "稳控"},
        {"case_id": "M4", "registered_on": d(2025, 1, 12)},  # open: not in the denominator
    ])
    # As of 2025-05-31 the follow-up has not happened: M1 counts; M3 is not 已化解 -> 1/2.
    early = kpi(con, as_of=d(2025, 5, 31), start=d(2025, 1, 1))
    assert value(early, "first_time_resolution_rate") == 0.5
    # As of 2025-06-30 M1 was followed up within 365 days -> 0/2 (M2 is a repeat: excluded).
    late = kpi(con, as_of=d(2025, 6, 30), start=d(2025, 1, 1))
    assert value(late, "first_time_resolution_rate") == 0.0
    assert value(late, "first_time_resolution_rate", "met") is False


def test_resolved_or_stable_and_satisfaction(tmp_path):
    closed = {"closed_on": d(2025, 3, 1)}
    con = build(tmp_path, [
        {"case_id": "N1", "registered_on": d(2025, 2, 1), "resolution": "已化解", "satisfaction": "满意", **closed},
        {"case_id": "N2", "registered_on": d(2025, 2, 1), "resolution": "稳控", "satisfaction": "基本满意", **closed},
        {"case_id": "N3", "registered_on": d(2025, 2, 1), "resolution": "未化解", "satisfaction": "不满意", **closed},
        {"case_id": "N4", "registered_on": d(2025, 2, 1), "satisfaction": "未评价", **closed},
        {"case_id": "N5", "registered_on": d(2025, 2, 1), **closed},
        {"case_id": "N6", "registered_on": d(2025, 2, 1), "resolution": "已化解", "satisfaction": "满意"},  # open
    ])
    result = kpi(con, as_of=d(2025, 3, 31), start=d(2025, 1, 1))
    assert value(result, "resolved_or_stable_rate") == pytest.approx(3 / 6)
    assert value(result, "satisfaction_rate") == pytest.approx(2 / 3)
    assert value(result, "evaluation_rate") == pytest.approx(3 / 5)
    assert value(result, "satisfaction_rate", "met") is False


def test_key_person_stability(tmp_path):
    con = build(tmp_path, [
        # K1: key person since 2024, skip-level visit in the period -> not stable
        {"case_id": "P1", "registered_on": d(2024, 6, 1), "petitioner_idno": ID_P, "key_person": True},
        {"case_id": "P2", "registered_on": d(2025, 2, 1), "petitioner_idno": ID_P, "channel": "来访",
         "level": "市", "category": "劳动保障类"},
        # K2: key person, no skip-level visit -> stable
        {"case_id": "P3", "registered_on": d(2025, 1, 5), "petitioner_name": "赵六", "key_person": True},
        # not a key person: a skip-level visit does not count here
        {"case_id": "P4", "registered_on": d(2025, 1, 6), "petitioner_name": "钱七", "channel": "来访", "level": "京"},
        # flagged after the period's end: not yet a key person
        {"case_id": "P5", "registered_on": d(2025, 5, 1), "petitioner_name": "孙八", "key_person": True},
    ])
    result = kpi(con, as_of=d(2025, 5, 1), start=d(2025, 1, 1), end=d(2025, 3, 31))
    assert value(result, "key_person_stability") == 0.5
    assert value(result, "key_person_stability", "target") == 1.0


# --- 三个100% ----------------------------------------------------------------------------

def test_on_time_acceptance_and_closure(tmp_path):
    con = build(tmp_path, [
        {"case_id": "Q1", "registered_on": d(2025, 3, 20)},                                 # window open: out
        {"case_id": "Q2", "registered_on": d(2025, 3, 1)},                                  # 03-16 passed: late
        {"case_id": "Q3", "registered_on": d(2025, 2, 1), "accepted_on": d(2025, 2, 10)},   # in time
        {"case_id": "Q4", "registered_on": d(2025, 2, 1), "accepted_on": d(2025, 2, 20)},   # 19 days: late
    ])
    result = kpi(con, as_of=d(2025, 3, 31), start=d(2025, 1, 1))
    assert value(result, "on_time_acceptance_rate") == pytest.approx(1 / 3)

    con.close()
    con = build(tmp_path / "b", [
        {"case_id": "R1", "registered_on": d(2025, 1, 1), "due_on": d(2025, 3, 10), "closed_on": d(2025, 3, 5)},
        {"case_id": "R2", "registered_on": d(2025, 1, 1), "due_on": d(2025, 3, 10), "closed_on": d(2025, 3, 15)},
        {"case_id": "R3", "registered_on": d(2025, 1, 1), "due_on": d(2025, 3, 10)},         # open, past due
        {"case_id": "R4", "registered_on": d(2025, 1, 1), "due_on": d(2025, 4, 30)},         # open, not due
        # no due date, accepted 01-05 -> due 03-06; closed after the as-of day: open and overdue
        {"case_id": "R5", "registered_on": d(2025, 1, 2), "accepted_on": d(2025, 1, 5), "closed_on": d(2025, 4, 2)},
        # no due date, not accepted -> due 01-02 + 75 = 03-18 < 03-31: overdue
        {"case_id": "R6", "registered_on": d(2025, 1, 2)},
        # registered 2024, open and overdue: the backlog counts in overdue_open only
        {"case_id": "R7", "registered_on": d(2024, 11, 1), "due_on": d(2024, 12, 31)},
    ])
    result = kpi(con, as_of=d(2025, 3, 31), start=d(2025, 1, 1))
    # closed or past due in the period: R1, R2, R3, R5, R6 -> in time: R1
    assert value(result, "on_time_closure_rate") == pytest.approx(1 / 5)
    assert value(result, "overdue_open") == 4  # R3, R5, R6, R7
    assert value(result, "overdue_open", "met") is False


# --- 五不 --------------------------------------------------------------------------------

def test_five_nos(tmp_path):
    visit = {"channel": "来访"}
    con = build(tmp_path, [
        {"case_id": "T1", "registered_on": d(2025, 2, 1), "level": "京", **visit},
        {"case_id": "T2", "registered_on": d(2025, 2, 1), "level": "省", "persons": 20, **visit},
        {"case_id": "T3", "registered_on": d(2025, 2, 1), "level": "市", "persons": 50, **visit},
        {"case_id": "T4", "registered_on": d(2025, 2, 1), "level": "市", "persons": 49, **visit},
        {"case_id": "T5", "registered_on": d(2025, 2, 1), "level": "省", "persons": 19},   # a letter
        # repeat collective at 省: same person and matter within a year
        {"case_id": "T6", "registered_on": d(2024, 8, 1), "petitioner_idno": ID_P},
        {"case_id": "T7", "registered_on": d(2025, 2, 2), "level": "省", "persons": 5, "petitioner_idno": ID_P, **visit},
    ])
    result = kpi(con, as_of=d(2025, 3, 31), start=d(2025, 1, 1))
    assert value(result, "beijing_province_visits") == 3        # T1, T2, T7
    assert value(result, "large_collective_city") == 1          # T3
    assert value(result, "large_collective_province") == 1      # T2
    assert value(result, "repeat_collective_province") == 1     # T7
    assert value(result, "beijing_province_visits", "met") is False
    assert value(result, "extreme_incidents") == 0
    assert value(result, "extreme_incidents", "met") is True


def test_rebound_petitioners(tmp_path):
    con = build(tmp_path, [
        # settled in 2024, back in 2025 with another matter: a rebound
        {"case_id": "U1", "registered_on": d(2024, 3, 1), "closed_on": d(2024, 4, 1), "resolution": "已化解",
         "petitioner_idno": ID_P},
        {"case_id": "U2", "registered_on": d(2025, 2, 1), "petitioner_idno": ID_P, "category": "劳动保障类"},
        {"case_id": "U3", "registered_on": d(2025, 3, 1), "petitioner_idno": ID_P, "category": "劳动保障类"},
        # settled only after the new case was registered: not a rebound
        {"case_id": "V1", "registered_on": d(2025, 1, 1), "closed_on": d(2025, 3, 1), "resolution": "已化解",
         "petitioner_name": "周九"},
        {"case_id": "V2", "registered_on": d(2025, 2, 1), "petitioner_name": "周九"},
        # 稳控 is not settled
        {"case_id": "W1", "registered_on": d(2024, 3, 1), "closed_on": d(2024, 4, 1), "resolution": "稳控",
         "petitioner_name": "吴十"},
        {"case_id": "W2", "registered_on": d(2025, 2, 1), "petitioner_name": "吴十"},
    ])
    result = kpi(con, as_of=d(2025, 3, 31), start=d(2025, 1, 1))
    assert value(result, "rebound_petitioners") == 1


def test_scope_filters(tmp_path):
    con = build(tmp_path, [
        {"case_id": "X1", "registered_on": d(2025, 2, 1), "township": "青石镇", "channel": "来访"},
        {"case_id": "X2", "registered_on": d(2025, 2, 1), "township": "青石镇", "channel": "来信"},
        {"case_id": "X3", "registered_on": d(2025, 2, 1), "township": "柳河镇", "channel": "来访"},
        {"case_id": "X4", "registered_on": d(2025, 2, 1), "township": "城东街道", "channel": "来访",
         "category": "劳动保障类"},
    ])
    def cases(**scope):
        return value(kpi(con, Scope(**scope), as_of=d(2025, 3, 1)), "cases")
    assert cases(townships=("青石镇", "柳河镇")) == 3                      # any of one filter
    assert cases(townships=("青石镇", "柳河镇"), channels=("来访",)) == 2   # all of several
    assert cases(categories=("劳动保障类",)) == 1
    assert cases(townships=("' OR 1=1 --",)) == 0                            # a value, never SQL


# --- ranking ------------------------------------------------------------------------------

def test_rank_deductions_order_and_grades(tmp_path):
    visit = {"channel": "来访"}
    a = {"township": "青石镇", "village": "上庄村"}
    b = {"township": "青石镇", "village": "下庄村"}
    c = {"township": "柳河镇", "village": "东风村"}
    e = {"township": "柳河镇", "village": "西风村"}
    con = build(tmp_path, [
        # 上庄村: a repeat collective 来访 at 京 -> 2 + 0.5 + 1 = 3.5 (its first case: 0)
        {"case_id": "Y1", "registered_on": d(2024, 12, 1), "closed_on": d(2024, 12, 5), "petitioner_idno": ID_P, **a},
        {"case_id": "Y2", "registered_on": d(2025, 2, 1), "petitioner_idno": ID_P, "level": "京",
         "persons": 6, "closed_on": d(2025, 2, 5), **visit, **a},
        # 下庄村: 30 来访 at 省 -> 30 points: 70, 红
        *[{"case_id": f"Z{i:02d}", "registered_on": d(2025, 2, 1), "level": "省", "closed_on": d(2025, 2, 2),
           **visit, **b} for i in range(30)],
        # 东风村: an overdue case registered in 2024 (backlog) and nothing else -> 99.5
        {"case_id": "O1", "registered_on": d(2024, 10, 1), "due_on": d(2024, 12, 1), **c},
        # 西风村: one clean case -> 100, ties nobody
        {"case_id": "G1", "registered_on": d(2025, 1, 10), "closed_on": d(2025, 1, 20), **e},
    ])
    rows = rank(con, as_of=d(2025, 3, 31), start=d(2025, 1, 1))
    assert [(r["rank"], r["village"], r["score"], r["grade"]) for r in rows] == [
        (1, "西风村", 100.0, "绿"), (2, "东风村", 99.5, "绿"), (3, "上庄村", 96.5, "绿"), (4, "下庄村", 70.0, "红")]
    top = rows[2]
    assert top["deductions"] == {"visit_jing": 2.0, "visit_sheng": 0.0, "visit_shi": 0.0, "repeat": 0.5,
                                 "collective_county_up": 1.0, "overdue": 0.0}
    assert rows[1]["cases"] == 0 and rows[1]["overdue_open"] == 1


def test_rank_ties_break_on_cases_then_names(tmp_path):
    con = build(tmp_path, [
        {"case_id": "A1", "registered_on": d(2025, 1, 1), "township": "乙镇", "village": "甲村"},
        {"case_id": "A2", "registered_on": d(2025, 1, 1), "township": "甲镇", "village": "乙村"},
        {"case_id": "A3", "registered_on": d(2025, 1, 1), "township": "甲镇", "village": "甲村"},
        {"case_id": "A4", "registered_on": d(2025, 1, 2), "township": "甲镇", "village": "甲村"},
    ])
    rows = rank(con, as_of=d(2025, 1, 31))
    # all 100: fewer cases first, then township, then village by code point (乙 U+4E59 > 甲 U+7532? no: 乙 < 甲)
    expected = sorted([("乙镇", "甲村", 1), ("甲镇", "乙村", 1)], key=lambda t: (t[0], t[1])) + [("甲镇", "甲村", 2)]
    assert [(r["township"], r["village"], r["cases"]) for r in rows] == expected
