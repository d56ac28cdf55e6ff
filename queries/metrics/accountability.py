"""责任单位, per-leader reception work and 交办件 progress (ACCOUNTABILITY.md §1, §2).

Units reuse the metric registry: the same expressions as `kpi`, grouped by unit. The handed-over
cases take their facts (due, closed, overdue) from sql/metric_base.sql as of the as-of date, so
a 交办件 is overdue exactly when the scorecard counts it overdue.
"""
from __future__ import annotations

import math
from datetime import date

import duckdb
import pandas as pd

from ..db import compose, cursor, sql
from ..normalize import folded
from ..periods import Period, Scope, resolve
from .engine import _bind, _select, _settings, metric_base, period_cursor, query
from .registry import BY_ID
from .units import unit_names

HANDLING_METRICS = ("cases", "on_time_acceptance_rate", "on_time_closure_rate", "overdue_open",
                    "satisfaction_rate", "resolved_or_stable_rate")
HANDED_COLUMNS = ("handed_over", "handed_over_open", "handed_over_overdue")
LEADER_COLUMNS = ("receptions", "batches", "persons", "appointment_persons", "visits_down", "dispatches",
                  "handed_over", "handed_resolved", "handed_closed", "handed_overdue", "owned_cases")
HANDED_ROW_COLUMNS = ("case_id", "held_on", "leader", "kind", "unit", "township", "village", "due",
                      "closed_on", "resolution", "status")
STATUSES = ("已办结", "办理中", "超期", "未入库")
HANDLED_STATUSES = STATUSES[:3]   # the statuses of a case that is in `cases`
EVERY_DAY = (date(1, 1, 1), date(9999, 12, 31))


def _plain(value):
    """A JSON value of a frame cell: None for NaN/NA/NaT, ISO text for dates, int for whole counts."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value


def _name_params(con: duckdb.DuckDBPyConnection) -> dict:
    names = unit_names(con)
    return {"name_raws": names["raw"].to_pylist(), "name_units": names["unit"].to_pylist()}


def _leader_params(con: duckdb.DuckDBPyConnection) -> dict:
    """case_leader values named as reception leaders are (trimmed, simplified), to match them."""
    raws = [r[0] for r in cursor(con).execute(
        "SELECT DISTINCT case_leader FROM cases WHERE case_leader IS NOT NULL").fetchall()]
    pairs = [(raw, folded(raw)) for raw in raws if folded(raw)]
    return {"leader_raws": [p[0] for p in pairs], "leader_names": [p[1] for p in pairs]}


def _over_every_case(con, scope: Scope, as_of: date, body: str, params: dict,
                     records: bool = False) -> pd.DataFrame | list[dict]:
    """Run `body` (which reads `base` / `unit_base`) over every case within the scope's case
    filters, whatever its registration date, with its facts as of `as_of`. records=True gives
    plain dicts (dates as datetime.date) without a DataFrame, for long lists."""
    statement = (f"WITH base AS ({metric_base(scope)}),\nunit_base AS ({sql('accountability/unit_base')})\n"
                 f"SELECT * FROM ({body}) AS result")
    values = {**_settings(scope, keep_all=True, con=con), **_name_params(con), **params}
    cur = period_cursor(con, [Period("every_case", *EVERY_DAY, as_of)])
    try:
        if not records:
            return query(cur, statement, values)
        cur.execute(statement, _bind(statement, values))
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row)) for row in cur.fetchall()]
    finally:
        cur.close()


def _with_receptions(name: str) -> str:
    return compose(f"accountability/{name}", receptions=sql("accountability/receptions_in_scope"))


def _reception_params(scope: Scope, period: Period) -> dict:
    return {"held_from": period.start, "held_to": period.end,
            "reception_townships": list(scope.townships), "reception_villages": list(scope.villages)}


def unit_figures(con: duckdb.DuckDBPyConnection, scope: Scope, period: Period) -> pd.DataFrame:
    """Per unit: the §1 handling metrics and the 交办件 columns, unordered, all units with data."""
    metrics = [BY_ID[i] for i in HANDLING_METRICS]
    statement = (f"WITH base AS ({metric_base(scope)}),\nunit_base AS ({sql('accountability/unit_base')})\n"
                 + _select(metrics, ["unit"], "unit_base"))
    cur = period_cursor(con, [period])
    try:
        frame = query(cur, statement, {**_settings(scope, con=con), "earlier_key_persons": False,
                                       **_name_params(con)})
    finally:
        cur.close()
    handed = _over_every_case(con, scope, period.as_of, sql("accountability/unit_handed"),
                              {"held_from": period.start, "held_to": period.end})
    frame = frame.drop(columns="period").merge(handed, on="unit", how="left")
    for column in HANDED_COLUMNS:
        frame[column] = frame[column].fillna(0).astype("int64")
    return frame


def units(con: duckdb.DuckDBPyConnection, scope: Scope = Scope(), as_of: date | None = None,
          start: date | None = None, end: date | None = None) -> list[dict]:
    """`units --json`: every unit with cases or overdue cases, worst first (ACCOUNTABILITY.md §1)."""
    period = resolve(con, as_of, start, end).current
    frame = unit_figures(con, scope, period)
    rows = [{"unit": r["unit"], **{c: _plain(r[c]) for c in (*HANDLING_METRICS, *HANDED_COLUMNS)}}
            for r in frame.to_dict("records")]
    rows = [r for r in rows if r["cases"] > 0 or r["overdue_open"] > 0]
    rows.sort(key=lambda r: (-r["overdue_open"], r["on_time_closure_rate"] is None,
                             r["on_time_closure_rate"] or 0.0, -r["cases"], r["unit"]))
    return rows


def leaders(con: duckdb.DuckDBPyConnection, scope: Scope = Scope(), as_of: date | None = None,
            start: date | None = None, end: date | None = None) -> list[dict]:
    """`leaders --json`: each leader's receptions, visits, dispatches and 交办件 in the period."""
    period = resolve(con, as_of, start, end).current
    frame = _over_every_case(con, Scope(), period.as_of, _with_receptions("leaders"), {
        **_reception_params(scope, period), **_leader_params(con),
        "period_from": period.start, "period_to": period.end})
    rows = [{"leader": r["leader"], **{c: int(r[c]) for c in LEADER_COLUMNS}}
            for r in frame.to_dict("records")]
    return sorted(rows, key=lambda r: r["leader"])


def handed(con: duckdb.DuckDBPyConnection, scope: Scope = Scope(), as_of: date | None = None,
           start: date | None = None, end: date | None = None) -> list[dict]:
    """`handed --json`: one row per (reception row, listed case id), with the case's progress."""
    period = resolve(con, as_of, start, end).current
    rows = _over_every_case(con, Scope(), period.as_of, _with_receptions("handed"),
                            _reception_params(scope, period), records=True)   # dates as text already
    return sorted(rows, key=lambda r: (r["held_on"], r["leader"], r["case_id"], r["kind"]))


def within_jurisdiction(rows: list[dict], townships: tuple[str, ...], villages: tuple[str, ...]) -> list[dict]:
    """交办件 rows a restricted user may see: a reception in their township can hand over a
    case of another place, whose details stay hidden from them (an id not in `cases` stays)."""
    return [r for r in rows if r["status"] == "未入库" or (
        (not townships or r["township"] in townships) and (not villages or r["village"] in villages))]


def status_counts(rows: list[dict]) -> dict[str, int]:
    """Distinct 交办件 per status (a case handed over twice counts once; its status is the case's)."""
    ids = {status: set() for status in STATUSES}
    for row in rows:
        ids[row["status"]].add(row["case_id"])
    return {status: len(found) for status, found in ids.items()}
