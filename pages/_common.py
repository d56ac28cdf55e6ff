"""Shared UI: the database connection, the global view (period, as-of date, filters) and its
URL, cached calls into `queries`, and the widgets every page shows the same way.

This is the ONE place that reads or writes `st.query_params`. The session state is the truth
after the first run of a session; the URL mirrors it on every run (Streamlit clears query
parameters on page switches, so we write them back each time).
"""
from __future__ import annotations

import atexit
import json
import logging
import os
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import duckdb
import pandas as pd
import streamlit as st

from queries import analysis, charts, db, kpi as kpi_module, periods
from queries.access import LOCAL_USER, User, record_audit, restrict
from queries.config import load_config
from queries.escaping import csv_bytes as safe_csv_bytes, markdown_text as md_escape
from queries.formatting import COLUMN_LABELS, DASH, adverse, direction, fmt_change, fmt_target, fmt_value
from queries.metrics import BY_ID, PUBLIC, Metric, caliber
from queries.normalize import header_key
from queries.periods import DEFAULT_PRESET, PRESETS, Period, Scope, preset_dates
from queries.privacy import PERSONAL_COLUMNS, mask_idno, mask_name, mask_phone
from queries.report import scope_text
from queries.units import unit_name
from queries.research import topics as research_topics

from pages import _signin as signin

_LOG = logging.getLogger(__name__)

DB_ENV = "XINFANG_DB"
WARM_ENV = "XINFANG_WARM_SECONDS"   # how often to look for a new data version to warm; 0: never
EARLIEST_INPUT = date(2000, 1, 1)   # lower bound of the date inputs
# Short query-parameter keys of the global view.
P_PRESET, P_ASOF, P_FROM, P_TO = "p", "asof", "from", "to"
P_TOWNS, P_VILLAGES, P_CATS, P_CHANNELS, P_PRESENT = "t", "v", "c", "ch", "present"
P_UNITS = "u"   # 责任单位 (ACCOUNTABILITY.md §1)
P_GROUPS = "gr"   # 诉求群体 ([topics.groups])
LIST_KEYS = {P_TOWNS: "f_town", P_VILLAGES: "f_vil", P_CATS: "f_cat", P_CHANNELS: "f_chan", P_UNITS: "f_unit",
             P_GROUPS: "f_grp"}
LIST_LABELS = {P_TOWNS: "乡镇(街道)", P_VILLAGES: "村(社区)", P_CATS: "问题分类", P_CHANNELS: "信访形式",
               P_UNITS: "责任单位", P_GROUPS: "诉求群体"}
PRESENT_ROWS = 12  # rows of a table that fit one projected screen
MAX_SHOWN = 30  # characters of a rejected URL value quoted back in a notice
SPARK_IDS = tuple(m.id for m in PUBLIC)   # the metric cards' sparklines: every public metric…
SPARK_MONTHS = 12                          # …over the last 12 months
TOPICS_TOP = 20   # terms of 研判·诉求 (the page's table; 总览 shows the emerging ones)


# --- connection ----------------------------------------------------------------------------

def db_path() -> Path:
    return Path(os.environ.get(DB_ENV) or db.DEFAULT_DB)


_DEMO_LOCK = threading.Lock()


def _build_demo_if_missing(path: Path) -> None:
    """First start: no database file yet -> build the bundled demo (once, even with two sessions)."""
    with _DEMO_LOCK:
        if path.exists():
            return
        try:
            from queries.demo import build_demo
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
    # A damaged file raises db.DatabaseUnusable: `run_page` says so and offers the way out.


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
        _build_demo_if_missing(path)
    return _version_of(path)


def _version_of(path: Path) -> tuple:
    return (str(path), db.identity(path))


# --- cached queries ------------------------------------------------------------------------
# Every wrapper takes the data version first, so a new import never shows old figures, and
# reads the file of that version.

_cache = st.cache_data(show_spinner=False, max_entries=256)


@_cache
def _data_range(version: tuple) -> tuple[date | None, date | None]:
    return periods.data_range(connection(version))


@_cache
def _filter_options(version: tuple, places: Scope) -> pd.DataFrame:
    return analysis.filter_options(connection(version), places)


@_cache
def _period(version: tuple, as_of: date, start: date, end: date) -> Period:
    return periods.resolve(connection(version), as_of, start, end).current


@_cache
def _kpi(version: tuple, scope: Scope, as_of: date, start: date, end: date) -> dict:
    return kpi_module.kpi(connection(version), scope, as_of, start, end)


@_cache
def _rank(version: tuple, scope: Scope, as_of: date, start: date, end: date) -> list[dict]:
    return kpi_module.rank(connection(version), scope, as_of, start, end)


@_cache
def _trend(version: tuple, scope: Scope, as_of: date, ids: tuple[str, ...], count: int,
           with_yoy: bool) -> pd.DataFrame:
    return analysis.trend(connection(version), scope, as_of, list(ids), count, with_yoy)


@_cache
def _breakdown(version: tuple, scope: Scope, period: Period, by: str, ids: tuple[str, ...]) -> pd.DataFrame:
    return analysis.breakdown(connection(version), scope, period, by, list(ids))


@_cache
def _skip_level_by_month(version: tuple, scope: Scope, as_of: date, count: int) -> pd.DataFrame:
    return analysis.skip_level_by_month(connection(version), scope, as_of, count)


@_cache
def _case_list(version: tuple, scope: Scope, period: Period, name: str, masked: bool) -> pd.DataFrame:
    return analysis.case_list(connection(version), scope, period, name, masked=masked)


@_cache
def _top_repeaters(version: tuple, scope: Scope, period: Period, limit: int, masked: bool) -> pd.DataFrame:
    return analysis.top_repeaters(connection(version), scope, period, limit, masked=masked)


@_cache
def _chain(version: tuple, token: str, scope: Scope, masked: bool) -> pd.DataFrame:
    return analysis.petitioner_chain(connection(version), token, masked=masked, scope=scope)


@_cache
def _leader_table(version: tuple, scope: Scope, period: Period) -> pd.DataFrame:
    return analysis.leader_table(connection(version), scope, period)


@_cache
def _event_windows(version: tuple, scope: Scope) -> pd.DataFrame:
    return analysis.event_windows(connection(version), scope)


@_cache
def _topics(version: tuple, scope: Scope, as_of: date, start: date, end: date) -> dict:
    return research_topics.topics(connection(version), scope, as_of, start, end, top=TOPICS_TOP)


@_cache
def _incidents(version: tuple, scope: Scope, period: Period) -> pd.DataFrame:
    return analysis.incidents(connection(version), scope, period)


# --- the view: period, as-of date and filters ----------------------------------------------

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
        return _period(self.version, self.as_of, self.start, self.end)

    def _within(self, scope: Scope | None) -> Scope:
        """A page's own scope (e.g. one village to drill into), still inside the user's jurisdiction."""
        return restrict(scope, self.user) if scope else self.scope

    # Cached query calls for this view.
    def kpi(self, scope: Scope | None = None) -> dict:
        return _kpi(self.version, self._within(scope), self.as_of, self.start, self.end)

    def rank(self) -> list[dict]:
        return _rank(self.version, self.scope, self.as_of, self.start, self.end)

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

    def filter_options(self) -> pd.DataFrame:
        """The places, categories and channels the user may choose from."""
        return _filter_options(self.version, restrict(Scope(), self.user))


def _options(frame: pd.DataFrame, column: str, order: list[str] | None = None,
             townships: list[str] | None = None) -> list[str]:
    if townships:
        frame = frame[frame["township"].isin(townships)]
    values = set(frame[column].dropna().astype(str))
    ordered = [v for v in (order or []) if v in values]
    return ordered + sorted(values - set(ordered))


def _filter_choices(options: pd.DataFrame, townships: list[str] | None = None) -> dict[str, list[str]]:
    config = load_config()
    return {
        P_TOWNS: _options(options, "township"),
        P_VILLAGES: _options(options, "village", townships=townships),
        P_CATS: _options(options, "category", order=list(config["categories"]["lead"])),
        P_CHANNELS: _options(options, "channel", order=config["enums"]["channel"]["values"]),
        P_UNITS: _options(options.assign(unit=options["responsible_unit"].map(unit_name, na_action=None)), "unit"),
        P_GROUPS: list(config.get("topics", {}).get("groups", {})),
    }


def _url_values(key: str) -> list[str]:
    """A list parameter, given as repeated keys or comma-joined (or both)."""
    return [part.strip() for value in st.query_params.get_all(key) for part in value.split(",")
            if part.strip()]


def _shown(value: str) -> str:
    """A rejected URL value quoted back: shortened, and inert as Markdown."""
    return md_escape(value if len(value) <= MAX_SHOWN else value[:MAX_SHOWN] + "…")


def _url_date(key: str, low: date, high: date, notices: list[str]) -> date | None:
    raw = st.query_params.get(key)
    if raw is None:
        return None
    try:
        value = date.fromisoformat(raw.strip())
    except ValueError:
        notices.append(f"日期“{_shown(raw)}”无法识别（应为 YYYY-MM-DD）")
        return None
    if not low <= value <= high:
        notices.append(f"日期 {value} 超出可选范围（{low} 至 {high}）")
        return None
    return value


def _init_from_url(options: pd.DataFrame, latest: date | None) -> None:
    """First run of a session: the URL's view, where valid, becomes the widget state."""
    state, notices = st.session_state, []
    high = max(latest or date.today(), date.today())
    preset = st.query_params.get(P_PRESET)
    if preset is not None and preset not in PRESETS:
        notices.append(f"统计期“{_shown(preset)}”无效")
        preset = None
    as_of = _url_date(P_ASOF, EARLIEST_INPUT, high, notices)
    state["f_asof"] = as_of or latest or date.today()
    state["f_period"] = preset or DEFAULT_PRESET
    if state["f_period"] == "custom":
        start = _url_date(P_FROM, EARLIEST_INPUT, high, notices)
        end = _url_date(P_TO, EARLIEST_INPUT, high, notices)
        if start and end:
            state["f_from"], state["f_to"] = start, end
        else:
            notices.append("自定义统计期缺少有效的起止日期，已改用本年")
            state["f_period"] = DEFAULT_PRESET
    towns = _url_values(P_TOWNS)
    choices = _filter_choices(options)
    valid_towns = [t for t in towns if t in choices[P_TOWNS]]
    choices = _filter_choices(options, valid_towns or None)
    for key, widget_key in LIST_KEYS.items():
        wanted = _url_values(key)
        valid = [v for v in dict.fromkeys(wanted) if v in choices[key]]
        bad = [v for v in wanted if v not in choices[key]]
        if bad:
            notices.append(f"{LIST_LABELS[key]}“{'、'.join(_shown(b) for b in bad[:3])}”不在可选范围内")
        state[widget_key] = valid
    present = st.query_params.get(P_PRESENT)
    if present not in (None, "0", "1"):
        notices.append(f"演示模式参数“{_shown(present)}”无效")
    state["f_present"] = present == "1"
    state["_asof_default"] = latest
    state["_url_snapshot"] = {k: st.query_params.get_all(k) for k in st.query_params}
    state["_notices"] = notices


def _follow_latest(latest: date | None) -> None:
    """After an import the default as-of date moves with the data, unless the user chose one."""
    state = st.session_state
    if state.get("_asof_default") != latest:
        if state.get("f_asof") == state.get("_asof_default") and latest is not None:
            state["f_asof"] = latest
        state["_asof_default"] = latest


WIDGET_KEYS = ("f_present", "f_period", "f_asof", "f_from", "f_to", "f_town", "f_vil", "f_cat", "f_chan",
               "f_unit", "f_grp")


def keep_widget_state(*keys: str) -> None:
    """Re-assert widget values held in the session. A widget's id includes the page it is
    drawn from, and that changes once when a page first runs without the entrypoint (see
    start_page); without this the widget would fall back to its default."""
    for key in keys:
        if key in st.session_state:
            st.session_state[key] = st.session_state[key]


def present_requested() -> bool:
    """Presentation mode, readable before the view is built (for set_page_config)."""
    if "f_present" in st.session_state:
        return bool(st.session_state["f_present"])
    return st.query_params.get(P_PRESENT) == "1"


def _period_controls(latest: date | None) -> tuple[str, date, date, date]:
    high = max(latest or date.today(), date.today())
    st.segmented_control("统计期", list(PRESETS), format_func=PRESETS.get, key="f_period",
                         required=True, width="stretch")
    preset = st.session_state["f_period"] or DEFAULT_PRESET
    as_of = st.date_input("统计截至日", key="f_asof", min_value=EARLIEST_INPUT, max_value=high,
                          help="数字所描述的日子；默认为库中最新登记日期。截至日之后的登记一律不计。")
    if preset == "custom":
        default_start, default_end = preset_dates(DEFAULT_PRESET, as_of)
        st.session_state.setdefault("f_from", default_start)
        st.session_state.setdefault("f_to", default_end)
        left, right = st.columns(2)
        start = left.date_input("起", key="f_from", min_value=EARLIEST_INPUT, max_value=high)
        end = right.date_input("止", key="f_to", min_value=EARLIEST_INPUT, max_value=high)
        if start > end:
            st.warning("开始日期晚于结束日期，已按对调后的区间计算。")
            start, end = end, start
    else:
        start, end = preset_dates(preset, as_of)
    return preset, as_of, start, end


def _filter_controls(options: pd.DataFrame) -> Scope:
    choices = _filter_choices(options)
    towns = st.multiselect("乡镇(街道)", choices[P_TOWNS], key="f_town", placeholder="全部")
    villages = _filter_choices(options, towns or None)[P_VILLAGES]
    # Cascade: villages of townships no longer chosen drop out before the widget is drawn.
    st.session_state["f_vil"] = [v for v in st.session_state.get("f_vil", []) if v in villages]
    chosen_villages = st.multiselect("村(社区)", villages, key="f_vil", placeholder="全部")
    categories = st.multiselect("问题分类", choices[P_CATS], key="f_cat", placeholder="全部")
    channels = st.multiselect("信访形式", choices[P_CHANNELS], key="f_chan", placeholder="全部")
    units = st.multiselect("责任单位", choices[P_UNITS], key="f_unit", placeholder="全部")
    groups = st.multiselect("诉求群体", choices[P_GROUPS], key="f_grp", placeholder="全部",
                            help="按信访事由中的关键词归入的群体（配置 topics.groups），见“研判·诉求”。")
    return Scope(tuple(towns), tuple(chosen_villages), tuple(categories), tuple(channels), tuple(units),
                 tuple(groups))


def build_view(user: User) -> View:
    """The sidebar controls (drawn on every run, also when hidden in presentation mode, so
    their state survives) and the view they describe, narrowed to the user's jurisdiction
    whatever the URL or the widgets say."""
    version = data_version()
    earliest, latest = _data_range(version)
    options = _filter_options(version, restrict(Scope(), user))
    if "_url_snapshot" not in st.session_state:
        _init_from_url(options, latest)
    else:
        keep_widget_state(*WIDGET_KEYS)
    _follow_latest(latest)
    with st.sidebar:
        st.toggle("演示模式（投屏）", key="f_present",
                  help="隐藏侧栏、放大字号，一屏一组指标；也可在链接后加 ?present=1。")
        preset, as_of, start, end = _period_controls(latest)
        scope = _filter_controls(options)
    present = bool(st.session_state["f_present"])
    view = View(preset, as_of, start, end, restrict(scope, user), present, earliest, latest, version, user)
    if user.is_admin and not present and unmasked_key(view) == st.session_state.get("_unmasked_view"):
        view = replace(view, unmasked=True)
    st.session_state["_view"] = view
    st.session_state.setdefault("_notices_for", view_params(view))
    write_url(view)
    return view


# --- the first views, computed before anyone asks ----------------------------------------------
# A new data version (an import, the first page after a server start) would make its first
# visitor wait for every query of 总览 (~0.6 s at 1,000,000 cases). A background thread notices
# the new version and computes the first views' figures into the same caches.

def default_view(version: tuple, scope: Scope = Scope()) -> View | None:
    """What a user sees of `scope` without choosing anything: 本年 up to the latest registration."""
    earliest, latest = _data_range(version)
    if latest is None:
        return None
    start, end = preset_dates(DEFAULT_PRESET, latest)
    return View(DEFAULT_PRESET, latest, start, end, scope, False, earliest, latest, version)


def warm(version: tuple) -> None:
    """Every cached figure 总览 draws for the default view of `version`: the whole county first,
    then each township (a township leader's first view, and the commonest filter)."""
    townships = _options(_filter_options(version, Scope()), "township")
    for scope in (Scope(), *(Scope(townships=(township,)) for township in townships)):
        view = default_view(version, scope)
        if view is None:
            return
        _filter_options(version, scope)   # a township leader's choices
        view.period  # noqa: B018 (reading the property fills its cache)
        view.kpi()
        view.rank()
        view.topics()   # 总览's 新出现的问题
        view.sparklines()


def _warm_every() -> float:
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
            every = _warm_every()
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
def _warmer() -> _Warmer:
    """One per server process, stopped before the interpreter exits (a thread still holding
    DuckDB objects then would make DuckDB report leaks)."""
    warmer = _Warmer()
    warmer.start()
    atexit.register(warmer.stop)
    return warmer


PAGES = (  # file, title, url_path, icon
    ("pages/overview.py", "总览", "overview", ":material/dashboard:"),
    ("pages/trends.py", "趋势", "trends", ":material/show_chart:"),
    ("pages/repeat.py", "重复信访", "repeat", ":material/repeat:"),
    ("pages/ranking.py", "村居排名", "ranking", ":material/leaderboard:"),
    ("pages/skip_level.py", "越级与集体访", "skip_level", ":material/groups:"),
    ("pages/handling.py", "办理与包案", "handling", ":material/assignment_turned_in:"),
    ("pages/accountability.py", "责任落实", "accountability", ":material/how_to_reg:"),
    ("pages/topics.py", "研判·诉求", "topics", ":material/insights:"),
    ("pages/people.py", "研判·人员", "people", ":material/person_search:"),
    ("pages/map.py", "村居地图", "map", ":material/map:"),
    ("pages/data_import.py", "数据导入", "import", ":material/upload_file:"),
    ("pages/caliber.py", "口径说明", "caliber", ":material/menu_book:"),
    ("pages/audit.py", "审计日志", "audit", ":material/policy:"),
)
ADMIN_PAGES = {"import", "audit"}   # imports and the audit log: 信访办 administrators only


def frame():
    """The frame around every page: page setup, navigation, the sidebar view and the style.
    Returns the page st.navigation chose (the entrypoint runs it)."""
    present = present_requested()
    st.set_page_config(page_title="信访看板", page_icon="📊", layout="wide",  # emoji: no CDN icon
                       # auto: open on a desktop, closed on a phone (where it would cover the page)
                       initial_sidebar_state="collapsed" if present else "auto",
                       menu_items={"Get help": None, "Report a bug": None, "About": "信访看板 · 开源信访数据看板"})
    user = signin.current_user([st.Page(path, title=title, url_path=url_path, default=url_path == "overview")
                                for path, title, url_path, _ in PAGES])
    allowed = [entry for entry in PAGES if user.is_admin or entry[2] not in ADMIN_PAGES]
    pages = [st.Page(path, title=title, url_path=url_path, icon=icon, default=url_path == "overview")
             for path, title, url_path, icon in allowed]
    # In presentation mode the sidebar is hidden, so the pages move to the top bar.
    page = st.navigation(pages, position="top" if present else "sidebar")
    st.session_state["_url_paths"] = tuple(url_path for _, _, url_path, _ in allowed)
    st.session_state["_page_url_path"] = page.url_path
    if _warm_every() > 0:
        _warmer()
    try:
        view = build_view(user)
    except Exception as error:   # a damaged database: say so, and let an admin start afresh
        damaged_database(error, user)
    if st.session_state.get("_aside_done"):
        st.success(st.session_state.pop("_aside_done"), icon=":material/check_circle:")
    apply_style(view)
    demo_banner()
    signin.user_badge(user)
    share_link(view)
    privacy_control(view)
    st.sidebar.caption(f"数据库：{db_path().name}")
    st.session_state["_framed"] = True
    return page


def run_page(page) -> None:
    """Run the page st.navigation chose; a database that turns out damaged while the page reads
    it (a checksum error in some block) gets the same sentence as one that cannot be opened."""
    try:
        page.run()
    except Exception as error:
        view = st.session_state.get("_view")
        damaged_database(error, view.user if view else None)


def _set_aside() -> None:
    try:
        aside = db.set_aside(db_path())
    except Exception as error:
        st.session_state["_aside_error"] = db.explain(error, db_path()) or "操作失败，请联系系统维护人员。"
        return
    st.cache_data.clear()
    st.session_state["_aside_done"] = (f"已将损坏的数据库改名为 {aside.name}（保留在原目录），并新建了空数据库。"
                                       "请在“数据导入”页导入台账。")


def damaged_database(error: Exception, user: User | None) -> None:
    """One sentence for a damaged database (never Streamlit's exception box); an administrator
    may move the file aside and start an empty database, then reach 数据导入 to import again.
    Anything else is re-raised (a bug belongs in the log)."""
    message = db.explain(error, db_path())
    if message is None or not (isinstance(error, db.DatabaseUnusable) or db.is_damage(error)):
        raise error
    _LOG.warning("damaged database %s", db_path(), exc_info=error)
    st.error(message, icon=":material/error:")
    if st.session_state.get("_aside_error"):
        st.error(st.session_state.pop("_aside_error"))
    if user is not None and user.is_admin:
        st.button("将损坏的数据库移到一旁，新建空数据库", on_click=_set_aside, type="primary")
        st.caption("原文件改名后保留在同一目录，供日后恢复；新数据库为空，可随即在“数据导入”页重新导入台账。")
    else:
        st.caption("请联系信访办管理员处理。")
    st.stop()


def demo_banner() -> None:
    """While demo cases are in the database, every page says so (#13.6)."""
    from queries.demo import has_demo
    if has_demo(connection()):
        st.warning("演示数据：当前显示的是虚构的东安县演示数据，不是真实信访数据。导入本单位的台账时可先删除演示数据"
                   "（“数据导入”页），或运行 python -m queries demo --remove。", icon=":material/science:")


def start_page(url_path: str, title: str) -> View:
    """Every page begins here: the view the frame built, this page's own URL parameters, and
    the title with the period it describes.

    A page file can run without the entrypoint: Streamlit treats `pages/` as a v1 pages
    folder until some session has called st.navigation (the first request after a server
    start, if it is a deep link; every AppTest run). Then the page draws the frame (whose
    st.navigation ends that mode) and runs itself as the navigation's page, so its widgets
    get the same ids as on every later run (an id includes the page it is drawn under).
    """
    if not st.session_state.pop("_framed", False):
        run_page(frame())
        st.stop()
    if url_path not in st.session_state["_url_paths"]:  # e.g. a non-admin's stale link
        st.error("您没有访问此页面的权限。")
        st.stop()
    view = st.session_state["_view"]
    begin_page(url_path)
    header(title, view)
    return view


def show_notices(view: View) -> None:
    """Invalid parts of a shared link: a small note (never an error), shown while the view is
    still the one the link opened."""
    notices = st.session_state.get("_notices")
    if notices and st.session_state.get("_notices_for") == view_params(view):
        st.caption("⚠️ 链接中的部分参数无效，已忽略：" + "；".join(notices) + "。")
    elif notices:
        st.session_state["_notices"] = []


# --- the URL -------------------------------------------------------------------------------

def view_params(view: View) -> dict[str, str]:
    params = {P_PRESET: view.preset, P_ASOF: view.as_of.isoformat()}
    if view.preset == "custom":
        params[P_FROM], params[P_TO] = view.start.isoformat(), view.end.isoformat()
    for key, values in zip((P_TOWNS, P_VILLAGES, P_CATS, P_CHANNELS, P_UNITS, P_GROUPS),
                           (view.scope.townships, view.scope.villages, view.scope.categories,
                            view.scope.channels, view.scope.units, view.scope.groups)):
        if values:
            params[key] = ",".join(values)
    if view.present:
        params[P_PRESENT] = "1"
    return params


def _page_params() -> dict[str, str]:
    return st.session_state.setdefault("_page_params", {})


def write_url(view: View) -> None:
    """Mirror the view (and the current page's own choices) in the address bar."""
    wanted = {**view_params(view), **_page_params()}
    if st.query_params.to_dict() != wanted:
        st.query_params.from_dict(wanted)


def begin_page(page_key: str) -> None:
    """A page's own URL parameters replace the previous page's."""
    if st.session_state.get("_page_params_of") != page_key:
        st.session_state["_page_params_of"] = page_key
        st.session_state["_page_params"] = {}
        write_url(st.session_state["_view"])


def page_choice(param: str, options: list, default, label: str, widget=None, **kwargs):
    """A page-level choice (a metric, a village…) kept in the URL under `param`; a value from
    a shared link is used once, if it is one of the options."""
    widget = widget or st.selectbox
    key = f"page_{param}"
    if not options:
        return None
    if key not in st.session_state:
        wanted = (st.session_state.get("_url_snapshot", {}).get(param) or [None])[-1]
        by_text = {str(option): option for option in options}
        if wanted is not None and wanted not in by_text:
            st.caption(f"⚠️ 链接中的“{_shown(wanted)}”不是可选项，已忽略。")
        st.session_state[key] = by_text.get(wanted, default if default in options else options[0])
    elif st.session_state[key] not in options:
        st.session_state[key] = default if default in options else options[0]
    else:
        keep_widget_state(key)
    value = widget(label, options, key=key, **kwargs)
    _page_params()[param] = str(value)
    write_url(st.session_state["_view"])
    return value


def share_url(view: View) -> str:
    """The link that reproduces this view, on this page."""
    base = st.context.url or "http://localhost:8501/"
    parts = urlsplit(base)
    path = parts.path.rstrip("/")
    page = st.session_state.get("_page_url_path", "")
    known = st.session_state.get("_url_paths", ())
    head, _, last = path.rpartition("/")
    if last in known:
        path = head
    url = f"{parts.scheme}://{parts.netloc}{path}/{page}"
    return url + "?" + urlencode({**view_params(view), **_page_params()})


def share_link(view: View) -> None:
    with st.sidebar.popover("复制链接", icon=":material/link:", width="stretch"):
        st.caption("复制下方链接，打开即是同一视图（统计期、截至日、筛选条件与本页选择）。")
        st.code(share_url(view), language=None, wrap_lines=True)


# --- page scaffolding ----------------------------------------------------------------------

# Presentation: read from 5 m on the projectors offices have, 1366×768 as well as 1920×1080. The
# root font follows the screen width (rem-based Streamlit sizes all scale with it), so one screen
# of cards fits either; the sidebar and its toggle are hidden (pages move to the top bar).
PRESENT_CSS = """
<style>
html { font-size: clamp(16px, 1.25vw, 24px); }
section[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"],
[data-testid="stExpandSidebarButton"], [data-testid="stSidebarCollapseButton"] { display: none !important; }
[data-testid="stMainBlockContainer"] { padding: 4.2rem 1.5rem 1rem 1.5rem; max-width: 100%; }
[data-testid="stMetricLabel"] p { font-size: 1.1rem; font-weight: 600; }
[data-testid="stMetricValue"] { font-size: min(3rem, 20cqi); }
[data-testid="stMetricDelta"] { font-size: 1rem; }
[data-testid="stCaptionContainer"] { font-size: 0.9rem; }
[data-testid="stTable"] table { font-size: 0.9rem; }
</style>
"""
SCREEN_CSS = """
<style>
[data-testid="stMetricLabel"] p { font-weight: 600; }
</style>
"""
# Every screen an office has (1280×720 … 1920×1080, a phone at 390×844): no figure, metric name or
# table cell is cut to "…". A card is a size container: its value shrinks with the card (20cqi
# fits "12345人次"), names and changes wrap. Chinese units (件, 人次) fall back to a CJK font with
# taller line metrics than the digits' font; a fixed line height keeps the cards of a row aligned.
# A table cell is at least three characters wide (a village name never wraps one character a
# line); a table wider than its place scrolls sideways in its own frame. On a phone the cards of a grid (a row of three or more)
# go two to a row; a card beside a chart stacks above it like any column.
# Printed (Ctrl+P) on A4: no sidebar, header or buttons; the interactive grids (canvas, only the
# rows in view) give way to their `print_only` HTML twin, which breaks between rows; `no_print`
# containers (download buttons and the like) are left out.
COMMON_CSS = """
<style>
[data-testid="stMetric"] { container-type: inline-size; }
[data-testid="stMetricValue"] { font-size: min(2.25rem, 20cqi); }
[data-testid="stMetricValue"] > div { line-height: 1.25; }
[data-testid="stMetricDelta"] > div { line-height: 1.3; }
[data-testid="stMetric"] .stMarkdownEllipsis, [data-testid="stMetric"] .stMarkdownEllipsis p {
  white-space: normal; overflow: visible; text-overflow: clip; overflow-wrap: anywhere; }
[data-testid="stTable"] th, [data-testid="stTable"] td { min-width: 3.3em; }
@media (max-width: 640px) {
  [data-testid="stHorizontalBlock"]:has(> [data-testid="stColumn"]:nth-child(3) [data-testid="stMetric"]) {
    flex-wrap: wrap; gap: 0.5rem; }
  [data-testid="stHorizontalBlock"]:has(> [data-testid="stColumn"]:nth-child(3) [data-testid="stMetric"]) > [data-testid="stColumn"] {
    flex: 1 1 calc(50% - 0.25rem) !important; min-width: calc(50% - 0.25rem) !important;
    width: calc(50% - 0.25rem) !important; }
  [data-testid="stHorizontalBlock"]:has(> [data-testid="stColumn"]:nth-child(3) [data-testid="stMetric"]) > [data-testid="stColumn"]:empty {
    display: none; }
  [data-testid="stMetricValue"] { font-size: min(1.75rem, 20cqi); }
}
""" + """
[class*="st-key-print_only"] { display: none; }
@media print {
  @page { size: A4 portrait; margin: 12mm 10mm; }
  html { font-size: 13px; }
  section[data-testid="stSidebar"], header[data-testid="stHeader"], [data-testid="stToolbar"],
  [data-testid="stDecoration"], [data-testid="stSidebarCollapsedControl"], [data-testid="stExpandSidebarButton"],
  .stButton, .stDownloadButton, [data-testid="stPageLink"], [data-testid="stPopover"], [data-testid="stExpander"],
  [data-testid="stElementToolbar"], [data-testid="stDataFrame"], [data-testid="stTooltipIcon"],
  [class*="st-key-no_print"] { display: none !important; }
  [class*="st-key-print_only"] { display: block; }
  .stApp, [data-testid="stAppViewContainer"], [data-testid="stMain"] {
    position: static !important; overflow: visible !important; height: auto !important; }
  [data-testid="stMainBlockContainer"] { padding: 0 !important; max-width: 100% !important; }
  [data-testid="stMetric"], [data-testid="stColumn"], [data-testid="stTable"] tr, [data-testid="stPlotlyChart"] {
    break-inside: avoid; }
  [data-testid="stHeading"] { break-after: avoid; }
  [data-testid="stTable"], [data-testid="stTable"] > div { overflow: visible !important; }
  [data-testid="stTable"] table { width: 100% !important; font-size: 0.85rem; }
  [data-testid="stPlotlyChart"] svg.main-svg { max-width: 100%; height: auto; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
</style>
"""


def apply_style(view: View) -> None:
    st.html(COMMON_CSS + (PRESENT_CSS if view.present else SCREEN_CSS))


def header(title: str, view: View) -> None:
    """Page title with the period and scope it describes (a leader must never guess them)."""
    if view.present:
        left, right = st.columns([6, 1], vertical_alignment="center")
        left.markdown(f"## {title}")
        right.button("退出演示", on_click=_leave_present, width="stretch")
    else:
        st.title(title)
    st.caption(period_text(view))
    if view.unmasked:
        st.warning(f"本视图正在显示未脱敏的个人信息（理由：{md_escape(st.session_state.get('_unmask_reason', ''))}；"
                   "已记入审计日志）。切换页面或筛选条件即恢复脱敏。", icon=":material/visibility:")
    show_notices(view)


def _leave_present() -> None:
    st.session_state["f_present"] = False


def period_text(view: View) -> str:
    if not view.has_data:
        return "库中暂无信访事项"
    start, end = view.start, min(view.end, view.as_of)
    return (f"统计期 {start} 至 {end}（截至 {view.as_of}）· 范围：{md_escape(scope_text(view.scope))}"
            f" · 数据覆盖 {view.earliest} 至 {view.latest}")


def require_data(view: View) -> None:
    """An empty database is a normal state (a new office): say what to do, then stop."""
    if view.has_data:
        return
    st.info("数据库中还没有信访事项。请先导入《信访事项登记台账》或信访信息系统导出文件。")
    st.page_link("pages/data_import.py", label="前往“数据导入”", icon=":material/upload_file:")
    st.stop()


# --- formatting ----------------------------------------------------------------------------

def tooltip(metric: Metric) -> str:
    return f"{caliber(metric)}\n\n目标：{fmt_target(metric)}"


def met_mark(metric: Metric, met) -> str:
    if metric.rule is None:
        return "仅列示"
    return {True: ":green[**✔ 达标**]", False: ":red[**✘ 未达标**]"}.get(met, "达标 —")


SPARK_COLORS = {True: charts.COLORS["告警"], False: charts.COLORS["target"], None: charts.COLORS["yoy"]}


def metric_card(metric_id: str, figure: dict, spark: pd.Series | None = None, spark_height: int = 56) -> None:
    """One scorecard figure in a bordered card: value, 同比 delta (coloured by which way is
    good), 口径 tooltip, and the monthly sparkline (`spark`, indexed by month) in the delta's
    colour; then target, 达标 and 环比 in a caption."""
    metric = BY_ID[metric_id]
    value, yoy, pop = figure["value"], figure["yoy"], figure["pop"]
    change = fmt_change(metric, value, yoy)
    # The 同比 text of every surface (formatting.fmt_change), coloured by which way is good.
    color = {True: "red", False: "green"}.get(adverse(metric, value, yoy), "gray")
    with st.container(border=True):
        st.metric(metric.name, fmt_value(metric, value), change, delta_color=color,
                  delta_arrow=direction(value, yoy), help=tooltip(metric))
        if spark is not None and len(spark):
            shown = spark.dropna()
            title = (f"{spark.index[0]} 至 {spark.index[-1]} 逐月："
                     f"最低 {fmt_value(metric, shown.min())}，最高 {fmt_value(metric, shown.max())}") if len(shown) else ""
            st.markdown(charts.sparkline_svg(spark.tolist(), SPARK_COLORS[adverse(metric, value, yoy)],
                                             spark_height, title), unsafe_allow_html=True)
    pop_text = fmt_change(metric, value, pop, "环比").replace("无可比数据", " —")
    pop_color = {True: "red", False: "green"}.get(adverse(metric, value, pop))
    pop_md = f":{pop_color}[{pop_text}]" if pop_color else pop_text
    st.caption(f"目标 {fmt_target(metric)} · {met_mark(metric, figure['met'])} · {pop_md}")


def metric_grid(view: View, metric_ids: list[str], columns: int = 5, sparks: bool = True) -> None:
    figures = view.kpi()["metrics"]
    trend = view.sparklines(metric_ids) if sparks else None
    for start in range(0, len(metric_ids), columns):
        row = metric_ids[start:start + columns]
        for column, metric_id in zip(st.columns(columns), row):
            with column:
                metric_card(metric_id, figures[metric_id], trend[metric_id] if sparks else None,
                            spark_height=110 if view.present else 56)


PERCENT_FORMAT = "%.1f%%"   # rates are shown ×100 with one decimal, like the scorecard


def is_rate(column: str) -> bool:
    metric = BY_ID.get(column)
    return metric is not None and metric.fmt == "percent"


def as_percent(frame: pd.DataFrame) -> pd.DataFrame:
    """Rate columns (0..1) ×100 for display with PERCENT_FORMAT."""
    rates = [c for c in frame.columns if is_rate(c)]
    return frame.assign(**{c: frame[c] * 100 for c in rates}) if rates else frame


def column_config(frame: pd.DataFrame, labels: dict[str, str] | None = None) -> dict:
    """Chinese headers and formats by column name and type (dates as dates, flags as ticks)."""
    config = {}
    for column in frame.columns:
        label = (labels or {}).get(column) or COLUMN_LABELS.get(column, column)
        if is_rate(column):
            config[column] = st.column_config.NumberColumn(label, format=PERCENT_FORMAT)
        elif pd.api.types.is_datetime64_any_dtype(frame[column]):
            config[column] = st.column_config.DateColumn(label, format="YYYY-MM-DD")
        elif pd.api.types.is_bool_dtype(frame[column]):
            config[column] = st.column_config.CheckboxColumn(label)
        else:
            config[column] = st.column_config.Column(label)
    return config


def show_table(frame: pd.DataFrame, view: View, columns: list[str] | None = None,
               height: int | str = "auto", labels: dict[str, str] | None = None) -> None:
    """A case list or figure table with Chinese headers. In presentation mode an HTML table
    (it scales with the large type; the canvas grid does not)."""
    frame = frame[[c for c in (columns or frame.columns) if c in frame.columns]]
    if len(frame) == 0:
        st.caption("（无）")
        return
    if view.present:
        shown = frame.head(PRESENT_ROWS).copy()
        for column in shown.columns:
            if is_rate(column):
                shown[column] = shown[column].map(lambda v, m=BY_ID[column]: fmt_value(m, v))
            elif pd.api.types.is_datetime64_any_dtype(shown[column]):
                shown[column] = shown[column].dt.strftime("%Y-%m-%d")
        shown = markdown_cells(shown.astype(object).where(shown.notna(), DASH))  # NA in typed columns
        st.table(shown.rename(columns={**COLUMN_LABELS, **(labels or {})}), hide_index=True)
        return
    st.dataframe(as_percent(frame), hide_index=True, column_config=column_config(frame, labels),
                 height=height, placeholder=DASH)


def markdown_cells(frame: pd.DataFrame) -> pd.DataFrame:
    """st.table renders every cell as Markdown: text cells from data are escaped (a village
    named [点我](http://…)村 stays text, not a link)."""
    return frame.apply(lambda column: column.map(lambda v: md_escape(v) if isinstance(v, str) else v))


def show_styled(styled, view: View) -> None:
    """A pandas Styler: an HTML table in presentation mode (it scales), else the grid."""
    if view.present:
        text = [c for c in styled.data.columns if styled.data[c].map(lambda v: isinstance(v, str)).any()]
        st.table(styled.format(md_escape, subset=text, na_rep=DASH), hide_index=True)  # cells are Markdown there
    else:
        st.dataframe(styled, hide_index=True)


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """CSV that Excel opens with Chinese intact (UTF-8 with BOM), Chinese headers; a cell that
    Excel would run as a formula (=HYPERLINK…, +cmd…, @SUM…) is kept as text."""
    return safe_csv_bytes(frame.rename(columns=COLUMN_LABELS))


def csv_download(frame: pd.DataFrame, label: str, file_name: str, key: str, view: View) -> None:
    """A CSV of what the table shows. One carrying unmasked personal data is audited first: a
    准备 button writes the audit record, and only then is the download offered (for this view)."""
    personal = view.unmasked and any(c in frame.columns for c in PERSONAL_COLUMNS)
    if personal:
        label = label.replace("已脱敏", "含个人信息")
        audited = st.session_state.setdefault("_csv_audited", {})
        token = (unmasked_key(view), file_name)
        if audited.get(key) != token:
            st.button(label.replace("下载", "准备", 1), key=f"{key}_audit", icon=":material/policy:",
                      disabled=len(frame) == 0, on_click=_audit_csv, args=(view, key, token, file_name),
                      help="含个人信息的导出先记入审计日志，随后出现下载按钮。")
            return
    st.download_button(label, csv_bytes(frame), file_name=file_name, mime="text/csv", key=key,
                       icon=":material/download:", disabled=len(frame) == 0, on_click="ignore")


def _audit_csv(view: View, key: str, token: tuple, file_name: str) -> None:
    if _audit(view, f"导出含个人信息的CSV：{file_name}"):
        st.session_state["_csv_audited"][key] = token


# --- personal data: masked unless an admin unmasks one view, with a reason ------------------

def unmasked_key(view: View) -> tuple:
    """What one unmasking covers: this page with exactly these filters."""
    return st.session_state.get("_page_url_path"), tuple(sorted(view_params(view).items()))


def _audit(view: View, action: str) -> bool:
    """Write the audit record; False (and the reason, in one sentence, shown in the sidebar) when
    it cannot be written: a read-only data directory, a full disk."""
    try:
        with writing() as con:
            record_audit(con, view.user, action, view.scope, st.session_state.get("_unmask_reason", ""))
    except Exception as error:
        message = db.explain(error, db_path())
        if message is None:
            raise
        st.session_state["_audit_error"] = f"未能记入审计日志，个人信息保持脱敏。{message}"
        return False
    return True


def _unmask(view: View) -> None:
    reason = st.session_state.get("unmask_reason", "").strip()
    if not reason:
        st.session_state["_unmask_error"] = True
        return
    st.session_state["_unmask_reason"] = reason
    titles = {url_path: title for _, title, url_path, _ in PAGES}
    if not _audit(view, f"查看个人信息：{titles.get(st.session_state.get('_page_url_path'), '')}"):
        return   # no audit record, no unmasking
    st.session_state["_unmasked_view"] = unmasked_key(view)
    st.session_state["unmask_reason"] = ""


def _remask() -> None:
    st.session_state.pop("_unmasked_view", None)


def privacy_control(view: View) -> None:
    """Admins only, never in presentation mode: show this view's personal data, with a reason."""
    if not view.user.is_admin or view.present:
        st.sidebar.caption("个人信息一律脱敏显示")
        return
    audit_error = st.session_state.pop("_audit_error", None)
    with st.sidebar.expander("查看个人信息", icon=":material/visibility:", expanded=bool(audit_error)):
        if audit_error:
            st.error(audit_error)
        if view.unmasked:
            st.caption("本视图正在显示个人信息，已记入审计日志。")
            st.button("恢复脱敏", on_click=_remask, width="stretch")
            return
        st.caption("个人信息默认脱敏。管理员可为本页当前筛选显示完整信息：须填写理由，记入审计日志；"
                   "切换页面或筛选条件即恢复脱敏。")
        st.text_input("理由（必填）", key="unmask_reason", max_chars=200)
        if st.session_state.pop("_unmask_error", False):
            st.error("请填写查看个人信息的理由。")
        st.button("显示本视图的个人信息", on_click=_unmask, args=(view,), width="stretch")



def _personal_headers() -> dict[str, callable]:
    headers = load_config()["import"]["headers"]
    masks = {"petitioner_name": mask_name, "petitioner_idno": mask_idno, "phone": mask_phone}
    return {header_key(name): mask for field_name, mask in masks.items()
            for name in headers.get(field_name, [])}


def masked_raw_values(raw: str) -> str:
    """A refused row's raw cells (JSON, by original header) with personal cells masked."""
    try:
        values = json.loads(raw) if isinstance(raw, str) else dict(raw)
    except (TypeError, ValueError):
        return ""
    masks = _personal_headers()
    shown = {}
    for header_name, value in values.items():
        mask = masks.get(header_key(header_name))
        shown[header_name] = mask(str(value)) if mask and value not in (None, "") else value
    return json.dumps(shown, ensure_ascii=False)
