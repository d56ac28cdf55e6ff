"""First start on a fresh clone: seconds from the first request to 总览 drawn.

Runs the app on a free port against a database file that does not exist yet (what a fresh
clone has: the demo is built by the first request), opens 总览 in headless Chromium and
prints when the page frame (the title or the first-start notice) and when every metric card
appeared. Then once more after a restart (the file exists; nothing imported, nothing cached).

    python benchmarks/bench_first_start.py            # figures on stdout
"""
from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from _browser import CHROMIUM, CHROMIUM_ARGS, VIEWPORT, serve   # noqa: E402

from queries.metrics import PUBLIC   # noqa: E402

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


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "data" / "xinfang.duckdb"   # as on a fresh clone: not there yet
        for label in ("fresh clone (demo built by the first request)", "after a restart (demo exists)"):
            with serve(path, Path(folder) / "app.log") as app:
                frame, cards = first_visit(app.url)
            print(f"{label:<50} page frame {frame:5.2f} s   总览 drawn {cards:5.2f} s")


if __name__ == "__main__":
    sys.exit(main())
