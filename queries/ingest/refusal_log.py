"""Refused files recorded without rewriting the database (issue #17.14).

Every write replaces the whole database file (db.writing: copy, change, swap), so a refused file
must not go through it: an import in which every file is refused appends one line per file to a
small log beside the database instead. The import history shows those lines at once; the next
real write moves them into `imports` (by batch id, so a crash between the move and the log's
trimming duplicates nothing) and trims the log.
"""
from __future__ import annotations

import fcntl
import json
import os
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Iterator

import duckdb

from ..db import cursor
from .importer import FileReport


def log_path(db_path: str | Path) -> Path:
    db_path = Path(db_path)
    return db_path.with_name(f".{db_path.name}.refused.jsonl")


@contextmanager
def _locked(db_path: Path) -> Iterator[None]:
    with open(log_path(db_path).with_suffix(".lock"), "a+b") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def append(db_path: str | Path, reports: list[FileReport], as_of: date) -> None:
    """Record refused files: a few hundred bytes each, the database file untouched."""
    db_path = Path(db_path)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    now = datetime.now().isoformat()
    lines = "".join(json.dumps({"import_batch": r.batch, "file_name": r.file, "sha256": r.sha256, "imported_at": now,
                                "as_of": as_of.isoformat(), "refused": r.refused}, ensure_ascii=False) + "\n"
                    for r in reports)
    with _locked(db_path), open(log_path(db_path), "a", encoding="utf-8") as log:
        log.write(lines)
        log.flush()
        os.fsync(log.fileno())


def pending(db_path: str | Path) -> list[dict]:
    """Refusals not yet moved into the database, oldest first."""
    try:
        text = log_path(db_path).read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    entries = []
    for line in text.splitlines():
        try:
            entries.append(json.loads(line))
        except ValueError:   # a line cut by a crash mid-write
            continue
    return entries


def move_into(con: duckdb.DuckDBPyConnection, db_path: str | Path) -> list[str]:
    """Inside a writer: copy the pending refusals into `imports`; returns their batch ids (to
    `forget` once the writer has replaced the file)."""
    entries = pending(db_path)
    cur = cursor(con)
    for e in entries:
        cur.execute("INSERT OR IGNORE INTO imports VALUES (?, ?, ?, ?, ?, 0, 0, 0, 0, 0, 0, [], ?)",
                    [e["import_batch"], e["file_name"], e["sha256"], datetime.fromisoformat(e["imported_at"]),
                     date.fromisoformat(e["as_of"]), e["refused"]])
    return [e["import_batch"] for e in entries]


def forget(db_path: str | Path, batches: list[str]) -> None:
    """Drop the moved refusals from the log (lines appended meanwhile stay)."""
    if not batches:
        return
    db_path = Path(db_path)
    with _locked(db_path):
        keep = [e for e in pending(db_path) if e["import_batch"] not in set(batches)]
        path = log_path(db_path)
        if keep:
            scratch = path.with_suffix(".tmp")
            scratch.write_text("".join(json.dumps(e, ensure_ascii=False) + "\n" for e in keep), encoding="utf-8")
            os.replace(scratch, path)
        else:
            path.unlink(missing_ok=True)
