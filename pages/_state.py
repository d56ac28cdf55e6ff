"""The global view as the user sets it: the sidebar controls (period, as-of date, filters,
presentation mode), their state in the session, and the URL that mirrors it.

This is the ONE place that reads or writes `st.query_params`. The session state is the truth
after the first run of a session; the URL mirrors it on every run (Streamlit clears query
parameters on page switches, so we write them back each time). What a link's parameters mean,
and which are refused, is `queries.url_state` (plain functions, tested without Streamlit).
"""
from __future__ import annotations

from dataclasses import replace
from datetime import date

import streamlit as st

from pages._data import View, data_range, data_version, filter_choices
from queries import url_state
from queries.access import User, restrict
from queries.periods import DEFAULT_PRESET, PRESETS, Scope, preset_dates
from queries.url_state import (
    EARLIEST_INPUT,
    LIST_LABELS,
    P_CATS,
    P_CHANNELS,
    P_GROUPS,
    P_PRESENT,
    P_TOWNS,
    P_UNITS,
    P_VILLAGES,
    SCOPE_FIELDS,
    ViewState,
    shown,
)

# The sidebar widget of each list parameter.
LIST_KEYS = {P_TOWNS: "f_town", P_VILLAGES: "f_vil", P_CATS: "f_cat", P_CHANNELS: "f_chan", P_UNITS: "f_unit",
             P_GROUPS: "f_grp"}


def _init_from_url(version: tuple, places: Scope, latest: date | None) -> None:
    """First run of a session: the URL's view, where valid, becomes the widget state."""
    state, today = st.session_state, date.today()
    params = {key: st.query_params.get_all(key) for key in st.query_params}
    wanted, notices = url_state.parse(params, lambda towns: filter_choices(version, places, tuple(towns or ())),
                                      max(latest or today, today))
    state["f_asof"] = wanted.as_of or latest or today
    state["f_period"] = wanted.preset
    if wanted.preset == "custom":
        state["f_from"], state["f_to"] = wanted.start, wanted.end
    for key, widget_key in LIST_KEYS.items():
        state[widget_key] = list(getattr(wanted.scope, SCOPE_FIELDS[key]))
    state["f_present"] = wanted.present
    state["_asof_default"] = latest
    state["_url_snapshot"] = params
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


def _filter_controls(version: tuple, places: Scope) -> Scope:
    choices = filter_choices(version, places)
    towns = st.multiselect(LIST_LABELS[P_TOWNS], choices[P_TOWNS], key=LIST_KEYS[P_TOWNS], placeholder="全部")
    villages = filter_choices(version, places, tuple(towns))[P_VILLAGES]
    # Cascade: villages of townships no longer chosen drop out before the widget is drawn.
    village_key = LIST_KEYS[P_VILLAGES]
    st.session_state[village_key] = [v for v in st.session_state.get(village_key, []) if v in villages]
    chosen = {SCOPE_FIELDS[P_TOWNS]: tuple(towns), SCOPE_FIELDS[P_VILLAGES]: tuple(
        st.multiselect(LIST_LABELS[P_VILLAGES], villages, key=LIST_KEYS[P_VILLAGES], placeholder="全部"))}
    helps = {P_GROUPS: "按信访事由中的关键词归入的群体（配置 topics.groups），见“研判·诉求”。"}
    for key in (P_CATS, P_CHANNELS, P_UNITS, P_GROUPS):
        chosen[SCOPE_FIELDS[key]] = tuple(st.multiselect(LIST_LABELS[key], choices[key], key=LIST_KEYS[key],
                                                         placeholder="全部", help=helps.get(key)))
    return Scope(**chosen)


def build_view(user: User) -> View:
    """The sidebar controls (drawn on every run, also when hidden in presentation mode, so
    their state survives) and the view they describe, narrowed to the user's jurisdiction
    whatever the URL or the widgets say."""
    version = data_version()
    earliest, latest = data_range(version)
    places = restrict(Scope(), user)
    if "_url_snapshot" not in st.session_state:
        _init_from_url(version, places, latest)
    else:
        keep_widget_state(*WIDGET_KEYS)
    _follow_latest(latest)
    with st.sidebar:
        st.toggle("演示模式（投屏）", key="f_present",
                  help="隐藏侧栏、放大字号，一屏一组指标；也可在链接后加 ?present=1。")
        preset, as_of, start, end = _period_controls(latest)
        scope = _filter_controls(version, places)
    present = bool(st.session_state["f_present"])
    view = View(preset, as_of, start, end, restrict(scope, user), present, earliest, latest, version, user)
    if user.is_admin and not present and unmasked_key(view) == st.session_state.get("_unmasked_view"):
        view = replace(view, unmasked=True)
    st.session_state["_view"] = view
    st.session_state.setdefault("_notices_for", view_params(view))
    write_url(view)
    return view


def unmasked_key(view: View) -> tuple:
    """What one unmasking covers: this page with exactly these filters."""
    return st.session_state.get("_page_url_path"), tuple(sorted(view_params(view).items()))


# --- the URL -------------------------------------------------------------------------------

def view_params(view: View) -> dict[str, str]:
    return url_state.encode(ViewState(view.preset, view.as_of, view.start, view.end, view.scope, view.present))


def page_params() -> dict[str, str]:
    return st.session_state.setdefault("_page_params", {})


def write_url(view: View) -> None:
    """Mirror the view (and the current page's own choices) in the address bar."""
    wanted = {**view_params(view), **page_params()}
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
            st.caption(f"⚠️ 链接中的“{shown(wanted)}”不是可选项，已忽略。")
        st.session_state[key] = by_text.get(wanted, default if default in options else options[0])
    elif st.session_state[key] not in options:
        st.session_state[key] = default if default in options else options[0]
    else:
        keep_widget_state(key)
    value = widget(label, options, key=key, **kwargs)
    page_params()[param] = str(value)
    write_url(st.session_state["_view"])
    return value
