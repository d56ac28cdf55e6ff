"""Metric latency: kpi, rank and a 24-month trend over a large database, against a pandas baseline.

    python benchmarks/bench_metrics.py [--rows N] [--seed S]

Generates N synthetic cases (default 1,000,000; `generate.generate_cases`, mapped from the
export headers onto the `cases` columns), writes them straight into a DuckDB file in a temporary
directory and rebuilds case_facts. Then prints, for the full `kpi` (every metric with 同比 and
环比, no filter), `rank` (no filter) and `trend` (one metric, 24 months, one township):

* cold: a new process opens a new connection and makes the first call (the time from
  `connect` to the answer; the process start and imports are shown beside it);
* warm: the median of 5 further calls on that connection, in that process;
* pandas: the same three answers from benchmarks/pandas_baseline.py (median of 3 calls on
  the prepared DataFrame; loading and preparing it is shown once), and pandas / warm SQL.

It checks that SQL and pandas agree on every number and exits with status 1 when they do not.
The goals reported against: cold <= 1.5 s, warm <= 0.3 s. Nothing is asserted about time.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # run from a checkout, uninstalled
sys.path.insert(0, str(HERE))

GOAL_COLD, GOAL_WARM = 1.5, 0.3
TREND_METRIC = "repeat_ratio"
TREND_MONTHS = 24
WARM_RUNS, PANDAS_RUNS = 5, 3

BOOLEAN_TEXT = {"是": True, "否": False, "Y": True, "N": False, "1": True, "0": False,
                "true": True, "false": False, "√": True, "重件": True, "初件": False}


# --- the database ---------------------------------------------------------------------------

def _header_map(columns) -> dict[str, str]:
    """Export header -> cases column, by the synonyms of the configuration (first listed wins)."""
    from queries.config import load_config
    headers = load_config()["import"]["headers"]
    mapping = {}
    for field, names in headers.items():
        for name in names:
            if name in columns and field != "place_path":
                mapping[name] = field
                break
    return mapping


def _cases_frame(n: int, seed: int) -> pd.DataFrame:
    """n synthetic cases under the `cases` column names."""
    try:
        from generate import generate_cases
    except ImportError:  # the shared generator is not there: a plain numpy one
        return _numpy_cases(n, seed)
    export = generate_cases(n, seed)
    frame = export.rename(columns=_header_map(export.columns))
    from queries.config import load_config
    from queries.normalize import category_class
    config = load_config()
    classes, aliases = list(config["categories"]["lead"]), config["categories"]["aliases"]
    other = config["categories"]["other"]
    frame["category_raw"] = frame["category"]
    lookup = {raw: category_class(raw, classes, aliases, other)[0] for raw in frame["category"].unique()}
    frame["category"] = frame["category"].map(lookup)
    for field in ("key_person", "repeat_flag"):
        if field in frame:
            frame[field] = frame[field].map(BOOLEAN_TEXT).astype("boolean")
    for field in ("registered_on", "accepted_on", "due_on", "closed_on"):
        frame[field] = pd.to_datetime(frame[field]).astype("datetime64[s]")
    frame["persons"] = frame["persons"].fillna(1).astype("int32")
    frame["source_file"] = "bench_metrics"
    frame["source_row"] = np.arange(2, len(frame) + 2, dtype="int32")
    frame["import_batch"] = f"bench-{seed}"
    return frame


def _numpy_cases(n: int, seed: int) -> pd.DataFrame:
    """Fallback generator: vectorized numpy, realistic shares, as of 2026-11-20."""
    rng = np.random.default_rng(seed)
    first, last = np.datetime64("2024-01-01"), np.datetime64("2026-11-20")
    registered = np.sort(first + rng.integers(0, (last - first).astype(int) + 1, size=n))
    townships = np.array(["青石镇", "白水乡", "城关街道", "城东街道", "河口镇", "龙山乡"], dtype=object)
    t = rng.integers(0, len(townships), size=n)
    v = rng.integers(0, 8, size=n)
    people = min(n, 200_000)
    who = rng.integers(0, people, size=n)
    idnos = np.array([f"4311221970{i:07d}" + "0123456789X"[i % 11] for i in range(people)], dtype=object)
    channel = rng.choice(np.array(["来访", "来信", "网上信访", "电话", "其他"], dtype=object), n,
                         p=[.33, .25, .3, .09, .03])
    level = rng.choice(np.array(["村", "镇", "县", "市", "省", "京"], dtype=object), n,
                       p=[.05, .3, .55, .07, .025, .005])
    persons = np.where(channel == "来访", rng.choice([1, 2, 3, 6, 10], n, p=[.7, .15, .1, .04, .01]), 1)
    accepted = registered + rng.choice([0, 1, 3, 8, 20], n, p=[.4, .3, .15, .1, .05])
    closed = accepted + rng.integers(5, 90, size=n)
    is_open = closed > last
    return pd.DataFrame({
        "case_id": [f"NP{i:08d}" for i in range(n)],
        "registered_on": registered.astype("datetime64[s]"), "channel": channel,
        "petitioner_name": None, "petitioner_idno": idnos[who], "persons": persons.astype("int32"),
        "township": townships[t], "village": np.char.add(np.char.add(townships[t].astype(str), "-村"),
                                                         v.astype(str)).astype(object),
        "category": rng.choice(np.array(["城乡建设类", "农业农村类", "涉法涉诉类", "劳动保障类", "军人事务类",
                                         "民生保障类", "其他"], dtype=object), n),
        "level": level,
        "accepted_on": np.where(accepted > last, np.datetime64("NaT"), accepted).astype("datetime64[s]"),
        "due_on": (accepted + 60).astype("datetime64[s]"),
        "closed_on": np.where(is_open, np.datetime64("NaT"), closed).astype("datetime64[s]"),
        "resolution": np.where(is_open, None, rng.choice(np.array(["已化解", "稳控", "未化解"], dtype=object), n,
                                                          p=[.88, .07, .05])),
        "satisfaction": np.where(is_open, None, rng.choice(np.array(["满意", "基本满意", "不满意", "未评价"],
                                                                    dtype=object), n, p=[.62, .26, .06, .06])),
        "key_person": pd.array(rng.random(n) < 0.03, dtype="boolean"),
    })


def build_database(path: Path, rows: int, seed: int) -> None:
    from queries.db import connect, refresh_facts
    started = time.perf_counter()
    frame = _cases_frame(rows, seed)
    generated = time.perf_counter()
    con = connect(path)
    con.register("generated", frame)
    con.execute("INSERT INTO cases BY NAME SELECT * FROM generated")
    con.unregister("generated")
    inserted = time.perf_counter()
    refresh_facts(con)
    con.execute("CHECKPOINT")
    con.close()
    print(f"database: {rows:,} cases generated in {generated - started:.1f} s, written in "
          f"{inserted - generated:.1f} s, case_facts rebuilt in {time.perf_counter() - inserted:.1f} s "
          f"({path.stat().st_size / 2**20:.0f} MB)")


# --- the three calls ------------------------------------------------------------------------

def sql_call(con, what: str, township: str, as_of: date):
    from queries.metrics.analysis import trend
    from queries.metrics.kpi import kpi, rank
    from queries.periods import Scope
    if what == "kpi":
        return kpi(con, Scope()).to_json()   # the CLI document, compared with the baseline's
    if what == "rank":
        return rank(con, Scope())
    return trend(con, Scope(townships=(township,)), as_of, [TREND_METRIC], count=TREND_MONTHS)


def pandas_call(cases: pd.DataFrame, what: str, township: str, as_of: date):
    from pandas_baseline import kpi_pandas, monthly_pandas, rank_pandas
    if what == "kpi":
        return kpi_pandas(cases, {})
    if what == "rank":
        return rank_pandas(cases, {})
    return monthly_pandas(cases, {"townships": [township]}, as_of, TREND_METRIC, TREND_MONTHS)


def cold_child(db: str, what: str, township: str, as_of: str) -> None:
    """Run in a fresh process: connect and make the first call (cold), then WARM_RUNS more on
    the same connection (warm); print the seconds as JSON."""
    started = time.perf_counter()
    from queries.metrics.analysis import trend  # noqa: F401  (the imports a dashboard process has made)
    from queries.db import connect
    from queries.metrics.kpi import kpi  # noqa: F401
    imported = time.perf_counter()
    con = connect(db)
    day = date.fromisoformat(as_of)
    sql_call(con, what, township, day)
    done = time.perf_counter()
    warm, _ = _timed(lambda: sql_call(con, what, township, day), WARM_RUNS)
    con.close()
    print(json.dumps({"imports": imported - started, "connect_and_call": done - imported, "warm": warm}))


def sql_timings(db: Path, what: str, township: str, as_of: date) -> tuple[float, float, float, float]:
    """(cold: connect + first call, imports, whole process wall time, warm median) in a new process.

    Warm is measured there too: in the parent, the million-row DataFrame of the pandas
    baseline (and its garbage) would slow DuckDB down by a third, which no dashboard has."""
    started = time.perf_counter()
    out = subprocess.run([sys.executable, __file__, "--cold", what, "--db", str(db),
                          "--township", township, "--as-of", as_of.isoformat()],
                         check=True, capture_output=True, text=True)
    timing = json.loads(out.stdout.strip().splitlines()[-1])
    wall = time.perf_counter() - started - WARM_RUNS * timing["warm"]
    return timing["connect_and_call"], timing["imports"], wall, timing["warm"]


def _timed(call, runs: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = call()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


# --- agreement ------------------------------------------------------------------------------

def _null(value):
    return None if value is None or (not isinstance(value, (str, dict, list)) and pd.isna(value)) else value


def _same(a, b) -> bool:
    a, b = _null(a), _null(b)
    if a is None or b is None:
        return a is b
    if isinstance(a, (bool, str)) or isinstance(b, (bool, str)):
        return a == b
    return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-12)


def differences(what: str, sql, pandas) -> list[str]:
    from pandas_baseline import METRICS
    wrong = []
    if what == "kpi":
        for key in ("as_of", "from", "to"):
            if str(sql[key]) != pandas[key]:
                wrong.append(f"{key}: sql={sql[key]} pandas={pandas[key]}")
        for metric_id in METRICS:
            for field in ("value", "yoy", "pop", "target", "met"):
                a, b = sql["metrics"][metric_id][field], pandas["metrics"][metric_id][field]
                if not _same(a, b):
                    wrong.append(f"{metric_id}.{field}: sql={a!r} pandas={b!r}")
    elif what == "rank":
        if len(sql) != len(pandas):
            wrong.append(f"{len(sql)} villages in SQL, {len(pandas)} in pandas")
        fields = ("rank", "township", "village", "score", "grade", "cases", "repeat_ratio",
                  "skip_level_persons", "beijing_province_visits", "overdue_open", "satisfaction_rate")
        for a, b in zip(sql, pandas):
            wrong += [f"rank {b['rank']} {f}: sql={a[f]!r} pandas={b[f]!r}" for f in fields if not _same(a[f], b[f])]
    else:
        if len(sql) != len(pandas):
            wrong.append(f"{len(sql)} months in SQL, {len(pandas)} in pandas")
        for (_, a), b in zip(sql.iterrows(), pandas):
            if str(pd.Timestamp(a["start"]).date()) != b["start"] or not _same(a[TREND_METRIC], b["value"]) \
                    or not _same(a[f"{TREND_METRIC}_yoy"], b["yoy"]):
                wrong.append(f"{b['month']}: sql=({a[TREND_METRIC]!r}, {a[f'{TREND_METRIC}_yoy']!r}) "
                             f"pandas=({b['value']!r}, {b['yoy']!r})")
    return wrong


# --- main -----------------------------------------------------------------------------------

def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--cold", choices=["kpi", "rank", "trend"], help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    parser.add_argument("--township", help=argparse.SUPPRESS)
    parser.add_argument("--as-of", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.cold:
        cold_child(args.db, args.cold, args.township, args.as_of)
        return 0

    from pandas_baseline import prepare_cases
    from queries.db import connect

    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.duckdb"
        build_database(db, args.rows, args.seed)
        con = connect(db)
        as_of, township = con.execute(
            "SELECT max(registered_on), mode(township) FROM cases").fetchone()
        con.close()  # the file admits one process at a time: the cold runs go first
        print(f"as of {as_of}; trend: {TREND_METRIC}, {TREND_MONTHS} months, 乡镇 = {township}")
        sql_times = {what: sql_timings(db, what, township, as_of) for what in ("kpi", "rank", "trend")}

        con = connect(db)
        started = time.perf_counter()
        raw = con.execute("SELECT * FROM cases").df()
        loaded = time.perf_counter()
        cases = prepare_cases(raw)
        prepared = time.perf_counter()
        del raw
        print(f"pandas: cases loaded into a DataFrame in {loaded - started:.2f} s, "
              f"prepared (petitioner_key, is_repeat, ...) in {prepared - loaded:.2f} s\n")

        results, all_agree = [], True
        for what in ("kpi", "rank", "trend"):
            sql_result = sql_call(con, what, township, as_of)
            pandas_s, pandas_result = _timed(lambda: pandas_call(cases, what, township, as_of), PANDAS_RUNS)
            wrong = differences(what, sql_result, pandas_result)
            all_agree &= not wrong
            cold_s, imports_s, wall_s, warm_s = sql_times[what]
            results.append((what, cold_s, imports_s, wall_s, warm_s, pandas_s, wrong))
        con.close()

    print(f"{'call':<6} {'cold':>8} {'warm':>8} {'pandas':>8} {'pandas/warm':>12}  "
          f"goal (cold <= {GOAL_COLD} s, warm <= {GOAL_WARM} s)   SQL = pandas")
    for what, cold_s, imports_s, wall_s, warm_s, pandas_s, wrong in results:
        goal = ("met" if cold_s <= GOAL_COLD and warm_s <= GOAL_WARM else
                "MISSED (" + ", ".join(n for n, s, g in (("cold", cold_s, GOAL_COLD), ("warm", warm_s, GOAL_WARM))
                                       if s > g) + ")")
        print(f"{what:<6} {cold_s:>7.3f}s {warm_s:>7.3f}s {pandas_s:>7.3f}s {pandas_s / warm_s:>11.1f}x  "
              f"{goal:<40} {'agree' if not wrong else f'{len(wrong)} DIFFERENCES'}")
    print(f"\n{os.cpu_count()} CPUs. cold = connect + first call in a new process; warm = median of {WARM_RUNS} "
          f"more calls there; pandas = median of {PANDAS_RUNS} calls on the prepared DataFrame.\nPer process: "
          + "; ".join(f"{w} imports {i:.2f} s, whole process {t:.2f} s" for w, _, i, t, *_ in results))
    for what, *_, wrong in results:
        for line in wrong[:20]:
            print(f"  {what}: {line}")
    print("\nSQL and pandas agree on every number." if all_agree else "\nSQL and pandas DISAGREE (see above).")
    return 0 if all_agree else 1


if __name__ == "__main__":
    sys.exit(main())
