"""One import run over several files, as the CLI and the upload page do it: every file is read
and checked first; only when some file has rows to write is the database rewritten (db.writing
copies the whole file), and a run whose files are all refused only appends to the refusal log
(issue #17.14)."""
from __future__ import annotations

from contextlib import AbstractContextManager
from pathlib import Path
from typing import Callable

import duckdb

from ..config import load_config
from ..db import connect, cursor
from . import refusal_log
from .importer import Prepared, apply_prepared, memory_limit


def _cases_total(db_path: Path) -> int:
    if not db_path.exists():
        return 0
    try:
        con = connect(db_path, read_only=True)
    except duckdb.Error:
        return 0
    try:
        return cursor(con).execute("SELECT count(*) FROM cases").fetchone()[0]
    except duckdb.Error:   # an empty file: no tables yet
        return 0
    finally:
        con.close()


def import_prepared(db_path: str | Path, prepared: list[Prepared],
                    open_writer: Callable[[], AbstractContextManager[duckdb.DuckDBPyConnection]],
                    before: Callable[[duckdb.DuckDBPyConnection], object] | None = None) -> dict:
    """Write the prepared files (each its own transaction) and return the CLI's JSON report.
    `before` runs first inside the same writer (e.g. removing the demo)."""
    db_path = Path(db_path)
    if before is None and all(p.report.refused for p in prepared):
        for p in prepared:
            refusal_log.append(db_path, [p.report], p.as_of)
        return {"files": [p.report.to_dict() for p in prepared], "cases_total": _cases_total(db_path)}
    with open_writer() as con:
        con.execute(f"SET memory_limit = '{memory_limit(load_config())}'")   # bounded like the reading (#14.2)
        moved = refusal_log.move_into(con, db_path)
        if before is not None:
            before(con)
        reports = [apply_prepared(con, p).to_dict() for p in prepared]
        total = cursor(con).execute("SELECT count(*) FROM cases").fetchone()[0]
    refusal_log.forget(db_path, moved)
    return {"files": reports, "cases_total": total}
