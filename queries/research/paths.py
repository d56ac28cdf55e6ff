"""越级路径: each person's cases on the ladder of levels (村 < 镇 < 县 < 市 < 省 < 京) over time.

An escalation step is a case at a higher level than the same person's previous case, within
`[metrics] repeat_window_days` of it (sql/research/level_steps.sql). For a period this module
gives the flows between levels, the persons who escalated with their chains, the days from a
first case to a first 市/省/京 case, and the villages and categories the steps come from.
"""
from __future__ import annotations

import gc
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date

import duckdb
import pandas as pd

from ..config import load_config
from ..db import compose, sql
from ..metrics.engine import base_query, execute, fetch_columns, in_view, period_cursor, query, view_params
from ..periods import Period, Scope, resolve
from ..privacy import mask_key


def levels() -> list[str]:
    """The ladder, lowest first: the configured order of the level values."""
    return list(load_config()["enums"]["level"]["values"])


def high_levels() -> list[str]:
    """市, 省, 京: the levels that make a visit 越级 (METRICS.md `skip_levels`)."""
    return list(load_config()["metrics"]["skip_levels"])


def level_steps(scope: Scope) -> str:
    """sql/research/level_steps.sql over the cases in the scope's view."""
    return compose("research/level_steps", in_view=in_view(scope))


def with_steps(name: str, scope: Scope) -> str:
    """sql/research/<name>.sql, read after base_query's `base`, with `steps` (every case on the
    ladder, with its previous one: research/level_steps) over the same cases."""
    return compose(f"research/{name}", steps=level_steps(scope))


@contextmanager
def _path_steps(con: duckdb.DuckDBPyConnection, scope: Scope, period: Period):
    """A cursor holding the view's steps as its own temporary table path_steps
    (research/path_steps), and the parameters its queries take."""
    params = {**view_params(con, scope), "levels": levels(),
              "repeat_window_days": load_config()["metrics"]["repeat_window_days"]}
    cur = period_cursor(con, [period])
    try:
        execute(cur, compose("research/path_steps", steps=level_steps(scope)), params)
        yield cur, params
    finally:
        cur.close()


def _after_changes(name: str) -> str:
    """sql/research/<name>.sql over `changes`, the period's level changes."""
    return compose(f"research/{name}", changes=sql("research/path_transitions"))


def escalation_steps(changes: pd.DataFrame) -> pd.DataFrame:
    """The escalation steps among the changes (the level rose)."""
    return changes[changes["is_escalation"]].reset_index(drop=True)


def _escalated_columns(cur: duckdb.DuckDBPyConnection, params: dict) -> dict[str, list]:
    """The columns of research/path_chains, with `chain` ([[date, level], …] per person) in
    place of its two texts, for the persons with an escalation step in the period. Plain
    lists: at 51,000 persons (1M cases) a JSON text per person cost 0.8 s to parse, and the
    324,000 little lists of the chains 0.37 s more while the garbage collector, counting
    allocations, kept scanning them (0.09 s paused)."""
    columns = fetch_columns(cur, _after_changes("path_chains"), params)
    level_of = {chr(65 + rank): level for rank, level in enumerate(params["levels"])}
    with _gc_paused():
        columns["chain"] = [[[day, level_of[rank]] for day, rank in zip(days.split(","), ranks)]
                            for days, ranks in zip(columns.pop("days"), columns.pop("ranks"))]
    return columns


@contextmanager
def _gc_paused():
    """Build many small containers without the cyclic collector: they hold only strings, so
    they cannot form cycles, and its passes over them cost four times the building."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _escalated_frame(columns: dict[str, list], masked: bool) -> pd.DataFrame:
    """Persons with an escalation step in the period, their chain [[date, level], …] up to the
    period's end, and their latest place. `person` is the key, masked unless asked otherwise;
    `person_token` selects the person's cases (analysis.petitioner_chain)."""
    order = ["petitioner_key", "person_token", "escalations", "chain", "last_registered_on", "township", "village"]
    frame = pd.DataFrame({name: columns[name] for name in order})
    frame.insert(0, "person", frame["petitioner_key"].map(mask_key) if masked else frame["petitioner_key"])
    return frame.drop(columns="petitioner_key")


@dataclass(frozen=True)
class PathView:
    """What the 越级路径 section draws, from one pass over the cases (one path_steps)."""
    changes: pd.DataFrame    # the period's level changes, one row each (research/path_transitions)
    flows: pd.DataFrame      # from_level, to_level, persons, steps: the Sankey, most persons first
    escalated: pd.DataFrame  # _escalated_frame


def path_view(con, scope: Scope, period: Period, masked: bool = True) -> PathView:
    with _path_steps(con, scope, period) as (cur, params):
        return PathView(query(cur, sql("research/path_transitions"), params),
                        query(cur, _after_changes("path_flows"), params),
                        _escalated_frame(_escalated_columns(cur, params), masked))


def days_to_high_level(con, scope: Scope, period: Period) -> pd.DataFrame:
    """Persons who reached 市/省/京 for the first time in the period: days since their first case."""
    return base_query(con, scope, period, compose("research/first_high_level", in_view=in_view(scope)),
                      high_levels=high_levels())


def escalation_sources(steps: pd.DataFrame, by: str) -> pd.DataFrame:
    """Escalation steps and distinct persons per village (by="village", with its township) or
    category, most steps first."""
    keys = ["township", "village"] if by == "village" else [by]
    if not len(steps):
        return pd.DataFrame(columns=[*keys, "steps", "persons"])
    grouped = steps.groupby(keys, dropna=False).agg(steps=("case_id", "size"), persons=("person_id", "nunique"))
    return grouped.reset_index().sort_values(["steps", "persons", *keys], ascending=[False, False, *[True] * len(keys)],
                                             ignore_index=True)


def paths(con: duckdb.DuckDBPyConnection, scope: Scope = Scope(), as_of: date | None = None,
          start: date | None = None, end: date | None = None, masked: bool = True) -> dict:
    """The `paths` document of the CLI: flows between levels and the escalated persons' chains."""
    period = resolve(con, as_of, start, end).current
    with _path_steps(con, scope, period) as (cur, params):
        flow = fetch_columns(cur, _after_changes("path_flows"), params)
        escalated = _escalated_columns(cur, params)
    keys = escalated["petitioner_key"]
    with _gc_paused():   # a dict per person
        people = [{"person": person, "chain": chain}
                  for person, chain in zip(map(mask_key, keys) if masked else keys, escalated["chain"])]
    return {
        "flows": [{"from": source, "to": target, "persons": persons}
                  for source, target, persons in zip(flow["from_level"], flow["to_level"], flow["persons"])],
        "escalated": people,
    }
