"""越级路径: each person's cases on the ladder of levels (村 < 镇 < 县 < 市 < 省 < 京) over time.

An escalation step is a case at a higher level than the same person's previous case, within
`[metrics] repeat_window_days` of it (sql/research/level_steps.sql). For a period this module
gives the flows between levels, the persons who escalated with their chains, the days from a
first case to a first 市/省/京 case, and the villages and categories the steps come from.
"""
from __future__ import annotations

import hashlib
import json
from datetime import date

import duckdb
import pandas as pd
import pyarrow as pa

from ..config import load_config
from ..db import sql
from ..engine import base_query, period_cursor, query
from ..periods import Period, Scope, resolve
from ..privacy import mask_key


def levels() -> list[str]:
    """The ladder, lowest first: the configured order of the level values."""
    return list(load_config()["enums"]["level"]["values"])


def high_levels() -> list[str]:
    """市, 省, 京: the levels that make a visit 越级 (METRICS.md `skip_levels`)."""
    return list(load_config()["metrics"]["skip_levels"])


def steps_query(con: duckdb.DuckDBPyConnection, scope: Scope, period: Period, name: str,
                **params) -> pd.DataFrame:
    """Run sql/research/<name>.sql with `steps` (every case on the ladder, with its previous one)
    defined over the cases in scope up to the period's end."""
    statement = f", steps AS ({sql('research/level_steps')})\n{sql(f'research/{name}')}"
    return base_query(con, scope, period, statement, levels=levels(), **params)


def transitions(con, scope: Scope, period: Period) -> pd.DataFrame:
    """The level changes of the period within the window, one row each (person_id, case_id,
    registered_on, township, village, category, prev_level, level, is_escalation)."""
    return steps_query(con, scope, period, "path_transitions")


def flows(changes: pd.DataFrame) -> pd.DataFrame:
    """from_level, to_level, persons, steps: the Sankey of the period, most persons first."""
    if not len(changes):
        return pd.DataFrame(columns=["from_level", "to_level", "persons", "steps"])
    grouped = changes.groupby(["prev_level", "level"]).agg(persons=("person_id", "nunique"),
                                                           steps=("case_id", "size")).reset_index()
    grouped = grouped.rename(columns={"prev_level": "from_level", "level": "to_level"})
    order = {level: rank for rank, level in enumerate(levels())}
    grouped["_from"], grouped["_to"] = grouped["from_level"].map(order), grouped["to_level"].map(order)
    return grouped.sort_values(["persons", "_from", "_to"], ascending=[False, True, True],
                               ignore_index=True).drop(columns=["_from", "_to"])


def escalation_steps(changes: pd.DataFrame) -> pd.DataFrame:
    """The escalation steps among the changes (the level rose)."""
    return changes[changes["is_escalation"]].reset_index(drop=True)


def escalated_persons(con, scope: Scope, period: Period, masked: bool = True,
                      changes: pd.DataFrame | None = None) -> pd.DataFrame:
    """Persons with an escalation step in the period, their chain [[date, level], …] up to the
    period's end, and their latest place. `person` is the key, masked unless asked otherwise;
    `person_token` selects the person's cases (analysis.petitioner_chain). `changes`: the
    period's `transitions`, when the caller has them already."""
    steps = escalation_steps(transitions(con, scope, period) if changes is None else changes)
    counts = steps.groupby("person_id").size()
    cur = period_cursor(con, [period])
    try:
        cur.register("escalated", pa.table({"person_id": pa.array(counts.index.to_numpy(), pa.uint64()),
                                            "escalations": pa.array(counts.to_numpy(), pa.int64())}))
        frame = query(cur, sql("research/path_chains"), {**scope.params(), "levels": levels()})
    finally:
        cur.close()
    frame["chain"] = frame["chain"].map(json.loads)
    frame.insert(0, "person", frame["petitioner_key"].map(mask_key) if masked else frame["petitioner_key"])
    frame.insert(1, "person_token", frame["petitioner_key"].map(_token))
    return frame.drop(columns="petitioner_key")


def _token(key: str) -> str:
    """What views/petitioner_chain.sql selects a person by (md5 of the key, as top_repeaters)."""
    return hashlib.md5(key.encode("utf-8")).hexdigest()


def days_to_high_level(con, scope: Scope, period: Period) -> pd.DataFrame:
    """Persons who reached 市/省/京 for the first time in the period: days since their first case."""
    return base_query(con, scope, period, sql("research/first_high_level"), high_levels=high_levels())


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
    changes = transitions(con, scope, period)
    flow = flows(changes)
    persons = escalated_persons(con, scope, period, masked, changes)
    return {
        "flows": [{"from": r.from_level, "to": r.to_level, "persons": int(r.persons)} for r in flow.itertuples()],
        "escalated": [{"person": r.person, "chain": r.chain} for r in persons.itertuples()],
    }
