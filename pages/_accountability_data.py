"""Cached calls into queries.metrics.accountability for the 责任落实 page (keyed on the data version,
like pages._data's)."""
from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path

import pandas as pd
import streamlit as st

from pages._data import connection
from queries.ingest import reception_entry
from queries.metrics import accountability, duty as duty_module
from queries.outputs.duty_roster import write_roster
from queries.periods import Scope

_cache = st.cache_data(show_spinner=False, max_entries=128)


@_cache
def _units(version: tuple, scope: Scope, as_of: date, start: date, end: date) -> list[dict]:
    return accountability.units(connection(version), scope, as_of, start, end)


@_cache
def _leaders(version: tuple, scope: Scope, as_of: date, start: date, end: date) -> list[dict]:
    return accountability.leaders(connection(version), scope, as_of, start, end)


@_cache
def _handed(version: tuple, scope: Scope, as_of: date, start: date, end: date) -> list[dict]:
    return accountability.handed(connection(version), scope, as_of, start, end)


@_cache
def _duty(version: tuple, township: str | None, as_of: date, start: date, end: date) -> dict:
    return duty_module.duty(connection(version), township, as_of, start, end)


@_cache
def _roster_file(version: tuple, township: str | None, start: date, end: date, suffix: str) -> bytes:
    days, _ = duty_module.roster(connection(version), township, start, end)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"roster{suffix}"
        write_roster(days, path, township)
        return path.read_bytes()


def units(view) -> list[dict]:
    return _units(view.version, view.scope, view.as_of, view.start, view.end)


def leaders(view) -> list[dict]:
    """Reception figures: only the place filters apply (ACCOUNTABILITY.md §2)."""
    return _leaders(view.version, view.scope.places_only(), view.as_of, view.start, view.end)


def handed(view) -> list[dict]:
    rows = _handed(view.version, view.scope.places_only(), view.as_of, view.start, view.end)
    return accountability.within_jurisdiction(rows, view.user.townships, view.user.villages)


def duty(view, township: str | None) -> dict:
    return _duty(view.version, township, view.as_of, view.start, view.end)


def roster_file(view, township: str | None, suffix: str) -> bytes:
    period = view.period
    return _roster_file(view.version, township, period.start, period.end, suffix)


def records(view) -> pd.DataFrame:
    period = view.period
    return reception_entry.reception_records(connection(view.version), view.scope, period.start, period.end)
