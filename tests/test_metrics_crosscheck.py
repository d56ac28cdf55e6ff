"""Cross-check: the SQL metric layer against an independent pandas implementation of METRICS.md.

Random but realistic cases (seeded numpy) are written straight into `cases`, with the
dangerous edges dense: the same person twice on one day, repeats exactly 365 and 366 days
apart, 15/18-character ID numbers with a lower-case x and (full-width) spaces, persons known
only by name, blank places, leap days, closed_on after the as-of date, every combination of
accepted/due/closed, key persons, skip-level and collective visits, and petitioners who come
back after their matter was settled. For several scopes and periods, `kpi()` and `rank()`
must equal `benchmarks/pandas_baseline.py`.
"""
from __future__ import annotations

import datetime as dt
import math
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks.pandas_baseline import METRICS, kpi_pandas, monthly_pandas, prepare_cases, rank_pandas  # noqa: E402
from queries.metrics.analysis import trend  # noqa: E402
from queries.db import connect, refresh_facts  # noqa: E402
from queries.metrics.kpi import kpi, rank  # noqa: E402
from queries.periods import Scope  # noqa: E402

EARLIEST = dt.date(2022, 3, 1)
LATEST = dt.date(2024, 12, 31)
PLACES = {
    "青石镇": ["上庄村", "下庄村", "新村"],
    "白水乡": ["新村", "河口村", "白水社区"],
    "城关街道": ["东街社区", "西街社区"],
}
CATEGORIES = ["城乡建设类", "农业农村类", "涉法涉诉类", "劳动保障类", "军人事务类", "民生保障类", "其他"]
CHANNELS = ["来访", "来信", "网上信访", "电话", "其他"]
LEAP_DAYS = [dt.date(2024, 2, 28), dt.date(2024, 2, 29), dt.date(2024, 3, 1),
             dt.date(2023, 2, 28), dt.date(2023, 3, 1), dt.date(2023, 1, 1), dt.date(2024, 1, 1)]


def _id18(rng: np.random.Generator) -> str:
    digits = "".join(str(d) for d in rng.integers(0, 10, size=17))
    return digits + str(rng.choice(list("0123456789X")))


def _spell(idno: str, rng: np.random.Generator) -> str:
    """The same ID number as a clerk might type it: lower-case x, spaces of every width."""
    out = idno.lower() if rng.random() < 0.5 else idno
    for space in rng.choice([" ", "\u3000", "\u00a0", "\t", "\u2003", " \n"], size=rng.integers(0, 3)):
        at = int(rng.integers(0, len(out) + 1))
        out = out[:at] + space + out[at:]
    return out


def _people(rng: np.random.Generator, count: int) -> list[dict]:
    people = []
    names = ["张三", "李四", "王五", "赵六", "刘芳", "陈静", "杨洋", "黄磊"]
    for i in range(count):
        township = str(rng.choice(list(PLACES) + [None], p=[0.3, 0.3, 0.3, 0.1]))
        township = None if township == "None" else township
        village = str(rng.choice(PLACES[township])) if township and rng.random() < 0.9 else None
        kind = rng.choice(["id18", "id18x", "id15", "badid", "name", "noname"],
                          p=[0.3, 0.15, 0.1, 0.1, 0.25, 0.1])
        person = {"township": township, "village": village,
                  "name": str(rng.choice(names)) + ("" if rng.random() < 0.5 else str(i % 3)),
                  "idno": None}
        if kind == "id18":
            person["idno"] = _id18(rng)
        elif kind == "id18x":
            person["idno"] = _id18(rng)[:17] + "X"
        elif kind == "id15":
            person["idno"] = "".join(str(d) for d in rng.integers(0, 10, size=15))
        elif kind == "badid":
            person["idno"] = str(rng.choice(["无", "不详", "1234567890123456", "12345678901234567"]))
        elif kind == "noname":
            person["name"] = None
        person["spell"] = kind in ("id18", "id18x", "id15")
        people.append(person)
    return people


def make_cases(seed: int, n: int = 320) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    people = _people(rng, 45)
    span = (LATEST - EARLIEST).days
    rows: list[dict] = []

    def add(person: dict, day: dt.date, category: str | None = None, **fields) -> None:
        if not (EARLIEST <= day <= LATEST):
            return
        channel = str(rng.choice(CHANNELS, p=[0.5, 0.15, 0.2, 0.1, 0.05]))
        level = str(rng.choice(["村", "镇", "县", "市", "省", "京"], p=[0.1, 0.2, 0.3, 0.2, 0.12, 0.08]))
        persons = int(rng.choice([1, 1, 1, 2, 4, 5, 6, 19, 20, 49, 50, 80]))
        accepted = None if rng.random() < 0.2 else day + dt.timedelta(int(rng.choice([0, 3, 14, 15, 16, 40, 400])))
        due_base = accepted or day
        due = None if rng.random() < 0.5 else due_base + dt.timedelta(int(rng.choice([0, 30, 60, 75, 90])))
        closed = None if rng.random() < 0.3 else (accepted or day) + dt.timedelta(
            int(rng.choice([0, 1, 30, 59, 60, 61, 74, 75, 76, 120, 400])))
        row = {
            "channel": channel, "level": level, "persons": persons,
            "petitioner_name": person["name"],
            "petitioner_idno": _spell(person["idno"], rng) if person["spell"] else person["idno"],
            "township": person["township"], "village": person["village"],
            "category": category or str(rng.choice(CATEGORIES)),
            "registered_on": day, "accepted_on": accepted, "due_on": due, "closed_on": closed,
            "resolution": rng.choice([None, "已化解", "已化解", "稳控", "未化解"]),
            "satisfaction": rng.choice([None, "满意", "基本满意", "不满意", "未评价"]),
            "key_person": rng.choice([True, False, False, False, None]),
            "repeat_flag": rng.choice([True, False, None]),
        }
        row.update(fields)
        rows.append(row)

    def random_day() -> dt.date:
        if rng.random() < 0.15:
            return LEAP_DAYS[int(rng.integers(len(LEAP_DAYS)))]
        return EARLIEST + dt.timedelta(int(rng.integers(0, span + 1)))

    # the database's first and last day
    add(people[0], EARLIEST)
    add(people[1], LATEST)
    while len(rows) < n:
        person = people[int(rng.integers(len(people)))]
        day = random_day()
        category = str(rng.choice(CATEGORIES[:3]))
        edge = rng.random()
        if edge < 0.15:      # same person, same day, same category
            add(person, day, category)
            add(person, day, category)
        elif edge < 0.30:    # repeats exactly 365 / 366 days apart (and a chain)
            add(person, day, category)
            step = int(rng.choice([365, 366, 364]))
            add(person, day + dt.timedelta(step), category)
            if rng.random() < 0.4:
                add(person, day + dt.timedelta(step + int(rng.choice([365, 366]))), category)
        elif edge < 0.40:    # settled, then back (any category)
            closed = day + dt.timedelta(int(rng.integers(0, 40)))
            add(person, day, category, resolution="已化解", closed_on=closed, accepted_on=day)
            add(person, closed + dt.timedelta(int(rng.choice([0, 1, 30, 200]))))
        elif edge < 0.48:    # skip-level collective visit by a key person
            add(person, day, category, channel="来访", level=str(rng.choice(["市", "省", "京"])),
                persons=int(rng.choice([5, 20, 50])), key_person=True)
        else:
            add(person, day)
    frame = pd.DataFrame(rows[:n])  # rows 0 and 1: the first and last day
    # case ids whose code-point order differs from registration order and from any collation
    prefixes = np.array(["XF", "xf", "信访", "10", "Z-"], dtype=object)
    numbers = rng.permutation(len(frame))
    frame["case_id"] = [f"{prefixes[i % len(prefixes)]}{k:05d}" for i, k in enumerate(numbers)]
    frame = frame.sample(frac=1.0, random_state=seed).reset_index(drop=True)
    for column in ("registered_on", "accepted_on", "due_on", "closed_on"):
        frame[column] = pd.to_datetime(frame[column]).astype("datetime64[s]")
    frame["persons"] = frame["persons"].astype("int64")
    frame["key_person"] = frame["key_person"].astype("boolean")
    frame["repeat_flag"] = frame["repeat_flag"].astype("boolean")
    return frame


def build_db(path: Path, frame: pd.DataFrame):
    con = connect(path)
    con.register("generated", frame)
    con.execute("INSERT INTO cases BY NAME SELECT * FROM generated")
    con.unregister("generated")
    refresh_facts(con)
    return con


@pytest.fixture(scope="module", params=[1, 2, 3, 4, 5])
def database(request, tmp_path_factory):
    frame = make_cases(request.param)
    con = build_db(tmp_path_factory.mktemp(f"crosscheck{request.param}") / "x.duckdb", frame)
    cases = prepare_cases(con.execute("SELECT * FROM cases").df())
    yield con, cases
    con.close()


D = dt.date
QUERIES = [
    pytest.param({}, None, None, None, id="defaults"),
    pytest.param({}, D(2024, 2, 29), None, None, id="as-of-leap-day"),
    pytest.param({}, D(2024, 6, 30), D(2024, 2, 29), D(2024, 2, 29), id="leap-day-period"),
    pytest.param({}, D(2025, 3, 1), D(2024, 2, 29), D(2025, 2, 28), id="period-from-leap-day"),
    pytest.param({}, D(2023, 8, 15), D(2023, 1, 1), D(2023, 12, 31), id="to-cut-back-no-yoy"),
    pytest.param({}, D(2023, 3, 1), None, None, id="yoy-before-data"),
    pytest.param({}, D(2024, 9, 30), D(2024, 1, 1), D(2024, 3, 31), id="to-before-as-of"),
    pytest.param({}, D(2025, 6, 30), None, None, id="as-of-after-data"),
    pytest.param({}, D(2022, 12, 31), D(2021, 12, 1), None, id="period-before-data"),
    pytest.param({"townships": ["青石镇", "城关街道"], "categories": ["城乡建设类", "农业农村类"]},
                 D(2024, 12, 31), D(2024, 3, 1), D(2024, 5, 31), id="townships-categories"),
    pytest.param({"villages": ["新村", "河口村"], "channels": ["来访", "来信"]},
                 None, D(2023, 6, 1), None, id="villages-channels"),
    pytest.param({"townships": ["白水乡"], "villages": ["新村"], "categories": ["涉法涉诉类"],
                  "channels": ["来访"]}, D(2024, 8, 31), D(2023, 9, 1), D(2024, 8, 31), id="all-filters"),
]


def _scope(scope: dict) -> Scope:
    return Scope(**{k: tuple(v) for k, v in scope.items()})


def _null(value):
    """None for SQL NULL however it arrives (None, NaN, pd.NA, NaT)."""
    return None if value is None or (not isinstance(value, (str, list, dict)) and pd.isna(value)) else value


def _same(actual, expected) -> bool:
    actual, expected = _null(actual), _null(expected)
    if expected is None or actual is None:
        return actual is expected
    if isinstance(expected, (bool, str)) or isinstance(actual, (bool, str)):
        return actual == expected
    return math.isclose(float(actual), float(expected), rel_tol=1e-9, abs_tol=1e-12)


@pytest.mark.parametrize("scope, as_of, start, end", QUERIES)
def test_kpi_matches_pandas(database, scope, as_of, start, end):
    con, cases = database
    actual = kpi(con, _scope(scope), as_of=as_of, start=start, end=end).to_json()
    expected = kpi_pandas(cases, scope, as_of=as_of, start=start, end=end)
    assert {k: str(actual[k]) for k in ("as_of", "from", "to")} == \
        {k: expected[k] for k in ("as_of", "from", "to")}
    wrong = []
    for metric_id in METRICS:
        got, want = actual["metrics"][metric_id], expected["metrics"][metric_id]
        for field in ("value", "yoy", "pop", "target", "met"):
            if not _same(got[field], want[field]):
                wrong.append(f"{metric_id}.{field}: sql={got[field]!r} pandas={want[field]!r}")
    assert not wrong, "\n".join(wrong)


RANK_FIELDS = ("rank", "township", "village", "score", "grade", "cases", "repeat_ratio",
               "skip_level_persons", "beijing_province_visits", "overdue_open", "satisfaction_rate")


@pytest.mark.parametrize("scope, as_of, start, end", QUERIES)
def test_rank_matches_pandas(database, scope, as_of, start, end):
    con, cases = database
    actual = rank(con, _scope(scope), as_of, start, end)
    expected = rank_pandas(cases, scope, as_of, start, end)
    assert [(_null(r["township"]), _null(r["village"])) for r in actual] == \
        [(r["township"], r["village"]) for r in expected]
    wrong = []
    for got, want in zip(actual, expected):
        for field in RANK_FIELDS:
            if not _same(got[field], want[field]):
                wrong.append(f"{want['township']}/{want['village']} {field}: "
                             f"sql={got[field]!r} pandas={want[field]!r}")
        lost = got["deductions"]
        lost = sum(lost.values()) if isinstance(lost, dict) else lost
        if not _same(lost, want["deductions"]):
            wrong.append(f"{want['township']}/{want['village']} deductions: "
                         f"sql={got['deductions']!r} pandas={want['deductions']!r}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("metric_id", ["cases", "repeat_ratio", "overdue_open", "first_time_resolution_rate"])
def test_trend_matches_pandas(database, metric_id):
    con, cases = database
    scope = {"townships": ["青石镇"]}
    actual = trend(con, _scope(scope), D(2024, 11, 15), [metric_id], count=24)
    expected = monthly_pandas(cases, scope, D(2024, 11, 15), metric_id, 24)
    assert len(actual) == len(expected)
    wrong = []
    for (_, got), want in zip(actual.iterrows(), expected):
        value, yoy = got[metric_id], got[f"{metric_id}_yoy"]
        value = None if pd.isna(value) else value
        yoy = None if pd.isna(yoy) else yoy
        if str(pd.Timestamp(got["start"]).date()) != want["start"] or not _same(value, want["value"]) \
                or not _same(yoy, want["yoy"]):
            wrong.append(f"{want['month']}: sql=({got['start']}, {value!r}, {yoy!r}) "
                         f"pandas=({want['start']}, {want['value']!r}, {want['yoy']!r})")
    assert not wrong, "\n".join(wrong)


# --- minimal examples of the disagreements found --------------------------------------------

def _tiny(tmp_path: Path, rows: list[dict]):
    base = {"channel": "来信", "level": "县", "persons": 1, "category": "城乡建设类",
            "petitioner_name": None, "petitioner_idno": None, "township": "青石镇", "village": "上庄村",
            "accepted_on": None, "due_on": None, "closed_on": None, "resolution": None,
            "satisfaction": None, "key_person": False, "repeat_flag": None}
    frame = pd.DataFrame([{**base, **row} for row in rows])
    for column in ("registered_on", "accepted_on", "due_on", "closed_on"):
        frame[column] = pd.to_datetime(frame[column]).astype("datetime64[s]")
    frame["key_person"] = frame["key_person"].astype("boolean")
    frame["repeat_flag"] = frame["repeat_flag"].astype("boolean")
    con = build_db(tmp_path / "tiny.duckdb", frame)
    return con, prepare_cases(con.execute("SELECT * FROM cases").df())


def test_empty_name_is_an_unknown_person(tmp_path):
    """METRICS.md: the key is 姓名|乡镇|村 "when a name is present"; else the case_id ("an unknown
    person is unique"). An empty-string name is no name: these are two unknown people, so the
    second case is no repeat. (The importer turns blank cells into NULL, so only rows written
    by other paths carry '', but the metric layer must not merge them into one person.)"""
    con, cases = _tiny(tmp_path, [
        {"case_id": "A1", "registered_on": "2024-01-01", "petitioner_name": ""},
        {"case_id": "A2", "registered_on": "2024-03-01", "petitioner_name": ""},
    ])
    expected = kpi_pandas(cases, {}, as_of=D(2024, 3, 1))["metrics"]["repeat_ratio"]["value"]
    assert expected == 0.0
    assert kpi(con, Scope(), as_of=D(2024, 3, 1)).figures["repeat_ratio"].value == expected


def test_rank_blank_village_is_null(tmp_path):
    """A place without a village (NULL) is ranked like any other and comes back as None:
    CLI.md's rank output is JSON, and NaN is not a JSON value (`xinfang rank --json` prints
    `"village": NaN`)."""
    con, cases = _tiny(tmp_path, [
        {"case_id": "B1", "registered_on": "2024-01-01", "village": None},
        {"case_id": "B2", "registered_on": "2024-01-01", "channel": "来访", "level": "市"},
    ])
    expected = rank_pandas(cases, {}, D(2024, 1, 1), None, None)
    assert [(r["township"], r["village"], r["score"]) for r in expected] == \
        [("青石镇", None, 100.0), ("青石镇", "上庄村", 99.5)]
    actual = rank(con, Scope(), D(2024, 1, 1), None, None)
    assert [(r["township"], r["village"], r["score"]) for r in actual] == \
        [(r["township"], r["village"], r["score"]) for r in expected]


def test_rank_tie_with_a_blank_village(tmp_path):
    """METRICS.md: order by score, then cases, then township, then village (by code point).
    Two places of one township with equal score and cases, one without a village: ranked,
    the blank village first (as the empty string, the same reading the SQL layer intends
    with `r["village"] or ""`), not a TypeError."""
    con, cases = _tiny(tmp_path, [
        {"case_id": "B1", "registered_on": "2024-01-01", "village": None},
        {"case_id": "B2", "registered_on": "2024-01-01", "village": "上庄村"},
        {"case_id": "B3", "registered_on": "2024-01-01", "township": None, "village": None},
    ])
    expected = rank_pandas(cases, {}, D(2024, 1, 1), None, None)
    assert [(r["township"], r["village"]) for r in expected] == \
        [(None, None), ("青石镇", None), ("青石镇", "上庄村")]
    actual = rank(con, Scope(), D(2024, 1, 1), None, None)
    assert [(_null(r["township"]), _null(r["village"])) for r in actual] == \
        [(r["township"], r["village"]) for r in expected]
