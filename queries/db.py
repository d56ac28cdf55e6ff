"""The DuckDB database: where it lives, its schema, and the named SQL files.

Every DuckDB call of the project goes through this package. Callers hold a connection and
run each query on its own `cursor()` (DuckDB 2 refuses a connection busy in another thread).
"""
from __future__ import annotations

from functools import cache
from pathlib import Path

import duckdb

from .config import load_config

SQL_DIR = Path(__file__).with_name("sql")
DEFAULT_DB = Path(__file__).resolve().parent.parent / "data" / "xinfang.duckdb"


@cache
def sql(name: str) -> str:
    """The text of queries/sql/<name>.sql."""
    return (SQL_DIR / f"{name}.sql").read_text(encoding="utf-8")


def connect(path: str | Path = DEFAULT_DB, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open (and, when writable, create) the database with its schema."""
    path = Path(path)
    if read_only:
        return duckdb.connect(str(path), read_only=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path))
    con.execute(sql("schema"))
    if not has_table(con, "case_facts"):
        refresh_facts(con)
    return con


def has_table(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    return con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [name]
    ).fetchone()[0] > 0


def refresh_facts(con: duckdb.DuckDBPyConnection) -> None:
    """Rebuild case_facts from cases with the active 口径 settings."""
    settings = load_config()["metrics"]
    con.execute(sql("case_facts"), {
        "repeat_window_days": settings["repeat_window_days"],
        "skip_levels": settings["skip_levels"],
        "collective_min": settings["collective_min"],
    })
