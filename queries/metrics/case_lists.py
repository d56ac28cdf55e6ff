"""The case lists (问题/化解/稳控清单, 超期未办结, 五有缺项, …), each defined once: title, what it
holds in the users' words, its SQL (sql/views/<file>.sql) and the columns shown and exported.
The pages, the workbook's list sheets and the 口径 page read them from here."""
from __future__ import annotations

from dataclasses import dataclass

_CASE_COLUMNS = ("case_id", "registered_on", "township", "village", "category")
# 问题/化解/稳控清单: the 台账 columns a meeting hands out
_LEDGER_COLUMNS = (*_CASE_COLUMNS, "channel", "level", "petitioner_name", "summary", "case_leader",
                   "responsible_unit", "due", "closed_on", "resolution", "satisfaction", "key_person")


@dataclass(frozen=True)
class CaseList:
    id: str
    title: str
    note: str                    # what the list holds: the page's caption and the 口径 page
    file: str                    # sql/views/<file>.sql
    columns: tuple[str, ...]     # shown on screen and in its CSV, in this order


CASE_LISTS = (
    CaseList("problem", "问题清单", "本期登记且未化解的事项，以及截至统计日仍未办结的全部事项。", "problem_list",
             _LEDGER_COLUMNS),
    CaseList("resolved", "化解清单", "本期内办结且化解情况为“已化解”的事项。", "resolved_list",
             _LEDGER_COLUMNS),
    CaseList("stability", "稳控清单", "化解情况为“稳控”或涉及重点人员的事项（本期登记或仍未办结）。", "stability_list",
             _LEDGER_COLUMNS),
    CaseList("overdue", "超期未办结", "截至统计日未办结且已过办理期限的事项（含以前期间登记的积案），超期最久的在前。",
             "overdue_list",
             (*_CASE_COLUMNS, "petitioner_name", "summary", "case_leader", "responsible_unit", "due",
              "days_overdue")),
    CaseList("five_has_gaps", "五有缺项", "仍未办结、缺少包案领导/工作专班/化稳方案/解决时限/防反弹措施之一的事项。",
             "five_has_gaps",
             (*_CASE_COLUMNS, "case_leader", "lacks_leader", "lacks_team", "lacks_plan", "lacks_deadline",
              "lacks_follow_up")),
    CaseList("period_cases", "期间事项", "统计期内登记的全部事项（从指标、村或分类下钻时列出），最新登记在前。",
             "period_cases",
             ("registered_on", "case_id", "category", "channel", "level", "persons", "petitioner_name", "summary",
              "resolution", "closed_on", "is_repeat", "is_collective", "is_overdue")),
    CaseList("repeat_disagreements", "重复标记不一致",
             "导出文件中的“是否重复信访”与口径规则判定不一致的本期事项（指标一律按规则计算，此表供核对台账）。",
             "repeat_disagreements",
             (*_CASE_COLUMNS, "petitioner_name", "is_repeat", "repeat_flag", "summary")),
)
BY_ID = {case_list.id: case_list for case_list in CASE_LISTS}
