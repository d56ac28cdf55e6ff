"""queries.periods: the dashboard's period presets, worked by hand."""
from __future__ import annotations

from datetime import date as d

import pytest

from queries.periods import preset_dates


@pytest.mark.parametrize("preset,as_of,start", [
    ("month", d(2026, 11, 20), d(2026, 11, 1)),
    ("quarter", d(2026, 11, 20), d(2026, 10, 1)),
    ("quarter", d(2026, 1, 15), d(2026, 1, 1)),
    ("quarter", d(2026, 6, 30), d(2026, 4, 1)),
    ("year", d(2026, 11, 20), d(2026, 1, 1)),
    ("12m", d(2026, 11, 20), d(2025, 12, 1)),   # Dec 2025 .. Nov 2026: twelve calendar months
    ("12m", d(2026, 12, 31), d(2026, 1, 1)),
    ("12m", d(2024, 2, 29), d(2023, 3, 1)),
])
def test_presets_end_on_the_as_of_date(preset, as_of, start):
    assert preset_dates(preset, as_of) == (start, as_of)
