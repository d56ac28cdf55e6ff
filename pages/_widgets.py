"""How the pages look: the style (screen, presentation mode, print), the metric cards and their
grid, and tables with Chinese headers and formats.
"""
from __future__ import annotations

import pandas as pd
import streamlit as st

from pages._data import View
from queries.escaping import markdown_text as md_escape
from queries.metrics.formatting import COLUMN_LABELS, DASH, adverse, direction, fmt_change, fmt_target, fmt_value
from queries.metrics.registry import BY_ID, Metric, caliber
from queries.metrics.scorecard import Figure
from queries.outputs import charts

PRESENT_ROWS = 12  # rows of a table that fit one projected screen


# --- style ---------------------------------------------------------------------------------

# Presentation: read from 5 m on the projectors offices have, 1366×768 as well as 1920×1080. The
# root font follows the screen width (rem-based Streamlit sizes all scale with it), so one screen
# of cards fits either; the sidebar and its toggle are hidden (pages move to the top bar).
PRESENT_CSS = """
<style>
html { font-size: clamp(16px, 1.25vw, 24px); }
section[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"],
[data-testid="stExpandSidebarButton"], [data-testid="stSidebarCollapseButton"] { display: none !important; }
[data-testid="stMainBlockContainer"] { padding: 4.2rem 1.5rem 1rem 1.5rem; max-width: 100%; }
[data-testid="stMetricLabel"] p { font-size: 1.1rem; font-weight: 600; }
[data-testid="stMetricValue"] { font-size: min(3rem, 20cqi); }
[data-testid="stMetricDelta"] { font-size: 1rem; }
[data-testid="stCaptionContainer"] { font-size: 0.9rem; }
[data-testid="stTable"] table { font-size: 0.9rem; }
</style>
"""
SCREEN_CSS = """
<style>
[data-testid="stMetricLabel"] p { font-weight: 600; }
</style>
"""
# Every screen an office has (1280×720 … 1920×1080, a phone at 390×844): no figure, metric name or
# table cell is cut to "…". A card is a size container: its value shrinks with the card (20cqi
# fits "12345人次"), names and changes wrap. Chinese units (件, 人次) fall back to a CJK font with
# taller line metrics than the digits' font; a fixed line height keeps the cards of a row aligned.
# A table cell is at least three characters wide (a village name never wraps one character a
# line); a table wider than its place scrolls sideways in its own frame. On a phone the cards of a grid (a row of three or more)
# go two to a row; a card beside a chart stacks above it like any column.
# Printed (Ctrl+P) on A4: no sidebar, header or buttons; the interactive grids (canvas, only the
# rows in view) give way to their `print_only` HTML twin, which breaks between rows; `no_print`
# containers (download buttons and the like) are left out.
COMMON_CSS = """
<style>
[data-testid="stMetric"] { container-type: inline-size; }
[data-testid="stMetricValue"] { font-size: min(2.25rem, 20cqi); }
[data-testid="stMetricValue"] > div { line-height: 1.25; }
[data-testid="stMetricDelta"] > div { line-height: 1.3; }
[data-testid="stMetric"] .stMarkdownEllipsis, [data-testid="stMetric"] .stMarkdownEllipsis p {
  white-space: normal; overflow: visible; text-overflow: clip; overflow-wrap: anywhere; }
[data-testid="stTable"] th, [data-testid="stTable"] td { min-width: 3.3em; }
@media (max-width: 640px) {
  [data-testid="stHorizontalBlock"]:has(> [data-testid="stColumn"]:nth-child(3) [data-testid="stMetric"]) {
    flex-wrap: wrap; gap: 0.5rem; }
  [data-testid="stHorizontalBlock"]:has(> [data-testid="stColumn"]:nth-child(3) [data-testid="stMetric"]) > [data-testid="stColumn"] {
    flex: 1 1 calc(50% - 0.25rem) !important; min-width: calc(50% - 0.25rem) !important;
    width: calc(50% - 0.25rem) !important; }
  [data-testid="stHorizontalBlock"]:has(> [data-testid="stColumn"]:nth-child(3) [data-testid="stMetric"]) > [data-testid="stColumn"]:empty {
    display: none; }
  [data-testid="stMetricValue"] { font-size: min(1.75rem, 20cqi); }
  [data-testid="stMetricDelta"] { font-size: 0.75rem; }   /* "同比下降4.3个百分点" on one line of a half-width card */
}
""" + """
[class*="st-key-print_only"] { display: none; }
@media print {
  @page { size: A4 portrait; margin: 12mm 10mm; }
  html { font-size: 13px; }
  section[data-testid="stSidebar"], header[data-testid="stHeader"], [data-testid="stToolbar"],
  [data-testid="stDecoration"], [data-testid="stSidebarCollapsedControl"], [data-testid="stExpandSidebarButton"],
  .stButton, .stDownloadButton, [data-testid="stPageLink"], [data-testid="stPopover"], [data-testid="stExpander"],
  [data-testid="stElementToolbar"], [data-testid="stDataFrame"], [data-testid="stTooltipIcon"],
  [class*="st-key-no_print"] { display: none !important; }
  [class*="st-key-print_only"] { display: block; }
  .stApp, [data-testid="stAppViewContainer"], [data-testid="stMain"] {
    position: static !important; overflow: visible !important; height: auto !important; }
  [data-testid="stMainBlockContainer"] { padding: 0 !important; max-width: 100% !important; }
  [data-testid="stMetric"], [data-testid="stColumn"], [data-testid="stTable"] tr, [data-testid="stPlotlyChart"] {
    break-inside: avoid; }
  [data-testid="stHeading"] { break-after: avoid; }
  [data-testid="stTable"], [data-testid="stTable"] > div { overflow: visible !important; }
  [data-testid="stTable"] table { width: 100% !important; font-size: 0.85rem; }
  [data-testid="stPlotlyChart"] svg.main-svg { max-width: 100%; height: auto; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
</style>
"""


def apply_style(view: View) -> None:
    st.html(COMMON_CSS + (PRESENT_CSS if view.present else SCREEN_CSS))


# --- cards and tables --------------------------------------------------------------------

def tooltip(metric: Metric) -> str:
    return f"{caliber(metric)}\n\n目标：{fmt_target(metric)}"


def met_mark(metric: Metric, met) -> str:
    if metric.rule is None:
        return "仅列示"
    return {True: ":green[**✔ 达标**]", False: ":red[**✘ 未达标**]"}.get(met, "达标 —")


SPARK_COLORS = {True: charts.COLORS["告警"], False: charts.COLORS["target"], None: charts.COLORS["yoy"]}


def metric_card(figure: Figure, spark: pd.Series | None = None, spark_height: int = 56) -> None:
    """One scorecard figure in a bordered card: value, 同比 delta (coloured by which way is
    good), 口径 tooltip, and the monthly sparkline (`spark`, indexed by month) in the delta's
    colour; then target, 达标 and 环比 in a caption."""
    metric = figure.metric
    value, yoy, pop = figure.value, figure.yoy, figure.pop
    change = fmt_change(metric, value, yoy)
    # The 同比 text of every surface (formatting.fmt_change), coloured by which way is good.
    color = {True: "red", False: "green"}.get(adverse(metric, value, yoy), "gray")
    with st.container(border=True):
        st.metric(metric.name, fmt_value(metric, value), change, delta_color=color,
                  delta_arrow=direction(value, yoy), help=tooltip(metric))
        if spark is not None and len(spark):
            shown = spark.dropna()
            title = (f"{spark.index[0]} 至 {spark.index[-1]} 逐月："
                     f"最低 {fmt_value(metric, shown.min())}，最高 {fmt_value(metric, shown.max())}") if len(shown) else ""
            st.markdown(charts.sparkline_svg(spark.tolist(), SPARK_COLORS[adverse(metric, value, yoy)],
                                             spark_height, title), unsafe_allow_html=True)
    pop_text = fmt_change(metric, value, pop, "环比").replace("无可比数据", " —")
    pop_color = {True: "red", False: "green"}.get(adverse(metric, value, pop))
    pop_md = f":{pop_color}[{pop_text}]" if pop_color else pop_text
    st.caption(f"目标 {fmt_target(metric)} · {met_mark(metric, figure.met)} · {pop_md}")


def metric_grid(view: View, metric_ids: list[str], columns: int = 5, sparks: bool = True) -> None:
    figures = view.kpi().figures
    trend = view.sparklines(metric_ids) if sparks else None
    for start in range(0, len(metric_ids), columns):
        row = metric_ids[start:start + columns]
        for column, metric_id in zip(st.columns(columns), row):
            with column:
                metric_card(figures[metric_id], trend[metric_id] if sparks else None,
                            spark_height=110 if view.present else 56)


PERCENT_FORMAT = "%.1f%%"   # rates are shown ×100 with one decimal, like the scorecard


def is_rate(column: str) -> bool:
    metric = BY_ID.get(column)
    return metric is not None and metric.fmt == "percent"


def as_percent(frame: pd.DataFrame) -> pd.DataFrame:
    """Rate columns (0..1) ×100 for display with PERCENT_FORMAT."""
    rates = [c for c in frame.columns if is_rate(c)]
    return frame.assign(**{c: frame[c] * 100 for c in rates}) if rates else frame


def column_config(frame: pd.DataFrame, labels: dict[str, str] | None = None) -> dict:
    """Chinese headers and formats by column name and type (dates as dates, flags as ticks)."""
    config = {}
    for column in frame.columns:
        label = (labels or {}).get(column) or COLUMN_LABELS.get(column, column)
        if is_rate(column):
            config[column] = st.column_config.NumberColumn(label, format=PERCENT_FORMAT)
        elif pd.api.types.is_datetime64_any_dtype(frame[column]):
            config[column] = st.column_config.DateColumn(label, format="YYYY-MM-DD")
        elif pd.api.types.is_bool_dtype(frame[column]):
            config[column] = st.column_config.CheckboxColumn(label)
        else:
            config[column] = st.column_config.Column(label)
    return config


def show_table(frame: pd.DataFrame, view: View, columns: list[str] | None = None,
               height: int | str = "auto", labels: dict[str, str] | None = None) -> None:
    """A case list or figure table with Chinese headers. In presentation mode an HTML table
    (it scales with the large type; the canvas grid does not)."""
    frame = frame[[c for c in (columns or frame.columns) if c in frame.columns]]
    if len(frame) == 0:
        st.caption("（无）")
        return
    if view.present:
        shown = frame.head(PRESENT_ROWS).copy()
        for column in shown.columns:
            if is_rate(column):
                shown[column] = shown[column].map(lambda v, m=BY_ID[column]: fmt_value(m, v))
            elif pd.api.types.is_datetime64_any_dtype(shown[column]):
                shown[column] = shown[column].dt.strftime("%Y-%m-%d")
        shown = markdown_cells(shown.astype(object).where(shown.notna(), DASH))  # NA in typed columns
        st.table(shown.rename(columns={**COLUMN_LABELS, **(labels or {})}), hide_index=True)
        return
    st.dataframe(as_percent(frame), hide_index=True, column_config=column_config(frame, labels),
                 height=height, placeholder=DASH)


def markdown_cells(frame: pd.DataFrame) -> pd.DataFrame:
    """st.table renders every cell as Markdown: text cells from data are escaped (a village
    named [点我](http://…)村 stays text, not a link)."""
    return frame.apply(lambda column: column.map(lambda v: md_escape(v) if isinstance(v, str) else v))


def show_styled(styled, view: View) -> None:
    """A pandas Styler: an HTML table in presentation mode (it scales), else the grid."""
    if view.present:
        text = [c for c in styled.data.columns if styled.data[c].map(lambda v: isinstance(v, str)).any()]
        st.table(styled.format(md_escape, subset=text, na_rep=DASH), hide_index=True)  # cells are Markdown there
    else:
        st.dataframe(styled, hide_index=True)
