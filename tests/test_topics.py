"""研判 from the text: segmentation, term counts, the emerging test, groups and 相似来访,
each checked against counts worked out by hand."""
from __future__ import annotations

import json
import subprocess
import sys
from datetime import date as d
from pathlib import Path

import pytest

from conftest import build_db, write_cases_csv
from queries.ingest.importer import import_files
from queries.metrics.kpi import kpi
from queries.periods import Scope, resolve
from queries.research.similar import similar
from queries.ingest.terms import Terms, topics_config
from queries.research.topics import g2, is_emerging, term_cases, topics

ROOT = Path(__file__).resolve().parent.parent
MARCH = {"start": d(2026, 3, 1), "end": d(2026, 3, 31), "as_of": d(2026, 3, 31)}  # 环比期 2026-01-29..02-28


# Data from early 2025 on, so that every period compared in these tests is comparable.
EARLY = {"case_id": "Z0", "registered_on": d(2025, 1, 2), "summary": "其他事项", "township": "城东街道",
         "village": "东门社区"}


def case(case_id, day, summary, township="柳河镇", village="河口村", **more):
    return {"case_id": case_id, "registered_on": day, "summary": summary, "township": township,
            "village": village, **more}


def terms_of(con, case_id) -> dict[str, int]:
    return dict(con.execute("SELECT term, tf FROM case_terms WHERE case_id = ?", [case_id]).fetchall())


def test_every_configured_term_and_the_databases_places_are_one_token(cases_db):
    config = topics_config()
    terms = Terms(config["terms"], config["stop_words"])
    for term in config["terms"]:
        assert term in terms.counts(f"群众反映{term}的事情"), term
    con = cases_db([case("A1", d(2026, 3, 2), "反映柳河镇河口村3组拖欠工程款12万元，要求尽快支付")])
    found = terms_of(con, "A1")
    assert {"柳河镇", "河口村", "拖欠工程款", "支付"} <= set(found)
    # the parts of a user term, stop words, numbers and single characters are not terms
    assert not {"拖欠", "工程款", "反映", "要求", "尽快", "12", "组", "万元"} & set(found)


HAND_CORPUS = [  # March 2026: 5 cases; the preceding period (29 Jan - 28 Feb): 2 cases
    case("M1", d(2026, 3, 2), "拖欠工程款八万元，要求支付"),
    case("M2", d(2026, 3, 5), "工地拖欠工程款，拖欠工程款已两年"),
    case("M3", d(2026, 3, 9), "拖欠工程款问题", township="青石镇", village="上庄村"),
    case("M4", d(2026, 3, 12), "征地补偿款未到位", township="青石镇", village="上庄村"),
    case("M5", d(2026, 3, 30), "小区物业乱收费，征地补偿款也未到位"),
    case("F1", d(2026, 2, 3), "征地补偿款未到位"),
    case("F2", d(2026, 2, 27), "物业乱收费"),
    case("Y1", d(2025, 3, 1), "拖欠工程款"),   # 同比期: March 2025
    case("O1", d(2026, 1, 10), "拖欠工程款"),  # before the preceding period: not counted
    EARLY,
]


def test_term_counts_share_previous_and_yoy_on_a_hand_built_corpus(cases_db):
    con = cases_db(HAND_CORPUS)
    result = topics(con, **MARCH)
    rows = {r["term"]: r for r in result["terms"]}
    # M2 says 拖欠工程款 twice: it is one case
    assert rows["拖欠工程款"] == {"term": "拖欠工程款", "cases": 3, "share": 0.6, "prev_cases": 0,
                                     "yoy_cases": 1, "emerging": False, "g2": rows["拖欠工程款"]["g2"]}
    assert (rows["征地补偿款"]["cases"], rows["征地补偿款"]["prev_cases"]) == (2, 1)
    assert (rows["物业"]["cases"], rows["物业"]["prev_cases"], rows["物业"]["yoy_cases"]) == (1, 1, 0)
    assert [r["term"] for r in result["terms"][:3]] == ["拖欠工程款", "到位", "征地补偿款"]
    assert "柳河镇" not in rows and "河口村" not in rows  # places are where, not what
    township = topics(con, Scope(townships=("青石镇",)), **MARCH)
    assert {r["term"]: r["cases"] for r in township["terms"]}["拖欠工程款"] == 1
    cases = term_cases(con, Scope(), resolve(con, **MARCH).current, "拖欠工程款")
    assert sorted(cases["case_id"]) == ["M1", "M2", "M3"]


def test_emerging_is_a_log_likelihood_test_with_a_minimum_count():
    # 2 -> 20 cases of 200: G² by hand = 2(20 ln(20/11) + 180 ln(180/189) + 2 ln(2/11) + 198 ln(198/189))
    assert g2(20, 200, 2, 200) == pytest.approx(17.95, abs=0.01)
    assert is_emerging(20, 200, 2, 200)[0]
    assert not is_emerging(3, 200, 1, 200)[0]           # 1 -> 3: too few and not significant
    assert not is_emerging(2, 200, 20, 200)[0]          # a fall is not emerging
    assert is_emerging(20, 200, 2, 200, {"min_cases": 21, "emerging_g2": 10.83})[0] is False
    assert is_emerging(20, 200, None, None) == (False, None)  # no preceding period to compare


def test_emerging_terms_county_wide_and_per_township(cases_db):
    from queries.research.topics import emerging_by_township
    # March: 10 cases on 交房 (February: 1), 8 on 噪音扰民 (February: 1), of 20 each month
    march = [case(f"M{i}", d(2026, 3, 1 + i), "小区业主反映交房逾期" if i < 10 else
                  "道路破损，噪音扰民" if i < 18 else "道路破损") for i in range(20)]
    february = [case(f"F{i}", d(2026, 2, 1 + i), "交房逾期" if i == 0 else "道路破损，噪音扰民" if i == 1
                     else "道路破损") for i in range(20)]
    con = cases_db(march + february + [EARLY])
    result = topics(con, **MARCH)
    emerging = {r["term"]: r for r in result["emerging"]}
    # G² 1 -> 10 of 20: 11.39, 0 -> 10: 16.3 (emerging); 1 -> 8 of 20: 7.79 (< 10.83, not)
    assert set(emerging) == {"业主", "交房", "逾期", "小区"}
    assert emerging["交房"]["cases"] == 10 and emerging["交房"]["prev_cases"] == 1
    assert emerging["交房"]["g2"] == pytest.approx(11.39, abs=0.05)
    noise = {r["term"]: r for r in result["terms"]}["噪音扰民"]
    assert (noise["cases"], noise["prev_cases"], noise["emerging"]) == (8, 1, False)
    by_town = emerging_by_township(con, Scope(), resolve(con, **MARCH))
    assert set(by_town["township"]) == {"柳河镇"} and "交房" in set(by_town["term"])


SIMILAR_SET = [
    case("T", d(2026, 5, 1), "柳河镇河口村拖欠工程款未支付", resolution="已化解", closed_on=d(2026, 5, 20)),
    case("A", d(2026, 1, 5), "柳河镇河口村拖欠工程款未支付", resolution="未化解", closed_on=d(2026, 2, 1),
         handling="直接受理", responsible_unit="柳河镇人民政府"),
    case("B", d(2025, 6, 1), "拖欠工程款", township="青石镇", village="上庄村", resolution="已化解",
         closed_on=d(2025, 7, 1)),
    case("C", d(2025, 6, 2), "小区物业乱收费", township="青石镇", village="上庄村"),
    case("L", d(2026, 6, 1), "柳河镇河口村拖欠工程款未支付"),   # later than T: not an earlier case
]


def test_similar_ranks_earlier_cases_and_flags_opposite_outcomes(cases_db):
    con = cases_db(SIMILAR_SET)
    result = similar(con, "T")
    ranked = [r["case_id"] for r in result["similar"]]
    assert ranked == ["A", "B"]          # C shares nothing, L came later
    a, b = result["similar"]
    assert a["score"] == 1.0 and 0 < b["score"] < 1
    assert a["contradicts"] and not b["contradicts"]   # 未化解 against 已化解, said the same way
    assert a["note"] == "直接受理；柳河镇人民政府办理；2026-02-01办结"
    assert [r["case_id"] for r in similar(con, "T", scope=Scope(townships=("柳河镇",)))["similar"]] == ["A"]


GROUP_SET = [
    case("G1", d(2026, 3, 3), "退役军人要求落实参战补贴"),
    case("G2", d(2026, 3, 4), "参战老兵生活困难"),
    case("G3", d(2026, 3, 5), "业主反映交房后不能办证", township="青石镇", village="上庄村"),
    case("G4", d(2026, 3, 6), "反映道路破损"),
    case("G5", d(2026, 2, 6), "退役军人就业安置"),
    EARLY,
]


def test_groups_tag_cases_and_filter_like_a_category(cases_db):
    con = cases_db(GROUP_SET)
    result = topics(con, **MARCH)
    groups = {g["group"]: g for g in result["groups"]}
    assert (groups["涉军"]["cases"], groups["涉军"]["prev_cases"]) == (2, 1)
    assert groups["房地产"]["cases"] == 1 and groups["涉教"]["cases"] == 0
    army = kpi(con, Scope(groups=("涉军",)), **MARCH).figures["cases"].value
    both = kpi(con, Scope(groups=("涉军", "房地产")), **MARCH).figures["cases"].value
    assert (army, both) == (2, 3)
    assert kpi(con, Scope(groups=("涉军",), townships=("青石镇",)), **MARCH).figures["cases"].value == 0
    assert kpi(con, Scope(), **MARCH).figures["cases"].value == 4


def test_a_reimport_replaces_the_cases_terms(tmp_path):
    con = build_db(tmp_path, [case("R1", d(2026, 3, 3), "小区物业乱收费"), case("R2", d(2026, 3, 4), "征地补偿")])
    assert "物业" in terms_of(con, "R1")
    again = write_cases_csv(tmp_path / "again.csv", [case("R1", d(2026, 3, 3), "退役军人就业安置")])
    import_files(con, [again], as_of=d(2026, 12, 31))
    assert set(terms_of(con, "R1")) == {"退役军人", "就业", "安置"}
    assert set(terms_of(con, "R2")) == {"征地", "补偿"} or set(terms_of(con, "R2")) == {"征地补偿"}
    assert con.execute("SELECT grp FROM case_groups WHERE case_id = 'R1'").fetchall() == [("涉军",)]
    assert con.execute("SELECT df FROM term_df WHERE term = '物业'").fetchall() == []


def cli(*args):
    return subprocess.run([sys.executable, "-m", "queries", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)


def test_cli_topics_and_similar_print_the_functions_documents(tmp_path):
    build_db(tmp_path, HAND_CORPUS + SIMILAR_SET[1:2], name="t.duckdb").close()
    db = str(tmp_path / "t.duckdb")
    out = cli("topics", "--db", db, "--from", "2026-03-01", "--to", "2026-03-31", "--as-of", "2026-03-31",
              "--top", "3", "--json")
    assert out.returncode == 0, out.stderr
    document = json.loads(out.stdout)
    assert [r["term"] for r in document["terms"]] == ["拖欠工程款", "到位", "征地补偿款"]  # ties by term
    assert set(document["terms"][0]) >= {"term", "cases", "share", "prev_cases", "yoy_cases", "emerging", "g2"}
    assert set(document["groups"][0]) >= {"group", "cases", "prev_cases"}
    out = cli("similar", "M1", "--db", db, "--json")
    assert out.returncode == 0, out.stderr
    rows = json.loads(out.stdout)
    # A shares 拖欠工程款 and 支付 with M1, the earlier O1 only 拖欠工程款
    assert [r["case_id"] for r in rows][:2] == ["A", "O1"] and set(rows[0]) >= {"case_id", "registered_on", "score",
                                                                          "resolution", "note"}
    missing = cli("similar", "NOPE", "--db", db)
    assert missing.returncode == 1 and "找不到信访件编号" in missing.stderr


def test_the_demo_shows_its_planted_issues_as_emerging(demo_db):
    from queries.db import open_reader
    con = open_reader(demo_db)
    result = topics(con)  # 本年 up to 2026-11-20 against the preceding 324 days
    emerging = {r["term"] for r in result["emerging"]}
    assert {"不动产证", "锦绣华庭", "拖欠工程款", "柳河大道"} <= emerging
    assert not {"宅基地", "土地流转", "低保"} & emerging  # the steady matters are not new
    by_term = {r["term"]: r for r in result["terms"]}
    assert by_term["宅基地"]["cases"] > 0
    summaries = con.execute("SELECT count(DISTINCT summary) FROM cases").fetchone()[0]
    assert summaries > 2000   # varied sentences, not one per topic and village


def test_a_unit_filter_counts_only_that_units_cases(cases_db):
    """责任单位 narrows 研判 as it narrows the scorecard (sql/in_view.sql): of the two 涉军 cases in
    March only G1 is 退役军人事务局's; G3 is 住建局's."""
    con = cases_db([case("G1", d(2026, 3, 3), "退役军人要求落实参战补贴", responsible_unit="退役军人事务局"),
                    case("G2", d(2026, 3, 4), "参战老兵生活困难", responsible_unit="民政局"),
                    case("G3", d(2026, 3, 5), "业主反映交房后不能办证", responsible_unit="住建局"), EARLY])
    veterans = Scope(units=("退役军人事务局",))
    groups = {g["group"]: g["cases"] for g in topics(con, veterans, **MARCH)["groups"]}
    assert (groups["涉军"], groups["房地产"]) == (1, 0)
    assert kpi(con, veterans, **MARCH).figures["cases"].value == 1
    everyone = {g["group"]: g["cases"] for g in topics(con, **MARCH)["groups"]}
    assert (everyone["涉军"], everyone["房地产"]) == (2, 1)
