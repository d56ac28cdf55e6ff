"""Scope, period, as-of date and the 同比/环比 comparison periods (METRICS.md)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import duckdb

from .db import cursor


@dataclass(frozen=True)
class Scope:
    """Filters: several values of one filter mean any of them; several filters mean all."""
    townships: tuple[str, ...] = ()
    villages: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()
    units: tuple[str, ...] = ()   # 责任单位 as ACCOUNTABILITY.md §1 names them (queries.metrics.units)
    groups: tuple[str, ...] = ()   # 诉求群体 ([topics.groups]): cases tagged with any of them

    def params(self) -> dict[str, list[str]]:
        return {"townships": list(self.townships), "villages": list(self.villages),
                "categories": list(self.categories), "channels": list(self.channels),
                "units": list(self.units), "groups": list(self.groups)}

    def places_only(self) -> "Scope":
        return Scope(townships=self.townships, villages=self.villages)


@dataclass(frozen=True)
class Period:
    name: str
    start: date
    end: date
    as_of: date
    comparable: bool = True   # False: starts before the earliest data, so its values are null

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


@dataclass(frozen=True)
class Periods:
    current: Period
    yoy: Period
    pop: Period
    all: tuple[Period, ...] = field(init=False)

    def __post_init__(self):
        object.__setattr__(self, "all", (self.current, self.yoy, self.pop))


def year_earlier(day: date) -> date:
    """The same date one year earlier; 29 February becomes 28 February."""
    if day.month == 2 and day.day == 29:
        return date(day.year - 1, 2, 28)
    return day.replace(year=day.year - 1)


def data_range(con: duckdb.DuckDBPyConnection) -> tuple[date | None, date | None]:
    return cursor(con).execute("SELECT min(registered_on), max(registered_on) FROM cases").fetchone()


def resolve(con: duckdb.DuckDBPyConnection, as_of: date | None = None,
            start: date | None = None, end: date | None = None) -> Periods:
    """The period and its comparisons: as-of defaults to the latest registration, the period
    to 1 January of the as-of year .. as-of; an end after the as-of date is cut back to it."""
    earliest, latest = data_range(con)
    as_of = as_of or latest or date.today()
    start = start or date(as_of.year, 1, 1)
    end = min(end or as_of, as_of)
    current = Period("current", start, end, as_of)
    yoy = Period("yoy", year_earlier(start), year_earlier(end), year_earlier(as_of))
    shift = timedelta(days=max(current.days, 0))
    pop = Period("pop", start - shift, start - timedelta(days=1), as_of - shift)
    return Periods(*(_with_data_check(p, earliest) for p in (current, yoy, pop)))


def _with_data_check(period: Period, earliest: date | None) -> Period:
    if period.name == "current" or earliest is None or period.start >= earliest:
        return period
    return Period(period.name, period.start, period.end, period.as_of, comparable=False)


def months(as_of: date, count: int, first: date | None = None) -> list[Period]:
    """The `count` calendar months up to the as-of month, each as of its own last day
    (the running month as of the as-of date); never earlier than `first`."""
    periods = []
    year, month = as_of.year, as_of.month
    for _ in range(count):
        start = date(year, month, 1)
        next_start = date(year + month // 12, month % 12 + 1, 1)
        end = min(next_start - timedelta(days=1), as_of)
        if first and end < first:
            break
        periods.append(Period(f"{year:04d}-{month:02d}", start, end, end))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return periods[::-1]


# The period choices of the dashboard (and their names on screen); 本年 is the 口径's default.
PRESETS = {"month": "本月", "quarter": "本季", "year": "本年", "12m": "近12个月", "custom": "自定义"}
DEFAULT_PRESET = "year"


def preset_dates(preset: str, as_of: date) -> tuple[date, date]:
    """The period of a preset, ending on the as-of date (本年 is the 口径's default period)."""
    if preset == "month":
        return as_of.replace(day=1), as_of
    if preset == "quarter":
        return date(as_of.year, 3 * ((as_of.month - 1) // 3) + 1, 1), as_of
    if preset == "12m":  # the 12 calendar months up to the as-of month, like the trend charts
        year, month = (as_of.year - 1, as_of.month + 1) if as_of.month < 12 else (as_of.year, 1)
        return date(year, month, 1), as_of
    return date(as_of.year, 1, 1), as_of
