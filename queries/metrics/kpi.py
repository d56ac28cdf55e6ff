"""The scorecard (`kpi`) and the village ranking (`rank`), as CLI.md shapes them."""
from __future__ import annotations

from datetime import date

import duckdb

from ..config import load_config
from ..db import cursor, sql
from ..periods import Scope, resolve
from .deductions import DEDUCTIONS
from .engine import fetch, metric_records
from .registry import BY_ID, PUBLIC
from .scorecard import Figure, Scorecard


def kpi(con: duckdb.DuckDBPyConnection, scope: Scope = Scope(), as_of: date | None = None,
        start: date | None = None, end: date | None = None) -> Scorecard:
    """Every public metric for the period with its 同比 and 环比 values and 达标."""
    periods = resolve(con, as_of, start, end)
    records = {r["period"]: r for r in metric_records(con, scope, periods.all, [m.id for m in PUBLIC])}
    figures = {}
    for metric in PUBLIC:
        value, yoy, pop = (records[name][metric.id] for name in ("current", "yoy", "pop"))
        figures[metric.id] = Figure(metric, value, yoy, pop, metric.met(value, yoy))
    return Scorecard(periods, figures)


RANK_METRICS = ("cases", "repeat_ratio", "skip_level_persons", "beijing_province_visits",
                "overdue_open", "satisfaction_rate")


def grade(score: float) -> str:
    settings = load_config()["ranking"]
    if score >= settings["green"]:
        return "绿"
    return "黄" if score >= settings["yellow"] else "红"


def villages(con: duckdb.DuckDBPyConnection, scope: Scope) -> list[tuple[str | None, str | None]]:
    """Every (township, village) with any case in the database, within the place filters."""
    cur = cursor(con)
    try:
        return fetch(cur, sql("views/villages"), scope.params())[1]
    finally:
        cur.close()


def rank(con: duckdb.DuckDBPyConnection, scope: Scope = Scope(), as_of: date | None = None,
         start: date | None = None, end: date | None = None) -> list[dict]:
    """The village ranking: score = 100 − Σ deductions, in METRICS.md order, each deduction itemised."""
    periods = resolve(con, as_of, start, end)
    ids = list(dict.fromkeys([*RANK_METRICS, *(d.metric for d in DEDUCTIONS)]))
    figures = {(r["township"], r["village"]): r
               for r in metric_records(con, scope, [periods.current], ids, group_by=("township", "village"))}
    points = {d.rule: d.points for d in DEDUCTIONS}
    population = load_config().get("population", {})
    rows = []
    for township, village in villages(con, scope):
        found = figures.get((township, village))
        values = {i: found[i] if found is not None else (0 if BY_ID[i].fmt == "count" else None) for i in ids}
        deductions = {d.rule: round(values[d.metric] * points[d.rule], 6) for d in DEDUCTIONS}
        score = round(100 - sum(deductions.values()), 6)
        people = population.get(f"{township or ''}/{village or ''}")
        rows.append({
            "township": township, "village": village, "score": score, "grade": grade(score),
            **{i: values[i] for i in RANK_METRICS},
            "deductions": deductions,
            "events": {d.rule: values[d.metric] for d in DEDUCTIONS},
            "cases_per_10k": values["cases"] / people * 10000 if people else None,
        })
    rows.sort(key=lambda r: (-r["score"], r["cases"], r["township"] or "", r["village"] or ""))
    return [{"rank": position, **row} for position, row in enumerate(rows, start=1)]
