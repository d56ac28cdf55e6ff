"""坐班接访安排 (ACCOUNTABILITY.md §3): who sits at the reception centre on which day, and whether
they were there.

The roster comes from the rota in `[duty]` (leaders in order from `start`, one per duty day) or
from an imported roster file; imported days replace the rota's on the days they cover. Duty
days are China's official working days, 调休 make-up days included, as published by the State
Council and kept in the `chinese-calendar` library, and every day of a 重大活动保障期/特别防护期
window. A day is kept when the scheduled leader, or the substitute the roster records, has a
接访 record that day (anywhere: a county leader receives petitioners from every township).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import chinese_calendar
import duckdb

from ..config import load_config
from ..db import cursor, sql
from ..periods import resolve

WEEKDAYS = "一二三四五六日"
COUNTY = ""   # township of the county's own roster


class DutyError(ValueError):
    """The roster cannot be computed; the message is Chinese and says why."""


@dataclass(frozen=True)
class Window:
    name: str
    start: date
    end: date


def official_workday(day: date) -> bool:
    """China's official working day, 调休 Saturdays and Sundays included."""
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError as exc:  # the library refuses years it has no published schedule for
        raise DutyError(f"节假日安排数据未覆盖 {day.year} 年（国务院办公厅通知发布后请升级 chinese-calendar），"
                        "无法按工作日排班；可改为导入值班表。") from exc


def duty_windows(config: dict) -> list[Window]:
    settings = config.get("duty", {})
    entries = settings["windows"] if "windows" in settings else config.get("events", [])
    return [Window(e["name"], e["start"], e["end"]) for e in entries]


def _window_of(day: date, windows: list[Window]) -> str | None:
    return next((w.name for w in windows if w.start <= day <= w.end), None)


def rota_days(config: dict, start: date, end: date) -> list[dict]:
    """The rota's duty days in [start, end]: the rotation runs from `[duty] start`."""
    settings = config.get("duty", {})
    leaders, first = settings.get("leaders") or [], settings.get("start")
    if not leaders or first is None:
        return []
    windows = duty_windows(config)
    days, turn, day = [], 0, first
    while day <= end:
        window = _window_of(day, windows)
        if window or official_workday(day):
            if day >= start:
                days.append({"date": day, "leader": leaders[turn % len(leaders)], "substitute": None,
                             "window": window})
            turn += 1
        day += timedelta(days=1)
    return days


def _imported_days(con: duckdb.DuckDBPyConnection, township: str, start: date, end: date,
                   windows: list[Window]) -> list[dict]:
    rows = cursor(con).execute(sql("accountability/roster_days"),
                               {"township": township, "start": start, "end": end}).fetchall()
    return [{"date": d, "leader": leader, "substitute": substitute, "window": _window_of(d, windows)}
            for d, leader, substitute in rows]


def roster(con: duckdb.DuckDBPyConnection, township: str | None, start: date, end: date) -> tuple[list[dict], str]:
    """(duty days in [start, end] in date order, source): the county's roster when township is
    None, else that township's imported roster."""
    config = load_config()
    windows = duty_windows(config)
    imported = _imported_days(con, township or COUNTY, start, end, windows)
    rota = rota_days(config, start, end) if township is None else []
    by_day = {d["date"]: d for d in rota} | {d["date"]: d for d in imported}
    source = "imported" if imported and not rota else "rota+imported" if imported else "rota" if rota else "none"
    days = [{**by_day[d], "weekday": f"星期{WEEKDAYS[d.weekday()]}"} for d in sorted(by_day)]
    return days, source


def _attended(con: duckdb.DuckDBPyConnection, start: date, end: date) -> set[tuple[date, str]]:
    rows = cursor(con).execute(sql("accountability/reception_days"), {"start": start, "end": end}).fetchall()
    return {(d, leader) for d, leader in rows}


def duty(con: duckdb.DuckDBPyConnection, township: str | None = None, as_of: date | None = None,
         start: date | None = None, end: date | None = None) -> dict:
    """`duty --json`: the roster of the period and 坐班到岗率 up to the as-of date."""
    period = resolve(con, as_of, start, end).current
    days, source = roster(con, township, period.start, period.end)
    attended = _attended(con, period.start, period.end)
    listed, missed = [], []
    for day in days:  # the period ends on or before the as-of date: every day listed is due
        kept = any((day["date"], who) in attended for who in (day["leader"], day["substitute"]) if who)
        listed.append({"date": day["date"].isoformat(), "weekday": day["weekday"], "leader": day["leader"],
                       "substitute": day["substitute"], "window": day["window"], "kept": kept})
        if not kept:
            missed.append({"date": day["date"].isoformat(), "leader": day["leader"]})
    duty_days = len(listed)
    kept_days = sum(1 for d in listed if d["kept"])
    return {"as_of": period.as_of.isoformat(), "from": period.start.isoformat(), "to": period.end.isoformat(),
            "township": township, "source": source, "duty_days": duty_days, "kept_days": kept_days,
            "duty_kept_rate": kept_days / duty_days if duty_days else None,
            "missed": missed, "days": listed}
