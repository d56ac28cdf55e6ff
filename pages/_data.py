"""The database as the pages read it: the file's path and version, one read connection per
version, writing, the cached calls into `queries` (keyed on the version, so a new import never
shows old figures), the `View` through which a page calls them, and the background thread that
computes the first views of a new version before anyone asks.
"""
from __future__ import annotations

import atexit
import logging
import os
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd
import streamlit as st

from queries import db, periods
from queries.access import LOCAL_USER, User, restrict
from queries.metrics import analysis, kpi as kpi_module
from queries.metrics.registry import PUBLIC
from queries.metrics.scorecard import Scorecard
from queries.periods import DEFAULT_PRESET, Period, Scope, preset_dates
from queries.research import topics as research_topics
from queries.url_state import P_TOWNS

_LOG = logging.getLogger(__name__)

DB_ENV = "XINFANG_DB"
WARM_ENV = "XINFANG_WARM_SECONDS"   # how often to look for a new data version to warm; 0: never
SPARK_IDS = tuple(m.id for m in PUBLIC)   # the metric cards' sparklines: every public metric…
SPARK_MONTHS = 12                          # …over the last 12 months
TOPICS_TOP = 20   # terms of 研判·诉求 (the page's table; 总览 shows the emerging ones)


# --- connection ----------------------------------------------------------------------------

def db_path() -> Path:
    return Path(os.environ.get(DB_ENV) or db.DEFAULT_DB)


_DEMO_LOCK = threading.Lock()


def build_demo_if_missing(path: Path) -> None:
    """First start: no database file yet -> build the bundled demo (once, even with two sessions)."""
    with _DEMO_LOCK:
        if path.exists():
            return
        try:
            from queries.demo.database import build_demo
        except ImportError:
            return  # no demo module: an empty database, and the pages ask for an import
        with st.spinner("首次启动，正在生成演示数据…"):
            try:
                build_demo(path)
            except Exception as error:  # the app must still open; the import page can fill it
                st.error(f"演示数据生成失败（{error}）。可在“数据导入”页面导入台账。")


class _Replaced(Exception):
    """The file was replaced while a reader was being opened for its previous version."""


@st.cache_resource(show_spinner=False, max_entries=2)
def _reader(path: str, identity: tuple):
    """One read-only connection per process and database file version (a writer replaces the
    file: the next run opens the new one; sessions still busy finish on the old)."""
    con = db.open_reader(path)
    if db.identity(path) != identity:  # it may hold the newer file: never cache it under this key
        con.close()
        raise _Replaced
    return con


def connection(version: tuple | None = None):
    """The read connection of this data version (default: the file as it is now). Cached
    queries pass their version, so a figure is always computed on the file its key names."""
    path, identity = version or data_version()
    try:
        return _reader(path, identity)
    except _Replaced:
        st.rerun()  # the new data arrived: draw this run again on it
    # A damaged file raises db.DatabaseUnusable: `_frame.run_page` says so and offers the way out.


@contextmanager
def writing():
    """Write to the database (import, incident, audit record): readers keep the old file until
    the new one is complete. The cached figures of the old file are dropped just before the new
    one replaces it (cache keys name the file version, so this only frees memory; after the swap
    it could drop what the warmer already computed for the new file)."""
    with db.writing(db_path()) as con:
        yield con
        st.cache_data.clear()


def data_version() -> tuple:
    """Changes whenever a writer replaced the database file: part of every cache key."""
    path = db_path()
    if not path.exists():
        build_demo_if_missing(path)
    return _version_of(path)


def _version_of(path: Path) -> tuple:
    return (str(path), db.identity(path))


# --- cached queries ------------------------------------------------------------------------
# Every wrapper takes the data version first, so a new import never shows old figures, and
# reads the file of that version.

query_cache = st.cache_data(show_spinner=False, max_entries=256)


@query_cache
def data_range(version: tuple) -> tuple[date | None, date | None]:
    return periods.data_range(connection(version))


@query_cache
def filter_options(version: tuple, places: Scope) -> pd.DataFrame:
    return analysis.filter_options(connection(version), places)


@query_cache
def period_of(version: tuple, as_of: date, start: date, end: date) -> Period:
    return periods.resolve(connection(version), as_of, start, end).current


@query_cache
def _kpi(version: tuple, scope: Scope, as_of: date, start: date, end: date) -> Scorecard:
    return kpi_module.kpi(connection(version), scope, as_of, start, end)


@query_cache
def ranking(version: tuple, scope: Scope, as_of: date, start: date, end: date) -> list[dict]:
    """kpi.rank of the view, cached: a cached function that draws from it calls this rather
    than taking the list as an argument (hashing 500 villages' rows cost 0.15 s a run)."""
    return kpi_module.rank(connection(version), scope, as_of, start, end)


@query_cache
def _trend(version: tuple, scope: Scope, as_of: date, ids: tuple[str, ...], count: int,
           with_yoy: bool) -> pd.DataFrame:
    return analysis.trend(connection(version), scope, as_of, list(ids), count, with_yoy)


@query_cache
def _breakdown(version: tuple, scope: Scope, period: Period, by: str, ids: tuple[str, ...]) -> pd.DataFrame:
    return analysis.breakdown(connection(version), scope, period, by, list(ids))


@query_cache
def _skip_level_by_month(version: tuple, scope: Scope, as_of: date, count: int) -> pd.DataFrame:
    return analysis.skip_level_by_month(connection(version), scope, as_of, count)


@query_cache
def _case_list(version: tuple, scope: Scope, period: Period, name: str, masked: bool) -> pd.DataFrame:
    return analysis.case_list(connection(version), scope, period, name, masked=masked)


@query_cache
def _top_repeaters(version: tuple, scope: Scope, period: Period, limit: int, masked: bool) -> pd.DataFrame:
    return analysis.top_repeaters(connection(version), scope, period, limit, masked=masked)


@query_cache
def _chain(version: tuple, token: str, scope: Scope, masked: bool) -> pd.DataFrame:
    return analysis.petitioner_chain(connection(version), token, masked=masked, scope=scope)


@query_cache
def _leader_table(version: tuple, scope: Scope, period: Period) -> pd.DataFrame:
    return analysis.leader_table(connection(version), scope, period)


@query_cache
def _event_windows(version: tuple, scope: Scope) -> pd.DataFrame:
    return analysis.event_windows(connection(version), scope)


@query_cache
def _topics(version: tuple, scope: Scope, as_of: date, start: date, end: date) -> dict:
    return research_topics.topics(connection(version), scope, as_of, start, end, top=TOPICS_TOP)


@query_cache
def _incidents(version: tuple, scope: Scope, period: Period) -> pd.DataFrame:
    return analysis.incidents(connection(version), scope, period)


# --- the view: what decides the figures, and the cached calls for it ----------------------------------------------

@dataclass(frozen=True)
class View:
    """Everything that decides the figures on screen (and nothing else)."""
    preset: str
    as_of: date
    start: date
    end: date
    scope: Scope
    present: bool
    earliest: date | None
    latest: date | None
    version: tuple = field(compare=False)
    user: User = field(compare=False, default=LOCAL_USER)
    unmasked: bool = False   # an admin chose to see personal data in this view (audited)

    @property
    def has_data(self) -> bool:
        return self.latest is not None

    @property
    def period(self) -> Period:
        """The current period as `queries` resolves it (to cut back to the as-of date)."""
        return period_of(self.version, self.as_of, self.start, self.end)

    def _within(self, scope: Scope | None) -> Scope:
        """A page's own scope (e.g. one village to drill into), still inside the user's jurisdiction."""
        return restrict(scope, self.user) if scope else self.scope

    # Cached query calls for this view.
    def kpi(self, scope: Scope | None = None) -> dict:
        return _kpi(self.version, self._within(scope), self.as_of, self.start, self.end)

    def rank(self) -> list[dict]:
        return ranking(self.version, self.scope, self.as_of, self.start, self.end)

    def trend(self, ids, count: int = 12, scope: Scope | None = None, with_yoy: bool = True) -> pd.DataFrame:
        return _trend(self.version, self._within(scope), self.as_of, tuple(ids), count, with_yoy)

    def sparklines(self, ids=None) -> pd.DataFrame:
        """The cards' monthly series, by month. One series of every public metric serves the
        cards of all groups and pages (one query, one cache entry); other ids are added to it."""
        ids = SPARK_IDS if ids is None or set(ids) <= set(SPARK_IDS) else (*SPARK_IDS, *ids)
        return self.trend(ids, SPARK_MONTHS, with_yoy=False).set_index("month")

    def breakdown(self, by: str, ids) -> pd.DataFrame:
        return _breakdown(self.version, self.scope, self.period, by, tuple(ids))

    def skip_level_by_month(self, count: int = 24) -> pd.DataFrame:
        return _skip_level_by_month(self.version, self.scope, self.as_of, count)

    def case_list(self, name: str, scope: Scope | None = None) -> pd.DataFrame:
        return _case_list(self.version, self._within(scope), self.period, name, not self.unmasked)

    def top_repeaters(self, limit: int = 20) -> pd.DataFrame:
        return _top_repeaters(self.version, self.scope, self.period, limit, not self.unmasked)

    def chain(self, token: str) -> pd.DataFrame:
        """One petitioner's cases in the chosen places, any period and category (so the case
        that made a later one a repeat is visible)."""
        return _chain(self.version, token, self.scope.places_only(), not self.unmasked)

    def leader_table(self) -> pd.DataFrame:
        return _leader_table(self.version, self.scope, self.period)

    def event_windows(self) -> pd.DataFrame:
        return _event_windows(self.version, self.scope)

    def incidents(self) -> pd.DataFrame:
        return _incidents(self.version, self.scope, self.period)

    def topics(self) -> dict:
        """研判·诉求 of the view (queries.research.topics): top terms, emerging terms, groups."""
        return _topics(self.version, self.scope, self.as_of, self.start, self.end)

    def filter_choices(self) -> dict[str, list[str]]:
        """What each filter offers the user (queries.url_state's parameters as keys)."""
        return filter_choices(self.version, restrict(Scope(), self.user))


@query_cache
def filter_choices(version: tuple, places: Scope, townships: tuple[str, ...] = ()) -> dict[str, list[str]]:
    """What each sidebar filter offers within `places` (the villages of `townships` only, if
    given), keyed by URL parameter: computed once per data version, not on every run (at 500
    villages the options have 37,000 rows)."""
    return analysis.filter_choices(filter_options(version, places), townships)


# --- the first views, computed before anyone asks ----------------------------------------------
# A new data version (an import, the first page after a server start) would make its first
# visitor wait for every query of 总览 (~0.6 s at 1,000,000 cases). A background thread notices
# the new version and computes the first views' figures into the same caches.

def default_view(version: tuple, scope: Scope = Scope()) -> View | None:
    """What a user sees of `scope` without choosing anything: 本年 up to the latest registration."""
    earliest, latest = data_range(version)
    if latest is None:
        return None
    start, end = preset_dates(DEFAULT_PRESET, latest)
    return View(DEFAULT_PRESET, latest, start, end, scope, False, earliest, latest, version)


def warm(version: tuple) -> None:
    """Every cached figure 总览 draws for the default view of `version`: the whole county first,
    then each township (a township leader's first view, and the commonest filter)."""
    townships = filter_choices(version, Scope())[P_TOWNS]
    for scope in (Scope(), *(Scope(townships=(township,)) for township in townships)):
        view = default_view(version, scope)
        if view is None:
            return
        filter_choices(version, scope)   # a township leader's choices
        view.period  # noqa: B018 (reading the property fills its cache)
        view.kpi()
        view.rank()
        view.topics()   # 总览's 新出现的问题
        view.sparklines()


def warm_every() -> float:
    return float(os.environ.get(WARM_ENV) or 2)


class _Warmer(threading.Thread):
    def __init__(self):
        super().__init__(name="xinfang-warm", daemon=True)
        self.warmed: tuple | None = None   # the last version warmed (or tried: never twice)
        self.stopping = threading.Event()

    def run(self) -> None:
        # The first look comes after one interval: at a server start the first visitor's run is
        # computing the same figures and must not share the CPU with a copy of itself.
        while True:
            every = warm_every()
            if self.stopping.wait(every or 1):
                return
            if every:
                self.tick()

    def tick(self) -> None:
        path = db_path()
        if not path.exists():   # the first session builds the demo; nothing to warm yet
            return
        version = _version_of(path)
        if version != self.warmed:
            self.warmed = version
            try:
                warm(version)
            except Exception:  # e.g. replaced while warming: the next tick sees the newer file
                _LOG.warning("warming the default view failed", exc_info=True)

    def stop(self) -> None:
        self.stopping.set()
        self.join(timeout=5)


@st.cache_resource(show_spinner=False)
def start_warmer() -> _Warmer:
    """One per server process, stopped before the interpreter exits (a thread still holding
    DuckDB objects then would make DuckDB report leaks)."""
    warmer = _Warmer()
    warmer.start()
    atexit.register(warmer.stop)
    return warmer
