"""The village ranking's deductions (METRICS.md 村(社区) ranking), defined once.

A deduction is a rule of `[ranking.deductions]` (its points per event) and the metric that counts
its events; its label and unit are that metric's. kpi.rank, the 通报, the Excel lists, the deck and
the 口径 page all read this registry."""
from __future__ import annotations

from dataclasses import dataclass

from ..config import load_config
from .registry import BY_ID, Metric


@dataclass(frozen=True)
class Deduction:
    rule: str     # key in [ranking.deductions]
    metric: str   # id of the metric that counts the events in the period

    @property
    def counted_by(self) -> Metric:
        return BY_ID[self.metric]

    @property
    def label(self) -> str:
        return self.counted_by.name

    @property
    def points(self) -> float:
        """Points per event, from the configuration in force."""
        return float(load_config()["ranking"]["deductions"][self.rule])

    def text(self, events, points: float) -> str:
        """进京来访1批扣2分"""
        return f"{self.label}{events:g}{self.counted_by.unit}扣{points:g}分"

    def rule_text(self) -> str:
        """每批 2 分"""
        return f"每{self.counted_by.unit} {self.points:g} 分"


DEDUCTIONS = (
    Deduction("visit_jing", "deduction_visit_jing"),
    Deduction("visit_sheng", "deduction_visit_sheng"),
    Deduction("visit_shi", "deduction_visit_shi"),
    Deduction("repeat", "deduction_repeat"),
    Deduction("collective_county_up", "deduction_collective"),
    Deduction("overdue", "overdue_open"),
)
BY_RULE = {d.rule: d for d in DEDUCTIONS}


def itemised(row: dict, limit: int | None = None) -> str:
    """A ranked village's deductions (kpi.rank row), largest first: 重复信访29件扣14.5分；…"""
    items = sorted(((points, rule) for rule, points in row["deductions"].items() if points), reverse=True)
    return "；".join(BY_RULE[rule].text(row["events"][rule], points) for points, rule in items[:limit]) \
        or "无扣分事项"
