"""研判·人员 latency: `watch` (the 预警名单) and `paths` (越级路径) over a large database.

    python benchmarks/bench_people.py [--rows N] [--seed S] [--db PATH]

Builds N synthetic cases (default 1,000,000) the way bench_metrics.py does (reused with --db if
the file exists), then, on one read connection, prints for `watch_list` (no filter, as of the
latest registration), `paths` (本年, no filter) and both for one township:

* first: the first call on the connection;
* warm: the median of 5 further calls.

The goal reported against: warm <= 1 s. Nothing is asserted about time.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # run from a checkout, uninstalled
sys.path.insert(0, str(HERE))

from bench_metrics import build_database  # noqa: E402

GOAL_WARM = 1.0
WARM_RUNS = 5


def timings(call) -> tuple[float, float, object]:
    started = time.perf_counter()
    result = call()
    first = time.perf_counter() - started
    warm = []
    for _ in range(WARM_RUNS):
        started = time.perf_counter()
        call()
        warm.append(time.perf_counter() - started)
    return first, statistics.median(warm), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--db", type=Path, help="reuse (or create) this database file")
    args = parser.parse_args()

    from queries.db import open_reader
    from queries.periods import Scope
    from queries.research.paths import paths
    from queries.research.watch import watch_list

    with tempfile.TemporaryDirectory() as scratch:
        db = args.db or Path(scratch) / "bench.duckdb"
        if not db.exists():
            started = time.perf_counter()
            build_database(db, args.rows, args.seed)
            print(f"built {args.rows:,} cases in {time.perf_counter() - started:.1f} s")
        con = open_reader(db)
        cases = con.execute("SELECT count(*) FROM cases").fetchone()[0]
        township = con.execute("SELECT min(township) FROM cases").fetchone()[0]
        print(f"{cases:,} cases; goal: warm <= {GOAL_WARM:.1f} s; load average {os.getloadavg()[0]:.1f} "
              f"on {os.cpu_count()} cores")
        print(f"{'call':<28}{'first':>9}{'warm':>9}  result")
        calls = {
            "watch": lambda: watch_list(con),
            "paths": lambda: paths(con),
            f"watch --township {township}": lambda: watch_list(con, Scope(townships=(township,))),
            f"paths --township {township}": lambda: paths(con, Scope(townships=(township,))),
        }
        for name, call in calls.items():
            first, warm, result = timings(call)
            size = (f"{len(result)} persons" if isinstance(result, list)
                    else f"{len(result['flows'])} flows, {len(result['escalated'])} escalated")
            mark = "ok" if warm <= GOAL_WARM else "OVER GOAL"
            print(f"{name:<28}{first:>8.2f}s{warm:>8.2f}s  {size} ({mark})")
        # for scale: the full scorecard (bench_metrics' goal: warm <= 0.3 s) on this machine now
        from queries.metrics.kpi import kpi
        first, warm, _ = timings(lambda: kpi(con))
        print(f"{'kpi (for scale)':<28}{first:>8.2f}s{warm:>8.2f}s")
        con.close()


if __name__ == "__main__":
    main()
