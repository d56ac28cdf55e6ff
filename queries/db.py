"""The DuckDB database: where it lives, its schema, and the named SQL files.

Every DuckDB call of the project goes through this package. Callers hold a connection and
run each query on its own `cursor()` (DuckDB 2 refuses a connection busy in another thread).
"""
from __future__ import annotations

import hashlib
import json
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
    stored = con.execute("SELECT value FROM meta WHERE key = 'facts_signature'").fetchone()
    if stored is None or stored[0] != _facts_signature():
        refresh_facts(con)
    return con


def _facts_settings() -> dict:
    settings = load_config()["metrics"]
    return {name: settings[name] for name in ("repeat_window_days", "skip_levels", "collective_min")}


def _facts_signature() -> str:
    """What case_facts was built from: its SQL and the 口径 settings it uses."""
    text = sql("case_facts") + json.dumps(_facts_settings(), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def refresh_facts(con: duckdb.DuckDBPyConnection) -> None:
    """Rebuild case_facts from cases with the active 口径 settings (after every import, and
    when the SQL or the settings changed since it was built)."""
    con.execute("SET enable_progress_bar = false")  # none on a terminal or in logs
    con.execute(sql("case_facts"), _facts_settings())
    con.execute("INSERT OR REPLACE INTO meta VALUES ('facts_signature', ?)", [_facts_signature()])
