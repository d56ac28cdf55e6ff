"""Figures of 研判·人员: the Sankey of level flows and the days to a first 市/省/京 case."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from .. import charts
from .paths import levels


def sankey_figure(flows: pd.DataFrame, size: str = "screen", title: str | None = None) -> go.Figure:
    """Level → next level, persons as the width: the earlier levels on the left, the later
    ones on the right (two columns, so a flow down is as visible as a flow up)."""
    order = [level for level in levels() if level in set(flows["from_level"]) | set(flows["to_level"])]
    left = {level: i for i, level in enumerate(order)}
    right = {level: len(order) + i for i, level in enumerate(order)}
    colors = [charts.LEVEL_COLORS.get(level, charts.COLORS["bar"]) for level in order] * 2
    up = [levels().index(t) > levels().index(f) for f, t in zip(flows["from_level"], flows["to_level"])]
    # styled before the trace is added: the house style asks every trace about its legend,
    # which a Sankey does not have
    fig = charts.style(go.Figure(), size, title)
    fig.add_trace(go.Sankey(
        arrangement="fixed",
        node={"label": [f"{level}（前）" for level in order] + [f"{level}（后）" for level in order],
              "color": colors, "pad": 18, "thickness": 18,
              "x": [0.01] * len(order) + [0.99] * len(order),
              "y": [(i + 0.5) / len(order) for i in range(len(order))] * 2},
        link={"source": [left[f] for f in flows["from_level"]], "target": [right[t] for t in flows["to_level"]],
              "value": list(flows["persons"]),
              "color": ["rgba(198,40,40,0.35)" if u else "rgba(79,129,189,0.3)" for u in up],
              "hovertemplate": "%{source.label} → %{target.label}：%{value}人<extra></extra>"},
    ))
    return fig


def days_figure(days: pd.DataFrame, size: str = "screen", title: str | None = None) -> go.Figure:
    """How long from a first case to a first 市/省/京 case: persons per span of days."""
    edges = [(0, 0, "首件即到"), (1, 30, "1–30天"), (31, 90, "31–90天"), (91, 180, "91–180天"),
             (181, 365, "181–365天"), (366, None, "一年以上")]
    counts = [int(((days["days"] >= low) & ((high is None) | (days["days"] <= (high or 0)))).sum())
              for low, high, _ in edges]
    fig = go.Figure(go.Bar(x=[label for *_, label in edges], y=counts, marker={"color": charts.COLORS["bar"]},
                           text=counts, textposition="outside", cliponaxis=False,
                           hovertemplate="%{x}：%{y}人<extra></extra>"))
    fig.update_yaxes(title=None, rangemode="tozero")
    return charts.style(fig, size, title)
