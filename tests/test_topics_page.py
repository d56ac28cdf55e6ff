"""The 研判·诉求 page with AppTest: it shows what queries.research computes for the same view,
drills from a term to its masked cases, filters by 诉求群体 through the URL, and works in
presentation mode."""
from __future__ import annotations

import pytest

from queries import db
from queries.periods import Scope
from queries.research.topics import term_cases, topics
from test_pages import TIMEOUT, assert_clean, open_app


@pytest.fixture(scope="module")
def demo_con(demo_db):
    con = db.open_reader(demo_db)
    yield con
    con.close()


def frames(at):
    return [d.value for d in at.dataframe]


def test_topics_page_shows_the_terms_and_groups_of_the_view(monkeypatch, demo_db, demo_con):
    at = open_app(monkeypatch, demo_db, "topics")
    assert_clean(at)
    expected = topics(demo_con, top=20)
    tables = frames(at)
    terms = next(t for t in tables if "诉求词" in t.columns and "占比" in t.columns)
    assert list(terms["诉求词"]) == [r["term"] for r in expected["terms"]]
    assert list(terms["本期(件)"]) == [r["cases"] for r in expected["terms"]]
    shown_groups = next(t for t in tables if "诉求群体" in t.columns)
    assert dict(zip(shown_groups["诉求群体"], shown_groups["本期(件)"])) == {
        g["group"]: g["cases"] for g in expected["groups"]}
    emerging = next(t for t in tables if "新出现" in t.columns and (t["新出现"] == "是").all())
    assert list(emerging["诉求词"]) == [r["term"] for r in expected["emerging"]]


def test_a_term_drills_to_its_masked_cases(monkeypatch, demo_db, demo_con):
    at = open_app(monkeypatch, demo_db, "topics")
    at.selectbox(key="page_term").set_value("宅基地").run(timeout=TIMEOUT)
    assert_clean(at)
    assert at.query_params["term"] == "宅基地"
    from queries.periods import resolve
    period = resolve(demo_con).current
    expected = term_cases(demo_con, Scope(), period, "宅基地")
    shown = next(t for t in frames(at) if "case_id" in t.columns and len(t) == len(expected))
    assert sorted(shown["case_id"]) == sorted(expected["case_id"])
    names = [n for n in shown["petitioner_name"] if isinstance(n, str)]
    assert names and all("*" in n for n in names)   # masked


def test_the_group_filter_is_in_the_url_and_narrows_every_figure(monkeypatch, demo_db, demo_con):
    at = open_app(monkeypatch, demo_db, "topics", gr="房地产")
    assert_clean(at)
    assert at.multiselect(key="f_grp").value == ["房地产"]
    expected = topics(demo_con, Scope(groups=("房地产",)), top=20)
    terms = next(t for t in frames(at) if "诉求词" in t.columns and "占比" in t.columns)
    assert list(terms["本期(件)"]) == [r["cases"] for r in expected["terms"]]
    at.switch_page("pages/overview.py").run(timeout=TIMEOUT)
    assert_clean(at)
    assert at.query_params["gr"] == "房地产"


def test_similar_cases_for_a_typed_case_id(monkeypatch, demo_db, demo_con):
    at = open_app(monkeypatch, demo_db, "topics")
    case_id = demo_con.execute("SELECT case_id FROM cases WHERE summary LIKE '%锦绣华庭%' "
                               "ORDER BY registered_on DESC, case_id LIMIT 1").fetchone()[0]
    at.text_input(key="similar_case").set_value(case_id).run(timeout=TIMEOUT)
    assert_clean(at)
    table = next(t for t in frames(at) if "相似度" in t.columns)
    assert len(table) == 10 and (table["相似度"] > 0.3).all()
    at.text_input(key="similar_case").set_value("NOPE-1").run(timeout=TIMEOUT)
    assert any("找不到信访件编号" in w.value for w in at.warning)


def test_topics_page_in_presentation_mode(monkeypatch, demo_db):
    at = open_app(monkeypatch, demo_db, "topics", present="1")
    assert_clean(at)
    assert at.get("plotly_chart")
    for screen in ("新出现的问题", "诉求群体"):
        at.segmented_control(key="page_s").set_value(screen).run(timeout=TIMEOUT)
        assert_clean(at)
    assert not at.text_input   # no case lookup on the projector


def test_overview_lists_emerging_terms_and_raises_their_alert(monkeypatch, demo_db, demo_con):
    from queries.research.topics import alerts
    at = open_app(monkeypatch, demo_db)
    assert_clean(at)
    result = topics(demo_con, top=20)
    raised = alerts(result)
    assert raised and all(r["cases"] >= 15 for r in raised)
    warning = next(w.value for w in at.warning if w.value.startswith("告警："))
    assert [part.split("（")[0] for part in warning.removeprefix("告警：").split("、")] == [r["term"] for r in raised]
    listed = next(m.value for m in at.markdown if m.value.startswith("本期占比显著上升的诉求"))
    assert all(r["term"] in listed for r in result["emerging"][:5])
