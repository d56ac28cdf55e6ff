"""办理与包案: the 三个100% rates, the overdue backlog, 包案 per leader with the 五有 gaps, and the
问题 / 化解 / 稳控 lists (personal data masked)."""
import streamlit as st

from pages._data import View
from pages._frame import require_data, start_page
from pages._privacy import csv_download
from pages._widgets import metric_grid, show_table
from queries.analysis import CASE_LISTS
from queries.metrics import PUBLIC

HUNDRED = [m.id for m in PUBLIC if m.group == "三个100%"]
LIST_COLUMNS = ["case_id", "registered_on", "township", "village", "category", "channel", "level",
                "petitioner_name", "summary", "case_leader", "responsible_unit", "due", "closed_on",
                "resolution", "satisfaction", "key_person"]
OVERDUE_COLUMNS = ["case_id", "registered_on", "township", "village", "category", "petitioner_name",
                   "summary", "case_leader", "responsible_unit", "due", "days_overdue"]
GAP_COLUMNS = ["case_id", "registered_on", "township", "village", "category", "case_leader",
               "lacks_leader", "lacks_team", "lacks_plan", "lacks_deadline", "lacks_follow_up"]
LEADER_COLUMNS = ["case_leader", "cases", "open_cases", "closed_cases", "resolved_or_stable_cases",
                  "overdue_open", "five_has_gaps"]
LISTS = ("problem", "resolved", "stability")
LIST_NOTES = {
    "problem": "本期登记且未化解的事项，以及截至统计日仍未办结的全部事项。",
    "resolved": "本期内办结且化解情况为“已化解”的事项。",
    "stability": "化解情况为“稳控”或涉及重点人员的事项（本期登记或仍未办结）。",
}


def case_list_block(view: View, name: str, columns: list[str], note: str) -> None:
    frame = view.case_list(name)
    st.caption(f"{note} 共 {len(frame)} 件{'' if view.unmasked else '（个人信息已脱敏）'}。")
    show_table(frame, view, columns, height=420)
    if not view.present:
        csv_download(frame[[c for c in columns if c in frame]], f"下载{CASE_LISTS[name]}（CSV，已脱敏）",
                        f"{CASE_LISTS[name]}.csv", key=f"dl_{name}", view=view)


view = start_page("handling", "办理与包案")
require_data(view)

st.subheader("三个100%")
metric_grid(view, HUNDRED, columns=3)

st.subheader("超期未办结")
case_list_block(view, "overdue", OVERDUE_COLUMNS,
                "截至统计日未办结且已过办理期限的事项（含以前期间登记的积案），超期最久的在前。")

st.subheader("包案领导")
st.caption("本期登记事项按包案领导汇总；超期未办结含积案；五有缺项为仍未办结、缺少"
           "包案领导/工作专班/化稳方案/解决时限/防反弹措施之一的事项。")
show_table(view.leader_table(), view, LEADER_COLUMNS)
with st.expander("五有缺项明细", expanded=False):
    case_list_block(view, "five_has_gaps", GAP_COLUMNS, "仍未办结、五有不全的事项。")

st.subheader("三个清单")
for tab, name in zip(st.tabs([CASE_LISTS[n] for n in LISTS]), LISTS):
    with tab:
        case_list_block(view, name, LIST_COLUMNS, LIST_NOTES[name])
