"""One way to say a change, one rule for bad news and for no value, the 0-vs-0 rule, and the
口径 text following the configuration in force. Expected texts are worked by hand."""
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from queries.outputs import charts, summaries
from queries.metrics.formatting import adverse, fmt_change, fmt_target, missing
from queries.metrics.kpi import kpi
from queries.metrics.registry import BY_ID, caliber
from queries.periods import Scope
from queries.outputs.report import ReportRequest, bulletin_markdown

RATIO, CASES, SATISFACTION = BY_ID["repeat_ratio"], BY_ID["cases"], BY_ID["satisfaction_rate"]


@pytest.mark.parametrize(("metric", "value", "base", "label", "text"), [
    (RATIO, 0.125, 0.15, "同比", "同比下降2.5个百分点"),          # a rate: points, not −16.7%
    (RATIO, 0.2, 0.1, "环比", "环比上升10.0个百分点"),
    (CASES, 14, 16, "同比", "同比下降12.5%"),                     # a count: 2/16
    (CASES, 3, 0, "同比", "同比上升3件（上年同期为0）"),
    (CASES, 3, 0, "环比", "环比上升3件（上期为0）"),
    (CASES, 5, 5, "同比", "同比持平"),
    (CASES, 5, None, "同比", "同比无可比数据"),
    (CASES, pd.NA, 4, "", "无可比数据"),
    (CASES, 9, 12, "", "下降25.0%"),
])
def test_the_change_text(metric, value, base, label, text):
    assert fmt_change(metric, value, base, label) == text


def test_adverse_follows_which_way_is_good():
    assert adverse(CASES, 5, 4) is True and adverse(CASES, 3, 4) is False
    assert adverse(SATISFACTION, 0.9, 0.95) is True and adverse(SATISFACTION, 0.97, 0.95) is False
    assert adverse(CASES, 4, 4) is None and adverse(CASES, pd.NA, 4) is None and adverse(CASES, 4, None) is None


def test_missing_knows_none_nan_and_na():
    assert missing(None) and missing(float("nan")) and missing(pd.NA)
    assert not missing(0) and not missing(0.0)


@pytest.mark.parametrize(("value", "yoy", "met"), [(0, 0, True), (1, 1, False), (2, 3, True), (3, 2, False),
                                                   (0, None, None)])
def test_a_fall_count_without_target_is_met_when_lower_or_both_zero(value, yoy, met):
    assert CASES.met(value, yoy) is met


def case(case_id, day, channel="来信", level="县", persons=1):
    return {"case_id": case_id, "registered_on": day, "channel": channel, "petitioner_name": "张三",
            "petitioner_idno": f"43000019900101{case_id[-4:]}", "persons": persons, "township": "青石镇",
            "village": "上庄村", "category": "城乡建设类", "level": level}


def test_zero_against_zero_is_met_in_kpi_and_the_bulletin(cases_db):
    """One letter a year in 2024 (so 2025 is comparable), 2025 and 2026, none of them
    skip-level: 越级上访人次 0 against 0 is 达标; 信访总量 1 against 1 is not."""
    con = cases_db([case("A-0000", date(2024, 6, 1)), case("A-0001", date(2025, 3, 2)),
                    case("A-0002", date(2026, 3, 2))])
    figures = kpi(con, Scope(), date(2026, 12, 31)).figures
    assert (figures["skip_level_persons"].value, figures["skip_level_persons"].yoy) == (0, 0)
    assert figures["skip_level_persons"].met is True
    assert figures["cases"].met is False
    text = bulletin_markdown(con, ReportRequest(as_of=date(2026, 12, 31)))
    assert "**越级上访人次**：0人次，同比持平；目标同比下降，达标。" in text
    assert "**信访总量**：1件，同比持平；目标同比下降，未达标。" in text


@pytest.fixture()
def office_config(tmp_path, monkeypatch):
    """An office that changed every configurable number the 口径 text quotes."""
    path = tmp_path / "xinfang.toml"
    path.write_text("[metrics]\nacceptance_days = 10\nrepeat_window_days = 180\ncollective_min = 3\n"
                    "skip_levels = [\"省\", \"京\"]\ndefault_due_after_acceptance_days = 30\n"
                    "default_due_after_registration_days = 45\nsatisfied = [\"满意\"]\n"
                    "[targets]\nrepeat_ratio = 0.08\nsatisfaction_rate = 0.9\n", encoding="utf-8")
    monkeypatch.setenv("XINFANG_CONFIG", str(path))
    return path


def test_caliber_text_follows_the_configuration(office_config):
    assert "在登记后 10 日内受理" in caliber(BY_ID["on_time_acceptance_rate"])
    assert "15" not in caliber(BY_ID["on_time_acceptance_rate"])
    assert "此前 180 天内" in caliber(RATIO) and "目标 ≤8%" in caliber(RATIO)
    assert fmt_target(RATIO) == "≤8%"
    assert "按受理日 + 30 天，未受理按登记日 + 45 天" in caliber(BY_ID["on_time_closure_rate"])
    assert "登记层级为省、京的" in caliber(BY_ID["skip_level_persons"])
    assert "评价为满意的比例。目标 ≥90%" in caliber(SATISFACTION)
    assert "来访 3 人以上" in caliber(BY_ID["deduction_collective"])


def test_caliber_page_and_tooltip_follow_the_configuration(office_config, monkeypatch, demo_db):
    from streamlit.testing.v1 import AppTest
    monkeypatch.setenv("XINFANG_DB", str(demo_db))
    at = AppTest.from_file(str(Path(__file__).parents[1] / "dashboard.py"), default_timeout=60)
    at.run()
    acceptance = BY_ID["on_time_acceptance_rate"].name
    card = next(m for m in at.metric if m.label == acceptance)
    assert "登记后 10 日内受理" in card.help
    at.switch_page("pages/caliber.py").run()
    assert not at.exception
    table = pd.concat([t.value for t in at.table])
    assert table.loc[table["指标"] == acceptance, "口径"].str.contains("登记后 10 日内受理").all()
    assert not table["口径"].str.contains("15 日").any()


def test_collective_min_of_three_gives_bands_from_three(office_config):
    cases = pd.DataFrame({"case_id": ["a", "b", "c", "d"], "persons": [3, 4, 12, 60],
                          "is_collective": [True, True, True, True], "level": ["县", "市", None, "省"]})
    sizes = summaries.collective_sizes(cases)
    assert list(zip(sizes["size"], sizes["level"], sizes["visits"])) == [
        ("3–9人", "县", 1), ("3–9人", "市", 1), ("10–19人", "（空白）", 1), ("50人以上", "省", 1)]
    figure = charts.collective_figure(sizes)
    assert list(figure.data[0].x) == ["3–9人", "10–19人", "20–49人", "50人以上"]


def test_size_bands_start_at_the_minimum():
    assert [name for *_, name in summaries.size_buckets(5)] == ["5–9人", "10–19人", "20–49人", "50人以上"]
    assert [name for *_, name in summaries.size_buckets(12)] == ["12–19人", "20–49人", "50人以上"]
    assert [name for *_, name in summaries.size_buckets(9)] == ["9人", "10–19人", "20–49人", "50人以上"]


def test_one_change_reads_the_same_on_card_table_deck_and_bulletin(monkeypatch, demo_db):
    """In the demo, 重复信访占比 fell by points (向好) and 超期未办结 rose by a share (告警): the
    card, the 总览 tables, the deck (key figures and scorecard) and the 通报 say the same."""
    from streamlit.testing.v1 import AppTest

    from queries import db
    from queries.outputs import deck
    con = db.open_reader(demo_db)
    try:
        figures = kpi(con).figures
        monkeypatch.setattr(deck, "render", lambda figs: dict.fromkeys(figs))   # no pictures needed
        slides = deck.build_deck(con, ReportRequest())
        bulletin = bulletin_markdown(con, ReportRequest())
    finally:
        con.close()
    deck_cells = [cell.text for slide in slides.slides for shape in slide.shapes if shape.has_table
                  for row in shape.table.rows for cell in row.cells]
    monkeypatch.setenv("XINFANG_DB", str(demo_db))
    at = AppTest.from_file(str(Path(__file__).parents[1] / "dashboard.py"), default_timeout=60)
    at.run()
    assert not at.exception
    cards = {m.label: m for m in at.metric}
    bad, good = [t.value for t in at.table if "变化幅度" in t.value.columns]   # 告警, then 向好
    tables = {"告警": bad, "向好": good}
    for metric_id, table_of in (("repeat_ratio", "向好"), ("overdue_open", "告警")):
        metric, figure = BY_ID[metric_id], figures[metric_id]
        text = fmt_change(metric, figure.value, figure.yoy, label="")
        assert text == {"repeat_ratio": "下降4.2个百分点", "overdue_open": "上升50.0%"}[metric_id]  # by hand
        assert cards[metric.name].delta == "同比" + text
        for name, table in tables.items():
            shown = table.loc[table["指标"] == metric.name, "同比"].tolist()
            assert shown == ([text] if name == table_of else []), name
        assert "同比" + text in deck_cells and text in deck_cells   # key figures; scorecard column
        assert f"，同比{text}；" in bulletin


@pytest.mark.parametrize(("metric", "value", "yoy", "said"), [
    (CASES, 60, 100, "向好"), (CASES, 140, 100, "告警"), (CASES, 112, 100, "异常"), (CASES, 105, 100, "平稳"),
    (CASES, 95, 100, "平稳"), (CASES, 3, 0, "告警"), (SATISFACTION, 0.7, 0.9, "告警"), (SATISFACTION, 0.9, 0.7, "向好"),
    (CASES, 5, None, None),
])
def test_a_large_move_the_right_way_is_good_news_not_an_alert(metric, value, yoy, said):
    from queries.metrics.analysis import movement
    assert movement(metric, value, yoy) == said


def test_trend_marks_say_alert_or_good_news():
    frame = pd.DataFrame({"month": ["2026-01", "2026-02", "2026-03"], "cases": [140, 60, 100],
                          "cases_yoy": [100, 100, 100]})
    marks = {t.name: list(t.x) for t in charts.trend_figure(frame, CASES).data if t.mode == "markers"}
    assert marks == {"告警": ["2026-01"], "向好": ["2026-02"]}


def test_the_import_summary_accounts_for_every_row():
    from queries.metrics.formatting import accounting_text, kind_label
    report = {"rows_read": 10, "imported": 6, "updated": 2, "rejected": 1, "skipped": 1, "kind": "receptions"}
    assert accounting_text(report) == "读取 10 行 = 新增 6 + 更新 2 + 拒收 1 + 跳过 1（合计/空行）"
    assert kind_label(report) == "领导接访登记台账"
    assert kind_label({}) == kind_label({"kind": "cases"}) == "信访事项台账"
