"""Latency of `units`, `leaders` and `handed` at 1,000,000 cases with 50,000 reception rows.

    python benchmarks/bench_accountability.py [--rows N] [--receptions R] [--seed S]

Builds the case database as benchmarks/bench_metrics.py does, adds R reception rows (random
leaders, kinds and places; 0-3 case ids each, a few unknown) straight into `receptions`, then
prints for each call (the CLI's defaults: 本年 up to the latest registration, no filter) the
first call on a new connection and the median of 5 warm calls, plus `units --township` and
`duty` for reference. Goal: warm <= 0.5 s each. Nothing is asserted about time.
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

GOAL_WARM = 0.5
LEADERS = ("王海涛", "刘建军", "陈立新", "张国华", "李红梅", "赵志远", "周志强", "李国平", "王少华")
KINDS = np.array(["接访", "约访", "下访", "调度"], dtype=object)


def add_receptions(path: Path, count: int, seed: int) -> None:
    from queries.db import connect
    con = connect(path)
    cases = con.execute("SELECT case_id, registered_on, township FROM cases ORDER BY registered_on").df()
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, len(cases), size=(count, 3))
    listed = rng.integers(0, 4, size=count)
    ids = cases["case_id"].to_numpy()
    case_ids = [sorted({*ids[picks[i, :listed[i]]]} | ({f"UNKNOWN{i}"} if i % 500 == 0 else set()))
                for i in range(count)]
    held = pd.to_datetime(cases["registered_on"].to_numpy()[picks[:, 0]]) + pd.to_timedelta(
        rng.integers(0, 20, size=count), unit="D")
    kinds = KINDS[rng.choice(4, size=count, p=[.6, .15, .15, .1])]
    frame = pd.DataFrame({
        "reception_key": [f"bench-{i}" for i in range(count)], "held_on": held.date,
        "leader": np.array(LEADERS, dtype=object)[rng.integers(0, len(LEADERS), size=count)],
        "kind": kinds, "township": np.where(rng.random(count) < 0.8, cases["township"].to_numpy()[picks[:, 0]], None),
        "village": None, "batches": np.where(kinds == "接访", rng.integers(1, 5, size=count), 0).astype("int32"),
        "persons": rng.integers(1, 12, size=count).astype("int32"), "case_ids": case_ids})
    con.register("generated", frame)
    con.execute("INSERT INTO receptions BY NAME SELECT * FROM generated")
    con.execute("CHECKPOINT")
    con.close()


def timed(call, runs: int = 5) -> tuple[float, float, int]:
    started = time.perf_counter()
    result = call()
    first = time.perf_counter() - started
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return first, statistics.median(times), len(result) if isinstance(result, list) else result["duty_days"]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--receptions", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--keep", type=Path, help="keep the built database here (and reuse it when it exists)")
    args = parser.parse_args()
    from bench_metrics import build_database
    from queries.metrics.duty import duty
    from queries.metrics.accountability import handed, leaders, units
    from queries.db import open_reader
    from queries.periods import Scope
    with tempfile.TemporaryDirectory() as folder:
        path = args.keep or Path(folder) / "bench.duckdb"
        if not path.exists():
            build_database(path, args.rows, args.seed)
            started = time.perf_counter()
            add_receptions(path, args.receptions, args.seed)
            print(f"receptions: {args.receptions:,} rows written in {time.perf_counter() - started:.1f} s")
        con = open_reader(path)
        township = con.execute("SELECT township FROM cases LIMIT 1").fetchone()[0]
        calls = {"units": lambda: units(con), "leaders": lambda: leaders(con), "handed": lambda: handed(con),
                 f"units --township {township}": lambda: units(con, Scope((township,))),
                 "duty (imported roster: none)": lambda: duty(con)}
        report = {}
        for name, call in calls.items():
            first, warm, size = timed(call)
            report[name] = {"first_s": round(first, 3), "warm_median_s": round(warm, 3), "rows": size}
            mark = "" if not name.split()[0] in ("units", "leaders", "handed") else (
                "  (goal met)" if warm <= GOAL_WARM else "  (over the 0.5 s goal)")
            print(f"{name:32s} first {first:6.3f} s   warm {warm:6.3f} s   rows {size:,}{mark}")
        con.close()
    print(json.dumps(report, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
