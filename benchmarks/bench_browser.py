"""Page speed in a real browser (issue #4): opening 总览, and a filter change, in headless Chromium.

    python benchmarks/bench_browser.py [--rows 1000000] [--repeat 5] [--shots /tmp/bench-shots] [--demo-only]

For each data set (the demo, `python -m queries demo`; and --rows synthetic cases from
benchmarks/generate.py, built once and cached under /tmp/xinfang-bench) it starts the app on
a free port of 127.0.0.1 and, in Debian's Chromium at 1920×1080, measures:

* navigation: from the start of the navigation (page.goto) to 总览 *fully drawn* — all 20
  metric cards with their sparklines, every Plotly chart and table drawn, nothing stale, the
  script no longer running and Streamlit's status widget gone (benchmarks/_browser.py). Cold =
  the first page after the server started (nothing imported, no connection, no cache);
  warm cached = new pages on the same URL (st.cache_data answers); warm uncached = new pages
  with another as-of date each (?asof=, every query runs again on the warm server); after a new
  data version = the default view (no parameters) a few seconds after the database file was
  replaced (a copy of itself: what every import does), so the dashboard's background warmer has
  computed it, as it would have for the first visitor after an import. Every page is in a new
  browser context, so the browser's cache is always empty (a first visit), except for the
  returning visitor: new pages of one browser context that has opened the dashboard before
  (Streamlit's scripts and fonts come from the browser's cache), each with an as-of date of its
  own (every query runs).
* filter change: from the click (pointer release) to the figures updated (the caption naming
  the period and filters, or a card, differs) and the page fully drawn again, in the page
  that opened with that as-of date: choose one 乡镇(街道) (uncached), clear it (cached), choose
  it again (cached), 统计期 本季 (uncached), back to 本年 (cached).

Times are on the page's own clock (performance.now(), polled each animation frame), so they do
not include the benchmark's round trips. Prints a table of medians over --repeat runs, with
the goals (navigation <= 2 s, filter change <= 1 s), and saves a screenshot of each data set's
总览 (after the cold load, and filtered to one 乡镇) in --shots. Nothing is asserted about
time; exit status 1 if a page showed an error.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import sys
from datetime import timedelta
from pathlib import Path

import _browser as b
from queries.demo.county import AS_OF

GOAL_NAVIGATION, GOAL_CHANGE = 2.0, 1.0
WARM_WAIT = 6.0   # seconds after a new data version: the warmer looks every 2 s, warms in < 1 s
TOWNSHIP = "乡镇(街道)"
TOWNSHIPS = ("青石镇", "柳河镇", "城东街道")


def url(app: b.App, as_of=AS_OF) -> str:
    return f"{app.url}/?asof={as_of.isoformat()}"


async def navigation(browser, address: str, cards: int) -> tuple[dict, object]:
    page = await b.new_page(browser)
    return await b.goto_drawn(page, address, cards), page


async def filter_changes(page, township: str, cards: int) -> dict[str, float]:
    """The five changes of one run, in order, each from the screen the previous one left."""
    times, shown = {}, await b.screen(page)
    steps = [("乡镇 choose one, uncached", lambda: b.pick(page, TOWNSHIP, township)),
             ("乡镇 clear, cached", lambda: b.clear_choices(page, TOWNSHIP)),
             ("乡镇 choose one, cached", lambda: b.pick(page, TOWNSHIP, township)),
             ("统计期 本季, uncached", lambda: b.choose_period(page, "本季")),
             ("统计期 本年, cached", lambda: b.choose_period(page, "本年"))]
    for name, action in steps:
        if name.startswith("乡镇 choose"):
            await b.open_choices(page, TOWNSHIP)  # not timed: the pick is the change
        times[name], shown = await b.change(page, action, shown, cards)
        if name.startswith("乡镇 choose"):
            await b.close_choices(page)
    return times


async def measure(db: Path, repeat: int, shots: Path, name: str, log: Path) -> tuple[dict, list[str]]:
    """{measurement: [seconds, …]} for one data set, and the errors seen."""
    cards, results, errors = b.card_count(), {}, []

    def add(key: str, value) -> None:
        results.setdefault(key, []).append(value)

    with b.serve(db, log) as app:
        async with b.chromium() as browser:
            cold, page = await navigation(browser, url(app), cards)
            add("navigation, cold (first after server start)", cold)
            await page.screenshot(path=str(shots / f"{name}-overview.png"))
            errors += await b.page_errors(page)
            await b.close_page(page)
            await asyncio.sleep(WARM_WAIT)   # the warmer's first look, after the server start: let it finish
            for _ in range(repeat):
                warm, page = await navigation(browser, url(app), cards)
                add("navigation, warm, cached figures", warm)
                errors += await b.page_errors(page)
                await b.close_page(page)
            for _ in range(repeat):
                b.new_version(db)
                await asyncio.sleep(WARM_WAIT)
                warm, page = await navigation(browser, f"{app.url}/", cards)
                add("navigation, new data version (warmed)", warm)
                errors += await b.page_errors(page)
                await b.close_page(page)
            for run in range(repeat):
                warm, page = await navigation(browser, url(app, AS_OF - timedelta(days=run + 1)), cards)
                add("navigation, warm, uncached (another as-of)", warm)
                for key, seconds in (await filter_changes(page, TOWNSHIPS[run % len(TOWNSHIPS)], cards)).items():
                    add(key, {"drawn": seconds})
                if run == 0:  # after the changes: one 乡镇, 本年
                    await page.screenshot(path=str(shots / f"{name}-filtered.png"))
                errors += await b.page_errors(page)
                await b.close_page(page)
            # A returning visitor: the browser holds Streamlit's static files from an earlier
            # visit (as a leader's browser does), the figures are computed afresh.
            context = await b.new_context(browser)
            earlier = AS_OF - timedelta(days=repeat + 1)
            await b.goto_drawn(await context.new_page(), url(app, earlier), cards)
            for run in range(repeat):
                page = await context.new_page()
                returning = await b.goto_drawn(page, url(app, earlier - timedelta(days=run + 1)), cards)
                add("navigation, returning visitor, uncached", returning)
                errors += await b.page_errors(page)
                await page.close()
            await context.close()
        errors += [f"server traceback: {t.strip().splitlines()[-1]}" for t in app.tracebacks()]
    return results, errors


def print_table(rows: list[tuple[str, str, list[dict]]]) -> None:
    print(f"\n{b.pad('data set', 28)} {b.pad('measurement', 44)} {'n':>2} {'median':>7} {'min':>7} {'max':>7}  "
          f"{'HTML':>6} {'1st card':>8}  goal")
    for data_set, key, values in rows:
        drawn = [v["drawn"] for v in values]
        goal = GOAL_NAVIGATION if key.startswith("navigation") else GOAL_CHANGE
        mid = b.median(drawn)
        milestones = f"{'':>6} {'':>8}"
        if "html" in values[0]:
            html, first = (b.median([v[k] for v in values]) for k in ("html", "first_card"))
            milestones = f"{html:>5.2f}s {first:>7.2f}s"
        print(f"{b.pad(data_set, 28)} {b.pad(key, 44)} {len(drawn):>2} {mid:>6.2f}s {min(drawn):>6.2f}s "
              f"{max(drawn):>6.2f}s  "
              f"{milestones}  <= {goal:g} s {'met' if mid <= goal else 'MISSED'}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="cases of the large data set")
    parser.add_argument("--repeat", type=int, default=5, help="runs of each warm measurement")
    parser.add_argument("--shots", type=Path, default=Path("/tmp/bench-shots"))
    parser.add_argument("--demo-only", action="store_true", help="skip the large data set")
    args = parser.parse_args()
    args.shots.mkdir(parents=True, exist_ok=True)

    data_sets = [("demo", b.demo_db())]
    if not args.demo_only:
        data_sets.append((f"{args.rows:,} cases", b.large_db(args.rows)))
    rows, all_errors = [], []
    for label, db in data_sets:
        total = b.total_text(b.cli_kpi(db, "--as-of", AS_OF.isoformat()))
        name = label.split()[0].replace(",", "")
        print(f"{label}: {db} ({db.stat().st_size / 2**20:.0f} MB; 信访总量 本年 as of {AS_OF}: {total})", flush=True)
        results, errors = asyncio.run(measure(db, args.repeat, args.shots, name, b.CACHE / f"app-{name}.log"))
        rows += [(f"{label} ({total})", key, values) for key, values in results.items()]
        all_errors += [f"{label}: {e}" for e in errors]
    print_table(rows)
    print(f"\nTimes on the page's clock: navigation start -> fully drawn; click -> figures updated and drawn. "
          f"HTML = DOMContentLoaded, 1st card = first metric card in the DOM.\n{os.cpu_count()} CPUs, "
          f"shared with other work; medians of {args.repeat} runs (cold: one). Screenshots in {args.shots}.")
    for error in all_errors:
        print("ERROR", error)
    print("\nNo error on any page." if not all_errors else f"\n{len(all_errors)} errors (see above).")
    return 1 if all_errors else 0


if __name__ == "__main__":
    sys.exit(main())
