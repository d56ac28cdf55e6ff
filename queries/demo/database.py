"""The demo in a database: built through the real import path, recognised by its files'
names, and removed again (#13.6)."""
from __future__ import annotations

from pathlib import Path

from ..db import writing
from .county import AS_OF, DEMO_FILES
from .exports import write_exports

# The importer and the 接访 demo are imported where they are used: every page asks `has_demo`
# for its banner, and 总览's first draw must not wait for them.


def build_demo(db_path: str | Path, exports_dir: str | Path | None = None) -> dict:
    """Write the demo exports (default: `demo_exports/` beside the database) and import them
    into `db_path` as of 2026-11-20; returns the import report.

    Building again into the same database re-imports the same files (cases are upserted, so
    nothing doubles); a database holding other data is refused rather than mixed with the demo.
    """
    from ..ingest.importer import import_files
    from .receptions import write_reception_demo
    db_path = Path(db_path)
    with writing(db_path) as con:
        foreign = con.execute("SELECT count(*) FROM cases WHERE NOT coalesce(list_contains(?, source_file), false)",
                              [list(DEMO_FILES)]).fetchone()[0]
        if foreign:
            raise ValueError(f"数据库 {db_path} 已有 {foreign} 件非演示数据；请把演示数据生成到新的数据库文件。")
        directory = Path(exports_dir) if exports_dir else db_path.parent / "demo_exports"
        report = import_files(con, write_exports(directory), as_of=AS_OF)
        ledgers = write_reception_demo(con, directory, AS_OF)   # 接访台账 and 值班表, from the cases
        report["files"] += import_files(con, ledgers, as_of=AS_OF)["files"]
        return report


def has_demo(con) -> bool:
    """Does the database hold demo cases? (They are the ones imported from the demo's files.)"""
    from ..db import cursor
    return cursor(con).execute("SELECT EXISTS (SELECT 1 FROM cases WHERE list_contains(?, source_file))",
                               [list(DEMO_FILES)]).fetchone()[0]


def remove_demo(con) -> int:
    """Delete the demo cases and the demo's import records (refused rows, warnings, history)
    in one transaction; returns how many cases were removed."""
    from ..db import cursor, refresh_facts
    from ..ingest.terms import forget_removed_cases
    from .receptions import LEDGER_FILE as RECEPTION_LEDGER_FILE, ROSTER_FILE as RECEPTION_ROSTER_FILE
    cur, files = cursor(con), list(DEMO_FILES)
    ledgers = [RECEPTION_LEDGER_FILE, RECEPTION_ROSTER_FILE]
    cur.execute("BEGIN TRANSACTION")
    try:
        removed = cur.execute("DELETE FROM cases WHERE list_contains(?, source_file)", [files]).fetchone()[0]
        for table, column in (("rejected_rows", "source_file"), ("import_warnings", "source_file"),
                              ("imports", "file_name")):
            cur.execute(f"DELETE FROM {table} WHERE list_contains(?, {column})", [files + ledgers])
        for table in ("receptions", "duty_roster"):
            cur.execute(f"DELETE FROM {table} WHERE list_contains(?, source_file)", [ledgers])
        forget_removed_cases(cur)   # the 研判 index of the removed cases
        refresh_facts(cur)
        cur.execute("COMMIT")
    except Exception:
        cur.execute("ROLLBACK")
        raise
    return removed
