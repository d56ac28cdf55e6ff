"""责任单位 as ACCOUNTABILITY.md §1 names them, and the unit filter of the scope.

A unit is `responsible_unit` trimmed and converted to simplified characters; a blank one is
（未明确）. Stored values stay as exported, so the conversion happens here, once per distinct
stored value (a county has a few hundred units, however many cases).
"""
from __future__ import annotations

from collections.abc import Iterable

import duckdb
import pyarrow as pa

from .db import cursor
from .normalize import simplified

UNASSIGNED = "（未明确）"


def unit_name(raw) -> str:
    """A stored responsible_unit as a unit; anything but text (None, NA) is blank."""
    text = raw.strip() if isinstance(raw, str) else ""
    return simplified(text).strip() if text else UNASSIGNED


def unit_names(con: duckdb.DuckDBPyConnection) -> pa.Table:
    """(raw, unit) for every stored responsible_unit; a null raw is ''."""
    raws = [r[0] for r in cursor(con).execute(
        "SELECT DISTINCT coalesce(responsible_unit, '') FROM cases").fetchall()]
    return pa.table({"raw": pa.array(raws, pa.string()),
                     "unit": pa.array([unit_name(r) for r in raws], pa.string())})


def unit_filter(con: duckdb.DuckDBPyConnection | None, units: Iterable[str]) -> dict:
    """The parameters of sql/metric_base.sql's unit filter: the stored values naming `units`."""
    wanted = {unit_name(u) for u in units}
    if not wanted or con is None:
        return {"unit_filter": bool(wanted), "unit_raws": []}
    names = unit_names(con)
    raws = [raw for raw, unit in zip(names["raw"].to_pylist(), names["unit"].to_pylist()) if unit in wanted]
    return {"unit_filter": True, "unit_raws": raws}
