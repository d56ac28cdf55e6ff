"""个人极端事件 and 负面炒作 entered by hand (METRICS.md 五不): no export carries them, so an
administrator registers each one; it moves the 五不 cards of every leader whose jurisdiction
holds it."""
from __future__ import annotations

from datetime import date

import duckdb

from ..access import User, record_audit
from ..db import cursor
from ..periods import Scope

INCIDENT_KINDS = {"extreme": "个人极端事件", "publicity": "负面炒作"}


def add_incident(con: duckdb.DuckDBPyConnection, kind: str, occurred_on: date, description: str,
                 township: str | None = None, village: str | None = None, entered_by: str | None = None) -> int:
    """Record one incident; returns its id. Who may, and the audit record, are `register_incident`'s."""
    if kind not in INCIDENT_KINDS:
        raise ValueError(f"unknown incident kind {kind!r}")
    if not description.strip():
        raise ValueError("事件描述不能为空")
    return cursor(con).execute(
        "INSERT INTO incidents (kind, occurred_on, township, village, description, entered_by) "
        "VALUES (?, ?, ?, ?, ?, ?) RETURNING incident_id",
        [kind, occurred_on, township, village, description.strip(), entered_by]).fetchone()[0]


def register_incident(con: duckdb.DuckDBPyConnection, user: User, kind: str, occurred_on, description: str,
                      township: str | None = None, village: str | None = None) -> int:
    """An administrator registers an incident: stored with who entered it, and written to the audit log."""
    if not user.is_admin:
        raise PermissionError("只有信访办管理员可以登记个人极端事件和负面炒作。")
    incident_id = add_incident(con, kind, occurred_on, description, township, village, entered_by=user.username)
    places = Scope(townships=(township,) if township else (), villages=(village,) if village else ())
    record_audit(con, user, f"登记{INCIDENT_KINDS.get(kind, kind)} #{incident_id}（{occurred_on}）", places, description)
    return incident_id
