"""The 责任落实 page (AppTest): its figures are the data layer's, the unit filter works from the
sidebar and the URL, presentation mode hides the form, a township leader sees only their
township's receptions, and an administrator's record is validated, saved and audited."""
from __future__ import annotations

import shutil

import pytest

from queries import db
from queries.metrics.accountability import handed, leaders, status_counts, units, within_jurisdiction
from queries.periods import Scope
from test_pages import TIMEOUT, _demo, assert_clean, open_app
from test_roles import configure, signed_in, users  # noqa: F401  (fixture)

PAGE = "accountability"


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    return _demo(tmp_path_factory.mktemp("acct_page") / "demo.duckdb")


def _frame_with(at, column: str):
    return next(f.value for f in at.dataframe if column in f.value.columns)


def test_page_shows_the_data_layers_figures(monkeypatch, demo_db):
    at = open_app(monkeypatch, demo_db, PAGE)
    assert_clean(at)
    con = db.open_reader(demo_db)
    rows = handed(con)
    metrics = {m.label: m.value for m in at.metric}
    for status, count in status_counts(rows).items():
        assert metrics[status] == f"{count} 件"
    shown = _frame_with(at, "appointment_persons")
    assert shown.to_dict("records") == leaders(con)
    assert list(_frame_with(at, "handed_over_overdue")["unit"]) == [u["unit"] for u in units(con)]
    assert "坐班到岗率" in metrics
    con.close()


def test_unit_filter_from_the_url(monkeypatch, demo_db):
    at = open_app(monkeypatch, demo_db, PAGE, u="县公安局")
    assert_clean(at)
    assert list(_frame_with(at, "handed_over_overdue")["unit"]) == ["县公安局"]
    assert at.query_params["u"] in ("县公安局", ["县公安局"])
    at.multiselect(key="f_unit").set_value(["县公安局", "县司法局"]).run()
    assert set(_frame_with(at, "handed_over_overdue")["unit"]) == {"县公安局", "县司法局"}


def test_a_unit_drills_into_its_cases(monkeypatch, demo_db):
    at = open_app(monkeypatch, demo_db, PAGE)
    at.selectbox(key="page_unit").set_value("县公安局").run()
    assert_clean(at)
    cases = next(f.value for f in at.dataframe if "summary" in f.value.columns)
    con = db.open_reader(demo_db)
    figures = units(con, Scope(units=("县公安局",)))[0]
    assert len(cases) >= figures["cases"] and len(cases) > 0
    con.close()


def test_presentation_mode(monkeypatch, demo_db):
    at = open_app(monkeypatch, demo_db, PAGE, present="1")
    assert_clean(at)
    assert not at.get("form") and at.table


def test_empty_database_is_friendly(monkeypatch, tmp_path):
    path = tmp_path / "empty.duckdb"
    db.connect(path).close()
    at = open_app(monkeypatch, path, PAGE)
    assert_clean(at)
    assert any("请先导入" in info.value for info in at.info)


def test_township_leader_sees_their_townships_receptions(monkeypatch, tmp_path, demo_db, users):  # noqa: F811
    configure(monkeypatch, tmp_path, demo_db, "local", users)
    at = signed_in("leader", t="青石镇")
    at.switch_page(f"pages/{PAGE}.py").run()
    assert_clean(at)
    con = db.open_reader(demo_db)
    own = within_jurisdiction(handed(con, Scope(("柳河镇",))), ("柳河镇",), ())
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["已办结"] == f"{status_counts(own)['已办结']} 件"
    assert metrics["已办结"] != f"{status_counts(handed(con))['已办结']} 件"
    places = _frame_with(at, "status")
    assert set(places["township"].dropna()) == {"柳河镇"}
    assert not at.get("form")   # a leader does not enter records
    con.close()


def test_admin_adds_and_corrects_a_record_audited(monkeypatch, tmp_path, demo_db):
    path = tmp_path / "writable.duckdb"
    shutil.copyfile(demo_db, path)
    at = open_app(monkeypatch, path, PAGE)
    before = _count(path)
    _submit(at, {"接访领导": "", "交办件编号": "A1"})
    assert any("接访领导为空" in e.value for e in at.error) and _count(path) == before
    _submit(at, {"接访领导": "陈立新", "乡镇": "青石鎮", "人次": "7", "交办件编号": "XF-1、XF-2，XF-1"})
    assert any("已保存" in s.value for s in at.success)
    con = db.open_reader(path)
    assert con.execute("SELECT leader, township, persons, case_ids, source_file FROM receptions "
                       "WHERE source_file = '（手工登记）'").fetchall() == [
        ("陈立新", "青石镇", 7, ["XF-1", "XF-2"], "（手工登记）")]
    assert con.execute("SELECT count(*) FROM audit_log WHERE action LIKE '登记接访记录%'").fetchone()[0] == 1
    con.close()


def _count(path) -> int:
    con = db.open_reader(path)
    try:
        return con.execute("SELECT count(*) FROM receptions").fetchone()[0]
    finally:
        con.close()


def _submit(at, values: dict) -> None:
    for widget in at.text_input:
        if widget.label.split("（")[0] in values:
            widget.input(values[widget.label.split("（")[0]])
    next(b for b in at.button if b.label in ("保存", "保存更正")).click().run(timeout=TIMEOUT)
