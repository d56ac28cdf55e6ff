"""村居地图: the office's GeoJSON of its villages, matched to the data, drawn without a tile server.

The file and the feature properties naming township and village are configured in `[map]`.
Without a file the demo county's generated map is used, but only when the database holds the
demo's villages; otherwise the page explains how to provide one. The figure is a plain Plotly
scatter in lon/lat (polygons filled, one marker per village for hover and click): no basemap,
no topojson, nothing requested from the network (a geo subplot would fetch topojson from a CDN).
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go

from ..config import load_config
from . import charts

# The demo county's map (written by queries/demo/county_map.py): used only for demo data.
DEMO_PATH = Path(__file__).resolve().parent.parent / "demo" / "county.geojson"
NO_DATA_COLOR = "#e3e6ea"
HEIGHTS = {"screen": 560, "present": 600, "deck": 540}   # a map needs more room than a chart
# Sequential bins, light to dark: how much of a metric (more is worse or better: the legend says).
BIN_COLORS = ("#fde0c5", "#facba6", "#f8b58b", "#f59e72", "#f2855d", "#ef6a4c", "#c9483a")
HOW_TO = ("尚未配置村居地图。请信访办提供本地区村(社区)的 GeoJSON 文件（边界多边形或村委会位置点均可，"
          "坐标为经纬度 WGS84），放在服务器上，并在配置文件 xinfang.toml 中写明：\n\n"
          "```toml\n[map]\ngeojson = \"data/村居.geojson\"\ntownship_property = \"乡镇\"   # 要素属性中乡镇(街道)名称的字段\n"
          "village_property = \"村居\"     # 要素属性中村(社区)名称的字段\n```\n\n"
          "名称须与台账中的乡镇、村(社区)名称一致；地图不访问任何在线底图。")


class MapError(ValueError):
    """The configured GeoJSON cannot be used (the message says why, in Chinese)."""


@dataclass(frozen=True)
class VillageMap:
    """The places of a GeoJSON: one row per feature (township, village, kind, rings, cx, cy)."""
    places: pd.DataFrame
    source: str
    demo: bool

    @property
    def by_village_only(self) -> bool:
        """The file names no townships: match on the village name alone."""
        return not self.places["township"].astype(bool).any()


def _rings(geometry: dict) -> tuple[str, list[list[tuple[float, float]]]]:
    kind, coordinates = geometry.get("type"), geometry.get("coordinates")
    if kind == "Polygon":
        return "polygon", [[tuple(p[:2]) for p in coordinates[0]]]
    if kind == "MultiPolygon":
        return "polygon", [[tuple(p[:2]) for p in polygon[0]] for polygon in coordinates]
    if kind == "Point":
        return "point", [[tuple(coordinates[:2])]]
    raise MapError(f"不支持的几何类型：{kind}（应为 Polygon、MultiPolygon 或 Point）")


def _centre(rings: list[list[tuple[float, float]]]) -> tuple[float, float]:
    """Where a village's marker sits: the mean vertex of its largest ring (inside a convex cell)."""
    ring = max(rings, key=len)
    points = ring[:-1] if len(ring) > 1 and ring[0] == ring[-1] else ring
    return sum(p[0] for p in points) / len(points), sum(p[1] for p in points) / len(points)


def parse(text: str, township_property: str, village_property: str, source: str = "",
          demo: bool = False) -> VillageMap:
    try:
        document = json.loads(text)
        features = document["features"] if document.get("type") == "FeatureCollection" else [document]
    except (ValueError, KeyError, AttributeError, TypeError):
        raise MapError("文件不是有效的 GeoJSON（应为 FeatureCollection）") from None
    rows = []
    for number, feature in enumerate(features, start=1):
        properties = feature.get("properties") or {}
        village = str(properties.get(village_property) or "").strip()
        if not village:
            raise MapError(f"第 {number} 个要素缺少村(社区)名称属性“{village_property}”")
        try:
            kind, rings = _rings(feature.get("geometry") or {})
            cx, cy = _centre(rings)
        except (TypeError, IndexError, ZeroDivisionError):
            raise MapError(f"第 {number} 个要素（{village}）的坐标无法读取") from None
        rows.append({"township": str(properties.get(township_property) or "").strip(), "village": village,
                     "kind": kind, "rings": rings, "cx": cx, "cy": cy})
    if not rows:
        raise MapError("文件中没有任何要素")
    return VillageMap(pd.DataFrame(rows), source, demo)


def settings() -> dict:
    return load_config().get("map", {})


def map_signature() -> tuple:
    """Changes when the configured map file (or its settings) changes: part of a cache key."""
    config = settings()
    path = Path(str(config.get("geojson") or "").strip() or DEMO_PATH)
    try:
        stamp = path.stat().st_mtime_ns
    except OSError:
        stamp = None
    return str(path), stamp, config.get("township_property"), config.get("village_property")


def load_map(data_places: pd.DataFrame) -> VillageMap | None:
    """The configured map; without one, the demo county's if the data are the demo's (at least
    half of the data's villages are on it); None: the page says how to provide a map."""
    config = settings()
    configured = str(config.get("geojson") or "").strip()
    if configured:
        path = Path(configured)
        try:
            text = path.read_text(encoding="utf-8-sig")
        except OSError:
            raise MapError(f"找不到或无法读取地图文件 {configured}") from None
        return parse(text, config.get("township_property", "township"),
                     config.get("village_property", "village"), path.name)
    demo = parse(DEMO_PATH.read_text(encoding="utf-8"), "township", "village", DEMO_PATH.name, demo=True)
    known = set(zip(demo.places["township"], demo.places["village"]))
    data = set(zip(data_places["township"], data_places["village"]))
    return demo if data and len(data & known) * 2 >= len(data) else None


def match(village_map: VillageMap, values: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(every place of the map with its row of `values` where there is one — `has_data` — and
    the rows of `values` whose village is not on the map). `values` has township, village."""
    keys = ["village"] if village_map.by_village_only else ["township", "village"]
    values = values.assign(has_data=True)
    shown = village_map.places.merge(values.drop(columns=[k for k in ("township",) if k not in keys and k in values]),
                                     on=keys, how="left")
    shown["has_data"] = shown["has_data"].astype("boolean").fillna(False).astype(bool)
    on_map = village_map.places[keys].drop_duplicates()
    missing = values.merge(on_map, on=keys, how="left", indicator=True)
    missing = missing[missing["_merge"] == "left_only"].drop(columns=["_merge", "has_data"])
    return shown, missing.reset_index(drop=True)


def bins(values: pd.Series, count: int = len(BIN_COLORS)) -> list[float]:
    """Equal-width bin edges over the values (at least one bin; whole numbers for counts)."""
    low, high = float(values.min()), float(values.max())
    if high <= low:
        return [low, low]
    step = (high - low) / count
    return [low + step * i for i in range(count)] + [high]


def _polygon_xy(rings_list) -> tuple[list, list]:
    xs, ys = [], []
    for rings in rings_list:
        for ring in rings:
            xs += [p[0] for p in ring] + [None]
            ys += [p[1] for p in ring] + [None]
    return xs, ys


def _groups(shown: pd.DataFrame, value: str, categorical: bool, fmt) -> list[tuple[str, str, pd.DataFrame]]:
    """(legend name, colour, places) for each colour of the map, no-data last."""
    with_data = shown[shown["has_data"] & shown[value].notna()]
    groups = []
    if categorical:
        for grade, color in charts.GRADE_COLORS.items():
            groups.append((grade, color, with_data[with_data[value] == grade]))
    elif len(with_data):
        edges = bins(with_data[value].astype(float))
        index = pd.cut(with_data[value].astype(float), edges, include_lowest=True, labels=False, duplicates="drop")
        used = sorted(index.dropna().unique())
        for number in used:
            part = with_data[index == number]
            color = BIN_COLORS[round(number * (len(BIN_COLORS) - 1) / max(len(edges) - 2, 1))]
            groups.append((f"{fmt(edges[int(number)])}–{fmt(edges[int(number) + 1])}", color, part))
    groups.append(("无数据", NO_DATA_COLOR, shown[~(shown["has_data"] & shown[value].notna())]))
    return [g for g in groups if len(g[2])]


def plain(value) -> str:
    return value if isinstance(value, str) else f"{value:g}"


def map_figure(shown: pd.DataFrame, value: str, categorical: bool = False, fmt=plain,
               size: str = "screen", title: str | None = None, labels: bool = False) -> go.Figure:
    """The choropleth: each colour one filled trace of polygons (or markers, for a map of
    points), then one marker per village carrying hover and click (customdata: township, village)."""
    fig = go.Figure()
    points_only = (shown["kind"] == "point").all()
    base = charts.SIZES[size]
    for name, color, part in _groups(shown, value, categorical, fmt):
        polygons = part[part["kind"] == "polygon"]
        if len(polygons):
            xs, ys = _polygon_xy(polygons["rings"])
            fig.add_scatter(x=xs, y=ys, mode="lines", fill="toself", fillcolor=color, name=name,
                            line={"color": "white", "width": 1}, hoverinfo="skip", legendgroup=name)
        points = part[part["kind"] == "point"]
        if len(points):
            fig.add_scatter(x=points["cx"], y=points["cy"], mode="markers", name=name, legendgroup=name,
                            showlegend=not len(polygons), hoverinfo="skip",
                            marker={"color": color, "size": base * 1.6, "line": {"color": "#555", "width": 1}})
    text = [f"{t} {v}<br>{fmt(x) if pd.notna(x) and has else '无数据'}" for t, v, x, has
            in zip(shown["township"], shown["village"], shown[value], shown["has_data"])]
    fig.add_scatter(x=shown["cx"], y=shown["cy"], mode="markers+text" if labels else "markers",
                    text=shown["village"] if labels else None, textposition="middle center",
                    textfont={"size": base * 0.75, "color": "#222"},
                    marker={"size": base * (1.6 if points_only else 0.9), "opacity": 0 if points_only else 0.25,
                            "color": "#333"},
                    customdata=shown[["township", "village"]].to_numpy(), hovertext=text,
                    hovertemplate="%{hovertext}<extra></extra>", showlegend=False, name="村(社区)")
    mid_lat = float(shown["cy"].mean())
    fig.update_xaxes(visible=False, fixedrange=True)
    fig.update_yaxes(visible=False, fixedrange=True, scaleanchor="x", scaleratio=1 / math.cos(math.radians(mid_lat)))
    charts.style(fig, size, title, height=HEIGHTS[size])
    fig.update_layout(legend={"itemclick": False, "itemdoubleclick": False})
    return fig


# --- the values drawn ----------------------------------------------------------------------

def village_values(ranking: list[dict], metric_frame: pd.DataFrame | None, metric_id: str | None,
                   count: bool = True) -> pd.DataFrame:
    """township, village, value for every ranked village (every village with a case in scope):
    the grade (红黄绿) when `metric_id` is None, else the metric from `metric_frame` (a
    metric_frame grouped by township and village), 0 for a count where the village had nothing."""
    places = pd.DataFrame([{"township": r["township"] or "", "village": r["village"] or "", "grade": r["grade"],
                            "score": r["score"]} for r in ranking], columns=["township", "village", "grade", "score"])
    if metric_id is None:
        return places.rename(columns={"grade": "value"})
    figures = metric_frame[["township", "village", metric_id]].fillna({"township": "", "village": ""})
    values = places[["township", "village"]].merge(figures, on=["township", "village"], how="left")
    values = values.rename(columns={metric_id: "value"})
    if count:
        values["value"] = values["value"].fillna(0)
    return values


def ranking_map(ranking: list[dict], size: str = "deck", title: str | None = None) -> go.Figure | None:
    """The grade map of a ranking (the deck's map slide); None without a map for these villages."""
    values = village_values(ranking, None, None)
    try:
        village_map = load_map(values)
    except MapError:
        return None
    if village_map is None:
        return None
    return map_figure(match(village_map, values)[0], "value", categorical=True, size=size, title=title,
                      labels=len(village_map.places) <= 60)
