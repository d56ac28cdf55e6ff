"""Shared by the browser benchmarks (bench_browser.py, bench_load.py): the databases, the app
on a free port of 127.0.0.1, headless Chromium, and what "drawn" and "idle" mean on the page.

Definitions (evaluated inside the page on every animation frame, so a time is the frame it
became true, not the next poll of a script):

* idle: `[data-testid=stApp]` says the script is not running and the websocket is connected,
  and Streamlit's status widget (`[data-testid=stStatusWidget]`, "Running…"/"Connecting")
  is gone. Note the widget fades out over 200 ms after the run ends; idle includes that.
* fully drawn (总览): idle, and every metric card of the scorecard (`[data-testid=stMetric]`,
  one per public metric) is present with its value and its card's sparkline (`svg.sparkline`)
  is drawn, every Plotly chart on the page (`[data-testid=stPlotlyChart]`) holds a drawn
  svg/canvas, and every st.dataframe holds its canvas; none of them is stale (`data-stale`,
  greyed out from the previous run) and no skeleton placeholder is left. 总览 has neither today
  (its charts are on other pages, its two tables are static HTML drawn with the run): the checks
  keep the definition true if that changes.

The app runs with `--server.fileWatcherType none`: other work in the same checkout must not
make it rerun or reload mid-measurement. `SocketSession` is a session without a browser, in
Streamlit's websocket protocol, for loads that 2 cores of Chromium cannot drive.
"""
from __future__ import annotations

import asyncio
import json
import math
import os
import shutil
import statistics
import subprocess
import sys
import time
import unicodedata
import urllib.request
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import AsyncIterator, Iterator

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))  # run from a checkout, uninstalled
sys.path.insert(0, str(HERE))

from deploy.cluster import Cluster, free_ports  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 # many pages in one browser: keep background tabs running at full speed
                 "--disable-background-timer-throttling", "--disable-renderer-backgrounding",
                 "--disable-backgrounding-occluded-windows"]
VIEWPORT = {"width": 1920, "height": 1080}
CACHE = Path(os.environ.get("XINFANG_BENCH_CACHE", "/tmp/xinfang-bench"))
TOTAL_CARD = "信访总量"   # the card compared with `kpi --json` (metric id "cases")

# --- databases ------------------------------------------------------------------------------


def demo_db(folder: Path = CACHE) -> Path:
    """The bundled demo (`python -m queries demo`), built once under `folder`."""
    path = folder / "demo.duckdb"
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, "-m", "queries", "demo", "--db", str(path)], cwd=ROOT, check=True,
                       stdout=subprocess.DEVNULL)
    return up_to_date(path)


def up_to_date(path: Path) -> Path:
    """A cached file built by an older version is brought up to date now (schema, case_facts),
    not by the app during the first, measured, page load."""
    from queries.db import open_reader
    open_reader(path).close()
    return path


def large_db(rows: int, seed: int = 0, folder: Path = CACHE) -> Path:
    """`rows` synthetic cases (bench_metrics.build_database), built once and reused: a partial
    build is written under another name, so an interrupted one is never taken for done."""
    path = folder / f"cases-{rows}-seed{seed}.duckdb"
    if path.exists():
        print(f"database: reusing {path} ({path.stat().st_size / 2**20:.0f} MB)")
        return up_to_date(path)
    from bench_metrics import build_database
    folder.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.unlink(missing_ok=True)
    build_database(partial, rows, seed)
    partial.rename(path)
    return path


def new_version(db: Path) -> None:
    """Replace the database file by a copy of itself: the same data under a new file identity,
    as after an import (the dashboard keys its caches on the identity)."""
    copy = db.with_name(f".{db.name}.copy")
    shutil.copyfile(db, copy)
    os.replace(copy, db)


def cli_kpi(db: Path, *args: str) -> dict:
    """`python -m queries kpi --json --db DB ARGS` (a reader: safe while the app serves)."""
    out = subprocess.run([sys.executable, "-m", "queries", "kpi", "--json", "--db", str(db), *args],
                         cwd=ROOT, check=True, capture_output=True, text=True)
    return json.loads(out.stdout)


def total_text(kpi: dict) -> str:
    """The 信访总量 card's text for a `kpi --json` document, as the screen formats it."""
    from queries.metrics.formatting import fmt_value
    from queries.metrics.registry import BY_ID
    return fmt_value(BY_ID["cases"], kpi["metrics"]["cases"]["value"])


def card_texts(kpi: dict) -> dict[str, str]:
    """Every card's label and value text for a `kpi` document, as 总览 shows them."""
    from queries.metrics.formatting import fmt_value
    from queries.metrics.registry import BY_ID
    return {BY_ID[metric_id].name: fmt_value(BY_ID[metric_id], figure["value"])
            for metric_id, figure in kpi["metrics"].items()}


def card_count() -> int:
    """Metric cards on 总览 (not presentation mode): one per public metric."""
    from queries.metrics.registry import PUBLIC
    return len(PUBLIC)


# --- the app --------------------------------------------------------------------------------

class App:
    """`streamlit run server.py` (or `script`) on 127.0.0.1:<free port> against `db`; server output goes
    to `log` (read afterwards for tracebacks)."""

    def __init__(self, db: Path, log: Path, script: str = "server.py", **env: str):
        self.db, self.log, self.port = db, log, free_ports(1)
        self.url = f"http://127.0.0.1:{self.port}"
        log.parent.mkdir(parents=True, exist_ok=True)
        self._out = open(log, "wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", script, "--server.port", str(self.port),
             "--server.address", "127.0.0.1", "--server.headless", "true",
             "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
            cwd=ROOT, env={**os.environ, "XINFANG_DB": str(db), **env}, stdout=self._out, stderr=subprocess.STDOUT)
        self.started = time.perf_counter()
        self.ready_after = self._wait_ready()

    def _wait_ready(self, timeout: float = 120) -> float:
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the app exited ({self.process.returncode}); see {self.log}")
            try:
                urllib.request.urlopen(self.url + "/_stcore/health", timeout=1)
                return time.perf_counter() - self.started
            except OSError:
                time.sleep(0.1)
        raise TimeoutError(f"the app did not answer /_stcore/health within {timeout} s")

    def tracebacks(self) -> list[str]:
        return _tracebacks([self.log])

    def pids(self) -> set[int]:
        return {self.process.pid, *_descendants(self.process.pid)}

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self._out.close()


class ClusterApp:
    """deploy.cluster's N processes behind HAProxy on free ports, with App's interface: `url` is
    the proxy; the CPU counted as the app's is all N processes' and the proxy's."""

    def __init__(self, db: Path, log: Path, processes: int, **env: str):
        first = free_ports(processes + 1)
        self.cluster = Cluster(db, processes, f"127.0.0.1:{first}", first + 1, log.parent / "cluster",
                               env=dict(env)).start()
        self.url = self.cluster.url

    def tracebacks(self) -> list[str]:
        return _tracebacks(sorted(self.cluster.logs.glob("app*.log")))

    def pids(self) -> set[int]:
        roots = [p.pid for p in [self.cluster.proxy, *self.cluster.apps] if p is not None]
        return {pid for root in roots for pid in (root, *_descendants(root))}

    def stop(self) -> None:
        self.cluster.stop()


def _tracebacks(logs: list[Path]) -> list[str]:
    text = "\n\n".join(log.read_text(encoding="utf-8", errors="replace") for log in logs)
    return [block for block in text.split("\n\n") if "Traceback" in block]


@contextmanager
def serve(db: Path, log: Path, processes: int = 0, script: str = "server.py", **env: str) -> Iterator[App | ClusterApp]:
    """The app on `db`: one `streamlit run <script>` (processes 0), or deploy.cluster's
    `processes` processes behind HAProxy."""
    app = ClusterApp(db, log, processes, **env) if processes else App(db, log, script, **env)
    try:
        yield app
    finally:
        app.stop()


@asynccontextmanager
async def chromium() -> AsyncIterator[object]:
    """Debian's Chromium, headless (never a downloaded browser); Playwright's async API, so one
    script can drive many pages at once."""
    from playwright.async_api import async_playwright
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            await browser.close()


# --- the page -------------------------------------------------------------------------------

IDLE_JS = """
() => {
  const app = document.querySelector('[data-testid=stApp]');
  return !!app && app.getAttribute('data-test-script-state') === 'notRunning'
      && app.getAttribute('data-test-connection-state') === 'CONNECTED'
      && !document.querySelector('[data-testid=stStatusWidget]');
}
"""

# Stale elements (left from the previous run while a rerun draws) carry data-stale="true".
DRAWN_JS = """
(cards) => {
  if (!(%s)() || document.querySelector('[data-testid=stSkeleton]')) return false;
  const stale = (el) => el.closest('[data-testid=stElementContainer]')?.getAttribute('data-stale') === 'true';
  const metrics = [...document.querySelectorAll('[data-testid=stMetric]')];
  if (metrics.length < cards) return false;
  for (const m of metrics) {
    if (stale(m) || !m.querySelector('[data-testid=stMetricValue]')) return false;
    const spark = m.closest('[data-testid=stVerticalBlock]')?.querySelector('svg.sparkline path');
    if (!spark || stale(spark)) return false;
  }
  for (const c of document.querySelectorAll('[data-testid=stPlotlyChart]'))
    if (stale(c) || !c.querySelector('.main-svg, canvas')) return false;
  for (const d of document.querySelectorAll('[data-testid=stDataFrame]'))
    if (stale(d) || !d.querySelector('canvas')) return false;
  return true;
}
""" % IDLE_JS.strip()

# What the screen says: the period caption under the title (it names the period and the
# filters, so it changes with every filter change) and every card's value.
SCREEN_JS = """
() => {
  const caption = [...document.querySelectorAll('[data-testid=stCaptionContainer]')]
    .map(c => c.innerText.trim()).find(t => t.startsWith('统计期')) || '';
  const cards = Object.fromEntries([...document.querySelectorAll('[data-testid=stMetric]')].map(m => [
    (m.querySelector('[data-testid=stMetricLabel]') || {}).innerText?.trim(),
    (m.querySelector('[data-testid=stMetricValue]') || {}).innerText?.trim()]));
  return {caption, cards};
}
"""

ERRORS_JS = """
() => [
  ...[...document.querySelectorAll('[data-testid=stException]')].map(el => 'exception: ' + el.innerText),
  ...[...document.querySelectorAll('[data-testid=stAlert]')]
    .filter(el => el.querySelector('[data-testid=stAlertContentError]') && !el.closest('[data-testid=stException]'))
    .map(el => 'st.error: ' + el.innerText),
].map(text => text.trim().split('\\n').slice(0, 2).join(' | ').slice(0, 300))
"""


# Installed in every page before its scripts: the time of the last pointer release (the click
# that changes a filter) and of the first metric card, on the page's own clock
# (performance.now(): milliseconds since the navigation started).
INIT_JS = """
document.addEventListener('pointerup', e => { window.__benchAction = e.timeStamp; }, true);
new MutationObserver((_, observer) => {
  if (document.querySelector('[data-testid=stMetric]')) {
    window.__benchFirstCard = performance.now();
    observer.disconnect();
  }
}).observe(document, {childList: true, subtree: true});
"""


async def new_context(browser):
    """A browser profile of its own (empty cache, own cookies) with 1920×1080 pages."""
    context = await browser.new_context(viewport=VIEWPORT)
    await context.add_init_script(INIT_JS)
    return context


async def new_page(browser):
    """A page in a context of its own (its own Streamlit session and cookies) at 1920×1080."""
    return await (await new_context(browser)).new_page()


async def close_page(page) -> None:
    await page.context.close()


async def screen(page) -> dict:
    """{"caption": "统计期 … · 范围：…", "cards": {"信访总量": "5894件", …}}"""
    return await page.evaluate(SCREEN_JS)


async def page_errors(page) -> list[str]:
    """Exceptions (stException) and st.error alerts (stAlert of the error kind) on the page."""
    return await page.evaluate(ERRORS_JS)


async def goto_drawn(page, url: str, cards: int, timeout_ms: float = 120_000) -> dict[str, float]:
    """Open `url` and wait until 总览 is fully drawn. Seconds, on the page's clock, from the
    start of the navigation to: the HTML parsed (DOMContentLoaded), the first metric card,
    fully drawn."""
    await page.goto(url, wait_until="commit", timeout=timeout_ms)
    drawn = await page.wait_for_function(
        "(cards) => (%s)(cards) && performance.now()" % DRAWN_JS.strip(),
        arg=cards, polling="raf", timeout=timeout_ms)
    html, first = await page.evaluate(
        "() => [performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd, window.__benchFirstCard]")
    return {"html": html / 1000, "first_card": first / 1000, "drawn": await drawn.json_value() / 1000}


async def change(page, action, before: dict, cards: int, timeout_ms: float = 120_000) -> tuple[float, dict]:
    """Run `action` (a coroutine function clicking a filter) and wait until the screen differs
    from `before` (the caption naming period and filters, or a card's value) and the page is
    fully drawn again. Returns the seconds from the click's pointer release to that frame, on
    the page's clock, and the new screen."""
    await page.evaluate("() => { window.__benchAction = null; }")
    await action()
    handle = await page.wait_for_function(
        "([before, cards]) => window.__benchAction != null"
        " && JSON.stringify((%s)()) !== JSON.stringify(before) && (%s)(cards)"
        " && performance.now() - window.__benchAction" % (SCREEN_JS.strip(), DRAWN_JS.strip()),
        arg=[before, cards], polling="raf", timeout=timeout_ms)
    seconds = await handle.json_value() / 1000
    return seconds, await screen(page)


def _multiselect(page, label: str):
    return page.locator("[data-testid=stSidebar] [data-testid=stMultiSelect]").filter(
        has=page.get_by_text(label, exact=True))


async def open_choices(page, label: str) -> None:
    """Open the sidebar multiselect `label` (乡镇(街道), 问题分类…): its options show."""
    await _multiselect(page, label).locator("input").click()


async def pick(page, label: str, option: str, tries: int = 3) -> int:
    """Click `option` in the open multiselect `label` (this starts the rerun); returns the clicks
    it took. Now and then under load (0–2 times in a minute of bench_load) a click on an option
    that has just appeared is lost: the list stays open and nothing is chosen. Then it is
    clicked again (the list reopened if it closed); the time of a change counts from the last
    click's pointer release, so a lost click does not lengthen it."""
    chosen = _multiselect(page, label).locator("[data-testid=stMultiSelectTagsContainer]").get_by_text(
        option, exact=True)
    for attempt in range(1, tries + 1):
        listed = page.get_by_role("option", name=option, exact=True)
        if not await listed.is_visible():
            await open_choices(page, label)
        await listed.click()
        try:
            await chosen.wait_for(timeout=3_000)
            return attempt
        except Exception:  # noqa: BLE001 (Playwright's TimeoutError): the click was lost
            continue
    return tries


async def close_choices(page) -> None:
    await page.keyboard.press("Escape")


async def clear_choices(page, label: str) -> None:
    """The multiselect's clear-all button (starts the rerun)."""
    await _multiselect(page, label).get_by_role("button", name="Clear all").click()


async def choose_period(page, label: str) -> None:
    """Click a period of the sidebar's 统计期 segmented control (本月, 本季, 本年…)."""
    await page.locator("[data-testid=stSidebar] [data-testid=stButtonGroup]").get_by_role(
        "radio", name=label, exact=True).click()


def _cpu(pid: int) -> float:
    """User + system CPU seconds of one process (0 if it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry.name))
    found, todo = [], list(children.get(pid, []))
    while todo:
        found.append(todo.pop())
        todo += children.get(found[-1], [])
    return found


def cpu_seconds(app: App | ClusterApp) -> dict[str, float]:
    """CPU seconds used so far by the app server, by Chromium (all its processes), by this
    script with its Playwright driver, and by the whole machine (other users included)."""
    app_pids = app.pids()
    chromium_total, own = 0.0, _cpu(os.getpid())
    for pid in _descendants(os.getpid()):
        if pid in app_pids:
            continue
        try:
            name = Path(f"/proc/{pid}/comm").read_text().strip()
        except OSError:
            continue
        if "chrom" in name:
            chromium_total += _cpu(pid)
        elif name == "node":
            own += _cpu(pid)
    busy = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    machine = (sum(busy) - busy[3] - busy[4]) / os.sysconf("SC_CLK_TCK")  # all but idle and iowait
    return {"app server": sum(_cpu(pid) for pid in app_pids), "Chromium": chromium_total,
            "benchmark + Playwright driver": own, "machine (all users)": machine}


def resident_mb(app: App | ClusterApp) -> list[float]:
    """Resident memory (MB) of each of the app's processes (HAProxy included for a cluster)."""
    sizes = []
    for pid in sorted(app.pids()):
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        kb = next((int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:")), 0)
        sizes.append(kb / 1024)
    return sizes


def pad(text: str, width: int) -> str:
    """`text` left-aligned in `width` terminal columns (a Chinese character takes two)."""
    columns = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    return text + " " * max(0, width - columns)


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, math.ceil(q / 100 * len(ordered)) - 1))]


# --- a session without a browser ------------------------------------------------------------

class SocketSession:
    """One Streamlit session spoken to over the app's websocket (/_stcore/stream) in Streamlit's
    own protocol (protobuf BackMsg out, ForwardMsg in), the way the frontend does: a rerun
    request carries the URL's query string and the value of every sidebar widget. Nothing is
    drawn, so a change's time is the server's run plus the transfer (no browser work).

    Widget values are the ones the frontend sends (learned from its frames): 统计期 by its label,
    the multiselects as lists of strings, the as-of date as ISO text."""

    DEFAULTS = {"f_present": False, "f_period": ["本年"], "f_asof": [], "f_town": [], "f_vil": [], "f_cat": [],
                "f_chan": [], "unmask_reason": ""}

    def __init__(self, base_url: str):
        self.base_url, self.socket, self.reader = base_url, None, None
        self.values = dict(self.DEFAULTS)
        self.ids: dict[str, str] = {}          # widget key -> widget id, from the last run
        self._ids: dict[str, str] = {}
        self.query, self.page_hash = "", ""
        self.cards: dict[str, str] = {}
        self.errors: list[str] = []
        self.closing = False
        self.last_message: tuple[str, float] | None = None   # (type, time) of the last ForwardMsg
        self._finished: asyncio.Queue = asyncio.Queue()

    async def open(self, query: str, timeout: float) -> float:
        """Connect and run the page for `query` (e.g. "asof=2026-11-20"); seconds to the end of the run."""
        import websockets
        address = self.base_url.replace("http://", "ws://") + "/_stcore/stream"
        self.socket = await websockets.connect(address, subprotocols=["streamlit"], max_size=None,
                                               origin=self.base_url, ping_interval=None)
        self.reader = asyncio.create_task(self._read())
        self.values["f_asof"] = [value for key, value in _query_pairs(query) if key == "asof"][:1]
        return await self._run(query, with_widgets=False, timeout=timeout)

    async def change(self, key: str, value, timeout: float) -> float:
        """Set sidebar widget `key` (f_town, f_cat, f_period…) and rerun; seconds to the end of the run."""
        self.values[key] = value
        return await self._run(self.query, with_widgets=True, timeout=timeout)

    def view(self) -> dict:
        pairs = dict(_query_pairs(self.query))
        return {"p": pairs.get("p", "year"), "t": pairs.get("t", ""), "c": pairs.get("c", ""),
                "asof": pairs.get("asof", "")}

    async def close(self) -> None:
        self.closing = True
        if self.socket is not None:
            await self.socket.close()
        if self.reader is not None:
            await asyncio.gather(self.reader, return_exceptions=True)

    async def _run(self, query: str, with_widgets: bool, timeout: float) -> float:
        from streamlit.proto.BackMsg_pb2 import BackMsg
        message = BackMsg()
        rerun = message.rerun_script
        rerun.query_string, rerun.page_script_hash = query, self.page_hash
        rerun.context_info.url = self.base_url + "/"
        rerun.context_info.timezone = "UTC"
        rerun.context_info.locale = "zh-CN"
        rerun.widget_states.SetInParent()
        for key, widget_id in self.ids.items() if with_widgets else ():
            state, value = rerun.widget_states.widgets.add(), self.values.get(key)
            state.id = widget_id
            if isinstance(value, bool):
                state.bool_value = value
            elif isinstance(value, str):
                state.string_value = value
            else:
                state.string_array_value.data.extend(value or [])
        while not self._finished.empty():
            self._finished.get_nowait()
        started = time.perf_counter()
        await self.socket.send(message.SerializeToString())
        status = await asyncio.wait_for(self._finished.get(), timeout)
        if status is not None:
            raise ConnectionError(status)
        return time.perf_counter() - started

    async def _read(self) -> None:
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
        try:
            async for frame in self.socket:
                message = ForwardMsg()
                message.ParseFromString(frame)
                self._take(message)
        except Exception as error:  # noqa: BLE001 (a dropped connection is a result)
            if not self.closing:
                self.errors.append(f"websocket disconnected ({type(error).__name__})")
        if not self.closing:
            if not any(e.startswith("websocket") for e in self.errors):
                self.errors.append("websocket disconnected (closed by the server)")
            self._finished.put_nowait("disconnected")

    def _take(self, message) -> None:
        from streamlit.proto.Alert_pb2 import Alert
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
        kind = message.WhichOneof("type")
        self.last_message = (kind, time.perf_counter())
        if kind == "new_session":          # a run starts
            self.page_hash = message.new_session.page_script_hash or self.page_hash
            self.cards, self._ids = {}, {}
        elif kind == "navigation" and message.navigation.page_script_hash:
            self.page_hash = message.navigation.page_script_hash
        elif kind == "page_info_changed":
            self.query = message.page_info_changed.query_string
        elif kind == "delta" and message.delta.WhichOneof("type") == "new_element":
            element = message.delta.new_element
            what = element.WhichOneof("type")
            if what == "metric":
                self.cards[element.metric.label] = element.metric.body
            elif what == "exception":
                self.errors.append(f"exception: {element.exception.type}: {element.exception.message[:200]}")
            elif what == "alert" and element.alert.format == Alert.ERROR:
                self.errors.append(f"st.error: {element.alert.body[:200]}")
            else:
                widget_id = getattr(getattr(element, what), "id", "") if what else ""
                key = widget_id.rsplit("-", 1)[-1] if isinstance(widget_id, str) else ""
                if key in self.DEFAULTS and widget_id.startswith("$$ID-"):  # the sidebar's keyed widgets
                    self._ids[key] = widget_id
        elif kind == "script_finished":
            if message.script_finished == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                return
            if self._ids:
                self.ids = self._ids
            ok = message.script_finished == ForwardMsg.FINISHED_SUCCESSFULLY
            self._finished.put_nowait(None if ok else f"script finished: {message.script_finished}")


def _query_pairs(query: str) -> list[tuple[str, str]]:
    from urllib.parse import parse_qsl
    return parse_qsl(query, keep_blank_values=True)
