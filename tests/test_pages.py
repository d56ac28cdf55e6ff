"""The Streamlit pages, driven headless with AppTest.

Every page renders on the demo county and on an empty database (the friendly "请先导入数据"
state); the scorecard shows exactly what `queries.metrics.kpi.kpi` computes for the same view; filters
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

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from pages._data import WARM_ENV, _Warmer
from pages._startup import prepare_server
from queries.metrics import analysis, kpi as kpi_module
from queries import db, periods
from queries.metrics.case_lists import BY_ID as CASE_LIST_BY_ID, CASE_LISTS
from queries.config import load_config
from queries.metrics.formatting import fmt_change, fmt_value
from queries.metrics.kpi import kpi, rank
from queries.metrics.registry import BY_ID, GROUPS, PUBLIC
from queries.periods import Scope
from queries.metrics.scorecard import Scorecard

APP = str(Path(__file__).resolve().parent.parent / "dashboard.py")
PAGES = ("overview", "trends", "repeat", "ranking", "skip_level", "handling", "data_import", "caliber", "audit")
DATA_PAGES = ("overview", "trends", "repeat", "ranking", "skip_level", "handling")
TIMEOUT = 60


def _demo(path: Path) -> Path:
    demo = pytest.importorskip("queries.demo.database")
    demo.build_demo(path)
    return path


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


def scorecard(result: Scorecard) -> dict[str, str]:
    """The scorecard as the overview must show it: registry name -> formatted value."""
    return {BY_ID[i].name: fmt_value(BY_ID[i], f.value) for i, f in result.figures.items()}


def notices(at: AppTest) -> str:
    return " ".join(c.value for c in at.caption)


# --- every page, demo and empty ------------------------------------------------------------

def period_caption(at: AppTest, con) -> str:
    """The header's period line as the page must write it for the default view."""
    result, (earliest, latest) = kpi(con), periods.data_range(con)
    return (f"统计期 {result.period.start} 至 {result.period.end}（截至 {result.period.as_of}）· 范围：全部"
            f" · 数据覆盖 {earliest} 至 {latest}")


def shown_cards(at: AppTest, con, ids: list[str]) -> None:
    """The page's cards are exactly these metrics, with the data layer's value and 同比 text."""
    figures = kpi(con).figures
    want = [(BY_ID[i].name, fmt_value(BY_ID[i], figures[i].value),
             fmt_change(BY_ID[i], figures[i].value, figures[i].yoy)) for i in ids]
    assert [(m.label, m.value, m.delta) for m in at.metric] == want


def subheaders(at: AppTest) -> list[str]:
    return [s.value for s in at.subheader]


def check_overview(at, con):
    assert subheaders(at)[:4] == list(GROUPS)
    assert {"排名最后的 5 个村(社区)", "同比明显变化", "会议材料"} <= set(subheaders(at))
    shown_cards(at, con, [m.id for m in PUBLIC])
    worst = at.table[0].value
    assert list(worst.columns) == ["名次", "乡镇(街道)", "村(社区)", "得分", "等级", "信访总量(件)", "主要扣分"]
    assert [tuple(r) for r in worst[["名次", "村(社区)", "等级"]].itertuples(index=False)] == \
        [(r["rank"], r["village"], r["grade"]) for r in rank(con)[-5:][::-1]]


def check_trends(at, con):
    shown_cards(at, con, ["cases"])  # the default metric
    months = analysis.trend(con, Scope(), kpi(con).period.as_of, ["cases"], 24)
    table = at.dataframe[0].value
    assert list(table.columns) == ["月份", "本期", "上年同月", "同比", "提示"]
    assert list(table["月份"]) == list(months["month"])[::-1]  # the latest month first
    cases = BY_ID["cases"]
    assert list(table["本期"]) == [fmt_value(cases, v) for v in months["cases"]][::-1]
    assert list(table["同比"]) == [fmt_change(cases, v, y, label="")
                                   for v, y in zip(months["cases"], months["cases_yoy"])][::-1]


def check_repeat(at, con):
    shown_cards(at, con, ["repeat_ratio", "cases"])
    assert subheaders(at) == ["重复信访人（已脱敏）", "重复标记不一致"]
    people = at.dataframe[0].value
    want = analysis.top_repeaters(con, Scope(), periods.resolve(con).current, 20, masked=True)
    assert list(people["petitioner_name"]) == list(want["petitioner_name"])
    assert list(people["repeats"]) == list(want["repeats"])
    assert all("*" in name for name in people["petitioner_name"])  # masked


def check_ranking(at, con):
    assert subheaders(at)[:2] == ["乡镇(街道)", "村(社区)排名"]
    rows = rank(con)
    townships, villages = at.dataframe[0].value, at.dataframe[1].value
    assert list(villages.columns[:6]) == ["rank", "township", "village", "score", "grade", "detail"]
    assert [tuple(r) for r in villages[["rank", "township", "village", "score", "grade"]].itertuples(index=False)] \
        == [(r["rank"], r["township"], r["village"], r["score"], r["grade"]) for r in rows]
    per_township = {}
    for r in rows:  # every village's cases add up to its township's
        per_township[r["township"]] = per_township.get(r["township"], 0) + r["cases"]
    assert dict(zip(townships["township"], townships["cases"])) == per_township


FIVE_NOT = [m.id for m in PUBLIC if m.group == "五不"]
HUNDRED = [m.id for m in PUBLIC if m.group == "三个100%"]


def check_skip_level(at, con):
    shown_cards(at, con, FIVE_NOT)
    assert subheaders(at) == ["五不", "越级上访人次（按登记层级，按月）", "集体访（按人数）", "重大活动保障期",
                              "个人极端事件与负面炒作"]
    events = at.dataframe[0].value
    assert list(events["活动"]) == ["春节及全国两会", "国庆假期"]  # the configured windows


def check_handling(at, con):
    shown_cards(at, con, HUNDRED)
    assert subheaders(at) == ["三个100%", "超期未办结", "包案领导", "三个清单"]
    overdue = at.dataframe[0].value
    assert len(overdue) == kpi(con).figures["overdue_open"].value  # the list is the card's count
    assert "days_overdue" in overdue.columns and (overdue["days_overdue"] > 0).all()
    captions = [c.value for c in at.caption]
    for name in ("overdue", "five_has_gaps", "problem", "resolved", "stability"):   # the registry's words
        assert any(c.startswith(CASE_LIST_BY_ID[name].note + "共 ") for c in captions), name


def check_data_import(at, con):
    assert subheaders(at) == ["导入记录"]
    history = at.dataframe[0].value
    assert list(history.columns[:8]) == ["导入时间", "文件", "读取", "新增", "更新", "拒收", "跳过", "警告"]
    (loaded,) = con.execute("SELECT count(*) FROM cases").fetchone()
    assert history["新增"].sum() >= loaded > 0  # every case came in through a recorded import
    assert not at.metric


def check_caliber(at, con):
    assert subheaders(at)[:5] == ["通用规则", *GROUPS]
    metric_tables = [t.value for t in at.table if "指标" in t.value.columns]
    assert {name for t in metric_tables for name in t["指标"]} >= {m.name for m in PUBLIC}
    rules = " ".join(m.value for m in at.markdown)
    for text in ("此前\n  365 天内", "登记层级为 市、省、京", "人数 ≥ 5 人", "受理日 + 60 天", "登记日 + 75 天",
                 "15 日内受理", "满意：满意、基本满意", "**绿** ≥ 95 分", "**黄** ≥ 85 分",
                 "乡镇(街道)、村(社区)、问题分类、信访形式、责任单位、诉求群体可多选"):
        assert text in rules, text
    deductions = next(t.value for t in at.table if "扣分项" in t.value.columns)
    assert [p.split(" ")[1] for p in deductions["每项扣分"]] == ["2", "1", "0.5", "0.5", "1", "0.5"]
    lists = next(t.value for t in at.table if "清单" in t.value.columns)
    assert list(zip(lists["清单"], lists["口径"])) == [(c.title, c.note) for c in CASE_LISTS]


def check_audit(at, con):
    assert any("暂无记录" in i.value for i in at.info)  # nobody has unmasked anything on the demo
    assert not at.dataframe


CHECKS = {"overview": check_overview, "trends": check_trends, "repeat": check_repeat, "ranking": check_ranking,
          "skip_level": check_skip_level, "handling": check_handling, "data_import": check_data_import,
          "caliber": check_caliber, "audit": check_audit}
TITLES = {"overview": "总览", "trends": "趋势", "repeat": "重复信访", "ranking": "村居排名",
          "skip_level": "越级与集体访", "handling": "办理与包案", "data_import": "数据导入", "caliber": "口径说明",
          "audit": "审计日志"}


@pytest.mark.parametrize("page", PAGES)
def test_page_shows_the_data_layers_view_on_demo(monkeypatch, demo_db, page):
    """Each page's title, period line, headings, table columns and figures, against the data
    layer (kpi, rank, analysis) for the same default view."""
    at = open_app(monkeypatch, demo_db, page)
    assert_clean(at)
    assert [t.value for t in at.title] == [TITLES[page]]
    con = db.open_reader(demo_db)
    try:
        assert at.caption[0].value == period_caption(at, con)
        CHECKS[page](at, con)
    finally:
        con.close()


@pytest.mark.parametrize("page", PAGES)
def test_page_is_friendly_on_empty_db(monkeypatch, empty_db, page):
    at = open_app(monkeypatch, empty_db, page)
    assert_clean(at)
    assert [t.value for t in at.title] == [TITLES[page]]
    assert at.caption[0].value == "库中暂无信访事项"  # no period to describe
    if page in DATA_PAGES:
        assert any("请先导入" in info.value for info in at.info)
        assert not at.metric


def test_missing_db_builds_the_demo(monkeypatch, tmp_path):
    pytest.importorskip("queries.demo.database")
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
    assert shown["信访总量"] == f"{expected().figures['cases'].value}件"
    assert len(shown) == len(PUBLIC)


def test_overview_sparklines_are_the_monthly_series(monkeypatch, demo_db, expected):
    """Each card carries the last 12 months of its metric, coloured by the 同比 direction:
    the lowest month at the bottom of the card, the highest at the top (see test_charts)."""
    at = open_app(monkeypatch, demo_db)
    sparks = [m.value for m in at.markdown if 'class="sparkline"' in m.value]
    assert len(sparks) == len(PUBLIC)
    result = expected()
    months = expected(analysis.trend, scope=Scope(), as_of=result.period.as_of,
                      metric_ids=[m.id for m in PUBLIC], count=12, with_yoy=False)
    colours = {True: "#c62828", False: "#2e7d32", None: "#9aa5b1"}
    for svg, metric in zip(sparks, PUBLIC):  # cards in registry order
        series = months[metric.id].astype(float)
        figure = result.figures[metric.id]
        value, yoy = figure.value, figure.yoy
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


def test_the_launcher_prepares_a_fresh_clone_before_the_first_visitor(monkeypatch, tmp_path, expected):
    """server.py's startup (prepare_server) with no database yet: the demo is built and 总览's
    first views computed, so the first visitor's 总览 runs no query and shows kpi's figures."""
    path = tmp_path / "data" / "xinfang.duckdb"
    monkeypatch.setenv("XINFANG_DB", str(path))
    monkeypatch.setenv(WARM_ENV, "3600")   # the warmer on, its next look far away
    prepare_server()
    assert path.exists()
    calls = count_queries(monkeypatch)
    at = open_app(monkeypatch, path)
    assert_clean(at)
    assert calls == []
    assert metric_values(at) == scorecard(expected())   # the demo is the same every time it is built


def test_the_launcher_starts_on_a_damaged_database_and_leaves_it_alone(monkeypatch, tmp_path):
    """A damaged file must not stop the server from starting (the pages then say it is damaged,
    tests/test_failures_app.py): prepare_server logs the failed warm-up and changes nothing."""
    path = tmp_path / "xinfang.duckdb"
    path.write_bytes(b"not a database" * 100)
    monkeypatch.setenv("XINFANG_DB", str(path))
    monkeypatch.setenv(WARM_ENV, "3600")
    prepare_server()
    assert path.read_bytes() == b"not a database" * 100


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


def test_the_sidebar_offers_every_value_of_the_data(monkeypatch, demo_db):
    """Each filter lists the distinct values stored (found here by plain SQL): townships and
    villages sorted, the configured lead categories and the channels in their order first, a
    blank 责任单位 as （未明确）; the villages of a chosen township only."""
    con = duckdb.connect(str(demo_db), read_only=True)
    def distinct(column, where="true"):
        return {r[0] for r in con.execute(f"SELECT DISTINCT {column} FROM cases WHERE {where}").fetchall()}
    want_units = sorted(distinct("coalesce(nullif(trim(responsible_unit), ''), '（未明确）')"))
    want_towns, want_villages = sorted(distinct("township") - {None}), sorted(distinct("village") - {None})
    qingshi = sorted(distinct("village", "township = '青石镇'") - {None})
    categories, channels = distinct("category") - {None}, distinct("channel") - {None}
    con.close()
    assert "（未明确）" in want_units   # the demo has cases with no unit: the rule is exercised
    at = open_app(monkeypatch, demo_db)
    assert at.multiselect(key="f_town").options == want_towns
    assert at.multiselect(key="f_vil").options == want_villages
    assert at.multiselect(key="f_unit").options == want_units
    lead = [c for c in load_config()["categories"]["lead"] if c in categories]
    assert at.multiselect(key="f_cat").options == lead + sorted(categories - set(lead))
    order = [c for c in load_config()["enums"]["channel"]["values"] if c in channels]
    assert at.multiselect(key="f_chan").options == order + sorted(channels - set(order))
    at.multiselect(key="f_town").set_value(["青石镇"]).run(timeout=TIMEOUT)
    assert at.multiselect(key="f_vil").options == qingshi


def test_url_reproduces_a_view(monkeypatch, demo_db, expected):
    query = {"p": "month", "asof": "2026-10-31", "t": "柳河镇", "c": "农业农村类,城乡建设类"}
    at = open_app(monkeypatch, demo_db, **query)
    assert_clean(at)
    want = expected(scope=Scope(townships=("柳河镇",), categories=("农业农村类", "城乡建设类")),
                    as_of=date(2026, 10, 31), start=date(2026, 10, 1), end=date(2026, 10, 31))
    assert metric_values(at) == scorecard(want)
    assert at.caption[0].value.startswith("统计期 2026-10-01 至 2026-10-31（截至 2026-10-31）")
    assert at.query_params == query | {"c": "农业农村类,城乡建设类"}


def test_repeated_keys_and_custom_period(monkeypatch, demo_db, expected):
    at = open_app(monkeypatch, demo_db, p="custom", **{"from": "2026-03-01", "to": "2026-06-30"},
                  asof="2026-11-20", ch=["来访", "来信"])
    assert_clean(at)
    want = expected(scope=Scope(channels=("来访", "来信")), as_of=date(2026, 11, 20),
                    start=date(2026, 3, 1), end=date(2026, 6, 30))
    assert metric_values(at) == scorecard(want)
    assert at.caption[0].value.startswith("统计期 2026-03-01 至 2026-06-30（截至 2026-11-20）")
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
