"""Import throughput: a synthetic export as GBK CSV and as XLSX, each into a fresh database.

    python benchmarks/bench_import.py [--rows N]

Prints rows per second for each format (goals: CSV >= 20,000 rows/s, XLSX >= 5,000 rows/s).
The timed part is `import_files` alone: reading, parsing, upserting and rebuilding case_facts.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from generate import generate_cases, write_csv, write_xlsx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a checkout, uninstalled
from queries.db import connect  # noqa: E402
from queries.demo import AS_OF  # noqa: E402
from queries.importer import import_files  # noqa: E402

GOALS = {"csv": 20_000, "xlsx": 5_000}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    rows = parser.parse_args().rows

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        started = time.perf_counter()
        frame = generate_cases(rows)
        exports = {"csv": write_csv(frame, tmp / "cases.csv", "gbk"), "xlsx": write_xlsx(frame, tmp / "cases.xlsx")}
        print(f"generated {rows:,} rows as GBK CSV ({exports['csv'].stat().st_size / 2**20:.1f} MB) and XLSX "
              f"({exports['xlsx'].stat().st_size / 2**20:.1f} MB) in {time.perf_counter() - started:.1f} s")
        for kind, path in exports.items():
            con = connect(tmp / f"{kind}.duckdb")
            started = time.perf_counter()
            report = import_files(con, [path], as_of=AS_OF)
            seconds = time.perf_counter() - started
            con.close()
            imported = report["files"][0]["imported"]
            rate = rows / seconds
            verdict = "meets" if rate >= GOALS[kind] else "below"
            print(f"{kind:>4}: {imported:,} of {rows:,} rows imported in {seconds:.2f} s = {rate:,.0f} rows/s "
                  f"({verdict} the goal of {GOALS[kind]:,} rows/s)")


if __name__ == "__main__":
    main()
