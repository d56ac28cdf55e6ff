"""First start on a fresh clone: seconds from the first request to 总览 drawn.

Three ways a fresh clone meets its first visitor, each on a database file of its own in a
temporary folder (what a fresh clone has: no `data/xinfang.duckdb` yet), each through the
README's launcher (`streamlit run server.py`, which prepares 总览's first views before the
server accepts connections) and, for comparison, `streamlit run dashboard.py`:

1. the README's quick start: `python -m queries demo --if-missing` builds the demo before the
   server starts (timed on its own), then the server starts and the browser opens 总览;
2. the server alone: the demo is built at its start (launcher) or by the first request;
3. a restart: the server starts again on the database of 2 (nothing imported, nothing cached).

For each: the seconds from the command to the server answering (its health check), from the
first request to the first drawn element of the page (the title or the first-start notice)
and to every metric card with its value, and the CPU seconds the server spent on the request
(what a quiet machine would take, roughly, for the server's part). The machine's load average
is printed alongside: on a shared machine the wall times move with it.

    python benchmarks/bench_first_start.py            # figures on stdout
"""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _browser import CHROMIUM, CHROMIUM_ARGS, ROOT, VIEWPORT, serve   # noqa: E402

from queries.metrics.registry import PUBLIC   # noqa: E402

CARDS = len(PUBLIC)


def first_visit(url: str) -> tuple[float, float]:
    """(frame, cards): seconds from the request to the first drawn element of the page, and to
    every scorecard card with its value."""
    from playwright.sync_api import sync_playwright
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport=VIEWPORT)
        start = time.perf_counter()
        page.goto(url, wait_until="domcontentloaded")
        page.wait_for_selector("h1, [data-testid=stAlert], [data-testid=stSpinner]", timeout=120_000)
        frame = time.perf_counter() - start
        page.wait_for_function(f"document.querySelectorAll('[data-testid=stMetricValue]').length >= {CARDS}",
                               timeout=180_000, polling="raf")
        cards = time.perf_counter() - start
        browser.close()
    return frame, cards


def quick_start_demo(path: Path) -> float:
    """Seconds of the quick start's `python -m queries demo --if-missing` (a new process)."""
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "queries", "demo", "--if-missing", "--db", str(path)], cwd=ROOT,
                   env={**os.environ, "PYTHONPATH": str(ROOT)}, check=True, capture_output=True)
    return time.perf_counter() - start


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds a process has used so far (Linux): unlike wall time, hardly
    moved by other work on the machine."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def load() -> str:
    return "load average " + " ".join(f"{value:.1f}" for value in os.getloadavg())


def report(label: str, path: Path, log: Path, script: str) -> None:
    with serve(path, log, script=script) as app:
        before = cpu_seconds(app.process.pid)
        frame, cards = first_visit(app.url)
        cpu = cpu_seconds(app.process.pid) - before
    print(f"{label:<48} server up {app.ready_after:5.2f} s   page frame {frame:5.2f} s   总览 drawn {cards:5.2f} s"
          f"   server CPU {cpu:5.2f} s   ({load()})", flush=True)


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        for script in ("server.py", "dashboard.py"):
            print(f"streamlit run {script}:", flush=True)
            here = folder / Path(script).stem
            quick = here / "quick" / "data" / "xinfang.duckdb"
            built = quick_start_demo(quick)
            print(f"  {'quick start: demo --if-missing (before the server)':<46} {built:5.2f} s   ({load()})", flush=True)
            report("  quick start: first 总览 after the server starts", quick, here / "quick.log", script)
            lazy = here / "lazy" / "data" / "xinfang.duckdb"
            report("  the server alone (it builds the demo)", lazy, here / "lazy.log", script)
            report("  after a restart (demo exists)", lazy, here / "restart.log", script)


if __name__ == "__main__":
    sys.exit(main())
