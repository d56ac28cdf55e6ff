"""村居排名: townships first, then every village with its score, 红黄绿 grade and each deduction;
one village's cases and trend below."""
import pandas as pd
import streamlit as st

from pages._data import View
from pages._frame import require_data, start_page
from pages._privacy import csv_download
from pages._state import page_choice
from pages._widgets import PERCENT_FORMAT, as_percent, show_table
from queries.config import load_config
from queries.metrics.case_lists import BY_ID as LISTS_BY_ID
from queries.metrics.deductions import DEDUCTIONS, itemised
from queries.metrics.formatting import COLUMN_LABELS, fmt_value
from queries.metrics.kpi import RANK_METRICS
from queries.metrics.registry import BY_ID
from queries.outputs import charts, summaries
from queries.periods import Scope


def show_ranking(view: View, frame: pd.DataFrame) -> None:
    config = {
        "rank": st.column_config.NumberColumn("名次", width="small"),
        "township": "乡镇(街道)", "village": "村(社区)",
        "score": st.column_config.ProgressColumn("得分", min_value=0, max_value=100, format="%.1f"),
        "grade": st.column_config.TextColumn("等级", width="small"),
        "cases": "信访总量(件)",
        "repeat_ratio": st.column_config.NumberColumn("重复信访占比", format=PERCENT_FORMAT),
        "skip_level_persons": "越级上访人次", "beijing_province_visits": "进京赴省访(批)",
        "overdue_open": "超期未办结(件)",
        "satisfaction_rate": st.column_config.NumberColumn("群众满意率", format=PERCENT_FORMAT),
        "cases_per_10k": st.column_config.NumberColumn("万人信访率", format="%.1f",
                                                       help="信访总量 ÷ 人口 × 10000（按配置的村人口）"),
        "detail": st.column_config.TextColumn(
            "扣分明细", width="large",
            help="；".join(f"{d.label}{d.rule_text()}" for d in DEDUCTIONS)),
    }
    shown = as_percent(frame.drop(columns=[f"d_{d.rule}" for d in DEDUCTIONS]))
    shown = shown[["rank", "township", "village", "score", "grade", "detail",
                   *[c for c in shown.columns if c not in ("rank", "township", "village", "score", "grade", "detail")]]]
    styled = shown.style.map(lambda g: f"background-color: {charts.GRADE_COLORS.get(g, '')}; color: white;"
                             " font-weight: bold" if g in charts.GRADE_COLORS else "", subset=["grade"])
    st.dataframe(styled, hide_index=True, column_config=config, height=min(38 + 35 * len(frame), 680),
                 placeholder="—")


def print_twin(frame: pd.DataFrame, key: str, labels: dict[str, str]) -> None:
    """The table as printed (Ctrl+P): every row in an HTML table, hidden on screen, where the
    interactive grid would print only the rows in its window."""
    shown = frame[list(labels)].copy()
    for column in shown.columns:
        if column in BY_ID:
            shown[column] = [fmt_value(BY_ID[column], v) for v in shown[column]]
    shown = shown.astype(object).where(shown.notna(), "—")
    styled = shown.rename(columns=labels).style
    if "grade" in labels:
        styled = styled.map(lambda g: f"background-color: {charts.GRADE_COLORS[g]}; color: white"
                            if g in charts.GRADE_COLORS else "", subset=[labels["grade"]])
    with st.container(key=f"print_only_{key}"):
        st.table(styled, hide_index=True)


def village_scope(view: View, key: str) -> Scope:
    township, village = key.split("/", 1)
    return Scope((township,), (village,), view.scope.categories, view.scope.channels)


view = start_page("ranking", "村居排名")
require_data(view)
rows = view.rank()
if not rows:
    st.info("所选范围内没有村(社区)。")
    st.stop()
ranking = summaries.ranking_frame(rows)
settings = load_config()["ranking"]

if view.present:
    st.plotly_chart(charts.ranking_figure(ranking, size="present"), width="stretch",
                    config={"displayModeBar": False})
    st.stop()

st.subheader("乡镇(街道)")
townships = summaries.township_frame(view.breakdown("township", list(RANK_METRICS)), ranking)
show_table(townships, view, ["township", *RANK_METRICS, "红(个)", "黄(个)", "绿(个)"])
print_twin(townships, "townships", {"township": "乡镇(街道)", **{m: COLUMN_LABELS[m] for m in RANK_METRICS},
                                    "红(个)": "红(个)", "黄(个)": "黄(个)", "绿(个)": "绿(个)"})

st.subheader("村(社区)排名")
st.caption(f"得分 = 100 − 各项扣分；绿 ≥ {settings['green']:g} 分，黄 ≥ {settings['yellow']:g} 分，其余为红。"
           "同分按信访总量少者在前。扣分规则见“口径说明”。")
show_ranking(view, ranking)
print_twin(ranking.assign(score=ranking["score"].map("{:g}".format)), "villages",
           {"rank": "名次", "township": "乡镇(街道)", "village": "村(社区)", "score": "得分", "grade": "等级",
            "cases": "信访总量(件)", "detail": "扣分明细"})
csv_download(ranking.rename(columns={"detail": "扣分明细", **{f"d_{d.rule}": f"{d.label}扣分" for d in DEDUCTIONS}}),
                "下载排名（CSV）", "村居排名.csv", key="dl_rank", view=view)
with st.expander("得分图", expanded=False):
    st.plotly_chart(charts.ranking_figure(ranking), width="stretch", config={"displayModeBar": False})

# One village at a time, chosen on screen: left out of a printout of the ranking.
with st.container(key="no_print_detail"):
    st.subheader("村(社区)详情")
    keys = [f"{r['township']}/{r['village']}" for r in rows if r["township"] and r["village"]]
    chosen = page_choice("vil", keys, keys[-1] if keys else None, "选择村(社区)",
                            format_func=lambda k: k.replace("/", " · "))
    if chosen:
        row = next(r for r in rows if f"{r['township']}/{r['village']}" == chosen)
        scope = village_scope(view, chosen)
        st.markdown(f"**第 {row['rank']} 名 · {row['score']:g} 分 · {row['grade']}** — {itemised(row)}")
        left, right = st.columns(2)
        trend = view.trend(["cases", "repeat_ratio"], 24, scope=scope)
        with left:
            st.plotly_chart(charts.trend_figure(trend, BY_ID["cases"], title="信访总量（按月）", marks=False),
                            width="stretch", config={"displayModeBar": False})
        with right:
            ratio = BY_ID["repeat_ratio"]
            st.plotly_chart(charts.trend_figure(trend, ratio, ratio.target, title="重复信访占比（按月）", marks=False),
                            width="stretch", config={"displayModeBar": False})
        cases = view.case_list("period_cases", scope=scope)
        st.caption(f"本期登记 {len(cases)} 件（个人信息已脱敏）")
        show_table(cases, view, list(LISTS_BY_ID["period_cases"].columns), height=400)
