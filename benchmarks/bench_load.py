"""Load test (issue #6): 20 sessions change filters while a 100,000-row import runs.

    python benchmarks/bench_load.py [--pages 2] [--sockets 18] [--duration 60] [--base-rows 50000]
                                    [--import-rows 100000] [--open-at-once 4] [--timeout 60]
                                    [--processes N] [--think SECONDS]

Against 127.0.0.1 only. The database is the demo plus --base-rows synthetic cases
(benchmarks/generate.py; built once under /tmp/xinfang-bench, copied fresh for every run). The
app is started on it and --pages + --sockets sessions open 总览 at /?asof=2026-11-20 (the data's
last day, pinned so that old and new data are compared over the same period):

* pages: each a Chromium page in its own browser context, driven like a user — click, then
  wait until the figures are updated and the page fully drawn (benchmarks/_browser.py);
* sockets: each a websocket client speaking Streamlit's protocol (_browser.SocketSession):
  it sends the rerun request the frontend would send and waits for the end of the run.
  Chromium needs about 4 CPU seconds to draw 总览 once, so 20 pages on 2 cores measure the
  browser, not the app; the websocket clients put the same load on the server without it.

Then, for --duration seconds, every session repeatedly changes one filter at random — one
乡镇(街道) chosen or cleared, one 问题分类 chosen or cleared, or another 统计期 — with no pause
between changes (a stress test), or with --think T a pause of 0.5–1.5×T seconds after each, as a
leader reading the figures would (how many such readers a deployment serves). A quarter into that time `python -m queries import <--import-rows new
cases>.csv --db DB --as-of 2026-11-20` starts in a subprocess.

Reported:
* errors (goal 0): exceptions (stException / exception elements), st.error alerts, websocket
  disconnects, changes not done within --timeout, JavaScript errors, server tracebacks;
* response time of the filter changes, p50 / p95 / max, before, during and after the import;
  CPU seconds of the app, Chromium and the machine during the load;
* correctness: every session's 信访总量 card when opened (before the import) equals
  `python -m queries kpi --json --as-of 2026-11-20` on the old data and, after the import, once
  each session has rerun back to 本年 without filters, equals it on the new data. Every figure
  seen during the run is also checked against `queries.metrics.kpi.kpi` (the function behind the CLI)
  for the view in the session's URL: old data before the import started, new data after it
  ended, either while it ran.

With --processes N the app is deploy/cluster.py's N processes behind HAProxy (docs/deployment.md)
instead of one `streamlit run`; its CPU is theirs and the proxy's together.

Nothing is asserted about time; exit status 1 on any error or wrong figure. Needs Debian's
/usr/bin/chromium (with --pages 0, not even that). Output of the app and the import goes to
/tmp/xinfang-bench/load/.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import resource
import shutil
import sys
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import _browser as b
from queries.demo.county import AS_OF

TOWNSHIP, CATEGORY = "乡镇(街道)", "问题分类"
PERIODS = {"month": "本月", "quarter": "本季", "year": "本年", "12m": "近12个月"}
WORK = b.CACHE / "load"


# --- data -----------------------------------------------------------------------------------

def cases_csv(rows: int, seed: int, prefix: str) -> Path:
    """`rows` synthetic cases as a UTF-8 CSV, case numbers <prefix>00000000…, cached."""
    from generate import generate_cases, write_csv
    path = b.CACHE / f"{prefix}-{rows}-seed{seed}.csv"
    if not path.exists():
        frame = generate_cases(rows, seed)
        frame["信访件编号"] = [f"{prefix}{i:08d}" for i in range(rows)]
        b.CACHE.mkdir(parents=True, exist_ok=True)
        write_csv(frame, path.with_name(path.name + ".partial")).rename(path)
    return path


def base_db(rows: int) -> Path:
    """The demo plus `rows` synthetic cases (imported like an office would), cached."""
    path = b.CACHE / f"load-base-demo+{rows}.duckdb"
    if path.exists():
        return b.up_to_date(path)
    from queries.db import connect
    from queries.ingest.importer import import_files
    partial = path.with_name(path.name + ".partial")
    shutil.copyfile(b.demo_db(), partial)
    con = connect(partial)
    import_files(con, [cases_csv(rows, 1, "BASE")], as_of=AS_OF)
    con.execute("CHECKPOINT")
    con.close()
    partial.rename(path)
    return path


def choices(db: Path) -> tuple[list[str], list[str]]:
    """The townships and categories a session picks from."""
    from queries.db import open_reader
    con = open_reader(db)
    towns, cats = ([row[0] for row in con.execute(f"SELECT DISTINCT {column} FROM cases WHERE {column} IS NOT NULL "
                                                  "ORDER BY 1").fetchall()] for column in ("township", "category"))
    con.close()
    return towns, cats


# --- one session ----------------------------------------------------------------------------
# A session is a Chromium page (the real frontend: click, then wait until drawn) or a websocket
# client (b.SocketSession: send the rerun, wait for the end of the run). Both change the same
# sidebar widgets, keyed as in pages/_state.py.

WIDGET_LABELS = {"f_town": TOWNSHIP, "f_cat": CATEGORY}
LOST_CLICKS = [0]   # option clicks of the pages that were lost and repeated (see _browser.pick)


@dataclass
class Change:
    session: int
    kind: str               # "page" or "socket"
    what: str
    clicked: float          # time.monotonic() before the click / the rerun request
    done: float             # time.monotonic() after drawn / the run's end
    seconds: float | None   # page: click -> drawn on the page's clock; socket: request -> run end; None = failed
    view: dict              # the view in the URL afterwards
    total: str | None       # the 信访总量 card afterwards
    cards: dict             # every card afterwards: label -> value text


@dataclass
class Session:
    number: int
    kind: str
    client: object = None   # a Playwright page or a b.SocketSession
    opened: float | None = None
    first_total: str | None = None
    last_total: str | None = None
    changes: list[Change] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    closing: bool = False

    def view(self) -> dict:
        return view_of(self.client.url) if self.kind == "page" else self.client.view()


def view_of(url: str) -> dict:
    query = parse_qs(urlsplit(url).query)
    return {"p": query.get("p", ["year"])[0], "t": query.get("t", [""])[0], "c": query.get("c", [""])[0],
            "asof": query.get("asof", [""])[0]}


def watch(session: Session) -> None:
    """Count websocket closes (while the session is meant to be open) and JavaScript errors."""
    def on_socket(socket):
        socket.on("close", lambda _: None if session.closing else session.errors.append(
            f"websocket disconnected ({socket.url})"))
    session.client.on("websocket", on_socket)
    session.client.on("pageerror", lambda error: session.errors.append(f"JavaScript error: {error}"))


async def open_session(browser, app_url: str, session: Session, cards: int, timeout: float) -> None:
    query = f"asof={AS_OF.isoformat()}"
    try:
        if session.kind == "page":
            session.client = await b.new_page(browser)
            watch(session)
            session.opened = (await b.goto_drawn(session.client, f"{app_url}/?{query}", cards, timeout * 1000))["drawn"]
            shown = (await b.screen(session.client))["cards"]
        else:
            session.client = b.SocketSession(app_url)
            session.opened = await session.client.open(query, timeout)
            shown = session.client.cards
        session.first_total = shown.get(b.TOTAL_CARD)
        now = time.monotonic()
        session.changes.append(Change(session.number, session.kind, "open", now, now, session.opened,
                                      session.view(), session.first_total, dict(shown)))
    except Exception as error:  # noqa: BLE001 (a failure is a result)
        session.opened = None
        session.errors.append(f"opening: {type(error).__name__} {error}"[:200])


async def page_change(page, key: str, value: list[str], cards: int, timeout: float) -> tuple[float, dict]:
    """Make the change in the sidebar by clicking; (seconds click -> drawn, the cards shown)."""
    before = await b.screen(page)
    if key == "f_period":
        action = lambda: b.choose_period(page, value[0])  # noqa: E731
    elif value:
        await b.open_choices(page, WIDGET_LABELS[key])
        async def action():
            LOST_CLICKS[0] += await b.pick(page, WIDGET_LABELS[key], value[0]) - 1
    else:
        action = lambda: b.clear_choices(page, WIDGET_LABELS[key])  # noqa: E731
    try:
        seconds, shown = await b.change(page, action, before, cards, timeout * 1000)
    finally:
        if key != "f_period" and value:
            await b.close_choices(page)
    return seconds, shown["cards"]


async def one_change(session: Session, key: str, value: list[str], cards: int, timeout: float,
                     what: str | None = None) -> None:
    """Change one sidebar widget, time it, and record what the session then shows."""
    what = what or f"{key} {'/'.join(value) or 'clear'}"
    clicked = time.monotonic()
    try:
        if session.kind == "page":
            seconds, shown = await page_change(session.client, key, value, cards, timeout)
        else:
            seconds = await session.client.change(key, value, timeout)
            shown = dict(session.client.cards)
    except Exception as error:  # noqa: BLE001
        seconds, shown = None, {}
        await note_failure(session, what, error, timeout)
    done = time.monotonic()
    if session.kind == "page":
        session.errors += await b.page_errors(session.client)
    else:
        session.errors += session.client.errors
        session.client.errors = []
    session.last_total = shown.get(b.TOTAL_CARD)
    session.changes.append(Change(session.number, session.kind, what, clicked, done, seconds, session.view(),
                                  session.last_total, shown))


async def note_failure(session: Session, what: str, error: Exception, timeout: float) -> None:
    """Record a change that failed, with what helps to find out why (a screenshot of a page;
    the last message a websocket session received)."""
    where = f"{session.kind} {session.number}"
    if session.kind == "page":
        shot = WORK / f"failed-{session.number}-{len(session.changes)}.png"
        await session.client.screenshot(path=str(shot))
        where += f", screenshot {shot}"
    elif session.client.last_message:
        kind, at = session.client.last_message
        where += f", last message {kind} {time.perf_counter() - at:.1f} s before"
    name = type(error).__name__
    session.errors.append(f"timeout: {what} not done in {timeout:g} s ({where})" if "Timeout" in name
                          else f"change failed: {what}: {name} {str(error)[:150]} ({where})")


async def random_change(session: Session, towns, cats, rng, cards: int, timeout: float) -> None:
    """One 乡镇 chosen or cleared, one 问题分类 chosen or cleared, or another 统计期."""
    view = session.view()
    kind = rng.choice(("township", "category", "period"))
    if kind == "period":
        preset = rng.choice([p for p in PERIODS if p != view["p"]])
        await one_change(session, "f_period", [PERIODS[preset]], cards, timeout)
    else:
        key, chosen, options = ("f_town", view["t"], towns) if kind == "township" else ("f_cat", view["c"], cats)
        await one_change(session, key, [] if chosen else [rng.choice(options)], cards, timeout)


async def keep_changing(session: Session, until: float, towns, cats, seed: int, cards: int, timeout: float,
                        think: float) -> None:
    rng = random.Random(seed * 1000 + session.number)
    await asyncio.sleep(rng.random() * max(1.0, think))  # do not all click in the same millisecond
    while time.monotonic() < until and session.opened is not None:
        await random_change(session, towns, cats, rng, cards, timeout)
        if think:   # a reader looks at the figures before the next click: 0.5–1.5 × think seconds
            await asyncio.sleep(think * (0.5 + rng.random()))


async def back_to_default(session: Session, cards: int, timeout: float) -> None:
    """Rerun (on the new data), ending on the default view — 本年, no filter — as the CLI's."""
    view = session.view()
    if view["t"]:
        await one_change(session, "f_town", [], cards, timeout, "reset 乡镇")
    if view["c"]:
        await one_change(session, "f_cat", [], cards, timeout, "reset 分类")
    if view["p"] == "year":
        await one_change(session, "f_period", ["本月"], cards, timeout, "reset 本月")
    await one_change(session, "f_period", ["本年"], cards, timeout, "reset 本年")


async def close_session(session: Session) -> None:
    session.closing = True
    if session.kind == "socket" and session.client is not None:
        await session.client.close()


# --- the import -----------------------------------------------------------------------------

@dataclass
class Import:
    started: float = 0.0
    ended: float | None = None
    status: int | None = None
    report: dict | None = None


async def run_import(db: Path, csv: Path, delay: float, record: Import) -> None:
    await asyncio.sleep(delay)
    record.started = time.monotonic()
    out = open(WORK / "import.out", "wb")
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "queries", "import", str(csv), "--db", str(db), "--as-of", AS_OF.isoformat(), "--json",
        "--keep-demo",   # the base is the demo plus synthetic cases: they stand together on purpose
        cwd=b.ROOT, stdout=asyncio.subprocess.PIPE, stderr=out)
    stdout, _ = await process.communicate()
    record.ended, record.status = time.monotonic(), process.returncode
    out.close()
    try:
        record.report = json.loads(stdout)
    except ValueError:
        record.report = None


# --- checking the figures -------------------------------------------------------------------

class Expected:
    """The cards of a view (as in the URL), from `queries.metrics.kpi.kpi` on one database file."""

    def __init__(self, db: Path):
        from queries.db import open_reader
        self.con, self.memo = open_reader(db), {}

    def cards(self, view: dict) -> dict[str, str]:
        from queries.metrics.kpi import kpi
        from queries.periods import Scope, preset_dates
        key = tuple(sorted(view.items()))
        if key not in self.memo:
            as_of = date.fromisoformat(view["asof"]) if view["asof"] else AS_OF
            scope = Scope(townships=tuple(filter(None, view["t"].split(","))),
                          categories=tuple(filter(None, view["c"].split(","))))
            self.memo[key] = b.card_texts(kpi(self.con, scope, as_of, *preset_dates(view["p"], as_of)).to_json())
        return self.memo[key]


def check_changes(changes: list[Change], old: Expected, new: Expected, imported: Import) -> dict[str, list]:
    """Each drawn change against the data it must show: {phase: [wrong descriptions]}, and
    the counts checked per phase under the key '<phase> checked'."""
    result = {"before": [], "during": [], "after": [], "before checked": 0, "during checked": 0, "after checked": 0}
    for change in changes:
        if change.seconds is None:
            continue
        phase = phase_of(change, imported)
        allowed = {"before": [old.cards(change.view)], "after": [new.cards(change.view)],
                   "during": [old.cards(change.view), new.cards(change.view)]}[phase]
        result[f"{phase} checked"] += 1
        if change.cards not in allowed:
            wrong = {label: text for label, text in change.cards.items() if all(text != a.get(label) for a in allowed)}
            result[phase].append(f"{change.kind} {change.session} {change.what} {change.view}: cards shown "
                                 f"{wrong or change.cards}, expected {[{k: a.get(k) for k in wrong} for a in allowed]}")
    return result


def phase_of(change: Change, imported: Import) -> str:
    if change.done < imported.started:
        return "before"
    if imported.ended is not None and change.clicked > imported.ended:
        return "after"
    return "during"


# --- the run --------------------------------------------------------------------------------

def _reaped_cpu() -> float:
    """CPU seconds of this script's finished child processes (here: the import)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


async def load_test(args, db: Path, csv: Path) -> tuple[list[Session], Import, dict]:
    towns, cats = choices(db)
    cards = b.card_count()
    sessions = [Session(n, "page" if n < args.pages else "socket") for n in range(args.pages + args.sockets)]
    imported = Import()
    with b.serve(db, WORK / "app.log", args.processes) as app:
        async with b.chromium() as browser:
            started = time.monotonic()
            opening = asyncio.Semaphore(args.open_at_once)

            async def open_one(session):
                async with opening:
                    await open_session(browser, app.url, session, cards, args.timeout)
            await asyncio.gather(*(open_one(s) for s in sessions))
            opened_in = time.monotonic() - started
            print(f"{len(sessions)} sessions opened in {opened_in:.1f} s", flush=True)
            cpu, children = b.cpu_seconds(app), _reaped_cpu()
            began = time.monotonic()
            until = began + args.duration
            importer = asyncio.create_task(run_import(db, csv, args.duration / 4, imported))
            await asyncio.gather(*(keep_changing(s, until, towns, cats, args.seed, cards, args.timeout, args.think)
                                   for s in sessions))
            ended = time.monotonic()
            load_cpu = {k: v - cpu[k] for k, v in b.cpu_seconds(app).items()}
            resident = b.resident_mb(app)
            print(f"load phase over after {ended - began:.1f} s; "
                  f"{'waiting for the import' if not importer.done() else 'import done'}", flush=True)
            await asyncio.wait_for(importer, timeout=args.import_timeout)
            load_cpu["import (whole run)"] = _reaped_cpu() - children
            await asyncio.gather(*(back_to_default(s, cards, args.timeout) for s in sessions if s.opened is not None))
            for session in sessions:
                await close_session(session)
        tracebacks = app.tracebacks()
    return sessions, imported, {"tracebacks": tracebacks, "opening": opened_in, "load": ended - began,
                                "cpu": load_cpu, "resident": resident}


def response_table(timed: list[Change], imported: Import) -> None:
    print(f"{b.pad('sessions', 30)} {b.pad('phase', 20)} {'n':>5} {'p50':>7} {'p95':>7} {'max':>7}")
    labels = {"before": "before the import", "during": "while importing", "after": "after the import", "all": "all"}
    for kind, name in (("page", "Chromium pages (click->drawn)"), ("socket", "websocket (request->run end)")):
        for phase in labels:
            values = [c.seconds for c in timed if c.kind == kind and (phase == "all" or phase_of(c, imported) == phase)]
            cells = [f"{v:>6.2f}s" for v in (b.percentile(values, 50), b.percentile(values, 95), max(values))] \
                if values else [f"{'—':>7}"] * 3
            print(f"{b.pad(name if phase == 'before' else '', 30)} {b.pad(labels[phase], 20)} {len(values):>5} "
                  + " ".join(cells))


def error_kinds(errors: list[str], tracebacks: list[str]) -> dict[str, int]:
    kinds = dict.fromkeys(("exception", "st.error", "websocket", "timeout", "change failed", "JavaScript",
                           "opening"), 0)
    for error in errors:
        kinds[next((k for k in kinds if error.startswith(k)), "exception")] += 1
    kinds["server traceback"] = len(tracebacks)
    return kinds


def summarize(args, sessions: list[Session], imported: Import, extra: dict, kpi_old: dict, kpi_new: dict,
              checks: dict) -> int:
    changes = [c for s in sessions for c in s.changes if not c.what.startswith(("reset", "open"))]
    timed = [c for c in changes if c.seconds is not None]
    errors = [e for s in sessions for e in s.errors]
    old_total, new_total = b.total_text(kpi_old), b.total_text(kpi_new)

    for kind, name in (("page", "Chromium pages (one browser context each)"), ("socket", "websocket sessions")):
        opened = [s.opened for s in sessions if s.kind == kind and s.opened is not None]
        if any(s.kind == kind for s in sessions):
            print(f"\n{sum(s.kind == kind for s in sessions)} {name}: opened {len(opened)}, "
                  f"to 总览 done median {b.median(opened):.2f} s, max {max(opened, default=float('nan')):.2f} s", end="")
    print(f"\nall sessions opened in {extra['opening']:.1f} s, at most {args.open_at_once} at a time")
    report = (imported.report or {}).get("files", [{}])[0] if imported.report else {}
    took = f"{imported.ended - imported.started:.1f} s" if imported.ended else "not finished"
    print(f"import of {args.import_rows:,} rows: exit status {imported.status}, {took} while serving; file report: "
          f"imported {report.get('imported')}, updated {report.get('updated')}, rejected {report.get('rejected')}, "
          f"skipped {report.get('skipped')}")

    pause = f", each followed by a {args.think:g} s look (0.5-1.5x)" if args.think else ", no pause between them"
    print(f"\nfilter changes in {extra['load']:.0f} s: {len(changes)} ({len(changes) / extra['load']:.1f}/s){pause}, "
          f"{len(timed)} completed")
    response_table(timed, imported)
    print(f"CPU seconds in those {extra['load']:.0f} s ({os.cpu_count()} CPUs = "
          f"{os.cpu_count() * extra['load']:.0f} CPU s): "
          + ", ".join(f"{k} {v:.0f}" for k, v in extra["cpu"].items()))

    print(f"resident memory of the app at the end of the load: {sum(extra['resident']):.0f} MB ("
          + " + ".join(f"{mb:.0f}" for mb in extra["resident"] if mb >= 1) + " MB per process)")
    print(f"option clicks lost and repeated by the driver (pages): {LOST_CLICKS[0]}")
    kinds = error_kinds(errors, extra["tracebacks"])
    print("\nerrors (goal 0): " + ", ".join(f"{k} {v}" for k, v in kinds.items()))
    for error in dict.fromkeys(errors):
        print(f"  {error}  (x{errors.count(error)})")
    for block in extra["tracebacks"][:3]:
        print("  server:", "\n    ".join(block.strip().splitlines()[-12:]))

    before_ok = sum(s.first_total == old_total for s in sessions)
    after_ok = sum(s.last_total == new_total for s in sessions)
    print(f"\n信访总量, 本年 as of {AS_OF} (kpi --json): old data {old_total}, new data {new_total}")
    print(f"  opened before the import: {before_ok} of {len(sessions)} sessions showed {old_total}")
    print(f"  after the import, rerun back to 本年 without filter: {after_ok} of {len(sessions)} showed {new_total}"
          + ("" if after_ok == len(sessions) else f" (shown: {sorted({s.last_total for s in sessions}, key=str)})"))
    wrong = checks["before"] + checks["during"] + checks["after"]
    print(f"  all {b.card_count()} cards of every screen (opened, each change, reset) vs queries.metrics.kpi.kpi "
          "for the view in its URL: "
          + ", ".join(
        f"{p} {checks[f'{p} checked'] - len(checks[p])}/{checks[f'{p} checked']} right"
        for p in ("before", "during", "after")))
    for line in wrong[:10]:
        print("   ", line)
    served = f"{args.processes} processes behind HAProxy" if args.processes else "one streamlit process"
    print(f"\n{os.cpu_count()} CPUs, shared with other work; app ({served}), Chromium, import and this script "
          "on one machine.")
    failed = sum(kinds.values()) or before_ok < len(sessions) or after_ok < len(sessions) or wrong or imported.status
    print("RESULT:", "no errors, figures right" if not failed else "FAILED (see above)")
    return 1 if failed else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=2, help="sessions that are Chromium pages")
    parser.add_argument("--sockets", type=int, default=18, help="sessions that are websocket clients")
    parser.add_argument("--think", type=float, default=0,
                        help="seconds a session looks before its next change (0.5-1.5x this; 0: no pause)")
    parser.add_argument("--processes", type=int, default=0,
                        help="serve with deploy.cluster: this many processes behind HAProxy (0: one streamlit run)")
    parser.add_argument("--open-at-once", type=int, default=4, help="sessions opening at the same time")
    parser.add_argument("--duration", type=float, default=60, help="seconds of filter changes")
    parser.add_argument("--base-rows", type=int, default=50_000, help="synthetic cases added to the demo")
    parser.add_argument("--import-rows", type=int, default=100_000, help="new cases imported during the run")
    parser.add_argument("--timeout", type=float, default=60,
                        help="seconds a change may take before it counts as an error")
    parser.add_argument("--import-timeout", type=float, default=600)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    WORK.mkdir(parents=True, exist_ok=True)
    base, csv = base_db(args.base_rows), cases_csv(args.import_rows, 2, "LOAD")
    db = WORK / "run.duckdb"
    for leftover in WORK.glob("*.duckdb*"):
        leftover.unlink()
    shutil.copyfile(base, db)
    kpi_old = b.cli_kpi(db, "--as-of", AS_OF.isoformat())
    print(f"database: {db} = demo + {args.base_rows:,} cases ({db.stat().st_size / 2**20:.0f} MB, 信访总量 本年 "
          f"{b.total_text(kpi_old)}); import: {csv.name} ({args.import_rows:,} new cases) after "
          f"{args.duration / 4:g} s of {args.duration:g} s", flush=True)

    sessions, imported, extra = asyncio.run(load_test(args, db, csv))
    kpi_new = b.cli_kpi(db, "--as-of", AS_OF.isoformat())
    changes = [c for s in sessions for c in s.changes]
    checks = check_changes(changes, Expected(base), Expected(db), imported)
    return summarize(args, sessions, imported, extra, kpi_old, kpi_new, checks)


if __name__ == "__main__":
    sys.exit(main())
