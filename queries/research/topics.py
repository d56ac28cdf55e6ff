"""热点诉求, 新出现的问题 and 诉求群体 for any scope and period, from the stored case terms.

A term's `cases` is the number of cases in scope registered in the period whose 信访事由 has
the term; `share` divides it by all cases in scope of the period (the scorecard's 信访总量).
A term is *emerging* (新出现的问题) when its share rose against the preceding equal-length period
(the 环比 period of periods.resolve) with a log-likelihood G² of at least `emerging_g2` and at
least `min_cases` cases now: a proper test, so 1 → 3 cases is noise and 2 → 20 of 200 is not.
"""
from __future__ import annotations

import math
from datetime import date

import duckdb
import pandas as pd

from ..db import sql
from ..engine import base_query, period_cursor, query
from ..periods import Period, Periods, Scope, data_range, months, resolve
from ..privacy import mask_frame
from .terms import topics_config

COMPARED = ("current", "pop", "yoy")


def g2(a: int, n1: int, b: int, n2: int) -> float:
    """Dunning's log-likelihood G² of a term in a cases of n1 against b cases of n2."""
    observed = ((a, n1 - a), (b, n2 - b))
    total = n1 + n2
    columns = (a + b, total - a - b)
    value = 0.0
    for row, size in zip(observed, (n1, n2)):
        for cell, column in zip(row, columns):
            if cell > 0:
                value += cell * math.log(cell * total / (size * column))
    return 2 * value


def is_emerging(a: int, n1: int, b: int | None, n2: int | None, config: dict | None = None) -> tuple[bool, float | None]:
    """(emerging?, G²) of a term with a of n1 cases now and b of n2 in the preceding period;
    (False, None) when there is no preceding period to compare with."""
    config = config or topics_config()
    if not n1 or not n2 or b is None:
        return False, None
    value = g2(a, n1, b, n2)
    rose = a * n2 > b * n1
    return bool(rose and a >= config["min_cases"] and value >= config["emerging_g2"]), value


def _scoped(name: str) -> str:
    return f"WITH scoped AS ({sql('research/scoped_cases')})\n{sql(name)}"


def place_words(con: duckdb.DuckDBPyConnection) -> set[str]:
    """Townships, villages and units: tokens of the text, but places, not 诉求."""
    cur = con.cursor()
    try:
        cur.execute("USE xf")
        return {row[0] for row in cur.execute(sql("research/place_words")).fetchall()}
    finally:
        cur.close()


def term_counts(con: duckdb.DuckDBPyConnection, scope: Scope, periods: Periods) -> pd.DataFrame:
    """Per (township, term): cases now, in the preceding period and a year earlier, with the
    period totals of the township (n, prev_n, yoy_n). Places are left out; the rows with
    term NA are the totals."""
    cur = period_cursor(con, periods.all)
    try:
        frame = query(cur, _scoped("research/term_counts"), scope.params())
    finally:
        cur.close()
    frame["township"] = frame["township"].astype(object).where(frame["township"].notna(), "")
    totals = frame[frame["term"].isna()].pivot_table(index="township", columns="period", values="cases",
                                                     aggfunc="sum", fill_value=0)
    terms = frame[frame["term"].notna()].pivot_table(index=["township", "term"], columns="period",
                                                     values="cases", aggfunc="sum", fill_value=0)
    for name in COMPARED:
        for table in (terms, totals):
            if name not in table:
                table[name] = 0
    result = terms[list(COMPARED)].reset_index()
    result = result.merge(totals[list(COMPARED)].add_suffix("_n").reset_index(), on="township", how="left")
    result = result.rename(columns={"current": "cases", "pop": "prev_cases", "yoy": "yoy_cases",
                                    "current_n": "n", "pop_n": "prev_n", "yoy_n": "yoy_n"})
    places = place_words(con)
    return result[~result["term"].isin(places)].reset_index(drop=True)


def _rows(frame: pd.DataFrame, periods: Periods, config: dict) -> list[dict]:
    rows = []
    for r in frame.itertuples(index=False):
        prev = int(r.prev_cases) if periods.pop.comparable else None
        yoy = int(r.yoy_cases) if periods.yoy.comparable else None
        emerging, value = is_emerging(int(r.cases), int(r.n), prev, int(r.prev_n) if prev is not None else None,
                                      config)
        rows.append({"term": r.term, "cases": int(r.cases), "share": round(r.cases / r.n, 4) if r.n else None,
                     "prev_cases": prev, "yoy_cases": yoy, "emerging": emerging,
                     "g2": None if value is None else round(value, 1)})
    return rows


def county_terms(counts: pd.DataFrame) -> pd.DataFrame:
    """The per-township counts summed over townships (a case has one township)."""
    totals = counts.drop_duplicates("township")[["township", "n", "prev_n", "yoy_n"]].sum(numeric_only=True)
    frame = counts.groupby("term", as_index=False)[["cases", "prev_cases", "yoy_cases"]].sum()
    return frame.assign(n=totals.get("n", 0), prev_n=totals.get("prev_n", 0), yoy_n=totals.get("yoy_n", 0))


def _ranked(rows: list[dict]) -> list[dict]:
    return sorted(rows, key=lambda r: (-r["cases"], r["term"]))


def _emerging(rows: list[dict]) -> list[dict]:
    return sorted((r for r in rows if r["emerging"]), key=lambda r: (-r["g2"], r["term"]))


def group_counts(con: duckdb.DuckDBPyConnection, scope: Scope, periods: list[Period]) -> pd.DataFrame:
    """Cases per (period, group) in scope; every configured group has a row per period."""
    cur = period_cursor(con, periods)
    try:
        frame = query(cur, _scoped("research/group_counts"), scope.params())
    finally:
        cur.close()
    grid = pd.MultiIndex.from_product([[p.name for p in periods], list(topics_config().get("groups", {}))],
                                      names=["period", "grp"]).to_frame(index=False)
    frame = grid.merge(frame, on=["period", "grp"], how="left")
    frame["cases"] = frame["cases"].fillna(0).astype("int64")
    return frame.rename(columns={"grp": "group"})


def topics(con: duckdb.DuckDBPyConnection, scope: Scope = Scope(), as_of: date | None = None,
           start: date | None = None, end: date | None = None, top: int = 20) -> dict:
    """The CLI's `topics` document: the top terms of the period, the emerging ones, the groups."""
    periods = resolve(con, as_of, start, end)
    config = topics_config()
    rows = _rows(county_terms(term_counts(con, scope, periods)), periods, config)
    groups = group_counts(con, scope, list(periods.all)).pivot(index="group", columns="period", values="cases")
    group_rows = [{"group": name, "cases": int(groups.at[name, "current"]),
                   "prev_cases": int(groups.at[name, "pop"]) if periods.pop.comparable else None,
                   "yoy_cases": int(groups.at[name, "yoy"]) if periods.yoy.comparable else None}
                  for name in config.get("groups", {})]
    current = periods.current
    return {"as_of": current.as_of.isoformat(), "from": current.start.isoformat(), "to": current.end.isoformat(),
            "prev_from": periods.pop.start.isoformat(), "prev_to": periods.pop.end.isoformat(),
            "terms": _ranked(rows)[:top], "emerging": _emerging(rows), "groups": group_rows}


def emerging_by_township(con: duckdb.DuckDBPyConnection, scope: Scope, periods: Periods) -> pd.DataFrame:
    """The emerging terms of each township: township, term, cases, share, prev_cases, g2."""
    config = topics_config()
    counts = term_counts(con, scope, periods)
    found = []
    for township, part in counts.groupby("township", sort=True):
        for row in _emerging(_rows(part, periods, config)):
            found.append({"township": township or "（未填乡镇）", **row})
    return pd.DataFrame(found, columns=["township", "term", "cases", "share", "prev_cases", "yoy_cases",
                                        "emerging", "g2"])


def alerts(topics_result: dict) -> list[dict]:
    """Emerging terms with at least `alert_cases` cases: the 告警 on 总览."""
    threshold = topics_config()["alert_cases"]
    return [r for r in topics_result["emerging"] if r["cases"] >= threshold]


def group_trend(con: duckdb.DuckDBPyConnection, scope: Scope, as_of: date, count: int = 12) -> pd.DataFrame:
    """Cases per month and group over the `count` months up to the as-of month: month, group, cases."""
    periods = months(as_of, count, first=data_range(con)[0])
    return group_counts(con, scope, periods).rename(columns={"period": "month"})


def _case_list(con, scope: Scope, period: Period, name: str, masked: bool, **params) -> pd.DataFrame:
    statement = sql(name).replace("{columns}", sql("views/case_columns"))
    frame = base_query(con, scope, period, statement, **params)
    return mask_frame(frame) if masked else frame


def term_cases(con: duckdb.DuckDBPyConnection, scope: Scope, period: Period, term: str,
               masked: bool = True) -> pd.DataFrame:
    """The period's cases in scope whose 信访事由 has `term` (masked unless asked otherwise)."""
    return _case_list(con, scope, period, "research/term_cases", masked, term=term)


def group_cases(con: duckdb.DuckDBPyConnection, scope: Scope, period: Period, group: str,
                masked: bool = True) -> pd.DataFrame:
    """The period's cases in scope of one 诉求群体 (masked unless asked otherwise)."""
    return _case_list(con, scope, period, "research/group_cases", masked, group=group)
