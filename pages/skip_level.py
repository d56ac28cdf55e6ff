"""越级与集体访: skip-level visits by level over time, the 五不 counters, collective visits by
size, the 重大活动保障期 windows, and the hand-entered incidents (with a form to add one)."""
from datetime import date

import pandas as pd
import streamlit as st

from pages._data import View, db_path, writing
from pages._frame import require_data, start_page
from pages._widgets import metric_grid, show_styled, show_table
from queries import db
from queries.config import load_config
from queries.ingest.incidents import INCIDENT_KINDS, register_incident
from queries.metrics.registry import PUBLIC
from queries.outputs import charts, summaries
from queries.url_state import P_TOWNS

FIVE_NOT = [m.id for m in PUBLIC if m.group == "五不"]
COLLECTIVE_COLUMNS = ["registered_on", "case_id", "township", "village", "category", "level", "persons",
                      "summary", "is_repeat", "resolution"]


def event_table(view: View, windows: pd.DataFrame) -> None:
    if not len(windows):
        st.caption("配置中没有重大活动保障期（[[events]]）。")
        return
    shown = pd.DataFrame({
        "活动": windows["name"], "开始": windows["start_on"].dt.strftime("%Y-%m-%d"),
        "结束": windows["end_on"].dt.strftime("%Y-%m-%d"),
        "活动期间登记(赴省进京)": windows["event_registrations"],
        "活跃重点人员(人)": windows["key_persons_active"], "期间登记总数(件)": windows["cases"],
    })
    good, bad = "background-color: #2e7d32; color: white", "background-color: #c62828; color: white"
    styled = shown.style.map(lambda n: good if n == 0 else bad, subset=["活动期间登记(赴省进京)"])
    show_styled(styled, view)
    st.caption("活动期间登记：保障期内登记层级为省、京的信访事项件数，目标 0（绿色达标，红色未达标）。")


def incident_form(view: View) -> None:
    towns = view.filter_choices()[P_TOWNS]
    with st.form("add_incident", clear_on_submit=True):
        st.markdown("**登记一起事件**（涉访个人极端事件 / 负面炒作不在台账中，需手工登记，计入“五不”）")
        kind_col, day_col, town_col, village_col = st.columns(4)
        kind = kind_col.selectbox("类型", list(INCIDENT_KINDS), format_func=INCIDENT_KINDS.get)
        occurred = day_col.date_input("发生日期", value=view.as_of, max_value=max(view.as_of, date.today()))
        township = town_col.selectbox("乡镇(街道)", ["", *towns], format_func=lambda t: t or "（不限）")
        village = village_col.text_input("村(社区)", max_chars=40)
        description = st.text_area("事件描述（勿填写姓名、证件号等个人信息）", max_chars=500)
        if st.form_submit_button("登记事件", type="primary"):
            try:
                with writing() as con:
                    register_incident(con, view.user, kind, occurred, description,
                                      township or None, village.strip() or None)
            except ValueError as error:
                st.error(f"未登记：{error}")
            except Exception as error:  # a database problem must not show a traceback
                st.error(db.explain(error, db_path()) or f"登记失败，请稍后重试（{type(error).__name__}）。")
            else:
                st.session_state["_incident_added"] = True
                st.rerun()
    if st.session_state.pop("_incident_added", False):
        st.success("已登记，相关指标已更新。")


view = start_page("skip_level", "越级与集体访")
require_data(view)
size = "present" if view.present else "screen"
skip_levels = load_config()["metrics"]["skip_levels"]

st.subheader("五不")
metric_grid(view, FIVE_NOT, columns=4)

st.subheader("越级上访人次（按登记层级，按月）")
by_level = view.skip_level_by_month(24)
st.plotly_chart(charts.stacked_figure(by_level, "month", "level", "skip_level_persons", skip_levels,
                                      charts.LEVEL_COLORS, size=size, unit="人次"),
                width="stretch", config={"displayModeBar": False})
st.caption(f"越级上访：信访形式为来访、登记层级为{'、'.join(skip_levels)}；各月截至月末。")

left, right = st.columns(2)
with left:
    st.subheader("集体访（按人数）")
    cases = view.case_list("period_cases")
    collective = summaries.collective_cases(cases)
    sizes = summaries.collective_sizes(cases)
    if len(sizes):
        st.plotly_chart(charts.collective_figure(sizes, size=size), width="stretch",
                        config={"displayModeBar": False})
    else:
        st.caption("本期没有集体访。")
with right:
    st.subheader("重大活动保障期")
    event_table(view, view.event_windows())

if len(collective) and not view.present:
    with st.expander(f"本期集体访明细（{len(collective)} 批）"):
        show_table(collective, view, COLLECTIVE_COLUMNS)

st.subheader("个人极端事件与负面炒作")
incidents = view.incidents()
if len(incidents):
    shown = incidents.assign(kind=incidents["kind"].map(INCIDENT_KINDS))
    show_table(shown, view, ["occurred_on", "kind", "township", "village", "description",
                                *(["entered_by"] if view.user.is_admin else [])],
                  labels={"occurred_on": "发生日期", "kind": "类型", "description": "事件描述", "entered_by": "登记人"})
else:
    st.caption("本期没有登记的事件。")
if view.user.is_admin and not view.present:   # registering moves every leader's 五不 cards
    incident_form(view)
