"""总览: the 三降 / 四升 / 三个100% / 五不 scorecard, the five weakest villages, open 告警."""
import pandas as pd
import streamlit as st

from pages import _common as ui
from pages import _research as research
from pages._outputs import meeting_downloads
from queries import analysis, charts
from queries.formatting import fmt_value
from queries.metrics import BY_ID, GROUPS, PUBLIC
from queries.report import deduction_reasons

GROUP_IDS = {group: [m.id for m in PUBLIC if m.group == group] for group in GROUPS}
WORST = 5
SCREENS = (*GROUPS, "村居排名", "告警")


def worst_villages(view: ui.View) -> pd.DataFrame:
    rows = view.rank()[-WORST:][::-1]
    return pd.DataFrame([{**row, "reasons": deduction_reasons(row)} for row in rows],
                        columns=["rank", "township", "village", "score", "grade", "cases", "reasons"])


def open_alerts(view: ui.View) -> pd.DataFrame:
    """告警 and 异常 of the scorecard, the ones that moved the wrong way first."""
    alerts = analysis.alerts(view.kpi())
    alerts = alerts[alerts["level"].isin(["告警", "异常"])].copy()
    alerts["order"] = (~alerts["adverse"].astype(bool)).astype(int) * 2 + (alerts["level"] == "异常").astype(int)
    alerts = alerts.sort_values(["order", "group"], kind="stable")
    return pd.DataFrame({
        "指标": alerts["name"], "分组": alerts["group"],
        "本期": [fmt_value(BY_ID[m], v) for m, v in zip(alerts["metric"], alerts["value"])],
        "上年同期": [fmt_value(BY_ID[m], v) for m, v in zip(alerts["metric"], alerts["yoy"])],
        "同比变化": [f"{c:+.1%}" if not ui.missing(c) else "—" for c in alerts["change"]],
        "级别": alerts["level"],
        "方向": ["不利" if a else "有利" for a in alerts["adverse"]],
    })


def grade_styler(frame: pd.DataFrame, column: str = "等级"):
    colors = {g: f"background-color: {c}; color: white; font-weight: bold"
              for g, c in charts.GRADE_COLORS.items()}
    return frame.style.map(lambda g: colors.get(g, ""), subset=[column])


def show_worst(view: ui.View) -> None:
    worst = worst_villages(view).rename(columns={"rank": "名次", "township": "乡镇(街道)", "village": "村(社区)",
                                                 "score": "得分", "grade": "等级", "cases": "信访总量(件)",
                                                 "reasons": "主要扣分"})
    if not len(worst):
        st.caption("（无）")
    else:  # five rows: a static table draws faster than the interactive grid
        st.table(grade_styler(worst).format({"得分": "{:g}"}), hide_index=True)
    st.page_link("pages/ranking.py", label="查看完整村居排名", icon=":material/leaderboard:")


def show_alerts(view: ui.View) -> None:
    alerts = open_alerts(view)
    if not len(alerts):
        st.success("当前没有告警或异常指标。")
        return
    styled = alerts.style.map(lambda v: "color: #c62828; font-weight: bold" if v == "不利" else "",
                              subset=["方向"])
    st.table(styled, hide_index=True)  # a handful of rows: static, like the worst villages
    st.caption("告警：同比变化超过告警阈值；异常：超过提示阈值（见口径说明）。“不利”为朝坏的方向变化。")


def scorecard(view: ui.View) -> None:
    for group in GROUPS:
        st.subheader(group)
        ui.metric_grid(view, GROUP_IDS[group], columns=5 if len(GROUP_IDS[group]) <= 5 else 4)


def presentation(view: ui.View) -> None:
    """One group per screen, chosen with a large selector."""
    screen = ui.page_choice("g", list(SCREENS), SCREENS[0], "画面", widget=st.segmented_control,
                            required=True, label_visibility="collapsed", width="stretch")
    if screen in GROUPS:
        ids = GROUP_IDS[screen]
        # Up to five cards fit one row with sparklines; more need two rows without them.
        ui.metric_grid(view, ids, columns=len(ids) if len(ids) <= 5 else 4, sparks=len(ids) <= 5)
    elif screen == "村居排名":
        ranking = pd.DataFrame(view.rank())
        st.plotly_chart(charts.ranking_figure(ranking, size="present"), width="stretch",
                        config={"displayModeBar": False})
    else:
        show_alerts(view)


view = ui.start_page("overview", "总览")
ui.require_data(view)
if view.present:
    presentation(view)
else:
    scorecard(view)
    left, right = st.columns(2)
    with left:
        st.subheader(f"排名最后的 {WORST} 个村(社区)")
        show_worst(view)
    with right:
        st.subheader("告警与异常")
        show_alerts(view)
        research.overview_section(view)
    st.subheader("会议材料")
    st.caption("按当前统计期与筛选条件生成；幻灯片、通报不含个人信息，清单中的个人信息已脱敏。")
    meeting_downloads(view)
