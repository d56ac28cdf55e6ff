"""Growth: what import, the database and the queries cost at 100,000 / 1,000,000 / … cases.

    python benchmarks/bench_growth.py [--sizes 100000,1000000] [--folder DIR] [--memory-mb N]

For each size: a county ledger export of that many cases written to disk as UTF-8 CSV in
chunks of 250,000 (benchmarks/generate.py, one seed a chunk, so memory does not grow with the
size), then

* the import in a fresh process (`python -m queries import`): seconds, rows/s, peak RSS;
* the database file's size;
* `kpi`, `rank`, `units` and a 24-month trend: cold (a fresh `python -m queries …` process,
  wall seconds) and warm (the median of 5 calls on one open connection);
* a monthly import of 1,000 new cases into the large database: seconds and peak RSS (every
  write copies the file and swaps it in, queries/db.py: at a large size that copy is the cost);
* the dashboard's resident memory once `server.py` has prepared 总览's first views.

Prints one block per size and a table at the end. Nothing is asserted.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # run from a checkout, uninstalled
sys.path.insert(0, str(HERE))

from generate import generate_cases  # noqa: E402

import _browser as b  # noqa: E402

CHUNK = 250_000
WARM_RUNS = 5


def write_export(path: Path, rows: int, first_seed: int = 0, prefix: str = "G") -> Path:
    """`rows` cases as one CSV, written a chunk at a time; case ids unique across chunks."""
    with open(path, "w", encoding="utf-8", newline="") as out:
        for number, start in enumerate(range(0, rows, CHUNK)):
            frame = generate_cases(min(CHUNK, rows - start), seed=first_seed + number)
            frame["信访件编号"] = [f"{prefix}{number:03d}{i:07d}" for i in range(len(frame))]
            frame.to_csv(out, index=False, header=number == 0, date_format="%Y-%m-%d")
    return path


# The child is started by a small launcher process: a child forked straight from this process
# would report this process's own peak (Linux carries the high-water mark across fork + exec).
_LAUNCHER = """
import json, os, subprocess, sys, time
started = time.perf_counter()
child = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
_, status, usage = os.wait4(child.pid, 0)
print(json.dumps({"wall": time.perf_counter() - started, "rss_mb": usage.ru_maxrss / 1024,
                  "code": os.waitstatus_to_exitcode(status), "stderr": child.stderr.read().decode()[-2000:]}))
"""


def run_measured(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall seconds, peak RSS in MB) of one child process."""
    launched = subprocess.run([sys.executable, "-c", _LAUNCHER, *command], cwd=b.ROOT, env=env,
                              capture_output=True, text=True, check=True)
    result = json.loads(launched.stdout)
    if result["code"] != 0:
        raise RuntimeError(f"{' '.join(command)} failed: {result['stderr']}")
    return result["wall"], result["rss_mb"]


def warm_queries(db: Path) -> dict[str, float]:
    """Median seconds of each query on one open read connection (after a first call)."""
    from queries.metrics import analysis, kpi
    from queries.metrics.accountability import units
    from queries.db import open_reader
    from queries.periods import Scope
    con = open_reader(db)
    as_of = con.execute("SELECT max(registered_on) FROM cases").fetchone()[0]
    calls = {
        "kpi": lambda: kpi.kpi(con),
        "rank": lambda: kpi.rank(con),
        "units": lambda: units(con),
        "trend 24": lambda: analysis.trend(con, Scope(), as_of, ["cases", "repeat_ratio"], 24),
    }
    medians = {}
    for name, call in calls.items():
        call()
        times = []
        for _ in range(WARM_RUNS):
            started = time.perf_counter()
            call()
            times.append(time.perf_counter() - started)
        medians[name] = statistics.median(times)
    con.close()
    return medians


def cold_queries(db: Path, env: dict[str, str]) -> dict[str, float]:
    """Wall seconds of each query as a fresh CLI process."""
    commands = {"kpi": ["kpi", "--json"], "rank": ["rank", "--json"], "units": ["units", "--json"]}
    return {name: run_measured([sys.executable, "-m", "queries", *args, "--db", str(db)], env)[0]
            for name, args in commands.items()}


def dashboard_rss(db: Path, folder: Path, config: str) -> float:
    """Resident MB of `streamlit run server.py` once it answers: its first views (county and
    every township) prepared, the warmer on as an office runs it."""
    with b.serve(db, folder / "app.log", XINFANG_CONFIG=config, XINFANG_WARM_SECONDS="2") as app:
        return sum(b.resident_mb(app))


def measure(rows: int, folder: Path, env: dict[str, str]) -> dict[str, float]:
    export = write_export(folder / f"cases-{rows}.csv", rows)
    monthly = write_export(folder / f"monthly-{rows}.csv", 1_000, first_seed=1_000, prefix="M")
    db = folder / f"growth-{rows}.duckdb"
    command = [sys.executable, "-m", "queries", "import", "--db", str(db), "--as-of", "2026-11-20"]
    seconds, rss = run_measured([*command, str(export)], env)
    result = {"rows": rows, "csv_mb": export.stat().st_size / 2**20, "import_s": seconds,
              "rows_per_s": rows / seconds, "import_rss_mb": rss, "db_mb": db.stat().st_size / 2**20}
    result.update({f"cold {k}": v for k, v in cold_queries(db, env).items()})
    result.update({f"warm {k}": v for k, v in warm_queries(db).items()})
    result["monthly_s"], result["monthly_rss_mb"] = run_measured([*command, str(monthly)], env)
    result["dashboard_rss_mb"] = dashboard_rss(db, folder, env["XINFANG_CONFIG"])
    for path in (export, monthly):
        path.unlink()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--memory-mb", type=int, help="[import] memory_mb (default: the configuration's)")
    parser.add_argument("--folder", type=Path, help="where the exports and databases go (default: a temporary one)")
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    with tempfile.TemporaryDirectory(dir=args.folder) as scratch:
        folder = Path(scratch)
        config = folder / "xinfang.toml"   # a county's multi-year export is larger than the upload limit
        memory = f"memory_mb = {args.memory_mb}\n" if args.memory_mb else ""
        config.write_text(f"[import]\nmax_file_mb = 100000\n{memory}", encoding="utf-8")
        env = {**os.environ, "PYTHONPATH": str(b.ROOT), "XINFANG_CONFIG": str(config), "XINFANG_WARM_SECONDS": "0"}
        results = []
        for rows in sizes:
            result = measure(rows, folder, env)
            results.append(result)
            print("  ".join(f"{k} {v:,.2f}" if isinstance(v, float) else f"{k} {v:,}" for k, v in result.items()),
                  f"(load average {os.getloadavg()[0]:.1f})", flush=True)
    keys = [k for k in results[0] if k != "rows"]
    print("\n| measure | " + " | ".join(f"{r['rows']:,} cases" for r in results) + " |")
    print("|---|" + "---|" * len(results))
    for key in keys:
        print(f"| {key} | " + " | ".join(f"{r[key]:,.2f}" for r in results) + " |")


if __name__ == "__main__":
    main()
