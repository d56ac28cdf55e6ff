"""The global view as the user sets it: the sidebar controls (period, as-of date, filters,
presentation mode), their state in the session, and the URL that mirrors it.

This is the ONE place that reads or writes `st.query_params`. The session state is the truth
after the first run of a session; the URL mirrors it on every run (Streamlit clears query
parameters on page switches, so we write them back each time).
"""
from __future__ import annotations

from dataclasses import replace
from datetime import date

import pandas as pd
import streamlit as st

from pages._data import View, choice_values, data_range, data_version, filter_options
from queries.access import User, restrict
from queries.config import load_config
from queries.escaping import markdown_text as md_escape
from queries.periods import DEFAULT_PRESET, PRESETS, Scope, preset_dates
from queries.units import unit_name

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
MAX_SHOWN = 30  # characters of a rejected URL value quoted back in a notice


def _filter_choices(options: pd.DataFrame, townships: list[str] | None = None) -> dict[str, list[str]]:
    config = load_config()
    return {
        P_TOWNS: choice_values(options, "township"),
        P_VILLAGES: choice_values(options, "village", townships=townships),
        P_CATS: choice_values(options, "category", order=list(config["categories"]["lead"])),
        P_CHANNELS: choice_values(options, "channel", order=config["enums"]["channel"]["values"]),
        P_UNITS: choice_values(options.assign(unit=options["responsible_unit"].map(unit_name, na_action=None)), "unit"),
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
    earliest, latest = data_range(version)
    options = filter_options(version, restrict(Scope(), user))
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


def unmasked_key(view: View) -> tuple:
    """What one unmasking covers: this page with exactly these filters."""
    return st.session_state.get("_page_url_path"), tuple(sorted(view_params(view).items()))


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
            st.caption(f"⚠️ 链接中的“{_shown(wanted)}”不是可选项，已忽略。")
        st.session_state[key] = by_text.get(wanted, default if default in options else options[0])
    elif st.session_state[key] not in options:
        st.session_state[key] = default if default in options else options[0]
    else:
        keep_widget_state(key)
    value = widget(label, options, key=key, **kwargs)
    page_params()[param] = str(value)
    write_url(st.session_state["_view"])
    return value
