"""责任落实: 责任单位 worst first, 县级领导接访 in the county report's shape, 交办件 progress, and the
坐班接访 roster with its 到岗率 (ACCOUNTABILITY.md). Administrators add or correct a reception
record here (audit-logged)."""
from __future__ import annotations

from dataclasses import replace
from datetime import date

import pandas as pd
import streamlit as st

from pages import _accountability_data as data
from pages._data import View, writing
from pages._frame import require_data, start_page
from pages._state import page_choice
from pages._widgets import show_table
from queries.ingest.reception_entry import EntryRefused, save_reception
from queries.metrics.accountability import HANDLING_METRICS, STATUSES, status_counts
from queries.metrics.duty import DutyError
from queries.metrics.formatting import DASH
from queries.metrics.registry import BY_ID
from queries.outputs.accountability import leader_sentence

UNIT_LABELS = {**{m: BY_ID[m].name for m in HANDLING_METRICS}, "unit": "责任单位", "cases": "信访总量(件)",
               "overdue_open": "超期未办结(件)", "handed_over": "交办件", "handed_over_open": "交办未办结",
               "handed_over_overdue": "交办超期"}
UNIT_COLUMNS = ["unit", "cases", "on_time_acceptance_rate", "on_time_closure_rate", "overdue_open",
                "satisfaction_rate", "resolved_or_stable_rate", "handed_over", "handed_over_open",
                "handed_over_overdue"]
LEADER_LABELS = {"leader": "领导", "receptions": "接访次数", "batches": "接待批次", "persons": "接待人次",
                 "appointment_persons": "约访人次", "visits_down": "下访次数", "dispatches": "调度次数",
                 "handed_over": "交办件", "handed_resolved": "已化解", "handed_closed": "已办结",
                 "handed_overdue": "超期", "owned_cases": "包案件"}
HANDED_LABELS = {"held_on": "交办日期", "leader": "交办领导", "kind": "方式", "unit": "责任单位",
                 "due": "办理期限", "status": "办理状态"}
KINDS = ("接访", "约访", "下访", "调度")


def units_section(view: View) -> None:
    st.subheader("责任单位办理情况")
    rows = data.units(view)
    late = [r["unit"] for r in rows if r["overdue_open"] or (r["on_time_acceptance_rate"] or 1) < 1]
    st.caption("按超期未办结件数、按期办结率从差到好排列；交办件为本期县级领导接访交办、属该单位的事项。"
               + (f" 有超期或逾期受理的单位 {len(late)} 个。" if late else ""))
    frame = pd.DataFrame(rows, columns=UNIT_COLUMNS)
    show_table(frame, view, UNIT_COLUMNS, labels=UNIT_LABELS)
    if not rows or view.present:
        return
    unit = page_choice("unit", [r["unit"] for r in rows], rows[0]["unit"], "查看单位的事项")
    scope = replace(view.scope, units=(unit,))
    overdue, cases = view.case_list("overdue", scope), view.case_list("period_cases", scope)
    st.caption(f"{unit}：本期登记 {len(cases)} 件，超期未办结 {len(overdue)} 件（个人信息已脱敏）。")
    show_table(pd.concat([overdue, cases]).drop_duplicates("case_id"), view,
                  ["case_id", "registered_on", "township", "village", "category", "summary", "case_leader",
                   "accepted_on", "due", "closed_on", "resolution"], height=320)


def leaders_section(view: View) -> None:
    st.subheader("县级领导接访情况")
    rows = data.leaders(view)
    if not rows:
        st.caption("本期没有接访、约访、下访或调度记录。")
        return
    show_table(pd.DataFrame(rows), view, list(LEADER_LABELS), labels=LEADER_LABELS)
    if not view.present:
        with st.expander("按县里通报的格式", expanded=False):
            for row in rows:
                st.markdown(f"**{row['leader']}**：{leader_sentence(row)}。")


def handed_section(view: View) -> None:
    st.subheader("交办件办理进度")
    rows = data.handed(view)
    counts = status_counts(rows)
    for column, status in zip(st.columns(len(STATUSES)), STATUSES):
        column.metric(status, f"{counts[status]} 件", help="不同交办件的件数（同一事项多次交办计一件）")
    if not rows:
        return
    frame = pd.DataFrame(rows)
    by_leader = frame.groupby("leader")["status"].value_counts().unstack(fill_value=0).reindex(
        columns=list(STATUSES), fill_value=0).reset_index()
    left, right = st.columns(2)
    with left:
        st.caption("按交办领导")
        show_table(by_leader, view, labels={"leader": "交办领导"})
    with right:
        st.caption("按责任单位（未入库的不计）")
        by_unit = frame.dropna(subset=["unit"]).groupby("unit")["status"].value_counts().unstack(
            fill_value=0).reindex(columns=list(STATUSES[:3]), fill_value=0).reset_index()
        show_table(by_unit, view, labels={"unit": "责任单位"})
    if view.present:
        return
    status = page_choice("status", ["全部", *STATUSES], "全部", "办理状态", widget=st.segmented_control)
    shown = frame if status in (None, "全部") else frame[frame["status"] == status]
    show_table(shown, view, ["case_id", "held_on", "leader", "kind", "unit", "township", "village", "due",
                                "closed_on", "resolution", "status"], height=320, labels=HANDED_LABELS)
    case_id = page_choice("case", sorted(set(shown["case_id"])), None, "查看交办件")
    if case_id:
        history = frame[frame["case_id"] == case_id]
        first = history.iloc[0]
        st.markdown(f"**{case_id}**：{first['status']}；责任单位 {first['unit'] or DASH}；办理期限 "
                    f"{first['due'] or DASH}；办结 {first['closed_on'] or DASH}；化解情况 {first['resolution'] or DASH}。"
                    f" 交办 {len(history)} 次：" + "；".join(f"{r.held_on} {r.leader}（{r.kind}）"
                                                          for r in history.itertuples()))


def duty_section(view: View) -> None:
    st.subheader("坐班接访安排与到岗率")
    township = view.scope.townships[0] if len(view.scope.townships) == 1 else None
    try:
        result = data.duty(view, township)
    except DutyError as error:
        st.warning(str(error))
        return
    if not result["days"]:
        st.caption("未配置轮值（[duty]）也未导入值班表。")
        return
    rate = DASH if result["duty_kept_rate"] is None else f"{result['duty_kept_rate']:.1%}"
    left, middle, right = st.columns(3)
    left.metric("坐班到岗率", rate, help="截至统计日的坐班日中，值班领导（或值班表记录的替班领导）有接访记录的天数占比。")
    middle.metric("坐班日", f"{result['duty_days']} 天")
    right.metric("未到岗", f"{len(result['missed'])} 天")
    missed = pd.DataFrame(result["missed"], columns=["date", "leader"])
    show_table(missed, view, labels={"date": "日期", "leader": "值班领导"}, height=240)
    if view.present:
        return
    with st.expander("值班表（本期）", expanded=False):
        show_table(pd.DataFrame(result["days"]), view, ["date", "weekday", "leader", "substitute", "window", "kept"],
                      labels={"date": "日期", "weekday": "星期", "leader": "值班领导", "substitute": "替班领导",
                              "window": "保障期", "kept": "到岗"}, height=320)
        for suffix, label in ((".xlsx", "下载值班表（Excel，A4）"), (".docx", "下载值班表（Word，A4）")):
            st.download_button(label, data.roster_file(view, township, suffix), f"坐班接访安排表{suffix}",
                               key=f"roster{suffix}")


def entry_form(view: View) -> None:
    """Add a record, or correct one of the period's (an administrator; every save audited)."""
    with st.expander("登记或更正接访记录（管理员）", expanded=False):
        records = data.records(view)
        choices = ["（新增一条）", *records["reception_key"]]
        labels = {k: f"{r.held_on} {r.leader} {r.kind} {r.township or ''}{r.village or ''} {r.case_ids or ''}"
                  for k, r in zip(records["reception_key"], records.itertuples())}
        chosen = st.selectbox("记录", choices, format_func=lambda k: labels.get(k, k), key="rec_pick")
        old = records[records["reception_key"] == chosen].iloc[0] if chosen in labels else None
        get = (lambda name, default=None: default if old is None or pd.isna(old[name]) else old[name])
        with st.form("reception_form"):
            held_on = st.date_input("日期", get("held_on", view.as_of), max_value=date.today())
            leader = st.text_input("接访领导", get("leader", ""))
            title = st.text_input("职务", get("leader_title", ""))
            kind = st.selectbox("方式", KINDS, index=KINDS.index(get("kind", "接访")))
            township = st.text_input("乡镇", get("township", ""))
            village = st.text_input("村(社区)", get("village", ""))
            batches = st.text_input("批次（空：接访、约访为 1）", str(get("batches", "")))
            persons = st.text_input("人次", "" if get("persons") is None else str(int(get("persons"))))
            case_ids = st.text_input("交办件编号（用顿号、逗号或空格分隔）", get("case_ids", ""))
            note = st.text_input("处理意见/备注", get("note", ""))
            saved = st.form_submit_button("保存" if old is None else "保存更正")
        if saved:
            values = {"held_on": held_on, "leader": leader, "leader_title": title, "kind": kind,
                      "township": township, "village": village, "batches": batches, "persons": persons,
                      "case_ids": case_ids, "note": note}
            try:
                with writing() as con:
                    save_reception(con, values, view.user, replaces=None if old is None else chosen)
            except EntryRefused as refusal:
                st.error(f"未保存：{refusal}")
            else:
                st.success("已保存（已记入审计日志）。")


view = start_page("accountability", "责任落实")
require_data(view)
units_section(view)
leaders_section(view)
handed_section(view)
duty_section(view)
if view.user.is_admin and not view.present:
    entry_form(view)
