"""Numbers the Chinese way (件, 人次, %, 同比上升/下降), for the screen, the 通报 and the deck.

The three rules every surface shares live here once: what counts as no value (`missing`), how a
change is said (`fmt_change`: rates in 个百分点, counts in % or, from 0, in their unit), and
whether a change is bad news (`adverse`). Cards, the 告警 table, 趋势, deck, 通报 and xlsx all
call them, so one figure reads the same everywhere.
"""
from __future__ import annotations

import math

import pandas as pd

from ..dimensions import DIMENSIONS
from .registry import Metric

DASH = "—"


def missing(value) -> bool:
    """No value: None, NaN or pandas' NA (a nullable column's empty cell)."""
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def fmt_value(metric: Metric, value) -> str:
    """12件 / 8.3% / —"""
    if missing(value):
        return DASH
    if metric.fmt == "percent":
        return f"{value * 100:.1f}%"
    return f"{int(value)}{metric.unit}"


def fmt_target(metric: Metric) -> str:
    """≤10% / ≥90% / 100% / 0批 / 同比下降"""
    if metric.rule == "fall":
        return "同比下降"
    return metric.target_text or DASH


def fmt_change(metric: Metric, value, base, label: str = "同比") -> str:
    """同比下降12.5% / 同比上升1.2个百分点 / 同比上升3件（上年同期为0） / 同比持平 / 同比无可比数据.
    `label` names the comparison (同比, 环比; "" where a column header already says it)."""
    if missing(value) or missing(base):
        return f"{label}无可比数据"
    if value == base:
        return f"{label}持平"
    direction = "上升" if value > base else "下降"
    if metric.fmt == "percent":
        return f"{label}{direction}{abs(value - base) * 100:.1f}个百分点"
    if base == 0:
        return f"{label}{direction}{abs(value - base):g}{metric.unit}（{'上期' if label == '环比' else '上年同期'}为0）"
    return f"{label}{direction}{abs(value - base) / abs(base) * 100:.1f}%"


def adverse(metric: Metric, value, base) -> bool | None:
    """Did the figure move the wrong way against `base`? None: no change or nothing to compare."""
    if missing(value) or missing(base) or value == base:
        return None
    return (value > base) != metric.rise_is_good


def direction(value, base) -> str:
    """up / down / off: the arrow of a change (a card's delta)."""
    if missing(value) or missing(base) or value == base:
        return "off"
    return "up" if value > base else "down"


def fmt_met(met) -> str:
    return {True: "达标", False: "未达标"}.get(met, DASH)


# Chinese headers of the columns that lists and tables show (screen and Excel alike).
COLUMN_LABELS = {
    **{d.column: d.label for d in DIMENSIONS if d.column},
    "case_id": "信访件编号", "registered_on": "登记日期", "category_raw": "内容分类(原始)",
    "persons": "人数", "petitioner_name": "信访人", "petitioner_idno": "证件号码", "phone": "联系电话",
    "petitioner_key": "信访人标识", "summary": "信访事由", "accepted_on": "受理日期", "due": "办理期限", "closed_on": "办结日期",
    "resolution": "化解情况", "satisfaction": "满意度", "key_person": "重点人员", "is_repeat": "重复信访(规则)",
    "repeat_flag": "重复信访(导出标记)", "is_skip_level": "越级上访", "is_collective": "集体访",
    "is_overdue": "超期未办结", "days_overdue": "超期天数", "lacks_leader": "缺包案领导",
    "lacks_team": "缺工作专班", "lacks_plan": "缺化稳方案", "lacks_deadline": "缺解决时限",
    "lacks_follow_up": "缺防反弹措施", "rank": "名次", "score": "得分", "grade": "等级", "cases": "信访总量(件)",
    "repeat_ratio": "重复信访占比", "skip_level_persons": "越级上访人次", "beijing_province_visits": "进京赴省访(批)",
    "overdue_open": "超期未办结(件)", "satisfaction_rate": "群众满意率", "cases_per_10k": "万人信访率",
    "open_cases": "在办(件)", "closed_cases": "已办结(件)", "resolved_or_stable_cases": "化解稳控(件)",
    "five_has_gaps": "五有缺项(件)",
}


_CN_DIGITS = "〇一二三四五六七八九"


def _cn_number(n: int) -> str:
    """1..31 as an official document writes a month or day: 九, 十, 十一, 二十, 二十九, 三十一."""
    tens, ones = divmod(n, 10)
    return (("" if tens < 2 else _CN_DIGITS[tens]) + "十" if tens else "") + (_CN_DIGITS[ones] if ones else "")


def fmt_date_cn(day) -> str:
    """二〇二六年十一月二十九日: the date of an official document (GB/T 9704 成文日期)."""
    return (f"{''.join(_CN_DIGITS[int(d)] for d in str(day.year))}年{_cn_number(day.month)}月"
            f"{_cn_number(day.day)}日")


KIND_LABELS = {"cases": "信访事项台账", "receptions": "领导接访登记台账", "roster": "坐班接访值班表"}


def kind_label(report: dict) -> str:
    """What a file was read as (FileReport.kind), in the office's words."""
    return KIND_LABELS.get(report.get("kind"), KIND_LABELS["cases"])


def accounting_text(report: dict) -> str:
    """Where every row of a file went (rows_read = imported + updated + rejected + skipped), as
    the import page and the CLI both say it."""
    return (f"读取 {report['rows_read']} 行 = 新增 {report['imported']} + 更新 {report['updated']}"
            f" + 拒收 {report['rejected']} + 跳过 {report['skipped']}（合计/空行）")
