"""queries.charts.sparkline_svg: the scorecard's sparkline, checked point by point.

The coordinates are worked by hand: x runs 0..100 over the months, y from the top with a
3-unit margin, so with height 56 the highest value sits at y=3 and the lowest at y=53.
"""
import re

from queries.charts import sparkline_svg


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
