"""The DuckDB database: where it lives, its schema, how it is read and how it is written.

Every DuckDB call of the project goes through this package. Callers hold a connection and
run each query on its own `cursor(con)` (DuckDB 2 refuses a connection busy in another thread).

Readers and writers never block each other (docs/concurrency.md):
* readers (the dashboard, `kpi`, `rank`, `report`) attach the file read-only;
* a writer (`writing`: imports, incidents, audit records, the demo) works on a copy of the
  file under a lock and, when it succeeds, renames the copy over the original in one atomic
  step. A reader sees the old file or the new one, never half of an import; a writer killed
  midway leaves the original as it was.
Each connection is its own in-memory DuckDB instance with the file ATTACHed as `xf`, because
DuckDB caches instances by path: a plain `duckdb.connect(path)` after a swap would return the
old file's instance.
"""
from __future__ import annotations

import errno
import fcntl
import hashlib
import json
import os
import re
import shutil
from contextlib import contextmanager
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Iterator

import duckdb

from .config import load_config

SQL_DIR = Path(__file__).with_name("sql")
DEFAULT_DB = Path(__file__).resolve().parent.parent / "data" / "xinfang.duckdb"
ALIAS = "xf"   # the catalog name of the attached database file


# --- what went wrong, in one Chinese sentence ----------------------------------------------------

class DatabaseUnusable(Exception):
    """The database file cannot be opened or read (damaged, not a database): the message says
    what to do."""


_DAMAGED = ("not a valid duckdb database", "could not read enough bytes", "corrupt database", "checksum",
            "invalid database", "unsupported version")
_READ_ONLY = (errno.EACCES, errno.EPERM, errno.EROFS)
_DISK_FULL = (errno.ENOSPC, errno.EDQUOT)


def damaged(path: str | Path | None = None) -> DatabaseUnusable:
    name = f"数据库文件 {path} " if path else "数据库文件"
    return DatabaseUnusable(f"{name}已损坏或不是信访看板的数据库，无法读取：请从备份恢复该文件，"
                            "或由管理员将它移到一旁后重新导入台账。")


def is_damage(error: BaseException) -> bool:
    return isinstance(error, duckdb.Error) and any(mark in str(error).lower() for mark in _DAMAGED)


def explain(error: BaseException, path: str | Path | None = None) -> str | None:
    """The sentence a user gets for a failure of the file system or of the database file; None
    for anything else (a bug: the caller lets it reach the log)."""
    if isinstance(error, DatabaseUnusable):
        return str(error)
    number = getattr(error, "errno", None)
    text = str(error).lower()
    filename = getattr(error, "filename", None) or path
    if number in _DISK_FULL or "no space left" in text or "disk quota" in text:
        return "磁盘空间不足，无法写入：请清理磁盘或改用空间充足的目录后重试；数据库未作改动。"
    if number in _READ_ONLY or "read-only file system" in text or "permission denied" in text:
        place = f"目录 {Path(filename).parent}" if filename else "数据目录"
        return f"无法写入{place}（只读或没有写权限）：请让管理员开放该目录的写权限，或改用可写的目录；数据库未作改动。"
    if number == errno.ENOENT and filename:
        return f"找不到 {filename}（或其所在目录）：请检查路径后重试。"
    if is_damage(error):
        return str(damaged(path))
    return None


@cache
def sql(name: str) -> str:
    """The text of queries/sql/<name>.sql."""
    return (SQL_DIR / f"{name}.sql").read_text(encoding="utf-8")


_PLACEHOLDER = re.compile(r"\{([a-z_]{2,})\}")   # {groups_filter}; never a regex's \p{Z} or {2}


def compose(name: str, **parts: str) -> str:
    """queries/sql/<name>.sql with its {placeholders} filled. A placeholder without a part, or a
    part without its placeholder, is a programming error: refused, never sent half-filled."""
    text = sql(name)
    wanted = set(_PLACEHOLDER.findall(text))
    if wanted != set(parts):
        raise KeyError(f"sql/{name}.sql takes {sorted(wanted)}, was given {sorted(parts)}")
    return _PLACEHOLDER.sub(lambda match: parts[match.group(1)], text)


def literal(value) -> str:
    """A Python value as an SQL literal, for the statements that cannot bind it (ATTACH, COPY, DDL)."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, date):
        return f"DATE '{value.isoformat()}'"
    return "'" + str(value).replace("'", "''") + "'"


def _attach(path: Path, read_only: bool) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(":memory:")
    mode = " (READ_ONLY)" if read_only else ""
    try:   # a path cannot be a bound parameter of ATTACH; it is ours (config/CLI), quoted as a literal
        con.execute(f"ATTACH {literal(str(path))} AS {ALIAS}{mode}")
    except duckdb.Error as error:
        con.close()
        if is_damage(error):
            raise damaged(path) from error
        raise
    con.execute(f"USE {ALIAS}")
    con.execute("SET enable_progress_bar = false")  # none on a terminal or in logs
    return con


def cursor(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """A cursor of `con` that sees the database file (a new cursor starts in `memory`)."""
    cur = con.cursor()
    cur.execute(f"USE {ALIAS}")
    return cur


def connect(path: str | Path = DEFAULT_DB, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open the database file directly. Writable: created if missing, schema and case_facts
    brought up to date. Use `writing` instead when other programs may be reading the file."""
    path = Path(path)
    if read_only:
        return _attach(path, read_only=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    con = _attach(path, read_only=False)
    if not is_current(con):
        _drop_facts_table(con)
        con.execute(sql("schema"))
        refresh_facts(con)
    return con


def _drop_facts_table(con: duckdb.DuckDBPyConnection) -> None:
    """A file built by an earlier version keeps the facts in a table named case_facts; schema.sql
    creates a view of that name, so the table goes first (the facts are then computed again)."""
    kind = con.execute("SELECT table_type FROM information_schema.tables WHERE table_catalog = ? "
                       "AND table_schema = 'main' AND table_name = 'case_facts'", [ALIAS]).fetchone()
    if kind == ("BASE TABLE",):
        con.execute("DROP TABLE case_facts")


def is_current(con: duckdb.DuckDBPyConnection) -> bool:
    """Was the file built with this version's schema, case_facts SQL and 口径 settings?"""
    try:
        stored = con.execute("SELECT value FROM meta WHERE key = 'build_signature'").fetchone()
    except duckdb.CatalogException:  # an empty or foreign file
        return False
    return stored is not None and stored[0] == _build_signature()


def _facts_settings() -> dict:
    settings = load_config()["metrics"]
    return {name: settings[name] for name in ("repeat_window_days", "skip_levels", "collective_min")}


def _build_signature() -> str:
    text = sql("schema") + sql("case_facts") + json.dumps(_facts_settings(), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


FACTS_UPDATE_SHARE = 0.1   # an import writing more of the cases than this recomputes every case's facts
FACTS_PART_CASES = 1_000_000   # a whole rebuild of more cases goes in parts of the persons, each this size


def _facts_query(cases: str, persons: str = "true") -> str:
    """The facts (case_id, petitioner_key, the derived columns) of the cases in `cases` whose
    person passes `persons` (sql/case_facts.sql)."""
    return compose("case_facts", cases=cases, persons_filter=persons)


def _store_facts(con: duckdb.DuckDBPyConnection, facts: str, settings: dict) -> None:
    """Write the facts of a _facts_query onto their cases (the columns schema.sql adds to `cases`).
    Only the fact columns are rewritten: the cases' texts are not copied."""
    con.execute(f"CREATE OR REPLACE TEMP TABLE new_facts AS {facts}", settings)
    columns = [c[0] for c in con.execute("SELECT * EXCLUDE (case_id) FROM new_facts LIMIT 0").description]
    assignments = ", ".join(f"{name} = f.{name}" for name in columns)
    con.execute(f"UPDATE cases SET {assignments} FROM new_facts f WHERE cases.case_id = f.case_id")
    con.execute("DROP TABLE new_facts")


def refresh_facts(con: duckdb.DuckDBPyConnection, written: str | None = None) -> None:
    """Recompute the cases' facts with the active 口径 settings (after every import, and when
    the SQL or the settings changed since they were computed). `written`: a relation of the
    case_ids an import wrote; when they are few, only the cases of the persons they belong to
    (by petitioner_key before and after the import) are recomputed, and a monthly import into a
    large database does not pay for every case."""
    settings = _facts_settings()
    total = con.execute("SELECT count(*) FROM cases").fetchone()[0]
    share = con.execute(f"SELECT count(*) FROM {written}").fetchone()[0] / max(total, 1) if written else 1
    if written is None or share > FACTS_UPDATE_SHARE:
        _rebuild_facts(con, total, settings)
    else:
        # a written case still carries its key from before the import (the upsert leaves the facts be)
        written_cases = f"(SELECT * FROM cases WHERE case_id IN (SELECT case_id FROM {written}))"
        con.execute("CREATE OR REPLACE TEMP TABLE facts_persons AS "
                    f"SELECT petitioner_key FROM {written_cases} WHERE petitioner_key IS NOT NULL UNION "
                    f"SELECT petitioner_key FROM ({_facts_query(written_cases)})", settings)
        touched = ("(SELECT * FROM cases WHERE petitioner_key IN (SELECT petitioner_key FROM facts_persons) "
                   f"OR case_id IN (SELECT case_id FROM {written}))")
        _store_facts(con, _facts_query(touched), settings)
        con.execute("DROP TABLE facts_persons")
    _mark_current(con)


def _mark_current(con: duckdb.DuckDBPyConnection) -> None:
    """Record that the stored facts are those of this version's SQL and 口径 settings (is_current)."""
    con.execute("INSERT OR REPLACE INTO meta VALUES ('build_signature', ?)", [_build_signature()])


def _person_parts(total: int) -> list[str]:
    """The persons filters of a computation of `total` cases' facts. Beyond FACTS_PART_CASES cases
    the persons are split by a hash of their key and each part is computed on its own: a person's
    facts depend only on that person's cases, and the windows of one part fit the import's
    memory_limit where those of 10,000,000 cases at once do not (#14.2)."""
    parts = max(1, -(-total // FACTS_PART_CASES))
    return ["true"] if parts == 1 else [f"hash(petitioner_key) % {parts} = {part}" for part in range(parts)]


def _rebuild_facts(con: duckdb.DuckDBPyConnection, total: int, settings: dict) -> None:
    """Every case's facts, a part of the persons at a time (_person_parts)."""
    for persons in _person_parts(total):
        _store_facts(con, _facts_query("cases", persons), settings)


def store_cases(con: duckdb.DuckDBPyConnection, rows: str, written: str, update_set: str = "") -> None:
    """Write the cases of `rows` (a SELECT of cases' columns by name, case_id unique) and keep every
    case's facts current; `written`: a relation of their case_ids; `update_set`: the SET list for
    those already stored, which refer to the row as `excluded` (empty: none is stored). Into an
    empty `cases` the facts go in with the cases (_insert_with_facts); otherwise the merge by
    case_id leaves the stored facts be and refresh_facts recomputes those of the persons written."""
    if con.execute("SELECT NOT EXISTS (FROM cases)").fetchone()[0]:
        _insert_with_facts(con, rows, con.execute(f"SELECT count(*) FROM {written}").fetchone()[0])
        return
    if update_set:
        con.execute(f"MERGE INTO cases USING ({rows}) AS excluded ON cases.case_id = excluded.case_id "
                    f"WHEN MATCHED THEN UPDATE SET {update_set} WHEN NOT MATCHED THEN INSERT BY NAME")
    else:
        con.execute(f"INSERT INTO cases BY NAME {rows}")
    refresh_facts(con, written)


def _insert_with_facts(con: duckdb.DuckDBPyConnection, rows: str, count: int) -> None:
    """Insert `count` new cases into an empty `cases` with their facts computed in the same
    statement. With no stored case a case's facts depend only on the file's cases; inserting them
    whole spares rewriting every fact column of a first import (refresh_facts' UPDATE), which
    DuckDB holds in memory until the commit: at 10,000,000 cases that, not the reading, set the
    import's memory (#14.2)."""
    settings = _facts_settings()
    for persons in _person_parts(count):
        con.execute(f"INSERT INTO cases BY NAME SELECT r.*, f.* EXCLUDE (case_id) FROM ({rows}) r "
                    f"JOIN ({_facts_query(f'({rows})', persons)}) f USING (case_id)", settings)
    _mark_current(con)


# --- readers and writers of a shared file ---------------------------------------------------

def identity(path: str | Path) -> tuple | None:
    """Changes whenever a writer replaces the file: the data version readers key caches on."""
    try:
        stat = Path(path).stat()
    except FileNotFoundError:
        return None
    return (stat.st_ino, stat.st_mtime_ns, stat.st_size)


def _scratch(path: Path) -> Path:
    return path.with_name(f".{path.name}.writing")


@contextmanager
def _writer_lock(path: Path) -> Iterator[None]:
    """One writer at a time per database file, across processes (released if a writer dies)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(f".{path.name}.lock"), "a+b") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


@contextmanager
def writing(path: str | Path = DEFAULT_DB) -> Iterator[duckdb.DuckDBPyConnection]:
    """A writable connection to a copy of the database; on success the copy replaces it
    atomically, on an exception it is discarded and the database is unchanged."""
    path = Path(path)
    with _writer_lock(path):
        scratch = _scratch(path)
        for leftover in (scratch, scratch.with_name(scratch.name + ".wal")):  # a killed writer's
            leftover.unlink(missing_ok=True)
        if path.exists():
            shutil.copyfile(path, scratch)
        try:
            try:
                con = connect(scratch)
            except DatabaseUnusable as error:   # name the file the user knows, not the copy
                raise damaged(path) from error
            try:
                yield con
                con.execute("CHECKPOINT")
            finally:
                con.close()
            with open(scratch, "rb") as file:
                os.fsync(file.fileno())
            os.replace(scratch, path)
        finally:
            scratch.unlink(missing_ok=True)


def open_reader(path: str | Path = DEFAULT_DB) -> duckdb.DuckDBPyConnection:
    """A read-only connection to an existing database, first brought up to date (through a
    writer) if it was built by another version or with other 口径 settings."""
    path = Path(path)
    con = _attach(path, read_only=True)
    try:
        current = is_current(con)
    except duckdb.Error as error:   # e.g. a checksum error in the first block read
        con.close()
        if is_damage(error):
            raise damaged(path) from error
        raise
    if current:
        return con
    con.close()
    with writing(path):
        pass
    return _attach(path, read_only=True)


def set_aside(path: str | Path = DEFAULT_DB) -> Path:
    """Move a damaged database file aside (kept, for whoever can rescue it) and start an empty
    one in its place, so the office can import again. Returns where the old file went."""
    path = Path(path)
    with _writer_lock(path):
        aside = path.with_name(f"{path.name}.damaged-{datetime.now():%Y%m%d-%H%M%S}")
        os.replace(path, aside)
        path.with_name(path.name + ".wal").unlink(missing_ok=True)
        connect(path).close()
    return aside
