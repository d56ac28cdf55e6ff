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

from ..db import compose, cursor, sql
from ..ingest.terms import topics_config
from ..metrics.engine import base_query, in_view, period_cursor, query, view_params
from ..periods import Period, Periods, Scope, data_range, months, resolve
from ..privacy import mask_frame


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


def _run(con: duckdb.DuckDBPyConnection, name: str, scope: Scope, periods: Periods) -> pd.DataFrame:
    """A statement over the scope and the three compared periods (passed as dates: each count is a
    FILTER of one scan, no join with a periods relation)."""
    statement = compose(name, in_view=in_view(scope, has_unit=False))
    dates = {"span_from": min(p.start for p in periods.all), "span_to": max(p.end for p in periods.all)}
    for prefix, period in (("cur", periods.current), ("prev", periods.pop), ("yoy", periods.yoy)):
        dates |= {f"{prefix}_from": period.start, f"{prefix}_to": period.end}
    cur = cursor(con)
    try:
        return query(cur, statement, {**view_params(con, scope), **dates})
    finally:
        cur.close()


def place_terms(con: duckdb.DuckDBPyConnection) -> set[str]:
    """Townships, villages and units: tokens of the text, but places, not 诉求."""
    cur = cursor(con)
    try:
        return {row[0] for row in cur.execute(sql("research/place_terms")).fetchall()}
    finally:
        cur.close()


def term_counts(con: duckdb.DuckDBPyConnection, scope: Scope, periods: Periods,
                by_township: bool = False) -> pd.DataFrame:
    """Per term (and township): cases now (`cases`), in the preceding period (`prev_cases`) and a
    year earlier (`yoy_cases`), with the scope's totals of those periods (n, prev_n, yoy_n).
    Places are left out; county-wide the township column is ''."""
    counts = _run(con, "research/township_term_counts" if by_township else "research/term_counts", scope, periods)
    totals = _run(con, "research/period_totals", scope, periods)
    if not by_township:
        counts["township"] = ""
        totals = totals.drop(columns="township").sum().to_frame().T.assign(township="")
    counts = counts[~counts["term"].isin(place_terms(con))]
    return counts.merge(totals, on="township", how="left").fillna(0)


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


def group_counts(con: duckdb.DuckDBPyConnection, scope: Scope, periods: Periods) -> list[dict]:
    """Cases per configured 诉求群体 in scope: now, in the preceding period and a year earlier
    (None where that period is not comparable)."""
    found = _run(con, "research/group_counts", scope, periods).set_index("grp")
    rows = []
    for name in topics_config().get("groups", {}):
        counts = found.loc[name] if name in found.index else {"cases": 0, "prev_cases": 0, "yoy_cases": 0}
        rows.append({"group": name, "cases": int(counts["cases"]),
                     "prev_cases": int(counts["prev_cases"]) if periods.pop.comparable else None,
                     "yoy_cases": int(counts["yoy_cases"]) if periods.yoy.comparable else None})
    return rows


def topics(con: duckdb.DuckDBPyConnection, scope: Scope = Scope(), as_of: date | None = None,
           start: date | None = None, end: date | None = None, top: int = 20) -> dict:
    """The CLI's `topics` document: the top terms of the period, the emerging ones, the groups."""
    periods = resolve(con, as_of, start, end)
    config = topics_config()
    rows = _rows(term_counts(con, scope, periods), periods, config)
    current = periods.current
    return {"as_of": current.as_of.isoformat(), "from": current.start.isoformat(), "to": current.end.isoformat(),
            "prev_from": periods.pop.start.isoformat(), "prev_to": periods.pop.end.isoformat(),
            "terms": _ranked(rows)[:top], "emerging": _emerging(rows), "groups": group_counts(con, scope, periods)}


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
    """Cases per month and group over the `count` months up to the as-of month: month, group, cases
    (every configured group has a row for every month)."""
    periods = months(as_of, count, first=data_range(con)[0])
    statement = compose("research/group_months", in_view=in_view(scope, has_unit=False))
    cur = period_cursor(con, periods)
    try:
        frame = query(cur, statement, view_params(con, scope))
    finally:
        cur.close()
    grid = pd.MultiIndex.from_product([[p.name for p in periods], list(topics_config().get("groups", {}))],
                                      names=["month", "grp"]).to_frame(index=False)
    frame = grid.merge(frame, on=["month", "grp"], how="left")
    frame["cases"] = frame["cases"].fillna(0).astype("int64")
    return frame.rename(columns={"grp": "group"})


def _case_list(con, scope: Scope, period: Period, name: str, masked: bool, **params) -> pd.DataFrame:
    statement = compose(name, columns=sql("views/case_columns"))
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
