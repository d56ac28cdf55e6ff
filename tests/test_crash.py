"""Killing an import (SIGKILL) at any point leaves the database as before that import, and
running the import again gives the same database as an uninterrupted run."""
from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from queries.db import connect
import pytest

ROOT = Path(__file__).resolve().parent.parent
HEADER = ["信访件编号", "登记日期", "信访形式", "信访人", "乡镇", "村(社区)", "问题分类", "人数", "化解情况"]
TABLES = ("cases", "rejected_rows", "imports", "import_warnings", "case_facts")


def write_export(path: Path, rows: int, start: int = 0) -> Path:
    with path.open("w", encoding="gbk", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(HEADER)
        for i in range(start, start + rows):
            writer.writerow([f"X{i:07d}", f"2025/{i % 12 + 1}/{i % 28 + 1}", "来访" if i % 3 else "来信",
                             f"姓名{i % 5000}", "青石镇", f"村{i % 18}", "城乡建设_征地", i % 4 + 1,
                             "已化解" if i % 2 else "稳控"])
            if i % 997 == 0:
                writer.writerow([f"BAD{i}", "不是日期", "来访", "", "", "", "", "", ""])
    return path


def run_import(db: Path, export: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "queries", "import", str(export), "--db", str(db),
                             "--as-of", "2026-01-01", "--json"], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def snapshot(db: Path) -> dict[str, list]:
    """Every table's content, minus the columns that differ between two runs (ids and times)."""
    volatile = {"import_batch", "imported_at", "entered_at"}
    with connect(db, read_only=True) as con:
        result = {}
        for table in TABLES:
            columns = [c for (c,) in con.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = ? ORDER BY ordinal_position",
                [table]).fetchall() if c not in volatile]
            names = ", ".join(columns)
            result[table] = con.execute(f"SELECT {names} FROM {table} ORDER BY ALL").fetchall()
        return result


@pytest.fixture(scope="module")
def exports(tmp_path_factory):
    folder = tmp_path_factory.mktemp("exports")
    return write_export(folder / "first.csv", 2000), write_export(folder / "second.csv", 30000, start=1000)


def prepared_db(folder: Path, first: Path) -> Path:
    """A database holding the first export, as the state an interrupted import must keep."""
    folder.mkdir()
    db = folder / "t.duckdb"
    assert run_import(db, first).wait(timeout=120) == 0
    return db


def scratch_of(db: Path) -> Path:
    """The writer's working copy (queries.db.writing): it exists only while the import writes."""
    return db.with_name(f".{db.name}.writing")


def start_writing(db: Path, export: Path) -> subprocess.Popen:
    """Start an import and return once its writer holds the working copy (or it has ended).
    Kills are timed from here, not from the process start: under a loaded machine (pytest-xdist
    workers) the start-up and parsing phases vary too much for a fraction of the whole run to
    land inside the write."""
    process = run_import(db, export)
    while not scratch_of(db).exists() and process.poll() is None:
        time.sleep(0.002)
    return process


def test_sigkill_at_several_points_leaves_old_state_and_rerun_matches(tmp_path, exports):
    first, second = exports
    reference = prepared_db(tmp_path / "ref", first)
    process = start_writing(reference, second)
    started = time.monotonic()
    assert process.wait(timeout=300) == 0
    write_phase = time.monotonic() - started
    complete = snapshot(reference)

    killed_before_commit = 0
    for fraction in (0.0, 0.15, 0.35, 0.6, 0.9):
        db = prepared_db(tmp_path / f"kill{int(fraction * 100)}", first)
        before = snapshot(db)
        process = start_writing(db, second)
        time.sleep(write_phase * fraction)
        finished = process.poll() is not None
        if not finished:
            os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
        after_kill = snapshot(db)
        if finished:
            assert after_kill == complete
        else:
            assert after_kill in (before, complete)  # a kill after COMMIT keeps the import
            killed_before_commit += after_kill == before
        assert run_import(db, second).wait(timeout=300) == 0
        rerun = snapshot(db)
        if after_kill == before:
            assert rerun == complete
        else:  # the second run re-imports the same rows: only the import history grows
            assert {t: rerun[t] for t in TABLES if t not in ("imports", "rejected_rows")} == \
                   {t: complete[t] for t in TABLES if t not in ("imports", "rejected_rows")}
    assert killed_before_commit >= 2, "the kills should land inside the import's write"
