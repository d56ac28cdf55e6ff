"""The demo county is built through the real importer from messy exports, the same way every
time, and tells the story the dashboard is for.

Expectations are computed independently of the importer and the metric layer: from the written
export files with pandas, or with plain SQL on `cases`.
"""
from __future__ import annotations

import hashlib
from datetime import date

import opencc
import pandas as pd
import pytest

from queries.db import connect
from queries.demo.receptions import LEDGER_FILE as RECEPTION_LEDGER, ROSTER_FILE
from queries.demo.county import LEDGER_FILE, STREET_FILE, SYSTEM_FILE
from queries.demo.database import build_demo

AS_OF = date(2026, 11, 20)
T2S = opencc.OpenCC("t2s")
# petitioner_key of METRICS.md: the ID number without white space, upper-cased, when 15 or 18
# characters; else name|township|village; else the case itself.
PETITIONER_KEY = r"""
    CASE WHEN length(regexp_replace(upper(coalesce(petitioner_idno, '')), '\s', '', 'g')) IN (15, 18)
         THEN regexp_replace(upper(petitioner_idno), '\s', '', 'g')
         WHEN petitioner_name IS NOT NULL
         THEN petitioner_name || '|' || coalesce(township, '') || '|' || coalesce(village, '')
         ELSE case_id END"""
# is_repeat of METRICS.md: an earlier case of the same person and category at most 365 days before.
REPEATS = f"""
    WITH keyed AS (SELECT *, {PETITIONER_KEY} AS who FROM cases)
    SELECT a.*, EXISTS (
        SELECT 1 FROM keyed b
        WHERE b.who = a.who AND b.category = a.category
          AND (b.registered_on < a.registered_on OR (b.registered_on = a.registered_on AND b.case_id < a.case_id))
          AND a.registered_on - b.registered_on <= 365) AS is_repeat
    FROM keyed a"""


def build(root):
    report = build_demo(root / "demo.duckdb", root / "exports")
    return report, connect(root / "demo.duckdb", read_only=True)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    root = tmp_path_factory.mktemp("demo")
    report, con = build(root)
    yield root, {f["file"]: f for f in report["files"]}, report, con
    con.close()


def ledger_rows(root) -> pd.DataFrame:
    """The ledger's data rows of both sheets (below the 4th-row header), totals dropped."""
    sheets = pd.read_excel(root / "exports" / LEDGER_FILE, sheet_name=None, header=3, dtype=object,
                           engine="calamine")
    rows = pd.concat(sheets.values(), ignore_index=True).dropna(how="all")
    return rows[rows["序号"] != "合计"]


def system_rows(root) -> pd.DataFrame:
    return pd.read_csv(root / "exports" / SYSTEM_FILE, encoding="gbk", dtype=str)


def query(con, sql: str, params=None) -> list[tuple]:
    return con.execute(sql, params).fetchall()


def test_every_row_read_is_accounted_for(demo):
    root, files, report, con = demo
    assert set(files) == {LEDGER_FILE, SYSTEM_FILE, STREET_FILE, RECEPTION_LEDGER, ROSTER_FILE}
    for f in files.values():
        assert f["refused"] is None
        assert f["rows_read"] == f["imported"] + f["updated"] + f["rejected"] + f["skipped"], f["file"]
    assert files[SYSTEM_FILE]["rows_read"] == len(system_rows(root))
    assert files[LEDGER_FILE]["skipped"] >= 2 + 2  # a 合计 row per sheet, blank rows between cases
    assert report["cases_total"] == query(con, "SELECT count(*) FROM cases")[0][0]
    assert 5500 <= report["cases_total"] <= 6500


def test_overlap_with_the_ledger_updates_cases(demo):
    root, files, _, con = demo
    ledger, system = ledger_rows(root), system_rows(root)
    ledger_ids = set(ledger["信访件编号*"].dropna())
    system_ids = system["信访编号"].dropna()
    overlap = ledger_ids & set(system_ids)
    exported_twice = len(system_ids) - system_ids.nunique()
    assert 30 <= len(overlap) <= 60 and exported_twice == 2
    assert files[SYSTEM_FILE]["updated"] == len(overlap) + exported_twice
    assert len(files[SYSTEM_FILE]["duplicates"]) == exported_twice
    assert files[LEDGER_FILE]["updated"] == files[STREET_FILE]["updated"] == 0

    # the newer export wins: overlapping cases come from it, some closed since the ledger was made
    stored = con.execute("SELECT case_id, source_file, closed_on FROM cases WHERE list_contains(?, case_id)",
                         [sorted(overlap)]).df()
    assert len(stored) == len(overlap) and set(stored["source_file"]) == {SYSTEM_FILE}
    open_in_ledger = set(ledger.loc[ledger["信访件编号*"].isin(overlap) & ledger["办结日期"].isna(), "信访件编号*"])
    closed_since = stored[stored["case_id"].isin(open_in_ledger) & stored["closed_on"].notna()]
    assert len(closed_since) > 0


def test_planted_bad_rows_are_refused_with_reasons(demo):
    root, files, _, con = demo
    system = system_rows(root)
    registered = pd.to_datetime(system["信访日期"], errors="coerce").dt.normalize()
    accepted = pd.to_datetime(system["受理时间"], errors="coerce").dt.normalize()
    closed = pd.to_datetime(system["办结时间"], errors="coerce").dt.normalize()
    persons = system["人数"]
    bad = (system["信访编号"].isna() | registered.isna() | (registered > pd.Timestamp(AS_OF))
           | (persons.notna() & ~persons.fillna("").str.fullmatch(r"[1-9]\d*"))
           | (accepted < registered) | (closed < registered))
    refused = con.execute("SELECT source_file, source_row, reason FROM rejected_rows").df()
    system_refused = refused[refused["source_file"] == SYSTEM_FILE]
    assert files[SYSTEM_FILE]["rejected"] == bad.sum() == len(system_refused) == 6
    assert set(system_refused["source_row"]) == {i + 2 for i in system.index[bad]}  # row 1 is the header
    reasons = " ".join(system_refused["reason"])
    for expected in ("信访件编号为空", "登记日期无法识别为日期", "晚于导入日期", "人数不是 1 至 10000 之间的整数：“0”",
                     "人数不是 1 至 10000 之间的整数：“两人”", "办结日期"):
        assert expected in reasons

    ledger = ledger_rows(root)
    ledger_refused = refused[refused["source_file"] == LEDGER_FILE]
    assert files[LEDGER_FILE]["rejected"] == len(ledger_refused) == 2
    assert (ledger["信访件编号*"].notna() & ledger["登记日期*"].isna()).sum() == 1
    closed_early, no_date = sorted(ledger_refused["reason"])
    assert closed_early.startswith("办结日期") and "早于登记日期" in closed_early and no_date == "登记日期为空"

    refused_ids = set(system.loc[bad, "信访编号"].dropna())
    assert query(con, "SELECT count(*) FROM cases WHERE list_contains(?, case_id)", [sorted(refused_ids)])[0][0] == 0


def test_three_falls_year_on_year(demo):
    con = demo[3]
    by_year = dict(query(con, "SELECT year(registered_on), count(*) FROM cases GROUP BY 1"))
    assert by_year[2024] > by_year[2025] > by_year[2026] >= 1200
    same_period = dict(query(con, """SELECT year(registered_on), count(*) FROM cases
                                     WHERE strftime(registered_on, '%m-%d') <= '11-20' GROUP BY 1"""))
    assert same_period[2024] > same_period[2025] > same_period[2026]
    repeat_share = dict(query(con, f"SELECT year(registered_on), avg(is_repeat::INT) FROM ({REPEATS}) GROUP BY 1"))
    assert repeat_share[2024] > repeat_share[2025] > repeat_share[2026] > 0
    skip_level = dict(query(con, """SELECT year(registered_on), sum(persons) FROM cases
                                    WHERE channel = '来访' AND level IN ('市', '省', '京') GROUP BY 1"""))
    assert skip_level[2024] > skip_level[2025] > skip_level[2026] > 0


def test_traditional_place_names_are_merged(demo):
    root, _, _, con = demo
    written = set(ledger_rows(root)["村（社区）"].dropna()) | set(ledger_rows(root)["乡镇（街道）"].dropna())
    assert {name for name in written if T2S.convert(name) != name}  # the ledger has traditional spellings
    places = query(con, "SELECT DISTINCT township, village FROM cases")
    assert {t for t, _ in places} == {"青石镇", "柳河镇", "城东街道"}
    assert len(places) == 18
    assert all(name and T2S.convert(name) == name for place in places for name in place)


def test_realistic_mix(demo):
    con = demo[3]
    categories = [c for c, _ in query(con, "SELECT category, count(*) FROM cases GROUP BY 1 ORDER BY 2 DESC")]
    assert len(categories) == 7 and categories[:2] == ["城乡建设类", "农业农村类"]
    (main_channels, key_share, open_recent), = query(con, """
        SELECT avg((channel IN ('来信', '来访', '网上信访'))::INT), avg(coalesce(key_person, false)::INT),
               count(*) FILTER (closed_on IS NULL AND registered_on > DATE '2026-08-20')
                 / count(*) FILTER (closed_on IS NULL)
        FROM cases""")
    assert main_channels > 0.8 and 0.015 < key_share < 0.05 and open_recent > 0.5
    (repeaters,), = query(con, f"SELECT count(DISTINCT who) FROM ({REPEATS}) WHERE is_repeat")
    assert 450 <= repeaters <= 750
    (old_ids, lower_x, name_only), = query(con, """
        SELECT count(*) FILTER (length(petitioner_idno) = 15), count(*) FILTER (petitioner_idno LIKE '%x'),
               count(*) FILTER (petitioner_idno IS NULL AND petitioner_name IS NOT NULL) FROM cases""")
    assert old_ids > 0 and lower_x > 0 and name_only > 0
    (large_groups,), = query(con, "SELECT count(*) FROM cases WHERE channel = '来访' AND level IN ('市', '省') "
                                  "AND persons >= 20")
    assert large_groups >= 2
    (leaders,), = query(con, "SELECT count(DISTINCT case_leader) FROM cases")
    assert 10 <= leaders <= 14


def test_building_twice_gives_the_same_files_and_cases(demo, tmp_path):
    root, _, _, con = demo
    again, con_again = build(tmp_path)
    try:
        for name in (LEDGER_FILE, SYSTEM_FILE, STREET_FILE):
            digest = [hashlib.sha256((r / "exports" / name).read_bytes()).hexdigest() for r in (root, tmp_path)]
            assert digest[0] == digest[1], name
        contents = "SELECT * EXCLUDE (import_batch) FROM cases ORDER BY case_id"
        pd.testing.assert_frame_equal(con.execute(contents).df(), con_again.execute(contents).df())
    finally:
        con_again.close()


def test_a_database_with_other_data_is_refused(tmp_path):
    con = connect(tmp_path / "office.duckdb")
    con.execute("INSERT INTO cases (case_id, registered_on, source_file) VALUES ('A1', DATE '2025-01-01', '台账.xlsx')")
    con.close()
    with pytest.raises(ValueError, match="非演示数据"):
        build_demo(tmp_path / "office.duckdb", tmp_path / "exports")
    assert not (tmp_path / "exports").exists()
