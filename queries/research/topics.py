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

from ..db import cursor, sql
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


# The 诉求群体 filter, written into a statement only when groups are chosen (like engine.py's).
GROUPS_FILTER = "AND case_id IN (SELECT case_id FROM case_groups WHERE list_contains($groups::VARCHAR[], grp))"


def _statement(name: str, scope: Scope, scoped: bool = False) -> str:
    text = sql(name)
    if scoped:
        text = f"WITH scoped AS ({sql('research/scoped_cases')})\n{text}"
    return text.replace("{groups_filter}", GROUPS_FILTER if scope.groups else "")


def _frame(con: duckdb.DuckDBPyConnection, periods: list[Period], statement: str, scope: Scope) -> pd.DataFrame:
    cur = period_cursor(con, periods)
    try:
        return query(cur, statement, scope.params())
    finally:
        cur.close()


def place_terms(con: duckdb.DuckDBPyConnection) -> set[str]:
    """Townships, villages and units: tokens of the text, but places, not 诉求."""
    cur = cursor(con)
    try:
        return {row[0] for row in cur.execute(sql("research/place_terms")).fetchall()}
    finally:
        cur.close()


def _wide(frame: pd.DataFrame, index: list[str]) -> pd.DataFrame:
    wide = frame.pivot_table(index=index, columns="period", values="cases", aggfunc="sum", fill_value=0)
    for name in COMPARED:
        if name not in wide:
            wide[name] = 0
    return wide[list(COMPARED)]


def term_counts(con: duckdb.DuckDBPyConnection, scope: Scope, periods: Periods,
                by_township: bool = False) -> pd.DataFrame:
    """Per term (and township): cases now (`cases`), in the preceding period (`prev_cases`) and a
    year earlier (`yoy_cases`), with the scope's totals of those periods (n, prev_n, yoy_n).
    Places are left out; county-wide the township column is ''."""
    name = "research/township_term_counts" if by_township else "research/term_counts"
    counts = _frame(con, list(periods.all), _statement(name, scope), scope)
    totals = _frame(con, list(periods.all), _statement("research/period_totals", scope, scoped=True), scope)
    if not by_township:
        counts["township"] = ""
        totals["township"] = ""
    counts = counts[~counts["term"].isin(place_terms(con))]
    names = {"current": "cases", "pop": "prev_cases", "yoy": "yoy_cases"}
    terms = _wide(counts, ["township", "term"]).rename(columns=names).reset_index()
    sums = _wide(totals, ["township"]).rename(columns={"current": "n", "pop": "prev_n", "yoy": "yoy_n"})
    return terms.merge(sums.reset_index(), on="township", how="left").fillna(0)


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


def _ranked(rows: list[dict]) -> list[dict]:
    return sorted(rows, key=lambda r: (-r["cases"], r["term"]))


def _emerging(rows: list[dict]) -> list[dict]:
    return sorted((r for r in rows if r["emerging"]), key=lambda r: (-r["g2"], r["term"]))


def group_counts(con: duckdb.DuckDBPyConnection, scope: Scope, periods: list[Period]) -> pd.DataFrame:
    """Cases per (period, group) in scope; every configured group has a row per period."""
    frame = _frame(con, periods, _statement("research/group_counts", scope, scoped=True), scope)
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
    rows = _rows(term_counts(con, scope, periods), periods, config)
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
    counts = term_counts(con, scope, periods, by_township=True)
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
