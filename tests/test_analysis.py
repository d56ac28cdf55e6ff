"""Series, breakdowns, lists and ownership tables, on hand-built databases."""
from __future__ import annotations

from datetime import date as d

import pandas as pd
import pytest

from queries.ingest.incidents import add_incident
from queries.metrics import analysis
from queries.metrics.case_lists import BY_ID as CASE_LIST_BY_ID
from queries.metrics.kpi import kpi
from queries.metrics.registry import BY_ID
from queries.periods import Period, Scope
from queries.metrics.scorecard import Figure, Scorecard
from test_metrics import ID_P, build

PERIOD = Period("current", d(2025, 1, 1), d(2025, 3, 31), d(2025, 3, 31))


@pytest.fixture()
def con(tmp_path):
    return build(tmp_path, [
        # a repeat petitioner (name 王小明, phone): three cases, two repeats; export says only one
        {"case_id": "R1", "registered_on": d(2025, 1, 5), "petitioner_idno": ID_P, "petitioner_name": "王小明",
         "phone": "13812345678", "township": "青石镇", "village": "上庄村", "repeat_flag": False,
         "closed_on": d(2025, 1, 20), "resolution": "已化解", "case_leader": "张书记", "responsible_unit": "信访办",
         "summary": "征地补偿", "due_on": d(2025, 2, 5)},
        {"case_id": "R2", "registered_on": d(2025, 2, 5), "petitioner_idno": ID_P, "petitioner_name": "王小明",
         "township": "青石镇", "village": "上庄村", "repeat_flag": False, "resolution": "稳控",
         "case_leader": "张书记", "responsible_unit": "信访办", "summary": "征地补偿", "due_on": d(2025, 4, 5)},
        {"case_id": "R3", "registered_on": d(2025, 3, 5), "petitioner_idno": ID_P, "petitioner_name": "王小明",
         "township": "青石镇", "village": "上庄村", "repeat_flag": True, "key_person": True},
        # an old open case: overdue backlog, no leader
        {"case_id": "O1", "registered_on": d(2024, 6, 1), "township": "柳河镇", "village": "东风村",
         "petitioner_name": "李四", "due_on": d(2024, 8, 1)},
        # resolved in the period, registered the year before
        {"case_id": "S1", "registered_on": d(2024, 12, 20), "township": "柳河镇", "village": "东风村",
         "closed_on": d(2025, 1, 10), "resolution": "已化解", "case_leader": "李镇长"},
    ])


def test_case_lists(con):
    ids = {name: sorted(analysis.case_list(con, Scope(), PERIOD, name)["case_id"]) for name in CASE_LIST_BY_ID}
    assert ids["problem"] == ["O1", "R2", "R3"]            # open ones (R2, R3, O1); R1 closed and resolved
    assert ids["resolved"] == ["R1", "S1"]                 # 已化解 and closed in the period
    assert ids["stability"] == ["R2", "R3"]                # 稳控 (R2), key person (R3)
    assert ids["overdue"] == ["O1"]
    assert ids["period_cases"] == ["R1", "R2", "R3"]
    assert ids["repeat_disagreements"] == ["R2"]           # rule: repeat; export: no
    # 五有: R2 has everything; R3 lacks all five; O1 lacks leader, team, plan, follow-up
    gaps = analysis.case_list(con, Scope(), PERIOD, "five_has_gaps").set_index("case_id")
    assert sorted(gaps.index) == ["O1", "R3"]
    assert gaps.loc["O1", ["lacks_leader", "lacks_deadline"]].tolist() == [True, False]


def test_lists_are_masked_by_default(con):
    frame = analysis.case_list(con, Scope(), PERIOD, "period_cases")
    text = frame.to_csv()
    assert "王小明" not in text and ID_P not in text and "13812345678" not in text
    assert "王**" in text and "4300**********1234" in text and "138****5678" in text
    raw = analysis.case_list(con, Scope(), PERIOD, "period_cases", masked=False)
    assert "王小明" in raw.to_csv()


def test_top_repeaters_and_chain(con):
    top = analysis.top_repeaters(con, Scope(), PERIOD)
    assert top[["cases", "repeats"]].values.tolist() == [[3, 2]]
    assert top.loc[0, "petitioner_key"] == "4300**********1234"
    chain = analysis.petitioner_chain(con, top.loc[0, "petitioner_token"])
    assert chain["case_id"].tolist() == ["R1", "R2", "R3"]
    assert chain["is_repeat"].tolist() == [False, True, True]
    assert "王小明" not in chain.to_csv()


def test_leader_table(con):
    table = analysis.leader_table(con, Scope(), PERIOD).set_index("case_leader")
    # 张书记: R1 (closed, resolved) and R2 (open, 稳控)
    assert table.loc["张书记", ["cases", "open_cases", "closed_cases", "resolved_or_stable_cases",
                              "overdue_open", "five_has_gaps"]].tolist() == [2, 1, 1, 2, 0, 0]
    # no leader: R3 (in period) and O1 (backlog); both miss items of 五有
    assert table.loc["（未明确）", ["cases", "overdue_open", "five_has_gaps"]].tolist() == [1, 1, 2]


def test_breakdown_and_trend(con):
    by_village = analysis.breakdown(con, Scope(), PERIOD, "village", ["cases", "repeat_ratio"])
    assert by_village.set_index("village").loc["上庄村"].tolist() == [3, pytest.approx(2 / 3)]
    series = analysis.trend(con, Scope(), d(2025, 3, 31), ["cases", "overdue_open"], count=3)
    assert series["month"].tolist() == ["2025-01", "2025-02", "2025-03"]
    assert series["cases"].tolist() == [1, 1, 1]
    # backlog as of each month end: O1 all along; R2 open but due 04-05; R3 due 05-19
    assert series["overdue_open"].tolist() == [1, 1, 1]
    # a year earlier: only O1's month (2024-06) has data, and Jan-Mar 2024 precede it: null
    assert series["cases_yoy"].isna().all()


def test_alert_levels():
    assert analysis.alert_level(125, 100) == "告警"
    assert analysis.alert_level(115, 100) == "异常"
    assert analysis.alert_level(110, 100) == "平稳"       # exactly 10%: not above
    assert analysis.alert_level(0, 0) == "平稳"
    assert analysis.alert_level(1, 0) == "告警"
    assert analysis.alert_level(None, 3) is None
    figures = {"cases": (80, 100),                    # fell exactly 20%: not above it -> 异常
               "satisfaction_rate": (0.7, 0.9),       # fell 22%: 告警, adverse
               "repeat_ratio": (0.05, None)}
    scorecard = Scorecard(None, {i: Figure(BY_ID[i], value, yoy, None, None) for i, (value, yoy) in figures.items()})
    table = analysis.alerts(scorecard).set_index("metric")
    assert table.loc["cases", ["level", "adverse"]].tolist() == ["异常", False]
    assert table.loc["satisfaction_rate", ["level", "adverse"]].tolist() == ["告警", True]
    assert "repeat_ratio" not in table.index


def test_event_windows_count_province_registrations(tmp_path, monkeypatch):
    con = build(tmp_path, [
        {"case_id": "E1", "registered_on": d(2026, 2, 12), "level": "省", "channel": "来访"},
        {"case_id": "E2", "registered_on": d(2026, 2, 13), "level": "京", "channel": "来信", "key_person": True,
         "petitioner_name": "赵六"},
        {"case_id": "E3", "registered_on": d(2026, 2, 14), "level": "县"},
        {"case_id": "E4", "registered_on": d(2026, 3, 16), "level": "京"},   # after the window
    ])
    windows = analysis.event_windows(con, Scope()).set_index("name")
    assert windows.loc["春节及全国两会", ["event_registrations", "key_persons_active", "cases"]].tolist() == [2, 1, 3]
    assert windows.loc["国庆假期", "event_registrations"] == 0


def test_incidents_count_in_five_nos(con):
    add_incident(con, "extreme", d(2025, 2, 1), "某村村民冲击会场", "青石镇", "上庄村")
    add_incident(con, "publicity", d(2024, 2, 1), "网上炒作", "柳河镇")
    result = kpi(con, as_of=d(2025, 3, 31), start=d(2025, 1, 1))
    assert result.figures["extreme_incidents"].value == 1
    assert result.figures["extreme_incidents"].met is False
    assert result.figures["negative_publicity"].value == 0
    scoped = kpi(con, Scope(townships=("柳河镇",)), as_of=d(2025, 3, 31), start=d(2025, 1, 1))
    assert scoped.figures["extreme_incidents"].value == 0
    listed = analysis.incidents(con, Scope(), PERIOD)
    assert listed["description"].tolist() == ["某村村民冲击会场"]
    with pytest.raises(ValueError):
        add_incident(con, "other", d(2025, 2, 1), "x")


def test_skip_level_by_month_counts_persons_at_skip_levels_only(tmp_path):
    con = build(tmp_path, [
        {"case_id": "S1", "registered_on": d(2025, 2, 3), "channel": "来访", "level": "省", "persons": 2},
        {"case_id": "S2", "registered_on": d(2025, 2, 9), "channel": "来访", "level": "市"},
        {"case_id": "S3", "registered_on": d(2025, 3, 1), "channel": "来访", "level": "省", "persons": 3},
        {"case_id": "S4", "registered_on": d(2025, 3, 2), "channel": "来访", "level": "县"},   # not a skip level
        {"case_id": "S5", "registered_on": d(2025, 3, 3), "channel": "来信", "level": "省"},   # not a visit
    ])
    frame = analysis.skip_level_by_month(con, Scope(), d(2025, 3, 31), count=2)
    got = {(r.month, r.level): r.skip_level_persons for r in frame.itertuples()}
    assert got == {("2025-02", "省"): 2, ("2025-02", "市"): 1, ("2025-03", "省"): 3}


def test_filter_choices_worked_by_hand():
    """Lead categories and channels in their configured order (defaults.toml), the rest sorted; a blank
    or missing unit is （未明确）, a traditional-character unit the same as its simplified one;
    villages of the chosen townships only."""
    options = pd.DataFrame({
        "township": ["青石镇", "青石镇", "柳河镇", "柳河镇"],
        "village": ["上庄村", "白沙村", "河口村", None],
        "category": ["其他", "城乡建设类", "农业农村类", "城乡建设类"],
        "channel": ["来信", "来访", "来信", "电话"],
        "responsible_unit": ["縣住建局", "县住建局", None, " "],
    })
    choices = analysis.filter_choices(options)
    assert choices["t"] == ["柳河镇", "青石镇"]
    assert choices["v"] == ["上庄村", "河口村", "白沙村"]
    assert choices["c"] == ["城乡建设类", "农业农村类", "其他"]   # [categories] lead order
    assert choices["ch"] == ["来信", "来访", "电话"]             # [enums.channel] order
    assert choices["u"] == ["县住建局", "（未明确）"]
    assert analysis.filter_choices(options, ("青石镇",))["v"] == ["上庄村", "白沙村"]
