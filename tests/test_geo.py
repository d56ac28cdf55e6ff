"""村居地图: reading an office's GeoJSON, matching it to the data, the figure, the demo map."""
from __future__ import annotations

import json

import pandas as pd
import pytest

from queries.outputs import village_map as geo
from queries.demo.county_map import county_geojson, demo_places


def square(x: float, y: float) -> list:
    return [[[x, y], [x, y + 1], [x + 1, y + 1], [x + 1, y], [x, y]]]


FIXTURE = {"type": "FeatureCollection", "features": [
    {"type": "Feature", "properties": {"乡镇": "青石镇", "村居": "上庄村"},
     "geometry": {"type": "Polygon", "coordinates": square(0, 0)}},
    {"type": "Feature", "properties": {"乡镇": "青石镇", "村居": "下庄村"},
     "geometry": {"type": "Polygon", "coordinates": square(1, 0)}},
    # on the map, no case in the data
    {"type": "Feature", "properties": {"乡镇": "柳河镇", "村居": "无案村"},
     "geometry": {"type": "Polygon", "coordinates": square(0, 1)}},
]}
# the data: 上庄村 and 下庄村 are on the map; 东风村 is not
VALUES = pd.DataFrame({"township": ["青石镇", "青石镇", "柳河镇"], "village": ["上庄村", "下庄村", "东风村"],
                       "value": [3.0, 0.0, 5.0]})


def fixture_map() -> geo.VillageMap:
    return geo.parse(json.dumps(FIXTURE, ensure_ascii=False), "乡镇", "村居", "fixture.geojson")


def test_a_village_missing_from_the_map_is_listed_and_one_without_data_is_drawn_grey():
    shown, missing = geo.match(fixture_map(), VALUES)
    assert list(missing["village"]) == ["东风村"]
    by_village = shown.set_index("village")
    assert by_village.loc["无案村", "has_data"] == False  # noqa: E712 (a numpy bool)
    assert by_village.loc["上庄村", "value"] == 3.0
    fig = geo.map_figure(shown, "value")
    grey = [t for t in fig.data if t.name == "无数据"]
    assert len(grey) == 1 and grey[0].fillcolor == geo.NO_DATA_COLOR
    # the click/hover layer has one marker per place on the map, carrying township and village
    markers = fig.data[-1]
    assert [tuple(c) for c in markers.customdata] == [("青石镇", "上庄村"), ("青石镇", "下庄村"), ("柳河镇", "无案村")]


def test_the_grade_map_colours_by_grade():
    grades = VALUES.assign(value=["红", "绿", "黄"])
    shown, _ = geo.match(fixture_map(), grades)
    fig = geo.map_figure(shown, "value", categorical=True)
    assert {t.name: t.fillcolor for t in fig.data if t.fill == "toself"} == {
        "绿": "#2e7d32", "红": "#c62828", "无数据": geo.NO_DATA_COLOR}


def test_no_basemap_no_geo_subplot():
    fig = geo.map_figure(geo.match(fixture_map(), VALUES)[0], "value")
    assert {trace.type for trace in fig.data} == {"scatter"}   # never scattergeo/choropleth*/mapbox
    layout = fig.layout.to_plotly_json()
    assert not {"geo", "mapbox", "map"} & set(layout)


def test_a_map_without_townships_matches_by_village_and_points_are_drawn_as_markers():
    points = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": "上庄村"}, "geometry": {"type": "Point", "coordinates": [111.3, 26.4]}}]}
    village_map = geo.parse(json.dumps(points), "乡镇", "name")
    assert village_map.by_village_only
    shown, missing = geo.match(village_map, VALUES)
    assert shown.loc[0, "value"] == 3.0 and set(missing["village"]) == {"下庄村", "东风村"}
    fig = geo.map_figure(shown, "value")
    assert all(t.fill != "toself" for t in fig.data)


@pytest.mark.parametrize("text, message", [
    ("not json", "不是有效的 GeoJSON"),
    ('{"type": "FeatureCollection", "features": []}', "没有任何要素"),
    ('{"type": "FeatureCollection", "features": [{"properties": {}, "geometry": null}]}', "缺少村\\(社区\\)名称"),
    ('{"type": "FeatureCollection", "features": [{"properties": {"村居": "甲村"}, '
     '"geometry": {"type": "LineString", "coordinates": [[0, 0], [1, 1]]}}]}', "不支持的几何类型"),
])
def test_bad_files_get_a_chinese_message(text, message):
    with pytest.raises(geo.MapError, match=message):
        geo.parse(text, "乡镇", "村居")


def test_configured_file_missing(monkeypatch, tmp_path):
    config = tmp_path / "x.toml"
    config.write_text(f'[map]\ngeojson = "{tmp_path / "nope.geojson"}"\n', encoding="utf-8")
    monkeypatch.setenv("XINFANG_CONFIG", str(config))
    with pytest.raises(geo.MapError, match="找不到"):
        geo.load_map(VALUES)


def test_configured_file_is_used(monkeypatch, tmp_path):
    path = tmp_path / "村居.geojson"
    path.write_text(json.dumps(FIXTURE, ensure_ascii=False), encoding="utf-8")
    config = tmp_path / "x.toml"
    config.write_text(f'[map]\ngeojson = "{path}"\ntownship_property = "乡镇"\nvillage_property = "村居"\n',
                      encoding="utf-8")
    monkeypatch.setenv("XINFANG_CONFIG", str(config))
    village_map = geo.load_map(VALUES)
    assert (village_map.source, village_map.demo, len(village_map.places)) == ("村居.geojson", False, 3)


def test_the_demo_map_only_for_the_demos_villages():
    demo = pd.DataFrame(demo_places(), columns=["township", "village"])
    assert geo.load_map(demo).demo
    assert geo.load_map(VALUES) is not None                       # 2 of 3 villages are the demo's
    other = pd.DataFrame({"township": ["甲镇"], "village": ["乙村"]})
    assert geo.load_map(other) is None                            # the page says how to provide one


def test_the_shipped_demo_map_is_the_generators_output_and_cells_tile_the_county():
    assert json.loads(geo.DEMO_PATH.read_text(encoding="utf-8")) == county_geojson(demo_places())
    shapes = county_geojson([("甲镇", f"{i}村") for i in range(40)])
    assert len(shapes["features"]) == 40
    area = 0.0
    for feature in shapes["features"]:
        ring = feature["geometry"]["coordinates"][0]
        assert ring[0] == ring[-1]
        signed = sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, ring[1:])) / 2
        assert signed < 0                      # clockwise
        area -= signed
    box = county_geojson([("甲镇", "甲村")])["features"][0]["geometry"]["coordinates"][0]
    whole = -sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(box, box[1:])) / 2
    assert area == pytest.approx(whole, rel=1e-3)   # the cells cover the county once


def test_the_deck_map_is_drawn_only_for_villages_on_a_map():
    demo = [{"township": t, "village": v, "grade": "绿", "score": 100.0} for t, v in demo_places()]
    fig = geo.ranking_map(demo)
    assert fig is not None and {t.name for t in fig.data if t.fill == "toself"} == {"绿"}
    assert geo.ranking_map([{"township": "甲镇", "village": "乙村", "grade": "红", "score": 80.0}]) is None
