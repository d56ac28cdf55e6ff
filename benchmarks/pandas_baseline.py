"""An independent implementation of METRICS.md in plain pandas.

Written from the specification alone (not from queries/sql), it serves two purposes:

* a cross-check of the SQL metric layer (tests/test_metrics_crosscheck.py), and
* the baseline of the metric benchmark (benchmarks/bench_metrics.py).

Input is the `cases` table as a DataFrame (`con.execute("SELECT * FROM cases").df()`).
`prepare_cases` derives the per-case facts that do not depend on the as-of date
(petitioner_key, is_repeat, ...); every public function accepts either the raw table or
its prepared form, so a benchmark can time the preparation and the queries separately.

Scope is a dict with optional keys townships, villages, categories, channels (lists of
values; an empty or missing list means no filter).
"""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

# --- the spec's settings (METRICS.md; the defaults in its [brackets] and tables) -------------
# Written here from METRICS.md on purpose, not read from queries.config: a wrong default in
# queries/defaults.toml must make the cross-check fail, not follow it silently.
# tests/test_spec_defaults.py checks that the shipped defaults equal these.

REPEAT_WINDOW_DAYS = 365                      # [repeat_window_days]
SKIP_LEVELS = ("市", "省", "京")              # [skip_levels]
COLLECTIVE_MIN = 5                            # [collective_min]
SATISFIED = ("满意", "基本满意")              # [satisfied]
EVALUATED = SATISFIED + ("不满意",)
ACCEPTANCE_DAYS = 15                          # 按期受理: accepted within 15 days
DUE_AFTER_ACCEPTANCE = 60                     # due: accepted_on + 60 days
DUE_AFTER_REGISTRATION = 75                   # due: else registered_on + 75 days
TARGETS = {
    "repeat_ratio": 0.10,
    "first_time_resolution_rate": 0.90,
    "resolved_or_stable_rate": 0.95,
    "satisfaction_rate": 0.95,
    "key_person_stability": 1.0,
    "on_time_acceptance_rate": 1.0,
    "on_time_closure_rate": 1.0,
    "overdue_open": 0,
    "beijing_province_visits": 0,
    "large_collective_city": 0,
    "large_collective_province": 0,
    "repeat_collective_province": 0,
    "rebound_petitioners": 0,
}
DEDUCTIONS = {                                # 村(社区) ranking: points lost per event
    "visit_jing": 2.0,
    "visit_sheng": 1.0,
    "visit_shi": 0.5,
    "repeat": 0.5,
    "collective_county_up": 1.0,
    "overdue": 0.5,
}
GREEN = 95.0                                  # [green]
YELLOW = 85.0                                 # [yellow]

PROVINCE_UP = ("省", "京")
COUNTY_UP = ("县", "市", "省", "京")

# Unicode White_Space property (the ID number loses all of them, U+3000 included).
WHITESPACE = ("\t\n\u000b\u000c\r \u0085\u00a0\u1680" + "".join(chr(c) for c in range(0x2000, 0x200B))
              + "\u2028\u2029\u202f\u205f\u3000")
_WS_CLASS = "[" + WHITESPACE + "]"

# metric id -> (name, how `met` is judged)
#   "fall":  三降 without a target, met when lower than its 同比 value
#   "le"/"ge": against the target;  None: no target, met null
METRICS: dict[str, tuple[str, str | None]] = {
    "cases": ("信访总量(件)", "fall"),
    "person_visits": ("信访人次", "fall"),
    "repeat_ratio": ("重复信访占比", "le"),
    "skip_level_persons": ("越级上访人次", "fall"),
    "skip_level_petitioners": ("越级上访人数", None),
    "first_time_resolution_rate": ("初次信访一次性化解率", "ge"),
    "resolved_or_stable_rate": ("化解稳定率(化解+稳控)", "ge"),
    "satisfaction_rate": ("群众满意率", "ge"),
    "key_person_stability": ("重点人员稳定率", "ge"),
    "evaluation_rate": ("参评率", None),
    "on_time_acceptance_rate": ("按期受理率", "ge"),
    "on_time_closure_rate": ("按期办结率", "ge"),
    "overdue_open": ("超期未办结(件)", "le"),
    "beijing_province_visits": ("进京赴省访(批)", "le"),
    "large_collective_city": ("50人以上到市集体访(批)", "le"),
    "large_collective_province": ("20人以上赴省进京集体访(批)", "le"),
    "repeat_collective_province": ("重复赴省进京集体访(批)", "le"),
    "rebound_petitioners": ("已息访人员反弹(人)", "le"),
}

DATE_COLUMNS = ("registered_on", "accepted_on", "due_on", "closed_on")
TEXT_COLUMNS = ("case_id", "channel", "petitioner_name", "petitioner_idno", "township", "village",
                "category", "level", "resolution", "satisfaction")


# --- per-case facts -----------------------------------------------------------------------

def petitioner_key(cases: pd.DataFrame) -> pd.Series:
    """ID number without white space, upper-cased, if 15 or 18 long; else 姓名|乡镇|村; else case_id."""
    idno = cases["petitioner_idno"].astype("str").str.replace(_WS_CLASS, "", regex=True).str.upper()
    id_ok = idno.str.len().isin([15, 18]).fillna(False).astype(bool)
    name = cases["petitioner_name"].astype("str")
    name_ok = (name.notna() & (name != "")).fillna(False).astype(bool)
    by_name = name.fillna("") + "|" + cases["township"].astype("str").fillna("") + "|" \
        + cases["village"].astype("str").fillna("")
    key = cases["case_id"].astype("str").where(~name_ok, by_name)
    return key.where(~id_ok, idno)


def prepare_cases(cases: pd.DataFrame) -> pd.DataFrame:
    """The cases table with the facts that hold whatever the as-of date (idempotent)."""
    if "next_same_on" in cases.columns:  # prepared already (the stored cases carry is_repeat of their own)
        return cases
    df = pd.DataFrame(index=pd.RangeIndex(len(cases)))
    for column in TEXT_COLUMNS:
        df[column] = cases[column].astype("str").to_numpy()  # missing: NaN; sorts by code point
    for column in DATE_COLUMNS:
        df[column] = pd.to_datetime(cases[column]).astype("datetime64[s]").to_numpy()
    df["persons"] = pd.to_numeric(cases["persons"]).fillna(1).astype("int64").to_numpy()
    df["key_person"] = cases["key_person"].astype("boolean").fillna(False).astype(bool).to_numpy()
    df["petitioner_key"] = petitioner_key(df).to_numpy()

    # Earlier/later cases of the same person and category, in (registered_on, case_id) order.
    ordered = df.sort_values(["petitioner_key", "category", "registered_on", "case_id"])
    same = ordered.groupby(["petitioner_key", "category"], sort=False)["registered_on"]
    window = pd.Timedelta(days=REPEAT_WINDOW_DAYS)
    previous = same.shift(1)
    df["is_repeat"] = ((ordered["registered_on"] - previous) <= window).reindex(df.index)
    # The next case in that order: if within the window it makes this one "not once resolved".
    following = same.shift(-1)
    df["next_same_on"] = following.where(following - ordered["registered_on"] <= window).reindex(df.index)

    visit = df["channel"] == "来访"
    df["is_visit"] = visit
    df["is_skip_level"] = visit & df["level"].isin(SKIP_LEVELS)
    df["is_collective"] = visit & (df["persons"] >= COLLECTIVE_MIN)

    # 已息访: the earliest closed_on of any 已化解 case of the same person.
    settled = df.loc[(df["resolution"] == "已化解") & df["closed_on"].notna()]
    first_settled = settled.groupby("petitioner_key")["closed_on"].min()
    df["first_settled_on"] = first_settled.reindex(df["petitioner_key"]).to_numpy()
    df["settled_before"] = df["first_settled_on"] < df["registered_on"]
    # What the metrics read, and nothing else; few distinct values each, so categorical
    # (every evaluation copies the rows in scope: codes are cheaper to copy than strings).
    for column in ("petitioner_key", "township", "village", "category", "channel", "level",
                   "resolution", "satisfaction"):
        df[column] = df[column].astype("category")
    return df.drop(columns=["case_id", "petitioner_name", "petitioner_idno"])


# --- periods ------------------------------------------------------------------------------

def _date(value) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, str):
        return dt.date.fromisoformat(value)
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, pd.Timestamp):
        return value.date()
    return value


def year_back(day: dt.date) -> dt.date:
    """The same date one year earlier; 29 Feb -> 28 Feb."""
    if day.month == 2 and day.day == 29:
        return dt.date(day.year - 1, 2, 28)
    return day.replace(year=day.year - 1)


def resolve_period(df: pd.DataFrame, as_of=None, start=None, end=None) -> tuple[dt.date, dt.date, dt.date]:
    as_of = _date(as_of) or df["registered_on"].max().date()
    start = _date(start) or dt.date(as_of.year, 1, 1)
    end = _date(end) or as_of
    return as_of, start, min(end, as_of)


def comparisons(as_of: dt.date, start: dt.date, end: dt.date) -> dict[str, tuple[dt.date, dt.date, dt.date]]:
    """(as_of, from, to) of the 同比 and 环比 periods."""
    length = (end - start).days + 1
    shift = dt.timedelta(days=length)
    return {
        "yoy": (year_back(as_of), year_back(start), year_back(end)),
        "pop": (as_of - shift, start - shift, start - dt.timedelta(days=1)),
    }


# --- the metrics --------------------------------------------------------------------------

def scope_mask(df: pd.DataFrame, scope: dict | None, places_only: bool = False) -> np.ndarray:
    scope = scope or {}
    mask = np.ones(len(df), dtype=bool)
    filters = [("townships", "township"), ("villages", "village")]
    if not places_only:
        filters += [("categories", "category"), ("channels", "channel")]
    for option, column in filters:
        values = list(scope.get(option) or ())
        if values:
            mask &= df[column].isin(values).to_numpy()
    return mask


def _ratio(numerator, denominator):
    return None if denominator == 0 else numerator / denominator


def _case_flags(df: pd.DataFrame, in_scope: np.ndarray, as_of: dt.date, start: dt.date, end: dt.date) -> pd.DataFrame:
    """Per-case booleans of one evaluation (as of `as_of`, period [start, end])."""
    as_of_ts, start_ts, end_ts = pd.Timestamp(as_of), pd.Timestamp(start), pd.Timestamp(end)
    reg = df["registered_on"]
    accepted, closed_on = df["accepted_on"], df["closed_on"]

    due = df["due_on"].copy()
    from_acceptance = due.isna() & (accepted <= as_of_ts)
    due = due.where(~from_acceptance, accepted + pd.Timedelta(days=DUE_AFTER_ACCEPTANCE))
    due = due.where(due.notna(), reg + pd.Timedelta(days=DUE_AFTER_REGISTRATION))

    closed = closed_on <= as_of_ts
    overdue = ~closed & (due < as_of_ts)
    in_period = pd.Series(in_scope, index=df.index) & (reg >= start_ts) & (reg <= end_ts)
    accepted_now = accepted <= as_of_ts
    return pd.DataFrame({
        "in_period": in_period,
        "closed": closed,
        "backlog": pd.Series(in_scope, index=df.index) & (reg <= end_ts) & overdue,
        "acceptance_due": accepted_now | (reg + pd.Timedelta(days=ACCEPTANCE_DAYS) < as_of_ts),
        "accepted_on_time": accepted_now & (accepted <= reg + pd.Timedelta(days=ACCEPTANCE_DAYS)),
        "closure_due": closed | (due < as_of_ts),
        "closed_on_time": closed & (closed_on <= due),
        # 已化解 and no later case of the same matter within the window, up to the as-of date
        "once_resolved": (df["resolution"] == "已化解") & ~(df["next_same_on"] <= as_of_ts),
    })


def evaluate(df: pd.DataFrame, scope: dict | None, as_of: dt.date, start: dt.date, end: dt.date) -> dict:
    """Every metric's value for one (scope, as_of, period)."""
    df = df.loc[(df["registered_on"] <= pd.Timestamp(end)).to_numpy()]  # nothing counts after `to`
    in_scope = scope_mask(df, scope)
    flags = _case_flags(df, in_scope, as_of, start, end)
    p = df[flags["in_period"].to_numpy()]
    f = flags[flags["in_period"]]
    n = len(p)
    visit = p["is_visit"]
    province = p["level"].isin(PROVINCE_UP)
    skip = p["is_skip_level"]

    closed = f["closed"]
    evaluated = p["satisfaction"].isin(EVALUATED)
    first_closed = ~p["is_repeat"] & closed

    key_cases = df[in_scope & df["key_person"].to_numpy()]  # registered on or before `to`
    key_persons = set(key_cases["petitioner_key"].unique())
    unstable = key_persons & set(p.loc[skip, "petitioner_key"].unique())

    return {
        "cases": n,
        "person_visits": int(p["persons"].sum()),
        "repeat_ratio": _ratio(int(p["is_repeat"].sum()), n),
        "skip_level_persons": int(p.loc[skip, "persons"].sum()),
        "skip_level_petitioners": int(p.loc[skip, "petitioner_key"].nunique()),
        "first_time_resolution_rate": _ratio(int((first_closed & f["once_resolved"]).sum()),
                                             int(first_closed.sum())),
        "resolved_or_stable_rate": _ratio(int(p["resolution"].isin(["已化解", "稳控"]).sum()), n),
        "satisfaction_rate": _ratio(int((closed & p["satisfaction"].isin(SATISFIED)).sum()),
                                    int((closed & evaluated).sum())),
        "key_person_stability": _ratio(len(key_persons) - len(unstable), len(key_persons)),
        "evaluation_rate": _ratio(int((closed & evaluated).sum()), int(closed.sum())),
        "on_time_acceptance_rate": _ratio(int((f["acceptance_due"] & f["accepted_on_time"]).sum()),
                                          int(f["acceptance_due"].sum())),
        "on_time_closure_rate": _ratio(int((f["closure_due"] & f["closed_on_time"]).sum()),
                                       int(f["closure_due"].sum())),
        "overdue_open": int(flags["backlog"].sum()),
        "beijing_province_visits": int((visit & province).sum()),
        "large_collective_city": int((visit & (p["level"] == "市") & (p["persons"] >= 50)).sum()),
        "large_collective_province": int((visit & province & (p["persons"] >= 20)).sum()),
        "repeat_collective_province": int((p["is_collective"] & province & p["is_repeat"]).sum()),
        "rebound_petitioners": int(p.loc[p["settled_before"], "petitioner_key"].nunique()),
    }


def _met(rule: str | None, value, yoy, target):
    if rule is None or value is None:
        return None
    if rule == "fall":
        # METRICS.md: lower than 同比, or both 0 (nothing to bring down)
        return None if yoy is None else value < yoy or value == yoy == 0
    if rule == "le":
        return value <= target
    return value >= target


def _comparable(df: pd.DataFrame, start: dt.date) -> bool:
    """A comparison that starts before the earliest registered_on has no data."""
    return pd.Timestamp(start) >= df["registered_on"].min()


def kpi_pandas(cases: pd.DataFrame, scope: dict | None = None, as_of=None, start=None, end=None) -> dict:
    """The kpi JSON of CLI.md: as_of/from/to and metrics {id: {name, value, yoy, pop, target, met}}."""
    df = prepare_cases(cases)
    as_of, start, end = resolve_period(df, as_of, start, end)
    in_scope = df.loc[scope_mask(df, scope)]  # the whole-database facts are already per case
    current = evaluate(in_scope, None, as_of, start, end)
    other = {name: evaluate(in_scope, None, *period) if _comparable(df, period[1]) else None
             for name, period in comparisons(as_of, start, end).items()}
    metrics = {}
    for metric_id, (name, rule) in METRICS.items():
        target = TARGETS.get(metric_id) if rule in ("le", "ge") else None
        value = current[metric_id]
        yoy = other["yoy"][metric_id] if other["yoy"] else None
        pop = other["pop"][metric_id] if other["pop"] else None
        metrics[metric_id] = {"name": name, "value": value, "yoy": yoy, "pop": pop,
                              "target": target, "met": _met(rule, value, yoy, target)}
    return {"as_of": as_of.isoformat(), "from": start.isoformat(), "to": end.isoformat(),
            "metrics": metrics}


# --- ranking ------------------------------------------------------------------------------

def _none(value):
    return None if pd.isna(value) else value


def _grade(score: float) -> str:
    return "绿" if score >= GREEN else "黄" if score >= YELLOW else "红"


def rank_pandas(cases: pd.DataFrame, scope: dict | None = None, as_of=None, start=None, end=None) -> list[dict]:
    """The rank JSON of CLI.md (plus `deductions`, the total points lost), in ranking order."""
    df = prepare_cases(cases)
    as_of, start, end = resolve_period(df, as_of, start, end)
    in_scope = scope_mask(df, scope)
    flags = _case_flags(df, in_scope, as_of, start, end)
    place = ["township", "village"]

    # every place with any case in the database, within the place filters
    places = (df.loc[scope_mask(df, scope, places_only=True), place]
              .drop_duplicates().reset_index(drop=True))

    p = df.loc[flags["in_period"].to_numpy()].copy()
    f = flags.loc[flags["in_period"]]
    level, visit = p["level"], p["is_visit"]
    closed = f["closed"]
    p["one"] = 1
    p["repeat"] = p["is_repeat"].astype(int)
    p["skip_persons"] = p["persons"].where(p["is_skip_level"], 0)
    p["beijing_province"] = (visit & level.isin(PROVINCE_UP)).astype(int)
    p["satisfied"] = (closed & p["satisfaction"].isin(SATISFIED)).astype(int)
    p["evaluated"] = (closed & p["satisfaction"].isin(EVALUATED)).astype(int)
    p["lost"] = (DEDUCTIONS["visit_jing"] * (visit & (level == "京"))
                 + DEDUCTIONS["visit_sheng"] * (visit & (level == "省"))
                 + DEDUCTIONS["visit_shi"] * (visit & (level == "市"))
                 + DEDUCTIONS["repeat"] * p["is_repeat"]
                 + DEDUCTIONS["collective_county_up"] * (p["is_collective"] & level.isin(COUNTY_UP)))
    figures = (p.groupby(place, dropna=False, observed=True)[["one", "repeat", "skip_persons", "beijing_province",
                                              "satisfied", "evaluated", "lost"]].sum().reset_index())
    backlog = (df.loc[flags["backlog"].to_numpy()].groupby(place, dropna=False, observed=True)
               .size().rename("overdue_open").reset_index())

    table = places.merge(figures, on=place, how="left").merge(backlog, on=place, how="left")
    table = table.fillna({c: 0 for c in ("one", "repeat", "skip_persons", "beijing_province",
                                         "satisfied", "evaluated", "lost", "overdue_open")})
    table["deductions"] = table["lost"] + DEDUCTIONS["overdue"] * table["overdue_open"]
    table["score"] = 100.0 - table["deductions"]

    rows = []
    for r in table.itertuples(index=False):
        cases_n = int(r.one)
        rows.append({
            "township": _none(r.township), "village": _none(r.village), "score": float(r.score),
            "grade": _grade(r.score), "cases": cases_n,
            "repeat_ratio": _ratio(int(r.repeat), cases_n),
            "skip_level_persons": int(r.skip_persons),
            "beijing_province_visits": int(r.beijing_province),
            "overdue_open": int(r.overdue_open),
            "satisfaction_rate": _ratio(int(r.satisfied), int(r.evaluated)),
            "deductions": float(r.deductions),
        })
    # score desc, cases asc, township, village (by code point; a blank place is the empty string)
    rows.sort(key=lambda r: (-r["score"], r["cases"], r["township"] or "", r["village"] or ""))
    return [{"rank": i, **row} for i, row in enumerate(rows, start=1)]


# --- monthly trend ------------------------------------------------------------------------

def _month_start(day: dt.date, back: int) -> dt.date:
    index = day.year * 12 + day.month - 1 - back
    return dt.date(index // 12, index % 12 + 1, 1)


def monthly_pandas(cases: pd.DataFrame, scope: dict | None, as_of, metric_id: str, count: int = 24) -> list[dict]:
    """The last `count` months up to the as-of month, oldest first: each month as of its own
    last day (the running month as of as_of), with its 同比 value."""
    df = prepare_cases(cases)
    as_of = _date(as_of) or df["registered_on"].max().date()
    in_scope = df.loc[scope_mask(df, scope)]
    rows = []
    for back in range(count - 1, -1, -1):
        start = _month_start(as_of, back)
        end = min(_month_start(as_of, back - 1) - dt.timedelta(days=1), as_of)
        value = evaluate(in_scope, None, end, start, end)[metric_id]
        yoy_as_of, yoy_start, yoy_end = comparisons(end, start, end)["yoy"]
        yoy = (evaluate(in_scope, None, yoy_as_of, yoy_start, yoy_end)[metric_id]
               if _comparable(df, yoy_start) else None)
        rows.append({"month": start.strftime("%Y-%m"), "start": start.isoformat(), "value": value, "yoy": yoy})
    return rows
