"""queries.outputs.summaries: the tables 总览, 村居排名 and 越级与集体访 show, worked by hand."""
import pandas as pd

from queries.outputs import summaries
from queries.metrics.registry import BY_ID
from queries.metrics.scorecard import Figure, Scorecard


def scorecard(values: dict) -> Scorecard:
    return Scorecard(None, {i: Figure(BY_ID[i], value, yoy, None, None) for i, (value, yoy) in values.items()})


def test_moves_split_by_direction_larger_level_first():
    # [alerts] alert 20%, warn 10% (defaults)
    tables = summaries.moved(scorecard({
        "cases": (130, 100),                 # +30%: 告警 level, a rise is bad -> 告警
        "repeat_ratio": (0.115, 0.10),       # +15%: 异常 level, bad -> 告警, after the 告警 level
        "skip_level_persons": (13, 10),      # +30%: 告警 level, bad; after repeat_ratio in the registry
        "satisfaction_rate": (0.98, 0.80),   # +22.5%: 告警 level, a rise is good -> 向好
        "overdue_open": (5, 5),              # unchanged: in neither
        "on_time_closure_rate": (0.9, None),  # nothing to compare: in neither
    }))
    assert tables["告警"].to_dict("records") == [
        {"指标": "信访总量", "分组": "三降", "本期": "130件", "上年同期": "100件", "同比": "上升30.0%", "变化幅度": "超过20%"},
        {"指标": BY_ID["skip_level_persons"].name, "分组": "三降", "本期": "13人次", "上年同期": "10人次",
         "同比": "上升30.0%", "变化幅度": "超过20%"},
        {"指标": "重复信访占比", "分组": "三降", "本期": "11.5%", "上年同期": "10.0%", "同比": "上升1.5个百分点",
         "变化幅度": "超过10%"},
    ]
    assert tables["向好"].to_dict("records") == [
        {"指标": "群众满意率", "分组": "四升", "本期": "98.0%", "上年同期": "80.0%", "同比": "上升18.0个百分点",
         "变化幅度": "超过20%"}]


def test_no_moves_gives_two_empty_tables_with_their_columns():
    tables = summaries.moved(scorecard({"cases": (100, 100)}))
    for frame in tables.values():
        assert len(frame) == 0 and list(frame.columns) == ["指标", "分组", "本期", "上年同期", "同比", "变化幅度"]


def _row(rank, township, village, score, grade, deductions, events):
    return {"rank": rank, "township": township, "village": village, "score": score, "grade": grade,
            "cases": 3, "repeat_ratio": 0.5, "skip_level_persons": 1, "beijing_province_visits": 0,
            "overdue_open": 1, "satisfaction_rate": None, "cases_per_10k": None,
            "deductions": deductions, "events": events}


def test_ranking_frame_has_negative_deductions_and_the_itemised_text():
    from queries.metrics.deductions import DEDUCTIONS
    zero = {d.rule: 0 for d in DEDUCTIONS}
    # one 赴省 visit (1 point) and one 进京 visit (2 points): the larger is itemised first
    rows = [_row(1, "青石镇", "上庄村", 100, "绿", zero, zero),
            _row(2, "柳河镇", "下河村", 97, "黄", {**zero, "visit_sheng": 1, "visit_jing": 2},
                 {**zero, "visit_sheng": 1, "visit_jing": 1})]
    frame = summaries.ranking_frame(rows)
    assert frame["d_visit_jing"].tolist() == [0, -2] and frame["d_visit_sheng"].tolist() == [0, -1]
    assert "cases_per_10k" not in frame          # no population configured
    assert frame["detail"].tolist() == ["无扣分事项", "进京来访1批扣2分；赴省来访1批扣1分"]


def test_township_frame_counts_grades_per_township():
    ranking = pd.DataFrame({"township": ["青石镇", "青石镇", "柳河镇", None], "grade": ["红", "绿", "绿", "黄"]})
    figures = pd.DataFrame({"township": ["柳河镇", "青石镇", None], "cases": [4, 7, 1]})
    frame = summaries.township_frame(figures, ranking)
    assert frame.to_dict("records") == [
        {"township": "柳河镇", "cases": 4, "红(个)": 0, "黄(个)": 0, "绿(个)": 1},
        {"township": "青石镇", "cases": 7, "红(个)": 1, "黄(个)": 0, "绿(个)": 1},
        {"township": "（空白）", "cases": 1, "红(个)": 0, "黄(个)": 1, "绿(个)": 0},
    ]


def test_collective_cases_keeps_the_flagged_ones_only():
    cases = pd.DataFrame({"case_id": ["A", "B", "C"], "is_collective": pd.array([True, None, False], "boolean")})
    assert summaries.collective_cases(cases)["case_id"].tolist() == ["A"]
