"""村居地图: any metric, or the ranking grade (红黄绿), per village on the office's own map —
drawn without a tile server; a click on a village opens its details on 村居排名."""
import pandas as pd
import streamlit as st

from pages import _common as ui
from queries import engine
from queries.formatting import fmt_value
from queries.metrics import BY_ID, PUBLIC
from queries.periods import Period, Scope
from queries.research import geo

GRADE = "grade"
METRIC_IDS = [m.id for m in PUBLIC if m.source != "incidents"]


@ui._cache
def _village_metric(version: tuple, scope: Scope, period: Period, metric_id: str) -> pd.DataFrame:
    return engine.metric_frame(ui.connection(version), scope, [period], [metric_id],
                               group_by=("township", "village"))


def option_label(option: str) -> str:
    if option == GRADE:
        return "排名等级（红黄绿）"
    metric = BY_ID[option]
    return f"{metric.name}（{metric.unit}）" if metric.unit else metric.name


def open_village(key: str) -> None:
    """Drill down: 村居排名 shows the village `key` (township/village) below its table."""
    st.session_state["page_vil"] = key
    st.switch_page("pages/ranking.py")


view = ui.start_page("map", "村居地图")
ui.require_data(view)
size = "present" if view.present else "screen"
choice = ui.page_choice("metric", [GRADE, *METRIC_IDS], GRADE, "地图显示", format_func=option_label)
ranking = view.rank()
if choice == GRADE:
    values = geo.village_values(ranking, None, None)
    metric = None
else:
    metric = BY_ID[choice]
    values = geo.village_values(ranking, _village_metric(view.version, view.scope, view.period, choice), choice,
                                count=metric.fmt == "count")
try:
    village_map = geo.load_map(values)
except geo.MapError as error:
    st.error(f"村居地图无法使用：{error}。请检查配置 [map] 中的地图文件。")
    st.stop()
if village_map is None:
    st.info(geo.HOW_TO)
    st.stop()

shown, missing = geo.match(village_map, values)
fmt = (lambda v: fmt_value(metric, v)) if metric else geo.plain
title = option_label(choice)
fig = geo.map_figure(shown, "value", categorical=metric is None, fmt=fmt, size=size, title=title,
                     labels=view.present or len(shown) <= 60)
if view.present:
    st.plotly_chart(fig, width="stretch", config={"displayModeBar": False})
else:
    event = st.plotly_chart(fig, width="stretch", config={"displayModeBar": False}, on_select="rerun",
                            selection_mode="points", key="village_map")
    points = (event or {}).get("selection", {}).get("points", []) if event else []
    picked = [p.get("customdata") for p in points if p.get("customdata")]
    if picked:
        open_village("/".join(picked[0][:2]))
    st.caption("点击村(社区)查看其详情（村居排名页）。灰色：地图上有、但所选范围内没有信访事项的村(社区)。")
source = "演示地图（虚构县，自动生成）" if village_map.demo else f"地图文件：{village_map.source}"
st.caption(f"{source}；底图不访问任何在线服务。颜色分档为等宽分档。")
if len(missing):
    names = "、".join(f"{t}{v}" for t, v in zip(missing["township"], missing["village"]))
    st.warning(f"以下 {len(missing)} 个村(社区)有数据，但地图文件中没有（未画出）：{names}", icon=":material/wrong_location:")
