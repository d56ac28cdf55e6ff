"""Time to build the 联席会议 deck for the demo county, and how much of it is kaleido.

    python benchmarks/bench_deck.py [--runs N] [--township T]

Builds the demo database in a temporary directory, then writes the full deck N times (default
3) in one process, as the CLI and the download button do. Prints per run the total, the chart
rendering (`deck.render`: Chromium start and the PNGs) and the rest (queries, figures, slides,
saving). The goal reported against: total <= 15 s. Nothing is asserted about time.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a checkout, uninstalled

GOAL = 15.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--township", action="append", default=[])
    args = parser.parse_args()

    import pptx

    from queries.outputs import deck
    from queries.db import open_reader
    from queries.demo.database import build_demo
    from queries.periods import Scope
    from queries.outputs.report import ReportRequest

    rendering: list[float] = []
    render = deck.render

    def timed_render(figures):
        start = time.perf_counter()
        try:
            return render(figures)
        finally:
            rendering.append(time.perf_counter() - start)

    deck.render = timed_render
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "demo.duckdb"
        build_demo(db)
        con = open_reader(db)
        request = ReportRequest(Scope(townships=tuple(args.township)))
        totals = []
        for run in range(1, args.runs + 1):
            out = Path(folder) / f"deck{run}.pptx"
            start = time.perf_counter()
            deck.write_deck(con, request, out)
            totals.append(time.perf_counter() - start)
            slides = len(pptx.Presentation(str(out)).slides)
            print(f"run {run}: total {totals[-1]:.2f} s = kaleido {rendering[-1]:.2f} s + rest "
                  f"{totals[-1] - rendering[-1]:.2f} s ({slides} slides, {out.stat().st_size / 1e6:.1f} MB)")
    median = statistics.median(totals)
    print(f"median total {median:.2f} s (kaleido {statistics.median(rendering):.2f} s); goal <= {GOAL:g} s: "
          f"{'met' if median <= GOAL else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
