"""办理与包案: the 三个100% rates, the overdue backlog, 包案 per leader with the 五有 gaps, and the
问题 / 化解 / 稳控 lists (personal data masked)."""
import streamlit as st

from pages._data import View
from pages._frame import require_data, start_page
from pages._privacy import csv_download
from pages._widgets import metric_grid, show_table
from queries.metrics.case_lists import BY_ID as LISTS_BY_ID
from queries.metrics.registry import PUBLIC

HUNDRED = [m.id for m in PUBLIC if m.group == "三个100%"]
LEADER_COLUMNS = ["case_leader", "cases", "open_cases", "closed_cases", "resolved_or_stable_cases",
                  "overdue_open", "five_has_gaps"]
THREE_LISTS = ("problem", "resolved", "stability")


def case_list_block(view: View, name: str) -> None:
    """One case list of queries.metrics.case_lists: its note, its rows and (off the projector) its CSV."""
    case_list, frame = LISTS_BY_ID[name], view.case_list(name)
    columns = list(case_list.columns)
    st.caption(f"{case_list.note}共 {len(frame)} 件{'' if view.unmasked else '（个人信息已脱敏）'}。")
    show_table(frame, view, columns, height=420)
    if not view.present:
        csv_download(frame[[c for c in columns if c in frame]], f"下载{case_list.title}（CSV，已脱敏）",
                     f"{case_list.title}.csv", key=f"dl_{name}", view=view)


view = start_page("handling", "办理与包案")
require_data(view)

st.subheader("三个100%")
metric_grid(view, HUNDRED, columns=3)

st.subheader("超期未办结")
case_list_block(view, "overdue")

st.subheader("包案领导")
st.caption("本期登记事项按包案领导汇总；超期未办结含积案；五有缺项为仍未办结、缺少"
           "包案领导/工作专班/化稳方案/解决时限/防反弹措施之一的事项。")
show_table(view.leader_table(), view, LEADER_COLUMNS)
with st.expander("五有缺项明细", expanded=False):
    case_list_block(view, "five_has_gaps")

st.subheader("三个清单")
for tab, name in zip(st.tabs([LISTS_BY_ID[n].title for n in THREE_LISTS]), THREE_LISTS):
    with tab:
        case_list_block(view, name)
