"""责任 in the meeting outputs: the 通报's sections, the deck's tables and the workbook's sheets,
all from the same `units`, `leaders`, `handed` and `duty` as the CLI (no personal data: case
ids, places, units and officials' names only)."""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ..metrics.accountability import HANDLED_STATUSES, handed, leaders, status_counts, units, within_jurisdiction
from ..metrics.duty import DutyError, duty
from ..metrics.formatting import fmt_value
from ..metrics.registry import BY_ID

DECK_UNITS = 12      # table rows that fit one slide
DECK_LEADERS = 12
BULLETIN_UNITS = 5
UNIT_SHEET = {"unit": "责任单位", "cases": "信访总量(件)", "on_time_acceptance_rate": "按期受理率",
              "on_time_closure_rate": "按期办结率", "overdue_open": "超期未办结(件)", "satisfaction_rate": "群众满意率",
              "resolved_or_stable_rate": "化解稳定率", "handed_over": "交办件", "handed_over_open": "交办未办结",
              "handed_over_overdue": "交办超期"}
HANDED_SHEET = {"case_id": "信访件编号", "held_on": "交办日期", "leader": "交办领导", "kind": "方式", "unit": "责任单位",
                "township": "乡镇(街道)", "village": "村(社区)", "due": "办理期限", "closed_on": "办结日期",
                "resolution": "化解情况", "status": "办理状态"}
DUTY_SHEET = {"date": "日期", "weekday": "星期", "leader": "值班领导", "substitute": "替班领导", "window": "保障期",
              "kept": "到岗"}
PERCENT_COLUMNS = {"按期受理率", "按期办结率", "群众满意率", "化解稳定率"}


@dataclass(frozen=True)
class Figures:
    units: list[dict]
    leaders: list[dict]
    handed: list[dict]
    duty: dict | None       # None: no calendar for the period's years (the sheet says so)


def figures(con, scope, period) -> Figures:
    """The four for one snapshot: the scope as given (reception figures use only its places)."""
    args = (period.as_of, period.start, period.end)
    places = scope.places_only()
    try:
        roster = duty(con, scope.townships[0] if len(scope.townships) == 1 else None, *args)
    except DutyError:
        roster = None
    # a reception in the scope's places can hand over a case of another place: outputs for a
    # place scope (a cadre's) list only their own places' cases (and ids not in `cases`)
    listed = within_jurisdiction(handed(con, places, *args), places.townships, places.villages)
    return Figures(units(con, scope, *args), leaders(con, places, *args), listed, roster)


def leader_sentence(row: dict) -> str:
    """One leader's period in the county report's words (seed 001)."""
    return (f"坐班接访{row['receptions']}次，接待来访{row['batches']}批{row['persons']}人次，"
            f"约见信访人{row['appointment_persons']}人次，带案下访{row['visits_down']}次，召开专题会{row['dispatches']}次，"
            f"交办信访事项{row['handed_over']}件（已办结{row['handed_closed']}件、超期{row['handed_overdue']}件），"
            f"化解{row['handed_resolved']}件；包案{row['owned_cases']}件")


def _rate(metric_id: str, value) -> str:
    return fmt_value(BY_ID[metric_id], value)


def unit_sentence(row: dict) -> str:
    return (f"信访总量{row['cases']}件，按期受理率{_rate('on_time_acceptance_rate', row['on_time_acceptance_rate'])}，"
            f"按期办结率{_rate('on_time_closure_rate', row['on_time_closure_rate'])}，超期未办结{row['overdue_open']}件；"
            f"交办件{row['handed_over']}件（未办结{row['handed_over_open']}件、超期{row['handed_over_overdue']}件）")


def bulletin_sections(found: Figures) -> dict:
    """What the 通报's 接访交办 and 责任单位 sections say."""
    totals = {key: sum(r[key] for r in found.leaders)
              for key in ("receptions", "batches", "persons", "appointment_persons", "visits_down", "dispatches")}
    return {
        "totals": totals, "handed_rows": len(found.handed), "statuses": status_counts(found.handed),
        "leaders": [{"leader": r["leader"], "text": leader_sentence(r)} for r in found.leaders],
        "unit_count": len(found.units), "units_overdue": sum(1 for r in found.units if r["overdue_open"]),
        "worst_units": [{"unit": r["unit"], "text": unit_sentence(r)} for r in found.units[:BULLETIN_UNITS]],
        "duty_rate": None if not found.duty or found.duty["duty_kept_rate"] is None
        else f"{found.duty['duty_kept_rate'] * 100:.1f}%",
        "duty": found.duty,
    }


def sheets(found: Figures) -> list[tuple[str, pd.DataFrame]]:
    """交办件台账, 责任单位 and 坐班安排 for the workbook (fractions stay fractions)."""
    roster = pd.DataFrame(found.duty["days"] if found.duty else [], columns=list(DUTY_SHEET))
    roster["kept"] = roster["kept"].map({True: "是", False: "否"})
    return [
        ("交办件台账", pd.DataFrame(found.handed, columns=list(HANDED_SHEET)).rename(columns=HANDED_SHEET)),
        ("责任单位", pd.DataFrame(found.units, columns=list(UNIT_SHEET)).rename(columns=UNIT_SHEET)),
        ("坐班安排", roster.rename(columns=DUTY_SHEET)),
    ]


def slide_tables(found: Figures) -> list[dict]:
    """The deck's three slides as (title, caption, header + rows, column widths in inches)."""
    unit_rows = [["责任单位", "信访总量", "按期受理率", "按期办结率", "超期未办结", "交办件", "交办超期"]] + [
        [r["unit"], str(r["cases"]), _rate("on_time_acceptance_rate", r["on_time_acceptance_rate"]),
         _rate("on_time_closure_rate", r["on_time_closure_rate"]), str(r["overdue_open"]), str(r["handed_over"]),
         str(r["handed_over_overdue"])] for r in found.units[:DECK_UNITS]]
    leader_rows = [["领导", "接访", "批次/人次", "约访人次", "下访", "调度", "交办件", "已办结", "超期", "包案件"]] + [
        [r["leader"], str(r["receptions"]), f"{r['batches']}/{r['persons']}", str(r["appointment_persons"]),
         str(r["visits_down"]), str(r["dispatches"]), str(r["handed_over"]), str(r["handed_closed"]),
         str(r["handed_overdue"]), str(r["owned_cases"])] for r in found.leaders[:DECK_LEADERS]]
    counts = status_counts(found.handed)
    by_unit: dict[str, dict[str, str]] = {}   # unit -> case id -> status (a case handed twice counts once)
    for row in found.handed:
        if row["status"] in HANDLED_STATUSES:
            by_unit.setdefault(row["unit"], {})[row["case_id"]] = row["status"]
    tallies = {unit: {s: sum(1 for v in cases.values() if v == s) for s in HANDLED_STATUSES}
               for unit, cases in by_unit.items()}
    progress = sorted(tallies.items(), key=lambda item: (-item[1]["超期"], -item[1]["办理中"], item[0]))
    progress_rows = [["责任单位", *HANDLED_STATUSES]] + [[unit, *(str(c[s]) for s in HANDLED_STATUSES)]
                                                       for unit, c in progress[:DECK_UNITS]]
    summary = "、".join(f"{status}{count}件" for status, count in counts.items())
    return [
        {"title": "责任单位办理情况", "caption": "按超期未办结件数、按期办结率从差到好排列（前12个单位）",
         "rows": unit_rows, "widths": [3.6, 1.4, 1.6, 1.6, 1.6, 1.2, 1.33]},
        {"title": "县级领导接访情况", "caption": "接访、约访、下访、调度次数与接访交办件办理情况",
         "rows": leader_rows, "widths": [1.6, 0.9, 1.5, 1.2, 0.9, 0.9, 1.3, 1.3, 1.0, 1.23]},
        {"title": "交办件办理进度", "caption": f"本期接访交办 {len(found.handed)} 件次：{summary}（按件计）",
         "rows": progress_rows, "widths": [4.33, 2.6, 2.6, 2.8]},
    ]
