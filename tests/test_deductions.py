"""The ranking's deduction registry: one definition read by kpi.rank, the pages and the outputs."""
from queries.config import load_config
from queries.metrics.deductions import BY_RULE, DEDUCTIONS, itemised


def test_every_configured_rule_has_one_deduction_and_back():
    assert set(BY_RULE) == set(load_config()["ranking"]["deductions"])
    assert len(BY_RULE) == len(DEDUCTIONS)


def test_itemised_text_worked_by_hand():
    row = {"deductions": {"visit_jing": 2.0, "repeat": 14.5, "overdue": 0.0, "visit_shi": 0.5},
           "events": {"visit_jing": 1, "repeat": 29, "overdue": 0, "visit_shi": 1}}
    assert itemised(row) == "重复信访29件扣14.5分；进京来访1批扣2分；到市来访1批扣0.5分"
    assert itemised(row, limit=1) == "重复信访29件扣14.5分"
    assert itemised({"deductions": {"overdue": 0.0}, "events": {"overdue": 0}}) == "无扣分事项"


def test_points_follow_the_configuration(tmp_path, monkeypatch):
    office = tmp_path / "xinfang.toml"
    office.write_text("[ranking.deductions]\noverdue = 1.5\n", encoding="utf-8")
    monkeypatch.setenv("XINFANG_CONFIG", str(office))   # the configuration is cached per file
    assert BY_RULE["overdue"].points == 1.5
    assert BY_RULE["overdue"].rule_text() == "每件 1.5 分"
    assert BY_RULE["visit_jing"].points == 2.0
