"""queries.outputs.charts.sparkline_svg: the scorecard's sparkline, checked point by point.

The coordinates are worked by hand: x runs 0..100 over the months, y from the top with a
3-unit margin, so with height 56 the highest value sits at y=3 and the lowest at y=53.
"""
import re

from queries.outputs.charts import sparkline_svg


def path_of(svg: str) -> str:
    return re.search(r' d="([^"]*)"', svg).group(1)


def test_values_span_the_height_and_months_the_width():
    assert path_of(sparkline_svg([0, 5, 10], "#000")) == "M0.00,53.00 L50.00,28.00 L100.00,3.00"


def test_higher_values_are_higher_on_the_card():
    # 12 months; the fourth is the highest (y=3), the last the lowest (y=53)
    values = [4, 6, 5, 9, 7, 7, 6, 5, 4, 3, 2, 1]
    points = re.findall(r"([\d.]+),([\d.]+)", path_of(sparkline_svg(values, "#000")))
    assert points[3] == (f"{3 * 100 / 11:.2f}", "3.00")
    assert points[11] == ("100.00", "53.00")
    assert len(points) == 12


def test_missing_months_leave_gaps_and_lone_months_are_dots():
    # months 0, 2-3 and 6 known: three runs; the lone ones are zero-length segments
    path = path_of(sparkline_svg([1, None, 2, 3, float("nan"), None, 4], "#000"))
    assert path == "M0.00,53.00 l0,0 M33.33,36.33 L50.00,19.67 M100.00,3.00 l0,0"


def test_a_flat_series_sits_in_the_middle_and_zeros_on_the_baseline():
    assert path_of(sparkline_svg([0.95, 0.95, 0.95], "#000", height=40)) == "M0.00,20.00 L50.00,20.00 L100.00,20.00"
    assert path_of(sparkline_svg([0, 0, None, 0], "#000", height=40)) == "M0.00,37.00 L33.33,37.00 M100.00,37.00 l0,0"


def test_no_value_draws_nothing():
    assert sparkline_svg([], "#000") == ""
    assert sparkline_svg([None, float("nan")], "#000") == ""


def test_colour_height_and_title_are_applied_and_the_title_is_escaped():
    svg = sparkline_svg([1, 2], "#c62828", height=110, title="2026-01 至 2026-02 <最低 1件>")
    assert 'stroke="#c62828"' in svg
    assert 'viewBox="0 0 100 110"' in svg and 'height="110"' in svg
    assert 'stroke-width="3"' in svg and 'stroke-width="2"' in sparkline_svg([1, 2], "#000")
    assert "<title>2026-01 至 2026-02 &lt;最低 1件&gt;</title>" in svg


# --- the Plotly figures: every village named, counts in whole numbers, colours explained ---------

import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from queries.outputs import charts  # noqa: E402
from queries.metrics.registry import BY_ID  # noqa: E402


def ranking_rows(count: int) -> pd.DataFrame:
    """`count` villages with scores 100, 100, 99, … (ties included, as the demo has)."""
    scores = [100, 100, *range(99, 99 - count + 2, -1)][:count]
    return pd.DataFrame({"rank": range(1, count + 1), "township": [f"镇{i % 4}" for i in range(count)],
                         "village": [f"村{i:02d}" for i in range(count)], "score": scores,
                         "grade": ["绿" if s >= 95 else "黄" if s >= 85 else "红" for s in scores]})


@pytest.mark.parametrize("size", ["screen", "present"])
@pytest.mark.parametrize("count", [5, 32, 60])
def test_every_village_of_the_ranking_is_named(size, count):
    """Each village is a listed tick (plotly drops crowded category labels unless told) with a
    row tall enough for its label: nothing is thinned away or overlaps."""
    rows = ranking_rows(count)
    figure = charts.ranking_figure(rows, size=size)
    axis = figure.layout.yaxis
    assert axis.tickmode == "array"
    assert sorted(axis.tickvals) == sorted(f"{r}. {t} {v}"
                                           for r, t, v in zip(rows["rank"], rows["township"], rows["village"]))
    plot_height = figure.layout.height - figure.layout.margin.t - figure.layout.margin.b
    assert plot_height / count >= charts.SIZES[size] * 1.5   # a row per label, with space between
    assert list(figure.data[0].text) == [f"{s:g}" for s in rows["score"][::-1]]


def test_count_axes_step_by_whole_numbers():
    months = pd.DataFrame({"month": ["2026-01", "2026-02", "2026-03"], "level": ["市", "省", "市"],
                           "skip_level_persons": [1, 1, 0]})
    figure = charts.stacked_figure(months, "month", "level", "skip_level_persons", ["市", "省", "京"],
                                   charts.LEVEL_COLORS)
    assert (figure.layout.yaxis.dtick, figure.layout.yaxis.tick0, figure.layout.yaxis.tickformat) == (1, 0, "d")
    trend = pd.DataFrame({"month": ["2026-01", "2026-02"], "cases": [0, 2], "cases_yoy": [1, None]})
    assert charts.trend_figure(trend, BY_ID["cases"]).layout.yaxis.dtick == 1
    big = trend.assign(cases=[0, 400])
    assert charts.trend_figure(big, BY_ID["cases"]).layout.yaxis.dtick is None   # plotly's steps, ≥ 1
    ratio = pd.DataFrame({"month": ["2026-01"], "repeat_ratio": [0.1], "repeat_ratio_yoy": [0.2]})
    assert charts.trend_figure(ratio, BY_ID["repeat_ratio"]).layout.yaxis.tickformat == ".0%"


def test_collective_bars_name_their_level_even_alone():
    sizes = pd.DataFrame({"size": ["5–9人"], "level": ["市"], "visits": [1], "persons": [6]})
    figure = charts.collective_figure(sizes)
    assert figure.layout.showlegend and [t.name for t in figure.data] == ["市"]
    assert figure.layout.yaxis.dtick == 1


def test_targets_are_in_the_legend_not_on_the_data():
    ratio = BY_ID["repeat_ratio"]
    trend = pd.DataFrame({"month": ["2026-01", "2026-02"], "repeat_ratio": [0.1, 0.12],
                          "repeat_ratio_yoy": [0.1, 0.1]})
    figure = charts.trend_figure(trend, ratio, 0.1)
    assert not figure.layout.annotations   # no text on the plot area
    assert "目标 10%" in [t.name for t in figure.data]
    bars = pd.DataFrame({"category": ["甲", "乙"], "repeat_ratio": [0.2, 0.05]})
    figure = charts.bar_figure(bars, "category", ratio, 0.1)
    assert not figure.layout.annotations
    assert {"目标 10%", "超过目标", "未超过目标"} <= {t.name for t in figure.data}
