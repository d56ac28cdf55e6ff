"""总览: the 三降 / 四升 / 三个100% / 五不 scorecard, the five weakest villages, 告警 and 向好."""
import pandas as pd
import streamlit as st

from pages import _research as research
from pages._data import View
from pages._frame import require_data, start_page
from pages._outputs import meeting_downloads
from pages._state import page_choice
from pages._widgets import markdown_cells, metric_grid
from queries.config import load_config
from queries.metrics.registry import GROUPS, PUBLIC
from queries.outputs import charts, summaries
from queries.outputs.report import deduction_reasons

GROUP_IDS = {group: [m.id for m in PUBLIC if m.group == group] for group in GROUPS}
WORST = 5
SCREENS = (*GROUPS, "村居排名", "告警与向好")


def worst_villages(view: View) -> pd.DataFrame:
    rows = view.rank()[-WORST:][::-1]
    return pd.DataFrame([{**row, "reasons": deduction_reasons(row)} for row in rows],
                        columns=["rank", "township", "village", "score", "grade", "cases", "reasons"])


def grade_styler(frame: pd.DataFrame, column: str = "等级"):
    colors = {g: f"background-color: {c}; color: white; font-weight: bold"
              for g, c in charts.GRADE_COLORS.items()}
    return frame.style.map(lambda g: colors.get(g, ""), subset=[column])


def show_worst(view: View) -> None:
    worst = worst_villages(view).rename(columns={"rank": "名次", "township": "乡镇(街道)", "village": "村(社区)",
                                                 "score": "得分", "grade": "等级", "cases": "信访总量(件)",
                                                 "reasons": "主要扣分"})
    if not len(worst):
        st.caption("（无）")
    else:  # five rows: a static table draws faster than the interactive grid
        st.table(grade_styler(markdown_cells(worst)).format({"得分": "{:g}"}), hide_index=True)
    st.page_link("pages/ranking.py", label="查看完整村居排名", icon=":material/leaderboard:")


def show_alerts(view: View) -> None:
    tables = summaries.moved(view.kpi())
    for name, frame, color, empty in (("告警", tables["告警"], "#c62828", "没有朝不利方向的明显变化。"),
                                      ("向好", tables["向好"], "#2e7d32", "没有朝有利方向的明显变化。")):
        st.markdown(f"**{name}**（{'朝不利方向' if name == '告警' else '朝有利方向'}变化，{len(frame)} 项）")
        if len(frame):  # a handful of rows: static, like the worst villages
            st.table(frame.style.map(lambda v, c=color: f"color: {c}; font-weight: bold", subset=["同比"]),
                     hide_index=True)
        else:
            st.caption(empty)
    thresholds = load_config()["alerts"]
    st.caption(f"同比变化超过{thresholds['warn']:.0%}的指标；告警为朝坏的方向变化，向好为朝好的方向变化"
               "（见口径说明）。")


def scorecard(view: View) -> None:
    for group in GROUPS:
        st.subheader(group)
        metric_grid(view, GROUP_IDS[group], columns=5 if len(GROUP_IDS[group]) <= 5 else 4)


def presentation(view: View) -> None:
    """One group per screen, chosen with a large selector."""
    screen = page_choice("g", list(SCREENS), SCREENS[0], "画面", widget=st.segmented_control,
                            required=True, label_visibility="collapsed", width="stretch")
    if screen in GROUPS:
        ids = GROUP_IDS[screen]
        # Up to five cards fit one row with sparklines; more need two rows without them.
        metric_grid(view, ids, columns=len(ids) if len(ids) <= 5 else 4, sparks=len(ids) <= 5)
    elif screen == "村居排名":
        ranking = pd.DataFrame(view.rank())
        st.plotly_chart(charts.ranking_figure(ranking, size="present"), width="stretch",
                        config={"displayModeBar": False})
    else:
        show_alerts(view)


view = start_page("overview", "总览")
require_data(view)
if view.present:
    presentation(view)
else:
    scorecard(view)
    left, right = st.columns(2)
    with left:
        st.subheader(f"排名最后的 {WORST} 个村(社区)")
        show_worst(view)
    with right:
        st.subheader("同比明显变化")
        show_alerts(view)
        research.overview_section(view)
    with st.container(key="no_print_meeting"):   # buttons: nothing to print
        st.subheader("会议材料")
        st.caption("按当前统计期与筛选条件生成；幻灯片、通报不含个人信息，清单中的个人信息已脱敏。")
        meeting_downloads(view)
