"""The dashboard's figures: Plotly figures as functions of the DataFrames `queries` returns.

No Streamlit here: the same functions draw the screen, the projector (size="present") and the
PNGs of the meeting deck (size="deck"). Fonts name CJK families first so Chinese renders the
same in a browser and in a headless PNG export. Nothing is loaded from the network.
"""
from __future__ import annotations

import html
import math

import pandas as pd
import plotly.graph_objects as go

from ..config import load_config
from ..escaping import plotly_text
from ..metrics.analysis import alert_level
from ..metrics.formatting import adverse, missing
from ..metrics.registry import Metric

FONT = "Noto Sans CJK SC, Source Han Sans SC, Microsoft YaHei, PingFang SC, SimHei, sans-serif"
SIZES = {"screen": 14, "present": 22, "deck": 18}   # base font size in px
HEIGHTS = {"screen": 360, "present": 620, "deck": 540}
COLORS = {"value": "#1f4e79", "yoy": "#9aa5b1", "target": "#2e7d32", "告警": "#c62828",
          "异常": "#ef6c00", "bar": "#4f81bd"}
GRADE_COLORS = {"绿": "#2e7d32", "黄": "#f2b705", "红": "#c62828"}
LEVEL_COLORS = {"村": "#c5d3e0", "镇": "#8eaac8", "县": "#4f81bd", "市": "#f2b705", "省": "#ef6c00",
                "京": "#c62828"}
# A small template of our own: the stock "plotly_white" is large and copying it into every
# figure dominated page render time (measured ~30 ms per figure).
TEMPLATE = go.layout.Template(layout={
    "paper_bgcolor": "white", "plot_bgcolor": "white",
    "colorway": ["#1f4e79", "#ef6c00", "#2e7d32", "#c62828", "#6a51a3", "#9aa5b1"],
    "xaxis": {"gridcolor": "#e6e9ee", "linecolor": "#b8bec7", "zeroline": False, "ticks": ""},
    "yaxis": {"gridcolor": "#e6e9ee", "linecolor": "#b8bec7", "zeroline": False, "ticks": ""},
})
ROW_LINES = 1.9        # a ranking row: its label and dot never touch the next
COUNT_DTICK_MAX = 10   # a count axis up to this many steps by 1 (auto ticks would give 0.5s)


def style(fig: go.Figure, size: str = "screen", title: str | None = None,
          height: int | None = None) -> go.Figure:
    """The house style: white, CJK font, legend on top, sized for the medium."""
    base = SIZES[size]
    # Title on the first line, legend on the second, both above the plot area.
    shown = [trace for trace in fig.data if trace.showlegend is not False]
    legend_rows = base * 2.2 if shown and (len(fig.data) > 1 or fig.layout.showlegend) else 0
    title_rows = base * 2.4 if title else 0
    fig.update_layout(
        template=TEMPLATE, font={"family": FONT, "size": base, "color": "#222"},
        title={"text": title, "font": {"size": base + 4}, "x": 0, "xanchor": "left",
               "y": 1, "yref": "container", "yanchor": "top", "pad": {"t": base * 0.6}} if title else None,
        height=height or HEIGHTS[size],
        margin={"l": 10, "r": 20, "t": int(title_rows + legend_rows + 10), "b": 10},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.01, "x": 0, "font": {"size": base}},
        hoverlabel={"font": {"family": FONT, "size": base}},
    )
    # Tick labels at the medium's size too: Streamlit's chart theme would set them small, which
    # a projector's audience cannot read.
    fig.update_xaxes(tickfont_size=base)
    fig.update_yaxes(tickfont_size=base)
    return fig


def for_export(fig: go.Figure) -> go.Figure:
    """A figure for a fixed-size image (the deck): margins grow to fit the tick labels, which
    the house margins would otherwise clip at the image's edge, and the right margin leaves
    room for the value printed after the longest bar."""
    fig.update_xaxes(automargin=True)
    fig.update_yaxes(automargin=True)
    fig.update_layout(margin_r=max(fig.layout.margin.r or 0, 4 * (fig.layout.font.size or SIZES["deck"])))
    return fig


def sparkline_svg(values: list, color: str, height: int = 56, title: str = "") -> str:
    """A metric card's sparkline as inline SVG, "" when there is no value.

    Drawn by the browser with the page: Streamlit's own card chart loads Vega on demand, which
    delayed a first visit of 总览 by ~0.3 s (benchmarks/bench_browser.py). The x axis is 0..100
    stretched to the card's width; the values span the height less a margin for the stroke;
    a missing month leaves a gap, a lone month is a dot, a flat series sits in the middle
    (all zero: on the baseline, as a 五不 count should);
    the line is 2 px, thicker on a taller (projected) card.
    """
    points = [(i, float(v)) for i, v in enumerate(values) if not missing(v)]
    if not points:
        return ""
    low, high = min(v for _, v in points), max(v for _, v in points)
    margin, last = 3, max(len(values) - 1, 1)

    def xy(i: int, v: float) -> str:
        if high > low:
            y = margin + (high - v) / (high - low) * (height - 2 * margin)
        else:  # flat: nothing at all lies on the baseline, anything else in the middle
            y = height - margin if v == 0 else height / 2
        return f"{i * 100 / last:.2f},{y:.2f}"

    runs: list[list[str]] = []   # runs of consecutive months
    previous = None
    for i, v in points:
        if previous == i - 1:
            runs[-1].append(xy(i, v))
        else:
            runs.append([xy(i, v)])
        previous = i
    # A run of one month is a zero-length segment: its round cap draws a dot.
    path = " ".join(f"M{run[0]}" + ("".join(f" L{p}" for p in run[1:]) or " l0,0") for run in runs)
    return (f'<svg class="sparkline" role="img" viewBox="0 0 100 {height}" preserveAspectRatio="none" '
            f'width="100%" height="{height}"><title>{html.escape(title)}</title>'
            f'<path d="{path}" fill="none" stroke="{color}" stroke-width="{max(2, round(height / 36))}" '
            'stroke-linejoin="round" stroke-linecap="round" vector-effect="non-scaling-stroke"/></svg>')


def _month_axis(fig: go.Figure, months: int) -> None:
    """Horizontal month labels, thinned so they never overlap."""
    fig.update_xaxes(type="category", title=None, tickangle=0, dtick=max(1, math.ceil(months / 8)))


def _value_axis(metric: Metric, top=None) -> dict:
    """A value axis from 0; a count axis steps by whole numbers (`top`: its largest value)."""
    if metric.fmt == "percent":
        return {"tickformat": ".0%", "rangemode": "tozero"}
    return count_axis(top)


def count_axis(top=None) -> dict:
    """Whole-number ticks: up to COUNT_DTICK_MAX every 1 (plotly would step by 0.2 or 0.5 and
    print 0, 0, 0, 1, 1, 1 as integers), above that plotly's own steps, integers anyway."""
    axis = {"tickformat": "d", "rangemode": "tozero"}
    top = 0 if top is None or missing(top) else float(top)
    if top <= COUNT_DTICK_MAX:
        axis.update(tick0=0, dtick=1, range=[0, max(top, 1) * 1.08])
    return axis


def _column_max(*columns) -> float:
    values = [v for column in columns for v in column if not missing(v)]
    return max(values, default=0)


def _hover(metric: Metric) -> str:
    return "%{y:.1%}" if metric.fmt == "percent" else "%{y:d}" + metric.unit


def _target_line(fig: go.Figure, target: float | None, metric: Metric, size: str) -> None:
    if target is None:
        return
    _target_legend(fig, target, metric)
    fig.add_hline(y=target, line={"color": COLORS["target"], "dash": "dash", "width": 2})


def _target_legend(fig: go.Figure, target: float, metric: Metric) -> None:
    """The target is named in the legend (a dashed line entry), never printed on the plot area
    where it would sit on the data."""
    text = f"目标 {target:.0%}" if metric.fmt == "percent" else f"目标 {target:g}{metric.unit}"
    fig.add_scatter(x=[None], y=[None], mode="lines", name=text, hoverinfo="skip",
                    line={"color": COLORS["target"], "dash": "dash", "width": 2})


def alert_marks(frame: pd.DataFrame, metric: Metric) -> pd.DataFrame:
    """Months whose 同比 change is an 告警 or 异常 (analysis.alert_level), with that level."""
    levels = [alert_level(v, y) for v, y in zip(frame[metric.id], frame[f"{metric.id}_yoy"])]
    marked = frame.assign(level=levels)
    return marked[marked["level"].isin(["告警", "异常"])]


def trend_figure(frame: pd.DataFrame, metric: Metric, target: float | None = None,
                 size: str = "screen", title: str | None = None, marks: bool = True) -> go.Figure:
    """Monthly series (analysis.trend) with the same month a year earlier, the target, and
    the months flagged 告警/异常."""
    fig = go.Figure()
    fig.add_scatter(x=frame["month"], y=frame[f"{metric.id}_yoy"], name="上年同月", mode="lines",
                    line={"color": COLORS["yoy"], "dash": "dot", "width": 2},
                    hovertemplate=_hover(metric) + "<extra>上年同月</extra>")
    fig.add_scatter(x=frame["month"], y=frame[metric.id], name="本期", mode="lines+markers",
                    line={"color": COLORS["value"], "width": 3}, marker={"size": 7},
                    hovertemplate=_hover(metric) + "<extra>本期</extra>")
    if marks:
        flagged = alert_marks(frame, metric)
        flagged = flagged.assign(adverse=pd.Series([adverse(metric, v, y) is True for v, y in
                                                    zip(flagged[metric.id], flagged[f"{metric.id}_yoy"])],
                                                   index=flagged.index, dtype=bool))
        # As on 总览: a large move the wrong way is 告警 (or 异常, the smaller level), filled;
        # a large move the right way is 向好, an open green ring.
        groups = [(COLORS["告警"], "告警", (flagged["level"] == "告警") & flagged["adverse"]),
                  (COLORS["异常"], "异常", (flagged["level"] == "异常") & flagged["adverse"]),
                  (COLORS["target"], "向好", ~flagged["adverse"])]
        for color, name, chosen in groups:
            rows = flagged[chosen]
            if not len(rows):
                continue
            fig.add_scatter(x=rows["month"], y=rows[metric.id], name=name, mode="markers",
                            marker={"color": color if name != "向好" else "rgba(0,0,0,0)", "size": 14,
                                    "symbol": "circle", "line": {"width": 3, "color": color}},
                            hovertemplate=_hover(metric) + f"<extra>{name}</extra>")
    _target_line(fig, target, metric, size)
    _month_axis(fig, len(frame))
    fig.update_yaxes(title=None, **_value_axis(metric, _column_max(frame[metric.id], frame[f"{metric.id}_yoy"],
                                                                    [target])))
    return style(fig, size, title)


def bar_figure(frame: pd.DataFrame, label: str, metric: Metric, target: float | None = None,
               size: str = "screen", title: str | None = None, top: int | None = None) -> go.Figure:
    """Horizontal bars of one metric per label (analysis.breakdown), largest on top."""
    data = frame.dropna(subset=[metric.id]).sort_values(metric.id, ascending=False)
    if top:
        data = data.head(top)
    data = data.iloc[::-1]
    labels = data[label].fillna("（空白）").astype(str).map(plotly_text)   # names: no HTML in Plotly
    text = [f"{v:.1%}" if metric.fmt == "percent" else f"{int(v)}" for v in data[metric.id]]
    over = [target is not None and not metric.rise_is_good and v > target for v in data[metric.id]]
    fig = go.Figure(go.Bar(x=data[metric.id], y=labels, orientation="h", text=text,
                           textposition="outside", cliponaxis=False, showlegend=False,
                           marker={"color": [COLORS["告警"] if o else COLORS["bar"] for o in over]},
                           hovertemplate="%{y}：%{text}<extra></extra>"))
    if any(over):  # red carries a meaning: say which
        for name, color in (("超过目标", COLORS["告警"]), ("未超过目标", COLORS["bar"])):
            fig.add_bar(x=[None], y=[None], name=name, marker={"color": color}, orientation="h",
                        hoverinfo="skip")
    if target is not None:
        _target_legend(fig, target, metric)
        fig.add_vline(x=target, line={"color": COLORS["target"], "dash": "dash", "width": 2})
    fig.update_xaxes(title=None, **_value_axis(metric, _column_max(data[metric.id], [target])))
    fig.update_yaxes(title=None, type="category")
    height = max(HEIGHTS[size], 90 + len(data) * SIZES[size] * 2)
    return style(fig, size, title, height=height)


def ranking_figure(ranking: pd.DataFrame, size: str = "screen", title: str | None = None) -> go.Figure:
    """Village scores (kpi.rank rows) as dots coloured 红/黄/绿, best on top. Dots, not bars:
    the axis does not start at zero, and a bar would exaggerate the gaps.

    Every village is named: one row of ROW_LINES × the font per village and every category
    tick listed (plotly would otherwise drop labels that crowd), so the chart grows with the
    villages and the page scrolls, on the projector too."""
    data = ranking.iloc[::-1]
    labels = (data["rank"].astype(str) + ". " + data["township"].fillna("") + " "
              + data["village"].fillna("（空白）")).str.strip().map(plotly_text)
    base = SIZES[size]
    fig = go.Figure(go.Scatter(
        x=data["score"], y=labels, mode="markers+text", text=[f"{s:g}" for s in data["score"]],
        textposition="middle right", textfont={"size": base},
        marker={"size": base * 1.1, "color": [GRADE_COLORS.get(g, COLORS["bar"]) for g in data["grade"]]},
        customdata=data["grade"], hovertemplate="%{y}：%{x:g}分（%{customdata}）<extra></extra>",
        cliponaxis=False))
    settings = load_config()["ranking"]
    for threshold, grade in ((settings["green"], "绿"), (settings["yellow"], "黄")):
        fig.add_vline(x=threshold, line={"color": GRADE_COLORS[grade], "dash": "dot", "width": 2},
                      annotation={"text": f"{grade} ≥ {threshold:g}", "font": {"color": GRADE_COLORS[grade]}},
                      annotation_position="top")
    low = min(data["score"].min() if len(data) else 100, settings["yellow"]) - 5
    fig.update_xaxes(range=[max(low, 0), 103], title=None)
    fig.update_yaxes(type="category", title=None, showgrid=True, tickfont={"color": "#222", "size": base},
                     tickmode="array", tickvals=list(labels), ticktext=list(labels), automargin=True)
    rows = max(len(data), 1)
    height = max(HEIGHTS[size] // 2, int(90 + rows * base * ROW_LINES))
    style(fig, size, title, height=height)
    fig.update_layout(margin_t=fig.layout.margin.t + base * 1.5)  # room for the threshold labels
    return fig


def stacked_figure(frame: pd.DataFrame, x: str, group: str, value: str, order: list[str],
                   colors: dict[str, str], size: str = "screen", title: str | None = None,
                   unit: str = "") -> go.Figure:
    """Stacked bars of `value` per `x`, one colour per `group` value (e.g. 市/省/京 per month)."""
    fig = go.Figure()
    xs = list(dict.fromkeys(frame[x]))
    for name in order:
        rows = frame[frame[group] == name].set_index(x)[value].reindex(xs).fillna(0)
        fig.add_bar(x=xs, y=rows.values, name=plotly_text(name), marker={"color": colors.get(name)},
                    hovertemplate=f"{plotly_text(name)}：%{{y}}{unit}<extra></extra>")
    fig.update_layout(barmode="stack", showlegend=True)   # colour = level, even with one level
    _month_axis(fig, len(xs))
    totals = frame.groupby(x)[value].sum() if len(frame) else []
    fig.update_yaxes(title=None, **count_axis(_column_max(totals)))
    return style(fig, size, title)


def collective_figure(sizes: pd.DataFrame, size: str = "screen", title: str | None = None) -> go.Figure:
    """Stacked bars of 集体访 per size band, one colour per 登记层级 (named in the legend)."""
    levels = [lv for lv in ("村", "镇", "县", "市", "省", "京") if lv in set(sizes["level"])]
    levels += sorted(set(sizes["level"]) - set(levels))
    buckets = sizes.attrs.get("buckets") or list(dict.fromkeys(sizes["size"]))
    frame = sizes.set_index(["size", "level"])["visits"]
    fig = go.Figure()
    for level in levels:
        values = [int(frame.get((b, level), 0)) for b in buckets]
        fig.add_bar(x=buckets, y=values, name=plotly_text(level), marker={"color": LEVEL_COLORS.get(level)},
                    hovertemplate=f"{plotly_text(level)}：%{{y}}批<extra></extra>")
    fig.update_layout(barmode="stack", showlegend=True, legend_title_text="登记层级")
    fig.update_xaxes(type="category", title=None)
    fig.update_yaxes(title=None, **count_axis(sizes.groupby("size")["visits"].sum().max() if len(sizes) else 0))
    return style(fig, size, title)
