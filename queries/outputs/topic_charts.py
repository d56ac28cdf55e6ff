"""Figures of 研判·诉求 in the house style of queries/outputs/charts.py (screen, projector, deck)."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from .charts import COLORS, style


def terms_figure(rows: list[dict], size: str = "screen", title: str | None = None, top: int = 15) -> go.Figure:
    """The top terms: this period's cases against the preceding period's, emerging ones in red."""
    rows = rows[:top][::-1]   # largest at the top
    terms = [r["term"] for r in rows]
    fig = go.Figure()
    fig.add_bar(y=terms, x=[r["prev_cases"] or 0 for r in rows], orientation="h", name="环比期",
                marker_color=COLORS["yoy"], hovertemplate="%{y}：环比期 %{x} 件<extra></extra>")
    fig.add_bar(y=terms, x=[r["cases"] for r in rows], orientation="h", name="本期",
                marker_color=[COLORS["告警"] if r["emerging"] else COLORS["value"] for r in rows],
                text=[f"{r['cases']}" for r in rows], textposition="outside", cliponaxis=False,
                hovertemplate="%{y}：本期 %{x} 件<extra></extra>")
    fig.update_layout(barmode="group", bargap=0.25)
    fig.update_xaxes(title_text="件")
    return style(fig, size, title, height=max(320, 28 * len(rows) + 120) if size == "screen" else None)


def group_trend_figure(frame: pd.DataFrame, size: str = "screen", title: str | None = None) -> go.Figure:
    """Cases per month of each 诉求群体 (frame: month, group, cases)."""
    fig = go.Figure()
    for group, part in frame.groupby("group", sort=False):
        fig.add_scatter(x=part["month"], y=part["cases"], mode="lines+markers", name=group,
                        hovertemplate=f"{group} %{{x}}：%{{y}} 件<extra></extra>")
    fig.update_xaxes(type="category")
    fig.update_yaxes(title_text="件", rangemode="tozero")
    return style(fig, size, title)
