"""总览 on a tiny database whose every figure was worked out by hand.

18 cases in 青石镇/上庄村, every one accepted and closed on the day it was registered (so the
handling-discipline figures are 100% and nothing is overdue). Petitioners are known by name only.

2025 (the 同比 period 2025-01-01 .. 2025-06-30), 8 cases, 8 persons:
  A twice in 城乡建设类 (01-01, 03-01: the second is a repeat, and A rebounds after the first was
  settled); D one 来访 at 市 (越级, 1 person); E, F, G, H settled and 满意; I settled, 不满意.
  repeat 1/8 = 12.5%; first-time closed 7, once resolved 6 (A's first came back) = 85.7%;
  resolved 8/8 = 100%; satisfied 7/8 = 87.5%; rebound 1 (A).
2026 (the period 2026-01-01 .. 2026-06-30, as of the latest registration 2026-06-30), 10 cases:
  B and C twice each (repeats, both rebound); J one 来访 at 市 with 2 persons; K 未化解, 不满意;
  M settled, 不满意; N, O, P settled, 满意.
  persons 11; repeat 2/10 = 20%; first-time 8, once resolved 5 (not B1, C1, K) = 62.5%;
  resolved 9/10 = 90%; satisfied 8/10 = 80%; rebound 2 (B, C).
"""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from conftest import build_db

APP = str(Path(__file__).resolve().parent.parent / "dashboard.py")
TIMEOUT = 60


def _case(case_id, day, name, category="城乡建设类", channel="来信", level="县", persons=1,
          resolution="已化解", satisfaction="满意"):
    return {"case_id": case_id, "registered_on": date.fromisoformat(day), "channel": channel,
            "petitioner_name": name, "persons": persons, "township": "青石镇", "village": "上庄村",
            "category": category, "level": level, "accepted_on": date.fromisoformat(day),
            "closed_on": date.fromisoformat(day), "resolution": resolution, "satisfaction": satisfaction}


CASES = [
    _case("L1", "2025-01-01", "甲"), _case("L2", "2025-03-01", "甲"),
    _case("L3", "2025-02-01", "丁", "农业农村类", channel="来访", level="市", satisfaction="基本满意"),
    _case("L4", "2025-04-01", "戊"), _case("L5", "2025-04-02", "己"),
    _case("L6", "2025-04-03", "庚"), _case("L7", "2025-04-04", "辛"),
    _case("L8", "2025-05-01", "壬", satisfaction="不满意"),
    _case("C01", "2026-01-10", "乙"), _case("C02", "2026-02-10", "乙"),
    _case("C03", "2026-01-20", "丙", "劳动保障类"), _case("C04", "2026-03-20", "丙", "劳动保障类"),
    _case("C05", "2026-02-15", "子", channel="来访", level="市", persons=2),
    _case("C06", "2026-03-01", "丑", resolution="未化解", satisfaction="不满意"),
    _case("C07", "2026-04-01", "寅", satisfaction="不满意"),
    _case("C08", "2026-05-01", "卯"), _case("C09", "2026-05-15", "辰"), _case("C10", "2026-06-30", "巳"),
]

# metric name on the card -> (value, 同比 delta), both by hand from the docstring's counts.
CARDS = {
    "信访总量": ("10件", "同比上升25.0%"),                      # 10 vs 8
    "信访人次": ("11人次", "同比上升37.5%"),                    # 11 vs 8
    "重复信访占比": ("20.0%", "同比上升7.5个百分点"),           # 20% vs 12.5%
    "越级上访人次": ("2人次", "同比上升100.0%"),                # 2 vs 1
    "越级上访人数": ("1人", "同比持平"),                        # 1 vs 1
    "初次信访一次性化解率": ("62.5%", "同比下降23.2个百分点"),  # 5/8 vs 6/7
    "化解稳定率(化解+稳控)": ("90.0%", "同比下降10.0个百分点"),  # 9/10 vs 8/8
    "群众满意率": ("80.0%", "同比下降7.5个百分点"),             # 8/10 vs 7/8
    "参评率": ("100.0%", "同比持平"),
    "重点人员稳定率": ("—", "同比无可比数据"),                  # no key person: 0/0 both years
    "按期受理率": ("100.0%", "同比持平"),
    "按期办结率": ("100.0%", "同比持平"),
    "超期未办结": ("0件", "同比持平"),
    "进京赴省访": ("0批", "同比持平"),
    "50人以上到市集体访": ("0批", "同比持平"),
    "20人以上赴省进京集体访": ("0批", "同比持平"),
    "重复赴省进京集体访": ("0批", "同比持平"),
    "已息访人员反弹": ("2人", "同比上升100.0%"),                # B, C vs A
    "涉访个人极端事件": ("0起", "同比持平"),
    "涉访负面炒作": ("0起", "同比持平"),
}


@pytest.fixture(scope="module")
def tiny_db(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("tiny")
    build_db(folder, CASES).close()
    return folder / "cases.duckdb"


def open_app(monkeypatch, path: Path, page: str | None = None, **query) -> AppTest:
    monkeypatch.setenv("XINFANG_DB", str(path))
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params.update(query)
    at.run(timeout=TIMEOUT)
    if page:
        at.switch_page(f"pages/{page}.py").run(timeout=TIMEOUT)
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    return at


def period_caption(at: AppTest) -> str:
    return next(c.value for c in at.caption if c.value.startswith("统计期"))


def test_every_card_shows_the_hand_computed_value_and_change(monkeypatch, tiny_db):
    at = open_app(monkeypatch, tiny_db)
    shown = {m.label: (m.value, m.delta) for m in at.metric}
    assert shown == CARDS
    assert period_caption(at).startswith("统计期 2026-01-01 至 2026-06-30（截至 2026-06-30）")


def test_card_arrows_and_colours_follow_which_way_is_good(monkeypatch, tiny_db):
    """Every rise and fall above is bad news here (more cases, repeats, 越级, rebounds; less
    resolved, less satisfied): red, arrow the way the figure moved; a flat or empty one is grey."""
    from streamlit.proto.Metric_pb2 import Metric as MetricProto
    colour, arrow = MetricProto.MetricColor.Name, MetricProto.MetricDirection.Name
    shown = {m.label: (colour(m.proto.color), arrow(m.proto.direction))
             for m in open_app(monkeypatch, tiny_db).metric}
    want = {label: ("GRAY", "NONE") for label in CARDS}
    want.update({label: ("RED", "UP") for label in ("信访总量", "信访人次", "重复信访占比", "越级上访人次",
                                                    "已息访人员反弹")})
    want.update({label: ("RED", "DOWN") for label in ("初次信访一次性化解率", "化解稳定率(化解+稳控)",
                                                      "群众满意率")})
    assert shown == want


@pytest.mark.parametrize("page", ["overview", "ranking"])
def test_a_to_after_the_as_of_date_is_cut_back(monkeypatch, tiny_db, page):
    """METRICS.md: a `to` later than the as-of date is cut back to it, and the header says so.
    As of 2026-05-31 the 2026 cases are C01..C09 (C10 is registered on 06-30): 9."""
    at = open_app(monkeypatch, tiny_db, page, p="custom", **{"from": "2026-01-01", "to": "2026-06-30"},
                  asof="2026-05-31")
    assert period_caption(at).startswith("统计期 2026-01-01 至 2026-05-31（截至 2026-05-31）")
    if page == "overview":
        assert {m.label: m.value for m in at.metric}["信访总量"] == "9件"
