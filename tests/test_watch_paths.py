"""越级路径 and 预警名单 on hand-built persons whose paths, scores and reasons were worked out by hand."""
from __future__ import annotations

import json
import subprocess
import sys
from datetime import date as d
from pathlib import Path

import pytest

from queries.access import User, restrict
from queries.periods import Period, Scope
from queries.research.paths import days_to_high_level, escalation_sources, escalation_steps, path_view, paths
from queries.research.watch import Window, event_window, reasons_text, scores, watch_list
from test_metrics import build

ROOT = Path(__file__).resolve().parent.parent
PERIOD = Period("current", d(2026, 1, 1), d(2026, 6, 30), d(2026, 6, 30))


def case(case_id, name, village, on, level, **fields) -> dict:
    township = "柳河镇" if village in ("杨家村", "枫树村", "东风村") else "青石镇"
    return {"case_id": case_id, "petitioner_name": name, "township": township, "village": village,
            "registered_on": on, "level": level, **fields}


# --- 越级路径 -----------------------------------------------------------------------------
PATH_CASES = [
    # 张三: 村 → 镇 → 县, each step within 365 days, both steps in the period
    case("P1a", "张三", "上庄村", d(2026, 1, 10), "村"),
    case("P1b", "张三", "上庄村", d(2026, 3, 1), "镇"),
    case("P1c", "张三", "上庄村", d(2026, 6, 1), "县"),
    # 李四: 村 → 镇 366 days apart: outside the window, neither a step nor a flow
    case("P2a", "李四", "下庄村", d(2025, 2, 14), "村"),
    case("P2b", "李四", "下庄村", d(2026, 2, 15), "镇"),
    # 王五: 镇 → 县 exactly 365 days apart: a step
    case("P3a", "王五", "石桥村", d(2025, 3, 1), "镇"),
    case("P3b", "王五", "石桥村", d(2026, 3, 1), "县"),
    # 赵六: 县 → (blank level, off the ladder) → 镇: a flow down, no step
    case("P4a", "赵六", "杨家村", d(2026, 1, 5), "县"),
    case("P4b", "赵六", "杨家村", d(2026, 1, 20), None),
    case("P4c", "赵六", "杨家村", d(2026, 2, 5), "镇"),
    # 孙七: 村 → 市 after 121 days: a step, and the first 市 case of the period
    case("P5a", "孙七", "枫树村", d(2025, 12, 1), "村"),
    case("P5b", "孙七", "枫树村", d(2026, 4, 1), "市"),
    # 周八: first case straight at 省 (0 days); 吴九 reached 市 before the period
    case("P6a", "周八", "东风村", d(2026, 5, 1), "省"),
    case("P7a", "吴九", "东风村", d(2025, 5, 1), "市"),
    case("P7b", "吴九", "东风村", d(2026, 5, 2), "市"),
    # 郑十: two cases on one day, in case_id order: 镇 (P8a) then 县 (P8b), a step
    case("P8b", "郑十", "东风村", d(2026, 6, 2), "县"),
    case("P8a", "郑十", "东风村", d(2026, 6, 2), "镇"),
    # after the period: not counted
    case("P1d", "张三", "上庄村", d(2026, 7, 1), "市"),
]


@pytest.fixture()
def path_db(tmp_path):
    return build(tmp_path, PATH_CASES)


def test_flows_and_chains_worked_by_hand(path_db):
    result = paths(path_db, Scope(), d(2026, 6, 30), d(2026, 1, 1), d(2026, 6, 30))
    flows = {(f["from"], f["to"]): f["persons"] for f in result["flows"]}
    assert flows == {("村", "镇"): 1, ("镇", "县"): 3, ("县", "镇"): 1, ("村", "市"): 1}
    assert result["escalated"] == [
        {"person": "张*|青石镇|上庄村", "chain": [["2026-01-10", "村"], ["2026-03-01", "镇"], ["2026-06-01", "县"]]},
        {"person": "郑*|柳河镇|东风村", "chain": [["2026-06-02", "镇"], ["2026-06-02", "县"]]},
        {"person": "孙*|柳河镇|枫树村", "chain": [["2025-12-01", "村"], ["2026-04-01", "市"]]},
        {"person": "王*|青石镇|石桥村", "chain": [["2025-03-01", "镇"], ["2026-03-01", "县"]]},
    ]
    json.dumps(result, ensure_ascii=False)  # the CLI document is plain JSON
    # most persons first, then by the ladder: 村 before 县 as the source, 镇 before 市 as the target
    assert [(f["from"], f["to"]) for f in result["flows"]] == [("镇", "县"), ("村", "镇"), ("村", "市"), ("县", "镇")]
    drawn = path_view(path_db, Scope(), PERIOD)   # what the page draws is the same document
    assert list(zip(drawn.flows["from_level"], drawn.flows["to_level"], drawn.flows["persons"])) == [
        (f["from"], f["to"], f["persons"]) for f in result["flows"]]
    assert list(drawn.flows["steps"]) == [3, 1, 1, 1]
    assert [(p, c) for p, c in zip(drawn.escalated["person"], drawn.escalated["chain"])] == [
        (p["person"], p["chain"]) for p in result["escalated"]]


def test_a_longer_window_makes_the_366_day_step_count(path_db, monkeypatch, tmp_path):
    config = tmp_path / "x.toml"
    config.write_text("[metrics]\nrepeat_window_days = 366\n", encoding="utf-8")
    monkeypatch.setenv("XINFANG_CONFIG", str(config))
    steps = escalation_steps(path_view(path_db, Scope(), PERIOD).changes)  # the window is read per query
    assert "P2b" in set(steps["case_id"])


def test_sources_and_days_to_first_high_level(path_db):
    steps = escalation_steps(path_view(path_db, Scope(), PERIOD).changes)
    assert sorted(steps["case_id"]) == ["P1b", "P1c", "P3b", "P5b", "P8b"]
    villages = escalation_sources(steps, "village")
    assert list(zip(villages["village"], villages["steps"], villages["persons"])) == [
        ("上庄村", 2, 1), ("东风村", 1, 1), ("枫树村", 1, 1), ("石桥村", 1, 1)]
    days = days_to_high_level(path_db, Scope(), PERIOD)
    assert sorted(days["days"]) == [0, 121]   # 周八 straight to 省; 孙七 2025-12-01 → 2026-04-01


def test_paths_follow_the_scope(path_db):
    result = paths(path_db, Scope(townships=("柳河镇",)), d(2026, 6, 30), d(2026, 1, 1), d(2026, 6, 30))
    assert {(f["from"], f["to"]) for f in result["flows"]} == {("县", "镇"), ("村", "市"), ("镇", "县")}
    assert [p["person"] for p in result["escalated"]] == ["郑*|柳河镇|东风村", "孙*|柳河镇|枫树村"]


# --- 预警名单 -----------------------------------------------------------------------------
CLOSED = {"closed_on": d(2026, 6, 20), "resolution": "稳控", "satisfaction": "满意"}
WATCH_CASES = [
    # W1 越级: 来访 市 (before the lookback), 市, 省 → 2 skip-level visits in the lookback (+6),
    # one escalation step 市→省 (+2): 8
    case("W1a", "钱一", "上庄村", d(2025, 6, 1), "市", channel="来访", **CLOSED),
    case("W1b", "钱一", "上庄村", d(2026, 2, 1), "市", channel="来访", **CLOSED),
    case("W1c", "钱一", "上庄村", d(2026, 5, 1), "省", channel="来访", **CLOSED),
    # W2: last closed case 不满意 (+1), an open case past its due date (+2): 3
    case("W2a", "钱二", "下庄村", d(2025, 10, 1), "村", closed_on=d(2025, 11, 1), resolution="稳控",
         satisfaction="不满意"),
    case("W2b", "钱二", "下庄村", d(2026, 3, 1), "村", due_on=d(2026, 4, 1)),
    # W3: a key person, nothing else (+2): below min_score 3, not listed
    case("W3a", "钱三", "石桥村", d(2026, 1, 1), "村", key_person=True, **CLOSED),
    # W4: settled, then back twice within 90 days: rebound (+3), 2 cases in 90 days (+1): 4
    case("W4a", "钱四", "杨家村", d(2026, 1, 10), "村", closed_on=d(2026, 2, 1), resolution="已化解"),
    case("W4b", "钱四", "杨家村", d(2026, 5, 1), "村", **CLOSED),
    case("W4c", "钱四", "杨家村", d(2026, 6, 1), "村", **CLOSED),
    # W5: 村 → 镇 → 县 within the window, by letter (no 越级 visit): 2 steps (+4): 4
    case("W5a", "钱五", "枫树村", d(2025, 9, 1), "村", **CLOSED),
    case("W5b", "钱五", "枫树村", d(2025, 11, 1), "镇", **CLOSED),
    case("W5c", "钱五", "枫树村", d(2026, 2, 1), "县", **CLOSED),
    # W6: 村 → 镇 → 县 with 369 and 370 days between: no step, no points at all
    case("W6a", "钱六", "东风村", d(2024, 3, 1), "村", **CLOSED),
    case("W6b", "钱六", "东风村", d(2025, 3, 5), "镇", **CLOSED),
    case("W6c", "钱六", "东风村", d(2026, 3, 10), "县", **CLOSED),
]
NOW = Window(d(2026, 6, 30), 365, "近一年")


@pytest.fixture()
def watch_db(tmp_path):
    return build(tmp_path, WATCH_CASES)


def test_scores_and_reasons_worked_by_hand(watch_db):
    listed = {r["person"]: r for r in watch_list(watch_db, Scope(), d(2026, 6, 30))}
    assert {p: r["score"] for p, r in listed.items()} == {
        "钱*|青石镇|上庄村": 8, "钱*|柳河镇|杨家村": 4, "钱*|柳河镇|枫树村": 4, "钱*|青石镇|下庄村": 3}
    assert reasons_text(listed["钱*|青石镇|上庄村"]["reasons"]) == "近一年越级2次 +6；近一年逐级上行1次（最近市→省） +2"
    assert reasons_text(listed["钱*|青石镇|下庄村"]["reasons"]) == "存在超期未办结件1件 +2；上次评价不满意 +1"
    assert reasons_text(listed["钱*|柳河镇|杨家村"]["reasons"]) == "近90天信访2次 +1；已化解后再次信访（反弹） +3"
    assert reasons_text(listed["钱*|柳河镇|枫树村"]["reasons"]) == "近一年逐级上行2次（最近镇→县） +4"
    first = listed["钱*|青石镇|上庄村"]
    assert (first["last_case"], first["last_level"], first["township"], first["village"]) == ("W1c", "省", "青石镇", "上庄村")
    assert first["reasons"][0] == {"rule": "skip_level_year", "points": 6, "text": "近一年越级2次"}


def test_every_point_is_a_reason_and_the_order_is_by_score(watch_db):
    listed = watch_list(watch_db, Scope(), d(2026, 6, 30))
    assert [r["score"] for r in listed] == sorted((r["score"] for r in listed), reverse=True)
    for row in listed:
        assert row["score"] == sum(reason["points"] for reason in row["reasons"])
    # ties (4, 4): the latest case first — 钱四's 2026-06-01 before 钱五's 2026-02-01
    assert [r["person"][-3:] for r in listed[1:3]] == ["杨家村", "枫树村"]


def test_below_the_threshold_and_outside_the_window(watch_db):
    frame = scores(watch_db, Scope(), NOW, min_score=1)
    by_village = dict(zip(frame["village"], frame["score"]))
    assert by_village["石桥村"] == 2            # the key person scores, under min_score 3
    assert "东风村" not in by_village          # the path outside the window earns nothing


def test_weights_come_from_the_configuration(watch_db, monkeypatch, tmp_path):
    config = tmp_path / "x.toml"
    config.write_text("[watch]\nmin_score = 2\n[watch.rules]\nkey_person = { points = 5 }\n"
                      "skip_level_year = { max_points = 3 }\n", encoding="utf-8")
    monkeypatch.setenv("XINFANG_CONFIG", str(config))
    listed = {r["person"]: r["score"] for r in watch_list(watch_db, Scope(), d(2026, 6, 30))}
    assert listed["钱*|青石镇|石桥村"] == 5
    assert listed["钱*|青石镇|上庄村"] == 3 + 2   # 越级 capped at 3


def test_cadre_sees_only_their_jurisdiction(watch_db):
    cadre = User("c", "村干部", "cadre", ("柳河镇",), ("杨家村",))
    listed = watch_list(watch_db, restrict(Scope(), cadre), d(2026, 6, 30))
    assert [r["person"] for r in listed] == ["钱*|柳河镇|杨家村"]
    forged = restrict(Scope(townships=("青石镇",)), cadre)   # a wider request stays inside
    assert watch_list(watch_db, forged, d(2026, 6, 30)) == []


def test_unmasked_only_when_asked(watch_db):
    listed = watch_list(watch_db, Scope(), d(2026, 6, 30), masked=False)
    assert listed[0]["person"] == "钱一|青石镇|上庄村"


# --- 活动前需稳控人员 ----------------------------------------------------------------------
EVENT_CASES = [
    case("E1", "孙一", "上庄村", d(2026, 6, 15), "市", channel="来访", **CLOSED),   # within the 30 days before
    case("E2", "孙二", "下庄村", d(2026, 5, 15), "市", channel="来访", **CLOSED),   # 47 days before: no
    case("E3", "孙三", "石桥村", d(2026, 7, 3), "市", channel="来访", **CLOSED),    # during the window: no
]


def test_the_list_before_a_configured_window(tmp_path, monkeypatch):
    config = tmp_path / "x.toml"
    config.write_text('[[events]]\nname = "测试保障期"\nstart = 2026-07-01\nend = 2026-07-10\n', encoding="utf-8")
    monkeypatch.setenv("XINFANG_CONFIG", str(config))
    con = build(tmp_path, EVENT_CASES)
    window = event_window("测试保障期")
    assert (window.as_of, window.period.start) == (d(2026, 6, 30), d(2026, 6, 1))
    listed = watch_list(con, before_event="测试保障期")
    assert [(r["person"], r["score"]) for r in listed] == [("孙*|青石镇|上庄村", 3)]
    assert listed[0]["reasons"][0]["text"] == "活动前30天越级1次"
    with pytest.raises(ValueError, match="测试保障期"):
        event_window("国庆")


# --- the command line ---------------------------------------------------------------------

def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "queries", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)


def test_cli_watch_and_paths_print_the_same_documents(tmp_path):
    build(tmp_path, WATCH_CASES + PATH_CASES).close()
    db = str(tmp_path / "t.duckdb")
    out = cli("watch", "--db", db, "--as-of", "2026-06-30", "--top", "2", "--json")
    assert out.returncode == 0, out.stderr
    document = json.loads(out.stdout)
    # 钱一 8; then 张三 of the path cases: 2 steps (+4) and open past due since 2026-03-26 (+2)
    assert [r["score"] for r in document] == [8, 6]
    assert set(document[0]) == {"person", "score", "reasons", "township", "village", "last_case", "last_level"}
    assert set(document[0]["reasons"][0]) == {"rule", "points", "text"}
    out = cli("paths", "--db", db, "--as-of", "2026-06-30", "--township", "柳河镇", "--json")
    assert out.returncode == 0, out.stderr
    document = json.loads(out.stdout)
    assert {"from": "村", "to": "市", "persons": 1} in document["flows"]
    assert {"person": "孙*|柳河镇|枫树村", "chain": [["2025-12-01", "村"], ["2026-04-01", "市"]]} in document["escalated"]
    out = cli("watch", "--db", db, "--before-event", "没有这个活动")
    assert out.returncode == 2 and "没有名为" in out.stderr


def test_a_unit_filter_keeps_only_that_units_cases_on_the_ladder(tmp_path):
    """The 责任单位 filter applies here as on every page (sql/in_view.sql): 乙's 县 case alone is
    住建局's, so with that filter it has no earlier case and climbs nothing."""
    con = build(tmp_path, [
        case("U1a", "甲", "上庄村", d(2026, 1, 10), "村", responsible_unit="住建局"),
        case("U1b", "甲", "上庄村", d(2026, 3, 1), "镇", responsible_unit="住建局"),
        case("U2a", "乙", "下庄村", d(2026, 1, 10), "村", responsible_unit="人社局"),
        case("U2b", "乙", "下庄村", d(2026, 2, 1), "县", responsible_unit="住建局"),
    ])

    def flows(scope):
        result = paths(con, scope, d(2026, 6, 30), d(2026, 1, 1), d(2026, 6, 30))
        return {(f["from"], f["to"]): f["persons"] for f in result["flows"]}

    assert flows(Scope()) == {("村", "镇"): 1, ("村", "县"): 1}
    assert flows(Scope(units=("住建局",))) == {("村", "镇"): 1}
    assert flows(Scope(units=("人社局",))) == {}
