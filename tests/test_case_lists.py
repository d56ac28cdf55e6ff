"""The case-list registry (queries.metrics.case_lists): every list runs, and carries the columns the
pages show and export."""
import pytest

from queries.metrics import analysis
from queries.metrics.case_lists import CASE_LISTS
from queries.db import open_reader
from queries.periods import Scope, resolve


@pytest.mark.parametrize("case_list", CASE_LISTS, ids=lambda c: c.id)
def test_each_list_has_its_columns(demo_db, case_list):
    con = open_reader(demo_db)
    period = resolve(con, None, None, None).current
    frame = analysis.case_list(con, Scope(), period, case_list.id)
    assert len(frame), case_list.id   # the demo county fills every list
    assert set(case_list.columns) <= set(frame.columns), set(case_list.columns) - set(frame.columns)
    con.close()


def test_titles_are_unique():
    assert len({c.title for c in CASE_LISTS}) == len({c.id for c in CASE_LISTS}) == len(CASE_LISTS)
