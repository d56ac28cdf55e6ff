"""趋势: any scorecard metric month by month, with 同比, its target and the 告警/异常 months."""
import pandas as pd
import streamlit as st

from pages._frame import require_data, start_page
from pages._state import page_choice
from pages._widgets import metric_card, tooltip
from queries.metrics import analysis
from queries.metrics.formatting import fmt_change, fmt_value
from queries.metrics.registry import BY_ID, PUBLIC
from queries.outputs import charts

MONTHS = (12, 24, 36)


def month_table(frame: pd.DataFrame, metric) -> pd.DataFrame:
    value, yoy = frame[metric.id], frame[f"{metric.id}_yoy"]
    return pd.DataFrame({
        "月份": frame["month"],
        "本期": [fmt_value(metric, v) for v in value],
        "上年同月": [fmt_value(metric, v) for v in yoy],
        "同比": [fmt_change(metric, v, y, label="") for v, y in zip(value, yoy)],
        "提示": [analysis.movement(metric, v, y) or "—" for v, y in zip(value, yoy)],
    }).iloc[::-1]


view = start_page("trends", "趋势")
require_data(view)

left, right = st.columns([3, 1])
with left:
    metric_id = page_choice("m", [m.id for m in PUBLIC], "cases", "指标",
                               format_func=lambda i: f"{BY_ID[i].group} · {BY_ID[i].name}")
with right:
    count = page_choice("n", list(MONTHS), 24, "月数", widget=st.segmented_control,
                           format_func=lambda n: f"{n}个月", required=True)
metric = BY_ID[metric_id]
frame = view.trend([metric.id], count)

card, chart = st.columns([1, 3]) if not view.present else (st.container(), st.container())
with card:
    metric_card(view.kpi().figures[metric.id], frame.set_index("month")[metric.id])
with chart:
    st.plotly_chart(charts.trend_figure(frame, metric, metric.target, size="present" if view.present else "screen",
                                        title=f"{metric.name}（按月，各月截至月末）"),
                    width="stretch", config={"displayModeBar": False})
st.caption(tooltip(metric).replace("\n\n", " "))
if not view.present:
    with st.expander("逐月数据", expanded=False):
        st.dataframe(month_table(frame, metric), hide_index=True)
