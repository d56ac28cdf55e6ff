"""The Streamlit pages, driven headless with AppTest.

Every page renders on the demo county and on an empty database (the friendly "请先导入数据"
state); the scorecard shows exactly what `queries.kpi.kpi` computes for the same view; filters
change the figures and the URL; a URL reproduces a view; hostile URL values are ignored with a
notice; presentation mode, the import page and the incident form work end to end.
"""
from __future__ import annotations

import os
import re
import shutil
import time
from datetime import date
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from pages._data import WARM_ENV, _Warmer
from queries import analysis, db, kpi as kpi_module, periods
from queries.formatting import fmt_value
from queries.kpi import kpi, rank
from queries.metrics import BY_ID, PUBLIC
from queries.periods import Scope

APP = str(Path(__file__).resolve().parent.parent / "dashboard.py")
PAGES = ("overview", "trends", "repeat", "ranking", "skip_level", "handling", "data_import", "caliber", "audit")
DATA_PAGES = ("overview", "trends", "repeat", "ranking", "skip_level", "handling")
TIMEOUT = 60


def _demo(path: Path) -> Path:
    demo = pytest.importorskip("queries.demo")
    demo.build_demo(path)
    return path


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory) -> Path:
    """The demo county, read-only for the tests that use it."""
    return _demo(tmp_path_factory.mktemp("demo") / "demo.duckdb")


@pytest.fixture(scope="module")
def empty_db(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("empty") / "empty.duckdb"
    db.connect(path).close()
    return path


@pytest.fixture(scope="module")
def expected(demo_db):
    """What the data layer says, for comparing with the screen."""
    con = db.open_reader(demo_db)
    yield lambda function=kpi, **kwargs: function(con, **kwargs)
    con.close()


def open_app(monkeypatch, path: Path, page: str | None = None, **query) -> AppTest:
    monkeypatch.setenv("XINFANG_DB", str(path))
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params.update(query)
    at.run(timeout=TIMEOUT)
    if page:
        at.switch_page(f"pages/{page}.py").run(timeout=TIMEOUT)
    return at


def assert_clean(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def metric_values(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def scorecard(result: dict) -> dict[str, str]:
    """The scorecard as the overview must show it: registry name -> formatted value."""
    return {BY_ID[i].name: fmt_value(BY_ID[i], f["value"]) for i, f in result["metrics"].items()}


def notices(at: AppTest) -> str:
    return " ".join(c.value for c in at.caption)


# --- every page, demo and empty ------------------------------------------------------------

@pytest.mark.parametrize("page", PAGES)
def test_page_renders_on_demo(monkeypatch, demo_db, page):
    at = open_app(monkeypatch, demo_db, page)
    assert_clean(at)
    assert at.title or at.markdown  # a page title was drawn
    if page in DATA_PAGES:
        assert at.metric or at.dataframe or at.get("plotly_chart")


@pytest.mark.parametrize("page", PAGES)
def test_page_is_friendly_on_empty_db(monkeypatch, empty_db, page):
    at = open_app(monkeypatch, empty_db, page)
    assert_clean(at)
    if page in DATA_PAGES:
        assert any("请先导入" in info.value for info in at.info)
        assert not at.metric


def test_missing_db_builds_the_demo(monkeypatch, tmp_path):
    pytest.importorskip("queries.demo")
    path = tmp_path / "fresh" / "xinfang.duckdb"
    at = open_app(monkeypatch, path)
    assert_clean(at)
    assert path.exists()
    assert metric_values(at)[BY_ID["cases"].name] != fmt_value(BY_ID["cases"], 0)


# --- the figures are the data layer's ------------------------------------------------------

def test_overview_equals_kpi(monkeypatch, demo_db, expected):
    at = open_app(monkeypatch, demo_db)
    assert_clean(at)
    want = scorecard(expected())  # default view: as of the latest registration, 本年
    shown = metric_values(at)
    assert shown == want
    assert shown["信访总量"] == f"{expected()['metrics']['cases']['value']}件"
    assert len(shown) == len(PUBLIC)


def test_overview_sparklines_are_the_monthly_series(monkeypatch, demo_db, expected):
    """Each card carries the last 12 months of its metric, coloured by the 同比 direction:
    the lowest month at the bottom of the card, the highest at the top (see test_charts)."""
    at = open_app(monkeypatch, demo_db)
    sparks = [m.value for m in at.markdown if 'class="sparkline"' in m.value]
    assert len(sparks) == len(PUBLIC)
    result = expected()
    months = expected(analysis.trend, scope=Scope(), as_of=date.fromisoformat(result["as_of"]),
                      metric_ids=[m.id for m in PUBLIC], count=12, with_yoy=False)
    colours = {True: "#c62828", False: "#2e7d32", None: "#9aa5b1"}
    for svg, metric in zip(sparks, PUBLIC):  # cards in registry order
        series = months[metric.id].astype(float)
        figure = result["metrics"][metric.id]
        value, yoy = figure["value"], figure["yoy"]
        adverse = None if value is None or yoy is None or value == yoy else (value > yoy) != metric.rise_is_good
        assert f'stroke="{colours[adverse]}"' in svg, metric.id
        assert f"{months['month'].iloc[0]} 至 {months['month'].iloc[-1]}" in svg
        points = dict(re.findall(r"([\d.]+),([\d.]+)", svg.split(' d="')[1]))
        if series.max() > series.min():
            assert points[f"{series.idxmax() * 100 / 11:.2f}"] == "3.00", metric.id
            assert points[f"{series.idxmin() * 100 / 11:.2f}"] == "53.00", metric.id


def count_queries(monkeypatch) -> list[str]:
    """The data-layer functions the cached page queries call, counted from now on."""
    calls = []
    for module, name in ((kpi_module, "kpi"), (kpi_module, "rank"), (analysis, "trend"),
                         (analysis, "filter_options"), (periods, "data_range"), (periods, "resolve")):
        def counted(*args, _real=getattr(module, name), _name=name, **kwargs):
            calls.append(_name)
            return _real(*args, **kwargs)
        monkeypatch.setattr(module, name, counted)
    return calls


def test_the_warmer_computes_the_first_views_of_a_new_version(monkeypatch, demo_db, tmp_path, expected):
    """After one tick on a new file version, the first visitor's 总览 runs no query at all, for
    the whole county and for each township (as chosen in the sidebar, or as a township leader's
    jurisdiction), and shows the data layer's figures; any other view is computed as usual."""
    path = tmp_path / "warm.duckdb"
    shutil.copy(demo_db, path)
    monkeypatch.setenv("XINFANG_DB", str(path))
    warmer = _Warmer()
    warmer.tick()
    assert warmer.warmed == (str(path), db.identity(path))
    townships = ("青石镇", "柳河镇", "城东街道")
    want = {"": scorecard(expected())}   # the data layer's figures, before counting starts
    want.update({t: scorecard(expected(scope=Scope(townships=(t,)))) for t in townships})
    calls = count_queries(monkeypatch)
    at = open_app(monkeypatch, path)
    assert_clean(at)
    assert metric_values(at) == want[""]
    for township in townships:
        assert metric_values(open_app(monkeypatch, path, t=township)) == want[township]
    assert calls == []
    open_app(monkeypatch, path, c="城乡建设类")  # nobody's first view
    assert "kpi" in calls


def test_the_warmer_thread_follows_new_versions_and_stops(monkeypatch, demo_db, tmp_path):
    path = tmp_path / "warm.duckdb"
    shutil.copy(demo_db, path)
    monkeypatch.setenv("XINFANG_DB", str(path))
    monkeypatch.setenv(WARM_ENV, "0.05")
    warmer = _Warmer()
    warmer.start()
    try:
        for _ in range(2):  # the file as it is, then a replaced one (what every writer does)
            version = (str(path), db.identity(path))
            deadline = time.monotonic() + 60
            while warmer.warmed != version and time.monotonic() < deadline:
                time.sleep(0.05)
            assert warmer.warmed == version
            shutil.copy(demo_db, tmp_path / "new.duckdb")
            os.replace(tmp_path / "new.duckdb", path)
    finally:
        warmer.stop()
    assert not warmer.is_alive()


def test_overview_worst_villages_come_from_rank(monkeypatch, demo_db, expected):
    at = open_app(monkeypatch, demo_db)
    worst = [row["village"] for row in expected(rank)[-5:][::-1]]
    table = at.table[0].value
    assert list(table["村(社区)"]) == worst


def test_township_filter_changes_figures_and_url(monkeypatch, demo_db, expected):
    at = open_app(monkeypatch, demo_db)
    before = metric_values(at)["信访总量"]
    at.multiselect(key="f_town").set_value(["青石镇"]).run(timeout=TIMEOUT)
    assert_clean(at)
    assert at.query_params["t"] == "青石镇"
    want = scorecard(expected(scope=Scope(townships=("青石镇",))))
    assert metric_values(at) == want
    assert metric_values(at)["信访总量"] != before


def test_villages_cascade_from_townships(monkeypatch, demo_db):
    at = open_app(monkeypatch, demo_db)
    at.multiselect(key="f_town").set_value(["青石镇"]).run(timeout=TIMEOUT)
    villages = at.multiselect(key="f_vil").options
    assert "上庄村" in villages and "河口村" not in villages  # 河口村 lies in 柳河镇
    at.multiselect(key="f_vil").set_value(["上庄村"]).run(timeout=TIMEOUT)
    at.multiselect(key="f_town").set_value(["柳河镇"]).run(timeout=TIMEOUT)
    assert_clean(at)
    assert at.multiselect(key="f_vil").value == []  # a village of another township drops out
    assert "v" not in at.query_params


def test_url_reproduces_a_view(monkeypatch, demo_db, expected):
    query = {"p": "month", "asof": "2026-10-31", "t": "柳河镇", "c": "农业农村类,城乡建设类"}
    at = open_app(monkeypatch, demo_db, **query)
    assert_clean(at)
    want = expected(scope=Scope(townships=("柳河镇",), categories=("农业农村类", "城乡建设类")),
                    as_of=date(2026, 10, 31), start=date(2026, 10, 1), end=date(2026, 10, 31))
    assert metric_values(at) == scorecard(want)
    assert at.query_params == query | {"c": "农业农村类,城乡建设类"}


def test_repeated_keys_and_custom_period(monkeypatch, demo_db, expected):
    at = open_app(monkeypatch, demo_db, p="custom", **{"from": "2026-03-01", "to": "2026-06-30"},
                  asof="2026-11-20", ch=["来访", "来信"])
    assert_clean(at)
    want = expected(scope=Scope(channels=("来访", "来信")), as_of=date(2026, 11, 20),
                    start=date(2026, 3, 1), end=date(2026, 6, 30))
    assert metric_values(at) == scorecard(want)
    assert at.query_params["from"] == "2026-03-01" and at.query_params["ch"] == "来访,来信"


def test_filters_survive_page_switches(monkeypatch, demo_db, expected):
    at = open_app(monkeypatch, demo_db)
    at.multiselect(key="f_town").set_value(["柳河镇"]).run(timeout=TIMEOUT)
    at.switch_page("pages/ranking.py").run(timeout=TIMEOUT)
    assert_clean(at)
    assert at.query_params["t"] == "柳河镇"
    assert set(at.dataframe[1].value["township"]) == {"柳河镇"}
    at.switch_page("pages/overview.py").run(timeout=TIMEOUT)
    assert metric_values(at) == scorecard(expected(scope=Scope(townships=("柳河镇",))))


@pytest.mark.parametrize("query", [
    {"t": "' OR 1=1 --"},
    {"t": "青石镇'; DROP TABLE cases; --", "v": "<script>alert(1)</script>"},
    {"asof": "2026-13-45", "p": "drop table"},
    {"p": "custom", "from": "yesterday", "to": "9999-99-99"},
    {"c": "x" * 5000, "ch": "%00", "present": "yes"},
    {"asof": "1900-01-01"},
    {"t": "[点此领取](http://evil.example) :red[伪造通知] $x$"},
])
def test_hostile_query_params_are_ignored(monkeypatch, demo_db, expected, query):
    at = open_app(monkeypatch, demo_db, **query)
    assert_clean(at)
    assert "已忽略" in notices(at)
    assert metric_values(at) == scorecard(expected())  # the default view, untouched
    assert "t" not in at.query_params and "v" not in at.query_params


def test_rejected_values_are_quoted_inert(monkeypatch, demo_db):
    at = open_app(monkeypatch, demo_db, t="[点此领取](http://evil.example)")
    text = notices(at)
    assert "\\[点此领取\\]\\(http:\u2060//evil.example\\)" in text  # escaped: shown as text, not a link
    assert "](http" not in text


def test_hostile_page_params_are_ignored(monkeypatch, demo_db):
    at = open_app(monkeypatch, demo_db, m="'; DROP TABLE cases; --", n="999")
    at.switch_page("pages/trends.py").run(timeout=TIMEOUT)
    assert_clean(at)
    at = open_app(monkeypatch, demo_db, vil="nowhere/' OR 1=1 --")
    at.switch_page("pages/ranking.py").run(timeout=TIMEOUT)
    assert_clean(at)


def test_trend_metric_is_in_the_url(monkeypatch, demo_db):
    at = open_app(monkeypatch, demo_db, page="trends")
    at.selectbox(key="page_m").set_value("repeat_ratio").run(timeout=TIMEOUT)
    assert_clean(at)
    assert at.query_params["m"] == "repeat_ratio"
    assert [m.label for m in at.metric] == ["重复信访占比"]


# --- presentation mode ---------------------------------------------------------------------

def test_presentation_mode_one_group_per_screen(monkeypatch, demo_db, expected):
    at = open_app(monkeypatch, demo_db, present="1")
    assert_clean(at)
    three_down = [m.id for m in PUBLIC if m.group == "三降"]
    assert [m.label for m in at.metric] == [BY_ID[i].name for i in three_down]
    at.segmented_control(key="page_g").set_value("村居排名").run(timeout=TIMEOUT)
    assert_clean(at)
    assert at.get("plotly_chart") and not at.metric
    assert at.query_params["present"] == "1" and at.query_params["g"] == "村居排名"
    at.button[0].click().run(timeout=TIMEOUT)  # 退出演示
    assert "present" not in at.query_params


def test_presentation_mode_renders_every_page(monkeypatch, demo_db):
    at = open_app(monkeypatch, demo_db, present="1")
    for page in PAGES:
        at.switch_page(f"pages/{page}.py").run(timeout=TIMEOUT)
        assert_clean(at)


# --- writing: import and incidents (each on its own database) ------------------------------

CSV = ("信访件编号,登记日期,信访形式,信访人,证件号码,联系电话,人数,乡镇,村(社区),问题分类,备注\n"
       "T-001,2026-05-06,来访,王小明,430000199001011234,13800001111,1,青石镇,上庄村,城乡建设类,\n"
       "T-002,不是日期,来信,李四,430000199001015678,13900002222,1,青石镇,下庄村,其他,\n")


def test_import_page_imports_and_reports(monkeypatch, tmp_path):
    path = tmp_path / "new.duckdb"
    db.connect(path).close()
    at = open_app(monkeypatch, path, page="data_import")
    at.file_uploader[0].upload("台账.csv", CSV.encode("utf-8"), "text/csv")
    at.run(timeout=TIMEOUT)
    next(b for b in at.button if b.label == "开始导入").click().run(timeout=TIMEOUT)
    assert_clean(at)
    assert any("读取 2 行 = 新增 1 + 更新 0 + 拒收 1 + 跳过 0" in s.value for s in at.success)
    counts = {m.label: m.value for m in at.metric}
    assert counts["读取(行)"] == "2" and counts["拒收(行)"] == "1"
    shown = " ".join(str(frame.value.to_dict()) for frame in at.dataframe)
    assert "备注" in " ".join(c.value for c in at.markdown)  # the unused column is named
    assert "登记日期" in shown  # the rejection reason / mapping
    assert "李四" not in shown and "430000199001015678" not in shown and "李*" in shown  # masked
    at.switch_page("pages/overview.py").run(timeout=TIMEOUT)
    assert_clean(at)
    assert metric_values(at)["信访总量"] == "1件"  # caches were cleared after the import


def test_import_page_refuses_a_bad_file_politely(monkeypatch, tmp_path):
    path = tmp_path / "new.duckdb"
    db.connect(path).close()
    at = open_app(monkeypatch, path, page="data_import")
    at.file_uploader[0].upload("乱码.csv", b"\xff\xfe\x00garbage,,\n1,2,3\n", "text/csv")
    at.run(timeout=TIMEOUT)
    next(b for b in at.button if b.label == "开始导入").click().run(timeout=TIMEOUT)
    assert not at.exception
    assert at.error and "乱码.csv" in at.error[0].value and "拒收" in at.error[0].value


def test_incident_form_adds_to_five_not(monkeypatch, tmp_path):
    path = _demo(tmp_path / "demo.duckdb")
    at = open_app(monkeypatch, path, page="skip_level")
    before = metric_values(at)["涉访个人极端事件"]
    at.text_area[0].input("某村村民因土地纠纷在镇政府门口滋事，已妥善处置")
    next(b for b in at.button if b.label == "登记事件").click().run(timeout=TIMEOUT)
    assert_clean(at)
    assert before == "0起" and metric_values(at)["涉访个人极端事件"] == "1起"
    assert any("已登记" in s.value for s in at.success)
