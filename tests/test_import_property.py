"""Property test of the importer over random messy exports (SCHEMA.md §4–§6).

Each example is a real CSV (in a random encoding) or xlsx file with a random column order,
random header synonyms, random blanks, dates in every accepted form plus garbage, persons
values incl. zero/negative/fractions/text, case ids incl. blanks, padded and repeated ids,
total rows and blank rows. An independent oracle, written from SCHEMA.md §5 alone, predicts
for every row whether it is skipped, refused or accepted; the importer must agree and keep
rows_read = imported + updated + rejected + skipped.
"""
from __future__ import annotations

import re
import tempfile
import unicodedata
from datetime import date, datetime, timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import write_csv, write_xlsx
from queries.db import connect
from queries.ingest.importer import import_file

AS_OF = date(2026, 6, 30)
GARBAGE = object()      # a non-blank value that is not a date
FULL_WIDTH = str.maketrans("0123456789-/.", "０１２３４５６７８９－／．")

SYNONYMS = {
    "case_id": ["信访件编号", "信访编号", "信訪件編號*", "登记编号"],
    "registered_on": ["登记日期", "登记时间", "登記日期", "来访日期 *"],
    "persons": ["人数", "来访人数", "人數"],
    "accepted_on": ["受理日期", "受理时间"],
    "closed_on": ["办结日期", "辦結日期", "办结时间"],
    "channel": ["信访形式", "信访方式"],
    "township": ["乡镇", "乡镇（街道）", "所属乡镇"],
    "village": ["村(社区)", "村（社區）", "村居"],
    "category": ["问题分类", "内容分类"],
    "key_person": ["重点人员", "是否重点人员"],
    "note": ["备注"],           # unknown: never a known header
}
KNOWN_OPTIONAL = ["persons", "accepted_on", "closed_on", "channel", "township", "village", "category",
                  "key_person"]

CASE_IDS = ["A1", "A2", "A3", "A4", "B1", "B2", " A1 ", "A2\u3000", 1001, "A1", "A3", "", "  "]
# SCHEMA.md §4: the same ids with format characters and in full width (not all encodable in GBK)
LOOKALIKE_IDS = ["A1\u200b", "\u202eA2", "A\u00ad3", "\ufeffB1", "Ａ1", "Ｂ２", "\u2060", "A\u200d4"]
INVISIBLE = re.compile("[\u200b\u200d\u202e\ufeff\u2060\u00ad]")
# (cell, valid?) — SCHEMA.md §4/§5 rule 4: blank -> 1, else a whole number >= 1
VALID_PERSONS = [("", True), (None, True), ("1", True), ("3", True), ("12", True), (5, True), (2.0, True)]
INVALID_PERSONS = [("0", False), (0, False), ("-2", False), (-2, False), ("1.5", False), (1.5, False),
                   ("两人", False), ("abc", False), ("10001", False), ("3000000000", False), (1e12, False),
                   ("9" * 40, False)]


def weighted(*choices):
    """One of the strategies, chosen with the given integer weights."""
    slots = [strategy for weight, strategy in choices for _ in range(weight)]
    return st.integers(0, len(slots) - 1).flatmap(lambda i: slots[i])


PERSONS = weighted((4, st.sampled_from(VALID_PERSONS)), (1, st.sampled_from(INVALID_PERSONS)))
GARBAGE_DATES = ["abc", "2025-02-30", "2025-13-01", "明天", "32/13/2025", "不详", "2025年", "??"]
OTHER_CELLS = {
    "channel": ["", "来信", "来访", "手机信访", "走访", "來訪"],
    "township": ["", "青石镇", "青石鎮", "柳河镇"],
    "village": ["", "上庄村", "上莊村", "东风村"],
    "category": ["", "城建_拆迁", "教育", "劳动保障类"],
    "key_person": ["", "是", "否", "√", "也许"],
    "note": ["", "无", "见附件"],
}
TOTALS = ["合计", "总计", "小计"]


def date_strategy(kind: str):
    """(cell, meaning): meaning is a date, None (blank) or GARBAGE."""
    forms = ["iso", "slash", "dot", "cn", "compact", "datetime", "full"]
    if kind == "xlsx":
        forms += ["date_cell", "datetime_cell", "serial"]
    day = st.dates(min_value=date(2024, 12, 1), max_value=date(2026, 8, 31))

    def render(d: date, form: str):
        return {
            "iso": d.isoformat(),
            "slash": f"{d.year}/{d.month}/{d.day}",
            "dot": f"{d.year}.{d.month}.{d.day}",
            "cn": f"{d.year}年{d.month}月{d.day}日",
            "compact": d.strftime("%Y%m%d"),
            "datetime": d.isoformat() + " 15:42:07",
            "full": d.isoformat().translate(FULL_WIDTH),
            "date_cell": d,
            "datetime_cell": datetime(d.year, d.month, d.day, 9, 30),
            "serial": (d - date(1899, 12, 30)).days,
        }[form], d

    readable = st.builds(render, day, st.sampled_from(forms))
    garbage = st.sampled_from(GARBAGE_DATES).map(lambda g: (g, GARBAGE))
    empty = st.sampled_from(["", None]).map(lambda b: (b, None))
    ancient = st.sampled_from([date(1899, 12, 30), date(1, 1, 1), date(1979, 12, 31)]).map(
        lambda d: (d.isoformat(), d))                          # before the floor (SCHEMA.md §5 rule 3)
    return weighted((8, readable), (1, garbage), (1, empty), (1, ancient))


def relative_date(kind: str, registered):
    """accepted_on / closed_on: blank, garbage, or a few days around registered_on."""
    if not isinstance(registered, date):
        return date_strategy(kind)
    # a few days before registered_on, but never before 0001-01-01 (an ancient registered_on)
    shifted = st.integers(max(-4, 1 - registered.toordinal()), 30).map(lambda n: registered + timedelta(days=n))
    return st.one_of(
        st.tuples(shifted, st.sampled_from(["iso", "cn", "slash"])).map(
            lambda t: ({"iso": t[0].isoformat(), "cn": f"{t[0].year}年{t[0].month}月{t[0].day}日",
                        "slash": f"{t[0].year}/{t[0].month}/{t[0].day}"}[t[1]], t[0])),
        st.just(("", None)),
        st.sampled_from(GARBAGE_DATES).map(lambda g: (g, GARBAGE)),
    )


@st.composite
def exports(draw):
    kind = draw(st.sampled_from(["csv", "xlsx"]))
    encoding = draw(st.sampled_from(["utf-8-sig", "utf-8", "gbk", "gb18030"]))
    optional = draw(st.lists(st.sampled_from(KNOWN_OPTIONAL), min_size=1, unique=True))
    if draw(st.booleans()):
        optional.append("note")
    fields = draw(st.permutations(["case_id", "registered_on", *optional]))
    header = [draw(st.sampled_from(SYNONYMS[f])) for f in fields]
    rows = []   # (kind, cells by field, meanings)
    for _ in range(draw(st.integers(0, 25))):
        row_kind = draw(st.sampled_from(["data"] * 8 + ["total", "blank"]))
        if row_kind == "total":
            cells = [draw(st.sampled_from(TOTALS))] + [draw(st.sampled_from(["", "12", "3"]))
                                                       for _ in fields[1:]]
            rows.append(("total", cells, {}))
            continue
        if row_kind == "blank":
            rows.append(("blank", ["" for _ in fields], {}))
            continue
        values, meaning = {}, {}
        values["case_id"] = draw(st.sampled_from(CASE_IDS + (LOOKALIKE_IDS if kind == "xlsx" or encoding != "gbk" else [])))
        values["registered_on"], meaning["registered_on"] = draw(date_strategy(kind))
        values["persons"], meaning["persons"] = draw(PERSONS)
        for name in ("accepted_on", "closed_on"):
            values[name], meaning[name] = draw(relative_date(kind, meaning["registered_on"]))
        for name, pool in OTHER_CELLS.items():
            values[name] = draw(st.sampled_from(pool))
        cells = [values[f] for f in fields]
        meaning = {f: m for f, m in meaning.items() if f in fields}
        rows.append(("data", cells, {"case_id": values["case_id"], **meaning}))
    return kind, encoding, draw(st.booleans()), header, fields, rows


def blank(cell) -> bool:
    return cell is None or (isinstance(cell, str) and not INVISIBLE.sub("", cell).strip())


def verdict(row_kind: str, cells: list, meaning: dict) -> str:
    """'skipped', 'refused' or 'accepted', from SCHEMA.md §4–§5 alone."""
    if all(blank(c) for c in cells):
        return "skipped"                           # a blank row
    if row_kind == "total":
        return "skipped"
    if blank(meaning["case_id"]):
        return "refused"                           # rule 1
    registered = meaning.get("registered_on")      # None when blank or the column is absent
    if registered is None or registered is GARBAGE:
        return "refused"                           # rule 2
    if registered > AS_OF or registered < date(1980, 1, 1):
        return "refused"                           # rule 3
    if meaning.get("persons", True) is False:
        return "refused"                           # rule 4
    for name in ("accepted_on", "closed_on"):      # rule 5 (unreadable -> only a warning)
        other = meaning.get(name)
        if isinstance(other, date) and date(1980, 1, 1) <= other < registered:   # an ancient one is blanked
            return "refused"
    return "accepted"


def case_key(case_id) -> str:
    return unicodedata.normalize("NFKC", INVISIBLE.sub("", str(case_id))).strip()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(exports())
def test_random_messy_exports_are_fully_accounted_for(example):
    kind, encoding, title, header, fields, rows = example
    if kind == "xlsx":
        # xlsx stores no trailing empty rows: those rows do not exist in the file
        while rows and all(blank(c) for c in rows[-1][1]):
            rows.pop()
    table = ([["某镇信访事项登记台账"]] if title else []) + [header] + [cells for _, cells, _ in rows]
    first_row = len(table) - len(rows) + 1          # 1-based source row of the first data row

    expected = [verdict(k, cells, m) for k, cells, m in rows]
    refused_rows = {first_row + i for i, v in enumerate(expected) if v == "refused"}
    accepted = [(first_row + i, rows[i][2]) for i, v in enumerate(expected) if v == "accepted"]
    latest = {}
    for number, meaning in accepted:                 # the later row wins
        latest[case_key(meaning["case_id"])] = (number, meaning["registered_on"])

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        if kind == "xlsx":
            path = write_xlsx(tmp / "export.xlsx", {"台账": table})
        else:
            path = write_csv(tmp / "export.csv", table, encoding=encoding)
        con = connect(tmp / "p.duckdb")
        try:
            report = import_file(con, path, as_of=AS_OF).to_dict()   # no exception escapes

            assert report["refused"] is None, report["refused"]
            assert report["rows_read"] == len(rows)
            assert report["rows_read"] == (report["imported"] + report["updated"]
                                           + report["rejected"] + report["skipped"])
            assert report["skipped"] == expected.count("skipped")
            assert report["rejected"] == expected.count("refused")
            assert report["imported"] + report["updated"] == len(accepted)
            assert report["imported"] == len(latest)

            stored = dict(con.execute("SELECT case_id, (source_row, registered_on) FROM cases").fetchall())
            assert con.execute("SELECT count(*) FROM cases").fetchone()[0] == len(latest)
            assert {k: (v[0], v[1]) for k, v in stored.items()} == latest

            got_refused = [r[0] for r in con.execute(
                "SELECT source_row FROM rejected_rows WHERE import_batch = ?", [report["batch"]]).fetchall()]
            assert sorted(got_refused) == sorted(refused_rows)
        finally:
            con.close()
