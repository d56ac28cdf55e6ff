"""研判·人员 and 村居地图 driven headless with AppTest: they render on the demo, empty and
presentation views; the watch list on screen is the data layer's; a cadre sees only their
village; unmasking is audited; the map lists villages missing from the office's file."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from queries import access, db, periods
from queries.periods import Scope
from queries.research import watch
from test_pages import _demo, assert_clean, open_app
from test_roles import PASSWORD, configure, page_text, signed_in


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory) -> Path:
    return _demo(tmp_path_factory.mktemp("demo") / "demo.duckdb")


@pytest.fixture(scope="module")
def empty_db(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("empty") / "empty.duckdb"
    db.connect(path).close()
    return path


@pytest.fixture(scope="module")
def users(tmp_path_factory):
    path = tmp_path_factory.mktemp("users") / "users.toml"
    for username, entry in {"cadre": {"role": "cadre", "townships": ["柳河镇"], "villages": ["河口村"]},
                            "admin": {"role": "admin"}}.items():
        access.add_user(username, access.user_entry(username, entry["role"], PASSWORD, entry.get("townships", ()),
                                                    entry.get("villages", ())), path)
    return path


def watch_table(at: AppTest):
    return next(frame.value for frame in at.dataframe if "reasons_text" in frame.value)


@pytest.mark.parametrize("page", ["people", "map"])
def test_pages_render_on_demo_and_empty(monkeypatch, demo_db, empty_db, page):
    at = open_app(monkeypatch, demo_db, page)
    assert_clean(at)
    assert at.get("plotly_chart")
    at = open_app(monkeypatch, empty_db, page)
    assert_clean(at)
    assert any("请先导入" in info.value for info in at.info)


@pytest.mark.parametrize("page", ["people", "map"])
def test_presentation_mode(monkeypatch, demo_db, page):
    at = open_app(monkeypatch, demo_db, page, present="1")
    assert_clean(at)
    assert at.get("plotly_chart")
    assert not at.dataframe      # tables are HTML tables on the projector


def test_the_watch_list_on_screen_is_the_data_layers(monkeypatch, demo_db):
    at = open_app(monkeypatch, demo_db, "people")
    shown = watch_table(at)
    con = db.open_reader(demo_db)
    latest = periods.data_range(con)[1]
    expected = watch.watch_frame(con, Scope(), watch.current_window(latest))
    assert list(shown["person"]) == list(expected["person"])
    assert list(shown["reasons_text"]) == list(expected["reasons_text"])
    assert all("*" in person for person in shown["person"])     # masked


def test_the_pre_event_list_is_chosen_by_event(monkeypatch, demo_db):
    at = open_app(monkeypatch, demo_db, "people")
    at.selectbox(key="page_watch").select("国庆假期").run()
    assert_clean(at)
    con = db.open_reader(demo_db)
    expected = watch.watch_frame(con, Scope(), watch.event_window("国庆假期"))
    assert list(watch_table(at)["person"]) == list(expected["person"])
    assert at.query_params["watch"] == "国庆假期"


def test_cadre_sees_only_their_village(monkeypatch, tmp_path, demo_db, users):
    configure(monkeypatch, tmp_path, demo_db, "local", users)
    at = signed_in("cadre", t="青石镇")       # a forged link to another township
    at.switch_page("pages/people.py").run()
    assert_clean(at)
    shown = watch_table(at)
    assert len(shown) and set(shown["village"]) == {"河口村"}
    assert "上庄村" not in page_text(at)


def test_admin_unmasking_the_watch_list_is_audited(monkeypatch, tmp_path, demo_db, users):
    path = tmp_path / "demo.duckdb"
    path.write_bytes(demo_db.read_bytes())
    configure(monkeypatch, tmp_path, path, "local", users)
    at = signed_in("admin")
    at.switch_page("pages/people.py").run()
    assert all("*" in p for p in watch_table(at)["person"])
    at.text_input(key="unmask_reason").input("保障期前核实稳控对象").run()
    next(b for b in at.button if b.label == "显示本视图的个人信息").click().run()
    assert_clean(at)
    assert not any("*" in p for p in watch_table(at)["person"])
    log = access.audit_log(db.open_reader(path))
    assert log[["username", "action", "reason"]].values.tolist() == [["admin", "查看个人信息：研判·人员", "保障期前核实稳控对象"]]


def test_map_lists_villages_missing_from_the_office_file(monkeypatch, tmp_path, demo_db):
    demo_map = json.loads(Path(__file__).resolve().parent.parent.joinpath(
        "queries/demo/county.geojson").read_text(encoding="utf-8"))
    features = [f for f in demo_map["features"] if f["properties"]["village"] != "上庄村"]
    for feature in features:
        feature["properties"] = {"乡镇": feature["properties"]["township"], "村居": feature["properties"]["village"]}
    extra = json.loads(json.dumps(features[0]))
    extra["properties"]["村居"] = "无案村"
    path = tmp_path / "本县村居.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features + [extra]}, ensure_ascii=False),
                    encoding="utf-8")
    config = tmp_path / "x.toml"
    config.write_text(f'[map]\ngeojson = "{path}"\ntownship_property = "乡镇"\nvillage_property = "村居"\n',
                      encoding="utf-8")
    monkeypatch.setenv("XINFANG_CONFIG", str(config))
    at = open_app(monkeypatch, demo_db, "map")
    assert_clean(at)
    assert any("上庄村" in w.value and "1 个" in w.value for w in at.warning)
    assert any("本县村居.geojson" in c.value for c in at.caption)
    at.selectbox(key="page_metric").select("repeat_ratio").run()
    assert_clean(at)
    assert at.query_params["metric"] == "repeat_ratio"


def test_map_says_how_to_provide_one(monkeypatch, tmp_path):
    from test_metrics import build
    build(tmp_path, [{"case_id": "A", "registered_on": __import__("datetime").date(2026, 1, 5),
                      "township": "甲镇", "village": "乙村"}]).close()
    at = open_app(monkeypatch, tmp_path / "t.duckdb", "map")
    assert_clean(at)
    assert any("GeoJSON" in info.value and "[map]" in info.value for info in at.info)


def test_map_opens_a_villages_details_on_the_ranking_page(monkeypatch, demo_db):
    at = open_app(monkeypatch, demo_db, "map")
    at.selectbox(key="map_village").select("柳河镇/河口村").run()
    next(b for b in at.button if b.label == "查看详情").click().run()
    assert_clean(at)
    assert at.selectbox(key="page_vil").value == "柳河镇/河口村"
    assert any("村(社区)详情" in h.value for h in at.subheader)


def test_the_map_is_the_same_chart_on_every_rerun(monkeypatch, demo_db):
    """A click reruns the page; if the figure's spec differs (a cached Figure's keys came back
    in another order), Streamlit sees a new chart and drops the selection the click made."""
    at = open_app(monkeypatch, demo_db, "map")
    first = at.get("plotly_chart")[0].proto
    at.run()
    again = at.get("plotly_chart")[0].proto
    assert (again.id, again.spec) == (first.id, first.spec)


def test_cadre_map_colours_only_their_village(monkeypatch, tmp_path, demo_db, users):
    configure(monkeypatch, tmp_path, demo_db, "local", users)
    at = signed_in("cadre", t="青石镇")
    at.switch_page("pages/map.py").run()
    assert_clean(at)
    assert at.selectbox(key="map_village").options == ["柳河镇 · 河口村"]
    figure = json.loads(at.get("plotly_chart")[0].proto.spec)
    coloured = {t["name"] for t in figure["data"] if t.get("fill") == "toself" and t["name"] != "无数据"}
    assert len(coloured) == 1    # one village has data: one grade colour; every other place is grey
