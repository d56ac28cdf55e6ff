"""The metric registry: every number of METRICS.md, defined once.

A metric is an id, a Chinese name, its group, the SQL aggregate in sql/metrics/<id>.sql, its
format, which way is good, how it is judged against its target, and the 口径 text users see.
Adding a metric = one SQL file + one entry here. Targets come from the configuration.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from ..config import load_config
from ..db import sql

Rule = Literal["fall", "at_most", "at_least"]
GROUPS = ("三降", "四升", "三个100%", "五不")
Source = Literal["cases", "people", "incidents"]  # the relation the expression aggregates


@dataclass(frozen=True)
class Metric:
    id: str
    name: str
    group: str            # one of GROUPS, or 明细 / 扣分项 for counts behind tables
    fmt: Literal["count", "percent"]
    unit: str
    rise_is_good: bool
    rule: Rule | None     # how `met` is judged; None: shown without a target
    caliber: str          # 口径, in the users' words
    source: Source = "cases"

    @property
    def expression(self) -> str:
        return sql(f"metrics/{self.id}")

    @property
    def target(self) -> float | None:
        if self.rule in (None, "fall"):
            return None
        return load_config()["targets"].get(self.id)

    @property
    def public(self) -> bool:
        """Part of the scorecard (kpi); the others are counts behind tables and the ranking."""
        return self.group in GROUPS

    @property
    def target_text(self) -> str | None:
        """≤10% / ≥90% / 100% / 0批 from the configured target; None without one."""
        target = self.target
        if target is None:
            return None
        text = f"{target * 100:g}%" if self.fmt == "percent" else f"{target:g}{self.unit}"
        if self.rule == "at_least" and target < 1:
            return "≥" + text
        if self.rule == "at_most" and target > 0:
            return "≤" + text
        return text

    def met(self, value, yoy) -> bool | None:
        """达标? per METRICS.md: 三降 by falling against 同比 (0 against 0 is met: nothing left to
        fall), the others by their target."""
        if value is None or self.rule is None:
            return None
        if self.rule == "fall":
            return None if yoy is None else value < yoy or value == yoy == 0
        target = self.target
        if target is None:
            return None
        return value <= target if self.rule == "at_most" else value >= target


METRICS: tuple[Metric, ...] = (
    Metric("cases", "信访总量", "三降", "count", "件", False, "fall",
           "期间内登记的信访事项件数（一次登记为一件）。同比下降即达标。"),
    Metric("person_visits", "信访人次", "三降", "count", "人次", False, "fall",
           "期间内登记信访事项的人数之和（人数空白按 1 人计）。同比下降即达标。"),
    Metric("repeat_ratio", "重复信访占比", "三降", "percent", "%", False, "at_most",
           "重复信访件数 ÷ 信访总量。重复信访：同一信访人（证件号码，无证件号时按姓名+乡镇+村）"
           "同一问题分类，在此前 {repeat_window_days} 天内已有登记（全库判定，按登记日期、编号排序）。"
           "目标 {target}，同比下降同时列示。"),
    Metric("skip_level_persons", "越级上访人次", "三降", "count", "人次", False, "fall",
           "信访形式为来访、登记层级为{skip_levels}的信访事项人数之和。同比下降即达标。"),
    Metric("skip_level_petitioners", "越级上访人数", "三降", "count", "人", False, None,
           "越级上访事项涉及的不同信访人数（按信访人识别）。仅列示，不设目标。", source="people"),
    Metric("first_time_resolution_rate", "初次信访一次性化解率", "四升", "percent", "%", True, "at_least",
           "期间内已办结的初次信访（非重复信访）中，化解情况为“已化解”且此后 {repeat_window_days} 天内"
           "（截至统计日）同一信访人未就同一问题分类再次信访的比例。目标 {target}。"),
    Metric("resolved_or_stable_rate", "化解稳定率(化解+稳控)", "四升", "percent", "%", True, "at_least",
           "期间内登记事项中，化解情况为“已化解”或“稳控”的比例（按当前记录，办结与否均计）。目标 {target}。"),
    Metric("satisfaction_rate", "群众满意率", "四升", "percent", "%", True, "at_least",
           "期间内已办结且已评价（满意、基本满意、不满意）的事项中，评价为{satisfied}的比例。目标 {target}。"),
    Metric("evaluation_rate", "参评率", "四升", "percent", "%", True, None,
           "期间内已办结事项中已评价（满意、基本满意、不满意）的比例。与满意率并列，不设目标。"),
    Metric("key_person_stability", "重点人员稳定率", "四升", "percent", "%", True, "at_least",
           "截至期末有事项被标为重点人员的信访人中，期间内没有越级上访的比例。目标 {target}。",
           source="people"),
    Metric("on_time_acceptance_rate", "按期受理率", "三个100%", "percent", "%", True, "at_least",
           "已受理或登记已满 {acceptance_days} 日的事项中，在登记后 {acceptance_days} 日内受理的比例。目标 {target}。"),
    Metric("on_time_closure_rate", "按期办结率", "三个100%", "percent", "%", True, "at_least",
           "已办结或已过办理期限的事项中，在期限内办结的比例。办理期限缺失时按受理日 + "
           "{default_due_after_acceptance_days} 天，未受理按登记日 + {default_due_after_registration_days} 天。"
           "目标 {target}。"),
    Metric("overdue_open", "超期未办结", "三个100%", "count", "件", False, "at_most",
           "截至统计日未办结且已过办理期限的事项件数，含以前期间登记的积案。目标 {target}。"),
    Metric("beijing_province_visits", "进京赴省访", "五不", "count", "批", False, "at_most",
           "期间内登记层级为省、京的来访批次。目标 {target}。"),
    Metric("large_collective_city", "50人以上到市集体访", "五不", "count", "批", False, "at_most",
           "期间内登记层级为市、人数 50 人以上的来访批次。目标 {target}。"),
    Metric("large_collective_province", "20人以上赴省进京集体访", "五不", "count", "批", False, "at_most",
           "期间内登记层级为省、京、人数 20 人以上的来访批次。目标 {target}。"),
    Metric("repeat_collective_province", "重复赴省进京集体访", "五不", "count", "批", False, "at_most",
           "期间内登记层级为省、京的集体访（来访 {collective_min} 人以上）中属于重复信访的批次。目标 {target}。"),
    Metric("rebound_petitioners", "已息访人员反弹", "五不", "count", "人", False, "at_most",
           "期间内再次信访、且此前已有事项“已化解”并办结的信访人数（任何分类、任何属地）。目标 {target}。",
           source="people"),
    Metric("extreme_incidents", "涉访个人极端事件", "五不", "count", "起", False, "at_most",
           "手工登记的涉访个人极端事件起数（按发生日期计入期间）。目标 {target}。", source="incidents"),
    Metric("negative_publicity", "涉访负面炒作", "五不", "count", "起", False, "at_most",
           "手工登记的因信访问题引发的负面炒作起数（按发生日期计入期间）。目标 {target}。", source="incidents"),
    # Counts behind the 包案 table (per 包案领导).
    Metric("open_cases", "在办", "明细", "count", "件", False, None, "期间内登记、截至统计日尚未办结的事项。"),
    Metric("closed_cases", "已办结", "明细", "count", "件", False, None, "期间内登记、截至统计日已办结的事项。"),
    Metric("resolved_or_stable_cases", "化解稳控", "明细", "count", "件", False, None,
           "期间内登记、化解情况为已化解或稳控的事项。"),
    # Village ranking deductions (METRICS.md 村(社区) ranking), counted like any metric.
    Metric("deduction_visit_jing", "进京来访", "扣分项", "count", "批", False, None, "来访，登记层级为京。"),
    Metric("deduction_visit_sheng", "赴省来访", "扣分项", "count", "批", False, None, "来访，登记层级为省。"),
    Metric("deduction_visit_shi", "到市来访", "扣分项", "count", "批", False, None, "来访，登记层级为市。"),
    Metric("deduction_repeat", "重复信访", "扣分项", "count", "件", False, None, "重复信访事项。"),
    Metric("deduction_collective", "县级以上集体访", "扣分项", "count", "批", False, None,
           "登记层级为县及以上的集体访（来访 {collective_min} 人以上）。"),
)
BY_ID = {metric.id: metric for metric in METRICS}
PUBLIC = tuple(metric for metric in METRICS if metric.public)


def caliber(metric: Metric) -> str:
    """The 口径 text with the configuration in force filled in: every {setting} of [metrics]
    (lists joined with 、) and {target}, so the text says what was computed."""
    settings = {key: "、".join(map(str, value)) if isinstance(value, list) else value
                for key, value in load_config()["metrics"].items()}
    return metric.caliber.format_map({**settings, "target": metric.target_text or "—"})
