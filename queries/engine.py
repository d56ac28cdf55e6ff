"""Evaluating registry metrics for any scope, any set of periods and any grouping.

All metrics of one source are computed in one SQL statement: the registry expressions become
the select list of `SELECT period, <groups>, ... FROM base GROUP BY ALL`, where `base` is
sql/metric_base.sql (cases joined to each period). Pages, the CLI and exports all come here.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

import duckdb
import pandas as pd
import pyarrow as pa

from .config import load_config
from .db import compose, cursor, sql
from .metrics import BY_ID, METRICS, Metric
from .periods import Period, Scope
from .units import unit_filter

GROUP_COLUMNS = ("township", "village", "category", "channel", "level", "case_leader",
                 "responsible_unit")
INCIDENT_GROUPS = ("township", "village")
_PARAM = re.compile(r"\$(\w+)")
# The 诉求群体 filter (Scope.groups), written into sql/metric_base.sql only when groups are chosen:
# an always-present subquery would cost every unfiltered query a join with case_groups.
GROUPS_FILTER = ("AND f.case_id IN (SELECT case_id FROM case_groups "
                 "WHERE list_contains($groups::VARCHAR[], grp))")


def metric_base(scope: Scope) -> str:
    """sql/metric_base.sql with the scope's group filter."""
    return compose("metric_base", groups_filter=GROUPS_FILTER if scope.groups else "")


def _bind(statement: str, values: dict) -> dict:
    """The parameters a statement names (DuckDB refuses unused named parameters)."""
    return {name: values[name] for name in set(_PARAM.findall(statement))}


def _settings(scope: Scope, keep_all: bool = False, con: duckdb.DuckDBPyConnection | None = None) -> dict:
    config = load_config()["metrics"]
    return {
        **scope.params(),
        **unit_filter(con, scope.units),
        "keep_all": keep_all,
        # which earlier cases sql/metric_base.sql joins to a period (metric_frame narrows them)
        "earlier_backlog": True,
        "earlier_key_persons": True,
        "repeat_window_days": config["repeat_window_days"],
        "satisfied": config["satisfied"],
        "acceptance_days": config["acceptance_days"],
        "due_after_acceptance_days": config["default_due_after_acceptance_days"],
        "due_after_registration_days": config["default_due_after_registration_days"],
    }


def _select(metrics: Sequence[Metric], groups: Sequence[str], relation: str) -> str:
    keys = ", ".join(["period", *groups])
    measures = ",\n".join(f'({m.expression.strip()}) AS "{m.id}"' for m in metrics)
    return f"SELECT {keys},\n{measures}\nFROM {relation} GROUP BY {keys}"


def query(cur: duckdb.DuckDBPyConnection, statement: str, values: dict) -> pd.DataFrame:
    """Run a statement with the named parameters it uses, as a DataFrame."""
    return cur.execute(statement, _bind(statement, values)).df()


def run_named(con: duckdb.DuckDBPyConnection, name: str, values: dict) -> pd.DataFrame:
    """Run the named SQL file (queries/sql/<name>.sql) on a cursor of its own."""
    cur = cursor(con)
    try:
        return query(cur, sql(name), values)
    finally:
        cur.close()


def period_cursor(con: duckdb.DuckDBPyConnection, periods: Sequence[Period]) -> duckdb.DuckDBPyConnection:
    """A fresh cursor with the relation `periods` registered (what sql/metric_base.sql joins).
    Dates go over as DATE: a timestamp here would make every comparison cast per case."""
    cur = cursor(con)
    cur.register("periods", pa.table({
        "period": pa.array([p.name for p in periods], pa.string()),
        "p_from": pa.array([p.start for p in periods], pa.date32()),
        "p_to": pa.array([p.end for p in periods], pa.date32()),
        "p_as_of": pa.array([p.as_of for p in periods], pa.date32()),
    }))
    return cur


def base_query(con: duckdb.DuckDBPyConnection, scope: Scope, period: Period, statement: str,
               **params) -> pd.DataFrame:
    """Run `statement` (which selects FROM base) over every case in scope up to the period's end."""
    cur = period_cursor(con, [period])
    try:
        return query(cur, f"WITH base AS ({metric_base(scope)})\n{statement}",
                      {**_settings(scope, keep_all=True, con=con), **params})
    finally:
        cur.close()


def metric_frame(con: duckdb.DuckDBPyConnection, scope: Scope, periods: Iterable[Period],
                 metric_ids: Iterable[str] | None = None, group_by: Sequence[str] = ()) -> pd.DataFrame:
    """One row per (period, group) that has data, one column per metric.

    Counts are 0 and rates NaN where nothing counts; a period that is not comparable (it starts
    before the earliest data) has every value NaN.
    """
    unknown = set(group_by) - set(GROUP_COLUMNS)
    if unknown:
        raise ValueError(f"cannot group by {sorted(unknown)}")
    periods = list(periods)
    metrics = [BY_ID[i] for i in metric_ids] if metric_ids is not None else list(METRICS)
    keys = ["period", *group_by]
    values = _settings(scope, con=con)
    base = metric_base(scope)
    frames = []
    by_source = {s: [m for m in metrics if m.source == s] for s in ("cases", "people", "incidents")}
    cur = period_cursor(con, periods)
    try:
        if by_source["cases"]:  # case metrics count in-period cases and the backlog
            frames.append(query(cur, f"WITH base AS ({base})\n"
                                 + _select(by_source["cases"], group_by, "base"),
                                 {**values, "earlier_key_persons": False}))
        if by_source["people"]:  # people metrics count in-period cases and key persons
            people = compose("people", group="".join(f"{g}, " for g in group_by))
            frames.append(query(cur, f"WITH base AS ({base}), people AS ({people})\n"
                                 + _select(by_source["people"], group_by, "people"),
                                 {**values, "earlier_backlog": False}))
        if by_source["incidents"] and set(group_by) <= set(INCIDENT_GROUPS):
            frames.append(query(cur, f"WITH incident_rows AS ({sql('incident_base')})\n"
                                 + _select(by_source["incidents"], group_by, "incident_rows"), values))
    finally:
        cur.close()

    frame = pd.DataFrame({key: pd.Series(dtype=object) for key in keys})
    for part in frames:
        frame = frame.merge(part, on=keys, how="outer")
    if not group_by:  # every period gets its row, with or without data
        frame = pd.DataFrame({"period": [p.name for p in periods]}).merge(frame, on="period", how="left")
    for metric in metrics:
        if metric.id not in frame:
            frame[metric.id] = pd.NA
        if metric.fmt == "count":
            frame[metric.id] = frame[metric.id].fillna(0).astype("int64")
        else:
            frame[metric.id] = frame[metric.id].astype("float64")
    blind = [p.name for p in periods if not p.comparable]
    if blind:
        ids = [m.id for m in metrics]
        frame[ids] = frame[ids].astype("float64")
        frame.loc[frame["period"].isin(blind), ids] = float("nan")
    return frame.reset_index(drop=True)
