"""村居地图 in the browser at 500 villages: the time until the map is drawn.

    python benchmarks/bench_map.py [--villages N] [--rows R] [--repeat K]

Builds a county of N villages (default 500: 25 townships of 20) with R synthetic cases
(default 100,000; bench_metrics' generator, places reassigned evenly) and its map
(`queries.demo.county_map.county_geojson`, configured through [map]), starts the app and
measures, in headless Chromium:

* opened directly: /map typed into a fresh browser profile, K times (default 3) — the first
  visit after the server start (ranking and map computed), then warm (the server's cache, a
  new session). This includes loading Streamlit's and Plotly's scripts, so for scale the same
  is measured for 趋势 (one small Plotly chart) and the text-only 口径说明;
* from the sidebar: a leader on 总览 clicks 村居地图, K times (each in a fresh profile): the
  usual way to the map, with the scripts already loaded.

"Drawn" is: the script idle, no skeleton, and one click/hover marker per village in the map's
last trace (`.scatterlayer .point`, N of them). Seconds on the page's clock from the start of
the navigation or the click. Also checks that no request left 127.0.0.1. Goal: <= 2 s.
Nothing is asserted.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlparse

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import _browser as b  # noqa: E402

GOAL = 2.0
MAP_DRAWN_JS = """
(villages) => (%s)() && !document.querySelector('[data-testid=stSkeleton]')
  && document.querySelectorAll('[data-testid=stPlotlyChart] .scatterlayer .trace:last-child .point').length >= villages
  && performance.now()
""" % b.IDLE_JS.strip()


def places(count: int) -> list[tuple[str, str]]:
    per_township = 20
    return [(f"第{t + 1:02d}镇", f"第{t + 1:02d}镇{v + 1:02d}村") for t in range(-(-count // per_township))
            for v in range(per_township)][:count]


def build(folder: Path, villages: int, rows: int) -> tuple[Path, Path]:
    import numpy as np

    from bench_metrics import _cases_frame
    from queries.db import connect, refresh_facts
    from queries.demo.county_map import county_geojson
    county = places(villages)
    frame = _cases_frame(rows, 0)
    index = np.random.default_rng(1).integers(0, len(county), len(frame))
    frame["township"] = [county[i][0] for i in index]
    frame["village"] = [county[i][1] for i in index]
    db = folder / "map.duckdb"
    con = connect(db)
    con.register("generated", frame)
    con.execute("INSERT INTO cases BY NAME SELECT * FROM generated")
    con.unregister("generated")
    refresh_facts(con)
    con.execute("CHECKPOINT")
    con.close()
    geojson = folder / "county.geojson"
    geojson.write_text(json.dumps(county_geojson(county), ensure_ascii=False), encoding="utf-8")
    return db, geojson


CHART_DRAWN_JS = """
() => (%s)() && !document.querySelector('[data-testid=stSkeleton]')
  && document.querySelector('[data-testid=stPlotlyChart] .scatterlayer .trace') && performance.now()
""" % b.IDLE_JS.strip()
TEXT_DRAWN_JS = "() => (%s)() && document.querySelector('h1') && performance.now()" % b.IDLE_JS.strip()


class Watch:
    """Counts the requests of a page that leave 127.0.0.1."""
    def __init__(self):
        self.outside: list[str] = []

    def page(self, page):
        page.on("request", lambda r: self.outside.append(r.url) if urlparse(r.url).hostname not in (
            "127.0.0.1", "localhost", None) and not r.url.startswith("data:") else None)
        return page


async def opened(browser, watch: Watch, url: str, drawn_js: str, arg=None, shot: Path | None = None) -> float:
    """Seconds from typing `url` into a fresh profile to `drawn_js` true."""
    page = watch.page(await b.new_page(browser))
    await page.goto(url, wait_until="commit", timeout=180_000)
    drawn = await page.wait_for_function(drawn_js, arg=arg, polling="raf", timeout=180_000)
    seconds = await drawn.json_value() / 1000
    if shot:
        await page.screenshot(path=str(shot))
    await b.close_page(page)
    return seconds


async def from_sidebar(browser, watch: Watch, app: b.App, villages: int) -> float:
    """Seconds from a click on 村居地图 in 总览's sidebar to the map drawn."""
    page = watch.page(await b.new_page(browser))
    await b.goto_drawn(page, f"{app.url}/", b.card_count())
    started = await page.evaluate("performance.now()")
    await page.get_by_role("link", name="村居地图").first.click()
    drawn = await page.wait_for_function(MAP_DRAWN_JS, arg=villages, polling="raf", timeout=180_000)
    seconds = (await drawn.json_value() - started) / 1000
    await b.close_page(page)
    return seconds


async def visits(app: b.App, villages: int, repeat: int, shot: Path) -> tuple[dict[str, list[float]], list[str]]:
    watch, times = Watch(), {"direct": [], "sidebar": [], "trends": [], "caliber": []}
    async with b.chromium() as browser:
        for number in range(repeat):
            times["direct"].append(await opened(browser, watch, f"{app.url}/map", MAP_DRAWN_JS, villages,
                                                shot if number == 0 else None))
        for _ in range(repeat):
            times["sidebar"].append(await from_sidebar(browser, watch, app, villages))
        for _ in range(repeat):
            times["trends"].append(await opened(browser, watch, f"{app.url}/trends", CHART_DRAWN_JS))
            times["caliber"].append(await opened(browser, watch, f"{app.url}/caliber", TEXT_DRAWN_JS))
    return times, watch.outside


def _times(values: list[float]) -> str:
    return ", ".join(f"{t:.2f}" for t in values)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--villages", type=int, default=500)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        db, geojson = build(folder, args.villages, args.rows)
        config = folder / "xinfang.toml"
        config.write_text(f'[map]\ngeojson = "{geojson}"\n', encoding="utf-8")
        shot = b.ROOT / "test-artifacts" / f"bench-map-{args.villages}.png"
        shot.parent.mkdir(exist_ok=True)
        with b.serve(db, folder / "app.log", XINFANG_CONFIG=str(config), XINFANG_WARM_SECONDS="0") as app:
            times, outside = asyncio.run(visits(app, args.villages, args.repeat, shot))
            errors = app.tracebacks()
    direct, sidebar = times["direct"], times["sidebar"]
    warm = statistics.median(direct[1:]) if len(direct) > 1 else float("nan")
    print(f"村居地图, {args.villages} villages, {args.rows:,} cases; goal: drawn <= {GOAL:.1f} s")
    print(f"from 总览's sidebar (median of {len(sidebar)}): {statistics.median(sidebar):.2f} s "
          f"({'ok' if statistics.median(sidebar) <= GOAL else 'OVER GOAL'}); all: {_times(sidebar)}")
    print(f"opened directly in a fresh profile: first visit after start {direct[0]:.2f} s; warm (median of "
          f"{len(direct) - 1}): {warm:.2f} s ({'ok' if warm <= GOAL else 'OVER GOAL'}); all: {_times(direct)}")
    print(f"for scale, opened directly the same way: 趋势 (one Plotly chart) {_times(times['trends'])} s, "
          f"口径说明 (text) {_times(times['caliber'])} s ({os.getloadavg()[0]:.1f} load average now)")
    print(f"requests leaving 127.0.0.1: {len(outside)}; server tracebacks: {len(errors)}; screenshot: {shot}")


if __name__ == "__main__":
    main()
