"""Evaluating registry metrics for any scope, any set of periods and any grouping.

All metrics of one source are computed in one SQL statement: the registry expressions become
the select list of `SELECT period, <groups>, ... FROM base GROUP BY ALL`, where `base` is
sql/metric_base.sql (cases joined to each period). Pages, the CLI and exports all come here.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

import duckdb

from ..config import load_config
from ..db import compose, cursor, sql
from ..dimensions import BREAKDOWN_COLUMNS
from ..periods import Period, Scope
from .registry import BY_ID, METRICS, Metric
from .units import unit_raws

if TYPE_CHECKING:
    import pandas as pd

GROUP_COLUMNS = BREAKDOWN_COLUMNS   # what a figure may be grouped by (queries.dimensions)
INCIDENT_GROUPS = ("township", "village")
_PARAM = re.compile(r"\$(\w+)")
# The 责任单位 and 诉求群体 parts of sql/in_view.sql, written in only when chosen. A unit is
# matched by the stored responsible_unit values that name it (units.unit_raws): on the case's
# own column where the relation has it, else through `cases` (a semi-join: 0.15 s more at 1M).
UNITS_FILTER = "AND list_contains($unit_raws::VARCHAR[], coalesce(f.responsible_unit, ''))"
UNITS_THROUGH_CASES = ("AND f.case_id IN (SELECT case_id FROM cases "
                       "WHERE list_contains($unit_raws::VARCHAR[], coalesce(responsible_unit, '')))")
GROUPS_FILTER = "AND f.case_id IN (SELECT case_id FROM case_groups WHERE list_contains($groups::VARCHAR[], grp))"


def in_view(scope: Scope, has_unit: bool = True) -> str:
    """The scope's filters as one predicate on the cases aliased f (sql/in_view.sql); its
    parameters are view_params'. `has_unit`: f has responsible_unit (cases, case_facts; not
    case_texts or case_groups)."""
    units = (UNITS_FILTER if has_unit else UNITS_THROUGH_CASES) if scope.units else ""
    return compose("in_view", units_filter=units, groups_filter=GROUPS_FILTER if scope.groups else "")


def view_params(con: duckdb.DuckDBPyConnection | None, scope: Scope) -> dict:
    """The parameters of in_view(scope)."""
    return {**scope.params(), "unit_raws": unit_raws(con, scope.units)}


def metric_base(scope: Scope) -> str:
    """sql/metric_base.sql over the cases in the scope's view."""
    return compose("metric_base", in_view=in_view(scope))


def _bind(statement: str, values: dict) -> dict:
    """The parameters a statement names (DuckDB refuses unused named parameters)."""
    return {name: values[name] for name in set(_PARAM.findall(statement))}


def _settings(scope: Scope, keep_all: bool = False, con: duckdb.DuckDBPyConnection | None = None) -> dict:
    config = load_config()["metrics"]
    return {
        **view_params(con, scope),
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
    """Run a statement with the named parameters it uses, as a DataFrame (DuckDB imports pandas
    on the first call)."""
    return cur.execute(statement, _bind(statement, values)).df()


def fetch(cur: duckdb.DuckDBPyConnection, statement: str, values: dict) -> tuple[list[str], list[tuple]]:
    """Run a statement with the named parameters it uses: (column names, rows), no pandas."""
    result = cur.execute(statement, _bind(statement, values))
    return [d[0] for d in result.description], result.fetchall()


def execute(cur: duckdb.DuckDBPyConnection, statement: str, values: dict) -> None:
    """Run a statement that returns nothing (e.g. a temporary table of the cursor's own) with
    the named parameters it uses."""
    cur.execute(statement, _bind(statement, values))


def fetch_columns(cur: duckdb.DuckDBPyConnection, statement: str, values: dict) -> dict[str, list]:
    """Run a statement with the named parameters it uses: {column: its values}. Through Arrow,
    which hands over a column of 50,000 texts in milliseconds, where fetchall builds a tuple
    and a Python object per row and value (0.35 s for 51,000 escalated persons)."""
    table = cur.sql(statement, params=_bind(statement, values)).to_arrow_table()
    return {name: table.column(name).to_pylist() for name in table.column_names}


def run_named(con: duckdb.DuckDBPyConnection, name: str, values: dict, **parts: str) -> pd.DataFrame:
    """Run the named SQL file (queries/sql/<name>.sql, its placeholders filled with `parts`) on a
    cursor of its own."""
    cur = cursor(con)
    try:
        return query(cur, compose(name, **parts), values)
    finally:
        cur.close()


def period_cursor(con: duckdb.DuckDBPyConnection, periods: Sequence[Period]) -> duckdb.DuckDBPyConnection:
    """A fresh cursor with the table `periods` (what sql/metric_base.sql joins), a temporary
    table of the cursor's own. Dates go over as DATE: a timestamp here would make every
    comparison cast per case. Not a registered Arrow table: registering one makes DuckDB import
    pandas, a third of a fresh `kpi` process's time (#14.4)."""
    cur = cursor(con)
    cur.execute(sql("periods"), {
        "names": [p.name for p in periods], "starts": [p.start for p in periods],
        "ends": [p.end for p in periods], "as_ofs": [p.as_of for p in periods]})
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


def metric_records(con: duckdb.DuckDBPyConnection, scope: Scope, periods: Iterable[Period],
                   metric_ids: Iterable[str] | None = None, group_by: Sequence[str] = ()) -> list[dict]:
    """One dict per (period, group) that has data: the keys, then one value per metric.

    Counts are 0 and rates None where nothing counts; a period that is not comparable (it starts
    before the earliest data) has every value None. Without groups every period has its record,
    in the order given; with groups the records are sorted by their keys (blanks last). Plain
    Python values: the CLI's `kpi` and `rank` need no pandas (a fresh process's start, #14.4).
    """
    unknown = set(group_by) - set(GROUP_COLUMNS)
    if unknown:
        raise ValueError(f"cannot group by {sorted(unknown)}")
    periods = list(periods)
    metrics = [BY_ID[i] for i in metric_ids] if metric_ids is not None else list(METRICS)
    keys = ["period", *group_by]
    merged: dict[tuple, dict] = {}
    parts = _metric_parts(con, scope, periods, metrics, group_by)
    # the metrics in the order the statements give them (cases, people, incidents), then any
    # metric no statement computed (incidents by a grouping they do not have)
    computed = [c for columns, _ in parts for c in columns if c not in keys]
    metrics = [BY_ID[i] for i in computed] + [m for m in metrics if m.id not in computed]
    for columns, rows in parts:
        for row in rows:
            record = dict(zip(columns, row))
            merged.setdefault(tuple(record[k] for k in keys), {}).update(record)
    if group_by:
        records = [merged[k] for k in sorted(merged, key=lambda k: [(v is None, v or "") for v in k])]
    else:
        records = [merged.get((p.name,), {"period": p.name}) for p in periods]
    blind = {p.name for p in periods if not p.comparable}
    for record in records:
        for metric in metrics:
            value = record.get(metric.id)
            if record["period"] in blind or (value is None and metric.fmt != "count"):
                record[metric.id] = None
            else:
                record[metric.id] = int(value or 0) if metric.fmt == "count" else float(value)
    return [{**{k: r.get(k) for k in keys}, **{m.id: r[m.id] for m in metrics}} for r in records]


def _metric_parts(con: duckdb.DuckDBPyConnection, scope: Scope, periods: list[Period], metrics: list[Metric],
                  group_by: Sequence[str]) -> list[tuple[list[str], list[tuple]]]:
    """(columns, rows) of each source's statement: case metrics count in-period cases and the
    backlog, people metrics in-period cases and key persons, incident metrics the incidents."""
    values = _settings(scope, con=con)
    base = metric_base(scope)
    by_source = {s: [m for m in metrics if m.source == s] for s in ("cases", "people", "incidents")}
    statements = []
    if by_source["cases"]:
        statements.append((f"WITH base AS ({base})\n" + _select(by_source["cases"], group_by, "base"),
                           {**values, "earlier_key_persons": False}))
    if by_source["people"]:
        people = compose("people", group="".join(f"{g}, " for g in group_by))
        statements.append((f"WITH base AS ({base}), people AS ({people})\n"
                           + _select(by_source["people"], group_by, "people"), {**values, "earlier_backlog": False}))
    if by_source["incidents"] and set(group_by) <= set(INCIDENT_GROUPS):
        statements.append((f"WITH incident_rows AS ({sql('incident_base')})\n"
                           + _select(by_source["incidents"], group_by, "incident_rows"), values))
    cur = period_cursor(con, periods)
    try:
        return [fetch(cur, statement, params) for statement, params in statements]
    finally:
        cur.close()


def metric_frame(con: duckdb.DuckDBPyConnection, scope: Scope, periods: Iterable[Period],
                 metric_ids: Iterable[str] | None = None, group_by: Sequence[str] = ()) -> pd.DataFrame:
    """`metric_records` as a DataFrame: counts int64 (float64 when some period is not
    comparable), rates float64, NaN where `metric_records` has None."""
    import pandas as pd  # here, not at the top: see metric_records
    periods = list(periods)
    metric_ids = [m.id for m in METRICS] if metric_ids is None else list(metric_ids)
    records = metric_records(con, scope, periods, metric_ids, group_by)
    keys = ["period", *group_by]
    metrics = [BY_ID[i] for i in records[0] if i not in keys] if records else [BY_ID[i] for i in metric_ids]
    frame = pd.DataFrame({k: pd.Series([r[k] for r in records], dtype="str") for k in keys})
    blind = any(not p.comparable for p in periods)
    for metric in metrics:
        column = [r[metric.id] for r in records]
        if metric.fmt == "count" and not blind:
            frame[metric.id] = pd.Series(column, dtype="int64")
        else:
            frame[metric.id] = pd.Series([float("nan") if v is None else v for v in column], dtype="float64")
    return frame
