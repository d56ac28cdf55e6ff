"""Figures of 研判·人员: the Sankey of level flows and the days to a first 市/省/京 case."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from ..research.paths import levels
from . import charts


def sankey_figure(flows: pd.DataFrame, size: str = "screen", title: str | None = None) -> go.Figure:
    """Level → next level, persons as the width: the earlier levels on the left, the later
    ones on the right (two columns, so a flow down is as visible as a flow up)."""
    ladder = levels()
    sources = [level for level in ladder if level in set(flows["from_level"])]
    targets = [level for level in ladder if level in set(flows["to_level"])]
    left = {level: i for i, level in enumerate(sources)}
    right = {level: len(sources) + i for i, level in enumerate(targets)}
    up = [ladder.index(t) > ladder.index(f) for f, t in zip(flows["from_level"], flows["to_level"])]
    # styled before the trace is added: the house style asks every trace about its legend,
    # which a Sankey does not have
    fig = charts.style(go.Figure(), size, title)
    fig.add_trace(go.Sankey(
        node={"label": [f"{level}（上一件）" for level in sources] + [f"{level}（本件）" for level in targets],
              "color": [charts.LEVEL_COLORS.get(level, charts.COLORS["bar"]) for level in sources + targets],
              "pad": 14, "thickness": 16},
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
    fig.update_yaxes(title=None, rangemode="tozero", automargin=True)
    fig.update_xaxes(automargin=True)
    return charts.style(fig, size, title)
