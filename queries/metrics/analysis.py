"""What the pages and exports show beyond the scorecard: series, breakdowns, lists, ownership.

Every function takes the same scope and period arguments as `kpi` and returns a DataFrame.
Personal columns come back masked unless `masked=False` is asked for explicitly.
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import duckdb
import pandas as pd

from ..config import load_config
from ..db import compose, cursor, sql
from ..periods import Period, Scope, data_range, months, year_earlier
from ..privacy import mask_frame
from ..url_state import P_CATS, P_CHANNELS, P_GROUPS, P_TOWNS, P_UNITS, P_VILLAGES
from .case_lists import BY_ID as CASE_LIST_BY_ID
from .engine import base_query, in_view, metric_frame, period_cursor, query, run_named, view_params
from .formatting import adverse
from .scorecard import Scorecard
from .units import unit_name


def _masked(frame: pd.DataFrame, masked: bool) -> pd.DataFrame:
    return mask_frame(frame) if masked else frame


def breakdown(con: duckdb.DuckDBPyConnection, scope: Scope, period: Period, by: str,
              metric_ids: list[str]) -> pd.DataFrame:
    """Metrics of the period per value of one column (category, township, village, channel, level…)."""
    frame = metric_frame(con, scope, [period], metric_ids, group_by=(by,))
    return frame.drop(columns="period").sort_values(metric_ids[0], ascending=False, ignore_index=True)


def trend(con: duckdb.DuckDBPyConnection, scope: Scope, as_of: date, metric_ids: list[str],
          count: int = 24, with_yoy: bool = True) -> pd.DataFrame:
    """Monthly values (each month as of its own last day), with the same month a year earlier
    unless `with_yoy` is false (a sparkline needs only the months: half the work).

    Columns: month (YYYY-MM), start, then for each metric `<id>` (and `<id>_yoy`).
    """
    earliest, _ = data_range(con)
    current = months(as_of, count, first=earliest)
    earlier = [Period("yoy:" + p.name, year_earlier(p.start), year_earlier(p.end), year_earlier(p.as_of),
                      comparable=earliest is not None and year_earlier(p.start) >= earliest)
               for p in current] if with_yoy else []
    frame = metric_frame(con, scope, [*current, *earlier], metric_ids).set_index("period")
    result = pd.DataFrame({"month": [p.name for p in current], "start": [p.start for p in current]})
    for metric_id in metric_ids:
        result[metric_id] = [frame.at[p.name, metric_id] for p in current]
        if with_yoy:
            result[f"{metric_id}_yoy"] = [frame.at[p.name, metric_id] for p in earlier]
    return result


def skip_level_by_month(con: duckdb.DuckDBPyConnection, scope: Scope, as_of: date,
                        count: int = 24) -> pd.DataFrame:
    """越级上访人次 per month and skip level (the configured levels only): month, level, value."""
    periods = months(as_of, count, first=data_range(con)[0])
    frame = metric_frame(con, scope, periods, ["skip_level_persons"], group_by=("level",))
    frame = frame.rename(columns={"period": "month"})
    return frame[frame["level"].isin(load_config()["metrics"]["skip_levels"])].reset_index(drop=True)


def alert_level(value, yoy) -> str | None:
    """告警 / 异常 / 平稳 from the 同比 change; None when there is nothing to compare."""
    if value is None or yoy is None or pd.isna(value) or pd.isna(yoy):
        return None
    thresholds = load_config()["alerts"]
    if yoy == 0:
        return "平稳" if value == 0 else "告警"
    change = abs(value - yoy) / abs(yoy)
    if change > thresholds["alert"]:
        return "告警"
    return "异常" if change > thresholds["warn"] else "平稳"


def movement(metric, value, yoy) -> str | None:
    """告警 / 异常 for a large 同比 move the wrong way, 向好 for one the right way, 平稳 otherwise;
    None when there is nothing to compare. What 总览's two tables and the 趋势 months say."""
    level = alert_level(value, yoy)
    if level in ("告警", "异常") and adverse(metric, value, yoy) is False:
        return "向好"
    return level


def alerts(scorecard: Scorecard) -> pd.DataFrame:
    """Every scorecard metric with its 同比 change, alert level and whether it moved the wrong way."""
    rows = []
    for metric_id, figure in scorecard.figures.items():
        metric = figure.metric
        value, yoy = figure.value, figure.yoy
        level = alert_level(value, yoy)
        if level is None:
            continue
        change = None if not yoy else (value - yoy) / abs(yoy)
        rows.append({"metric": metric_id, "name": metric.name, "group": metric.group,
                     "value": value, "yoy": yoy, "change": change, "level": level,
                     "adverse": adverse(metric, value, yoy) is True})
    return pd.DataFrame(rows, columns=["metric", "name", "group", "value", "yoy", "change", "level",
                                       "adverse"])


def case_list(con: duckdb.DuckDBPyConnection, scope: Scope, period: Period, name: str,
              masked: bool = True) -> pd.DataFrame:
    """The case list `name` (queries.metrics.case_lists), for the scope, as of the period's as-of date."""
    statement = compose(f"views/{CASE_LIST_BY_ID[name].file}", columns=sql("views/case_columns"))
    return _masked(base_query(con, scope, period, statement), masked)


def top_repeaters(con: duckdb.DuckDBPyConnection, scope: Scope, period: Period, limit: int = 20,
                  masked: bool = True) -> pd.DataFrame:
    """Petitioners with the most repeat cases in the period; `petitioner_token` selects a chain."""
    return _masked(base_query(con, scope, period, sql("views/top_repeaters"), limit=limit), masked)


def petitioner_chain(con: duckdb.DuckDBPyConnection, token: str, masked: bool = True,
                     scope: Scope = Scope()) -> pd.DataFrame:
    """All cases in scope of one petitioner (by the token of top_repeaters), oldest first."""
    return _masked(run_named(con, "views/petitioner_chain", {"token": token, **view_params(con, scope)},
                             in_view=in_view(scope)), masked)


def leader_table(con: duckdb.DuckDBPyConnection, scope: Scope, period: Period) -> pd.DataFrame:
    """包案 per leader: cases held in the period, open, closed, resolved or stable, overdue."""
    ids = ["cases", "open_cases", "closed_cases", "resolved_or_stable_cases", "overdue_open"]
    frame = breakdown(con, scope, period, "case_leader", ids)
    gaps = case_list(con, scope, period, "five_has_gaps")
    per_leader = gaps.groupby(gaps["case_leader"].fillna("（未明确）")).size()
    frame["case_leader"] = frame["case_leader"].fillna("（未明确）")
    frame["five_has_gaps"] = frame["case_leader"].map(per_leader).fillna(0).astype("int64")
    return frame


def event_windows(con: duckdb.DuckDBPyConnection, scope: Scope) -> pd.DataFrame:
    """重大活动保障期 from the configuration: 活动期间登记 (target 0) and active key persons."""
    windows = pd.DataFrame([{"name": w["name"], "start_on": pd.Timestamp(w["start"]),
                             "end_on": pd.Timestamp(w["end"])} for w in load_config().get("events", [])],
                           columns=["name", "start_on", "end_on"])
    cur = cursor(con)
    try:
        cur.register("windows", windows)
        return query(cur, compose("views/event_windows", in_view=in_view(scope)), view_params(con, scope))
    finally:
        cur.close()


def filter_options(con: duckdb.DuckDBPyConnection, scope: Scope = Scope()) -> pd.DataFrame:
    """(township, village, category, channel, responsible_unit) combinations within the scope's places."""
    return run_named(con, "views/filter_options", scope.params())


def filter_choices(options: pd.DataFrame, townships: Sequence[str] = ()) -> dict[str, list[str]]:
    """What each filter offers, keyed by URL parameter (queries.url_state), from `options`
    (filter_options): townships and villages (of `townships` only, if given) sorted; the
    configured lead categories and the channels in their order first; a blank 责任单位 as
    （未明确）; the configured 诉求群体."""
    config = load_config()
    return {
        P_TOWNS: _choice_values(options, "township"),
        P_VILLAGES: _choice_values(options[options["township"].isin(townships)] if townships else options, "village"),
        P_CATS: _choice_values(options, "category", order=list(config["categories"]["lead"])),
        P_CHANNELS: _choice_values(options, "channel", order=config["enums"]["channel"]["values"]),
        P_UNITS: sorted({unit_name(raw) for raw in options["responsible_unit"].unique()}),
        P_GROUPS: list(config.get("topics", {}).get("groups", {})),
    }


def _choice_values(frame: pd.DataFrame, column: str, order: Sequence[str] = ()) -> list[str]:
    """The distinct values of `column`, `order` first, then the rest sorted. unique() before
    Python: a loop over every row cost 0.4 s at 37,000 rows."""
    values = {str(v) for v in frame[column].dropna().unique()}
    ordered = [v for v in order if v in values]
    return ordered + sorted(values - set(ordered))


def incidents(con: duckdb.DuckDBPyConnection, scope: Scope, period: Period) -> pd.DataFrame:
    """Incidents entered by hand that occurred in the period, in the scope's places."""
    cur = period_cursor(con, [period])
    try:
        frame = query(cur, sql("incident_base") + "\nORDER BY occurred_on", scope.params())
    finally:
        cur.close()
    return frame.drop(columns="period")


def all_incidents(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return cursor(con).execute("SELECT * FROM incidents ORDER BY occurred_on, incident_id").df()


def import_history(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return cursor(con).execute("SELECT * FROM imports ORDER BY imported_at DESC").df()
