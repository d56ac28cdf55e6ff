"""`kpi --json` in a fresh process against one plain DuckDB scan in a fresh process (#14.4).

    python benchmarks/bench_cold_start.py [--rows N] [--db PATH] [--runs K]

Builds N synthetic cases (default 1,000,000; bench_metrics' generator; reused with --db when
the file exists). Then runs, K times each (default 7), alternating:

* baseline: `python -c` that imports the package's database module and duckdb, opens the file
  read-only and scans `cases` once (count, distinct townships, date range, sum of persons);
* kpi: `python -m queries kpi --db PATH --json` (every metric, 同比 and 环比, no filter).

It prints the median wall and CPU (user + sys of the child) seconds of each and the ratio
(goal: kpi <= 3 x baseline), then where a fresh `kpi` process spends its time: imports
(`-X importtime`, the heaviest top-level packages), opening the database, the kpi call, the
JSON. CPU seconds move less than wall seconds with the machine's load; both are printed with
the load average. Nothing is asserted.
"""
from __future__ import annotations

import argparse
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

from bench_metrics import build_database  # noqa: E402

GOAL_RATIO = 3.0
BASELINE = """
import sys, duckdb, queries.db
con = duckdb.connect(sys.argv[1], read_only=True)
print(con.execute("SELECT count(*), count(DISTINCT township), min(registered_on), max(registered_on), "
                  "sum(persons) FROM cases").fetchall())
"""
PHASES = """
import sys, time
started = time.perf_counter()
import json
from queries.cli import build_parser
from queries.db import open_reader
from queries.metrics.kpi import kpi
from queries.periods import Scope
imported = time.perf_counter()
con = open_reader(sys.argv[1])
opened = time.perf_counter()
result = kpi(con, Scope())
computed = time.perf_counter()
json.dumps(result.to_json(), ensure_ascii=False)
done = time.perf_counter()
print(f"{imported - started:.3f} {opened - imported:.3f} {computed - opened:.3f} {done - computed:.3f}")
"""


def timed(command: list[str]) -> tuple[float, float]:
    """(wall, cpu) seconds of one child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(command, cwd=ROOT, check=True, capture_output=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def heaviest_imports(db: Path, count: int = 8) -> list[tuple[str, float]]:
    """Top-level packages by cumulative import time in a fresh `kpi` process."""
    out = subprocess.run([sys.executable, "-X", "importtime", "-m", "queries", "kpi", "--db", str(db), "--json"],
                         cwd=ROOT, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    rows = []
    for line in out.stderr.splitlines():
        match = re.match(r"import time:\s+\d+ \|\s+(\d+) \| (\S.*)$", line)
        if match and not match.group(2).startswith(" "):   # top level: no indentation
            rows.append((match.group(2).strip(), int(match.group(1)) / 1e6))
    return sorted(rows, key=lambda r: -r[1])[:count]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--db", type=Path)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    db = args.db or Path(tempfile.mkdtemp(prefix="xinfang-cold-")) / "bench.duckdb"
    if not db.exists():
        build_database(db, args.rows, args.seed)
    baseline = [sys.executable, "-c", BASELINE, str(db)]
    kpi = [sys.executable, "-m", "queries", "kpi", "--db", str(db), "--json"]
    timed(baseline), timed(kpi)   # the file and the interpreter in the page cache
    runs = {"baseline": [], "kpi": []}
    for _ in range(args.runs):
        runs["baseline"].append(timed(baseline))
        runs["kpi"].append(timed(kpi))
    print(f"database: {db} ({db.stat().st_size / 2**20:.0f} MB); load average {os.getloadavg()[0]:.2f}; "
          f"medians of {args.runs} runs")
    medians = {name: (statistics.median(w for w, _ in r), statistics.median(c for _, c in r))
               for name, r in runs.items()}
    for name, (wall, cpu) in medians.items():
        print(f"  {name:<9} wall {wall:.3f} s   cpu {cpu:.3f} s")
    wall_ratio = medians["kpi"][0] / medians["baseline"][0]
    cpu_ratio = medians["kpi"][1] / medians["baseline"][1]
    print(f"  kpi / baseline: wall {wall_ratio:.2f}x, cpu {cpu_ratio:.2f}x (goal <= {GOAL_RATIO:.0f}x: "
          f"{'met' if wall_ratio <= GOAL_RATIO else 'not met'})")
    phases = [subprocess.run([sys.executable, "-c", PHASES, str(db)], cwd=ROOT, capture_output=True, text=True,
                             check=True, env={**os.environ, "PYTHONPATH": str(ROOT)}).stdout.split()
              for _ in range(3)]
    names = ("imports", "open_reader", "kpi()", "json")
    print("  a fresh kpi process, median of 3: " + ", ".join(
        f"{name} {statistics.median(float(p[i]) for p in phases):.3f} s" for i, name in enumerate(names)))
    print("  heaviest imports: " + ", ".join(f"{name} {seconds:.3f} s" for name, seconds in heaviest_imports(db)))


if __name__ == "__main__":
    main()
