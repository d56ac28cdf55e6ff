"""Adding or correcting one reception record by hand (offices type them in on the day): the
importer's rules, one write, one audit record."""
from __future__ import annotations

from datetime import date, datetime

import duckdb

from ..access import User, record_audit
from ..config import load_config
from ..db import cursor, sql
from ..periods import Scope
from .import_ledgers import reception_from_values, reception_key

FORM_SOURCE = "（手工登记）"


class EntryRefused(ValueError):
    """The record breaks a rule; the message is Chinese and lists every reason."""


def save_reception(con: duckdb.DuckDBPyConnection, values: dict, user: User, replaces: str | None = None,
                   today: date | None = None) -> str:
    """Insert a record (or replace the record `replaces`) from field -> value; returns its key.
    Refused with every reason when a rule is broken; audit-logged when saved."""
    row, reasons = reception_from_values(values, today or date.today(), load_config())
    if reasons:
        raise EntryRefused("；".join(reasons))
    key = reception_key(row["held_on"], row["leader"], row["kind"], row["township"], row["village"], row["case_ids"])
    cur = cursor(con)
    if replaces:
        cur.execute("DELETE FROM receptions WHERE reception_key = ?", [replaces])
    elif cur.execute("SELECT count(*) FROM receptions WHERE reception_key = ?", [key]).fetchone()[0]:
        raise EntryRefused("已有同一日期、领导、方式、地点和交办件的记录；如需修改请用“更正”。")
    cur.execute(sql("accountability/insert_reception"), {
        **row, "reception_key": key, "source_file": FORM_SOURCE, "source_row": None,
        "import_batch": f"form-{datetime.now():%Y%m%d%H%M%S}"})
    action = "更正接访记录" if replaces else "登记接访记录"
    record_audit(con, user, f"{action}：{row['held_on']} {row['leader']} {row['kind']}",
                 Scope(townships=(row["township"],) if row["township"] else ()), f"{action}（数据看板表单）")
    return key


def reception_records(con: duckdb.DuckDBPyConnection, scope: Scope, start: date, end: date):
    """The reception rows of the period within the place filters, newest first, for the form."""
    return cursor(con).execute(sql("accountability/reception_records"), {
        "held_from": start, "held_to": end, "reception_townships": list(scope.townships),
        "reception_villages": list(scope.villages)}).df()
