"""The global view in a link, without Streamlit: query parameters ⇄ the view they describe.

A shared link is untrusted input. `parse` keeps what may be chosen and drops the rest, each drop
with a short note for the page (the value quoted shortened and inert as Markdown); `encode` is
its inverse, the parameters the address bar and the share link carry.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from queries.dimensions import BY_ID as DIMENSION, FILTERS
from queries.escaping import markdown_text
from queries.periods import DEFAULT_PRESET, PRESETS, Scope

EARLIEST_INPUT = date(2000, 1, 1)   # lower bound of the date inputs
# Short query-parameter keys of the global view.
P_PRESET, P_ASOF, P_FROM, P_TO = "p", "asof", "from", "to"
P_PRESENT = "present"
# The list parameters: one per filter dimension (queries.dimensions), in the order of the sidebar.
P_TOWNS, P_VILLAGES, P_CATS, P_CHANNELS, P_UNITS, P_GROUPS = (
    DIMENSION[d].url_key for d in ("township", "village", "category", "channel", "unit", "group"))
SCOPE_FIELDS = {d.url_key: d.scope_field for d in FILTERS}   # parameter -> the Scope field it fills
LIST_LABELS = {d.url_key: d.label for d in FILTERS}
MAX_SHOWN = 30  # characters of a rejected URL value quoted back in a notice

# What each list parameter may hold, given the townships chosen (None: all): villages follow them.
Choices = Callable[[list[str] | None], Mapping[str, Sequence[str]]]


@dataclass(frozen=True)
class ViewState:
    """The view a link describes (dates are None where the link leaves them to the page)."""
    preset: str = DEFAULT_PRESET
    as_of: date | None = None    # None: the page's default, the latest registration
    start: date | None = None    # the period's bounds; a link carries them for "custom" only
    end: date | None = None
    scope: Scope = field(default_factory=Scope)
    present: bool = False


def shown(value: str) -> str:
    """A rejected URL value quoted back: shortened, and inert as Markdown."""
    return markdown_text(value if len(value) <= MAX_SHOWN else value[:MAX_SHOWN] + "…")


def _last(params: Mapping[str, Sequence[str]], key: str) -> str | None:
    """A single-valued parameter: the last one of a repeated key (as st.query_params reads it)."""
    if key not in params:
        return None
    return params[key][-1] if params[key] else ""


def _values(params: Mapping[str, Sequence[str]], key: str) -> list[str]:
    """A list parameter, given as repeated keys or comma-joined (or both)."""
    return [part.strip() for value in params.get(key) or [] for part in value.split(",") if part.strip()]


def _date(params: Mapping[str, Sequence[str]], key: str, high: date, notices: list[str]) -> date | None:
    raw = _last(params, key)
    if raw is None:
        return None
    try:
        value = date.fromisoformat(raw.strip())
    except ValueError:
        notices.append(f"日期“{shown(raw)}”无法识别（应为 YYYY-MM-DD）")
        return None
    if not EARLIEST_INPUT <= value <= high:
        notices.append(f"日期 {value} 超出可选范围（{EARLIEST_INPUT} 至 {high}）")
        return None
    return value


def parse(params: Mapping[str, Sequence[str]], choices: Choices, high: date) -> tuple[ViewState, list[str]]:
    """The view of a link's parameters (key -> its values), where valid, and a note for each
    part that is not. `high` is the latest date a date input offers."""
    notices: list[str] = []
    preset = _last(params, P_PRESET)
    if preset is not None and preset not in PRESETS:
        notices.append(f"统计期“{shown(preset)}”无效")
        preset = None
    as_of = _date(params, P_ASOF, high, notices)
    preset = preset or DEFAULT_PRESET
    start = end = None
    if preset == "custom":
        start, end = _date(params, P_FROM, high, notices), _date(params, P_TO, high, notices)
        if not (start and end):
            notices.append("自定义统计期缺少有效的起止日期，已改用本年")
            preset, start, end = DEFAULT_PRESET, None, None
    allowed = choices(None)
    towns = [t for t in _values(params, P_TOWNS) if t in allowed[P_TOWNS]]
    allowed = choices(towns or None)
    lists = {}
    for key, scope_field in SCOPE_FIELDS.items():
        wanted = _values(params, key)
        bad = [v for v in wanted if v not in allowed[key]]
        if bad:
            notices.append(f"{LIST_LABELS[key]}“{'、'.join(shown(b) for b in bad[:3])}”不在可选范围内")
        lists[scope_field] = tuple(v for v in dict.fromkeys(wanted) if v in allowed[key])
    present = _last(params, P_PRESENT)
    if present not in (None, "0", "1"):
        notices.append(f"演示模式参数“{shown(present)}”无效")
    return ViewState(preset, as_of, start, end, Scope(**lists), present == "1"), notices


def encode(state: ViewState) -> dict[str, str]:
    """The parameters of a view (the inverse of `parse`: lists comma-joined, defaults left out)."""
    params = {P_PRESET: state.preset, P_ASOF: state.as_of.isoformat()}
    if state.preset == "custom":
        params[P_FROM], params[P_TO] = state.start.isoformat(), state.end.isoformat()
    for key, scope_field in SCOPE_FIELDS.items():
        values = getattr(state.scope, scope_field)
        if values:
            params[key] = ",".join(values)
    if state.present:
        params[P_PRESENT] = "1"
    return params
