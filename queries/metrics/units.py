"""责任单位 as ACCOUNTABILITY.md §1 names them, and the unit filter of the scope.

A unit is `responsible_unit` trimmed and converted to simplified characters; a blank one is
（未明确）. Stored values stay as exported, so the conversion happens here, once per distinct
stored value (a county has a few hundred units, however many cases).
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import duckdb

from ..db import cursor
from ..normalize import simplified

if TYPE_CHECKING:
    import pyarrow as pa

UNASSIGNED = "（未明确）"


def unit_name(raw) -> str:
    """A stored responsible_unit as a unit; anything but text (None, NA) is blank."""
    text = raw.strip() if isinstance(raw, str) else ""
    return simplified(text).strip() if text else UNASSIGNED


def _unit_pairs(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    """(raw, unit) for every stored responsible_unit; a null raw is ''."""
    raws = [r[0] for r in cursor(con).execute(
        "SELECT DISTINCT coalesce(responsible_unit, '') FROM cases").fetchall()]
    return [(raw, unit_name(raw)) for raw in raws]


def unit_names(con: duckdb.DuckDBPyConnection) -> pa.Table:
    """(raw, unit) for every stored responsible_unit as an Arrow table, to join in SQL."""
    import pyarrow as pa  # here: the scorecard's unit filter needs no Arrow (a fresh `kpi`, #14.4)
    pairs = _unit_pairs(con)
    return pa.table({"raw": pa.array([raw for raw, _ in pairs], pa.string()),
                     "unit": pa.array([unit for _, unit in pairs], pa.string())})


def unit_raws(con: duckdb.DuckDBPyConnection | None, units: Iterable[str]) -> list[str]:
    """The stored responsible_unit values that name `units` (sql/in_view.sql's unit filter)."""
    wanted = {unit_name(u) for u in units}
    if not wanted or con is None:
        return []
    return [raw for raw, unit in _unit_pairs(con) if unit in wanted]