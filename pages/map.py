"""村居地图: any metric, or the ranking grade (红黄绿), per village on the office's own map —
drawn without a tile server; a click on a village opens its details on 村居排名."""
from datetime import date

import pandas as pd
import streamlit as st

from pages._data import connection, period_of, query_cache, ranking
from pages._frame import require_data, start_page
from pages._state import page_choice
from queries.metrics import engine
from queries.metrics.formatting import fmt_value
from queries.metrics.registry import BY_ID, PUBLIC
from queries.outputs import village_map as maps
from queries.periods import Period, Scope

GRADE = "grade"
METRIC_IDS = [m.id for m in PUBLIC if m.source != "incidents"]


@query_cache
def _village_metric(version: tuple, scope: Scope, period: Period, metric_id: str) -> pd.DataFrame:
    return engine.metric_frame(connection(version), scope, [period], [metric_id],
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


@query_cache
def _drawn(version: tuple, scope: Scope, dates: tuple[date, date, date], choice: str, present: bool,
           signature: tuple) -> tuple:
    """(figure as a dict, villages missing from the map, map name, is the demo's) — or (None,
    error message or None, …): the map is drawn once per view and map file (`signature`).
    A dict, not a Figure: a Figure's layout keys come back from the cache in another order,
    a changed spec is a new chart to Streamlit, and the click that caused the rerun is lost."""
    villages = ranking(version, scope, *dates)   # dates: the view's (as_of, start, end)
    if choice == GRADE:
        values, metric = maps.village_values(villages, None, None), None
    else:
        metric = BY_ID[choice]
        figures = _village_metric(version, scope, period_of(version, *dates), choice)
        values = maps.village_values(villages, figures, choice, count=metric.fmt == "count")
    try:
        village_map = maps.load_map(values)
    except maps.MapError as error:
        return None, str(error), None, False
    if village_map is None:
        return None, None, None, False
    shown, missing = maps.match(village_map, values)
    fmt = (lambda v: fmt_value(metric, v)) if metric else maps.plain
    fig = maps.map_figure(shown, "value", categorical=metric is None, fmt=fmt, size="present" if present else "screen",
                         title=option_label(choice), labels=present or len(shown) <= 60)
    return fig.to_dict(), missing, village_map.source, village_map.demo


view = start_page("map", "村居地图")
require_data(view)
choice = page_choice("metric", [GRADE, *METRIC_IDS], GRADE, "地图显示", format_func=option_label)
fig, missing, source, demo = _drawn(view.version, view.scope, (view.as_of, view.start, view.end), choice,
                                    view.present, maps.map_signature())
if fig is None and missing is not None:
    st.error(f"村居地图无法使用：{missing}。请检查配置 [map] 中的地图文件。")
    st.stop()
if fig is None:
    st.info(maps.HOW_TO)
    st.stop()
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
    keys = [f"{r['township']}/{r['village']}" for r in view.rank() if r["township"] and r["village"]]
    pick, go_button = st.columns([4, 1], vertical_alignment="bottom")
    chosen = pick.selectbox("或选择村(社区)", keys, format_func=lambda k: k.replace("/", " · "), key="map_village")
    if go_button.button("查看详情", width="stretch") and chosen:
        open_village(chosen)
st.caption(f"{'演示地图（虚构县，自动生成）' if demo else f'地图文件：{source}'}；底图不访问任何在线服务。"
           "颜色分档为等宽分档。")
if len(missing):
    names = "、".join(f"{t}{v}" for t, v in zip(missing["township"], missing["village"]))
    st.warning(f"以下 {len(missing)} 个村(社区)有数据，但地图文件中没有（未画出）：{names}", icon=":material/wrong_location:")
