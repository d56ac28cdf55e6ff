"""研判·诉求 for the pages: cached calls keyed on the data version (like pages/_data's)."""
from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from pages._data import View, connection, writing
from queries.db import cursor
from queries.escaping import markdown_text as md_escape
from queries.ingest import terms
from queries.periods import Period, Scope, resolve
from queries.research import similar as similar_module, topics as topics_module

_cache = st.cache_data(show_spinner=False, max_entries=128)


def ensure_terms(view: View) -> None:
    """A database built by an older version, or after a change of [topics], gets its terms
    computed once (one writer pass), then the page is drawn on the new file."""
    if terms.is_current(cursor(connection(view.version))):
        return
    with st.spinner("正在计算信访事由的诉求词（仅需一次）…"):
        with writing() as con:
            terms.refresh_terms(con)
    st.rerun()


@_cache
def _by_township(version: tuple, scope: Scope, as_of: date, start: date, end: date) -> pd.DataFrame:
    con = connection(version)
    return topics_module.emerging_by_township(con, scope, resolve(con, as_of, start, end))


@_cache
def _group_trend(version: tuple, scope: Scope, as_of: date, count: int) -> pd.DataFrame:
    return topics_module.group_trend(connection(version), scope, as_of, count)


@_cache
def _term_cases(version: tuple, scope: Scope, period: Period, term: str, masked: bool) -> pd.DataFrame:
    return topics_module.term_cases(connection(version), scope, period, term, masked)


@_cache
def _group_cases(version: tuple, scope: Scope, period: Period, group: str, masked: bool) -> pd.DataFrame:
    return topics_module.group_cases(connection(version), scope, period, group, masked)


@_cache
def _similar(version: tuple, case_id: str, top: int, places: Scope) -> dict | None:
    try:
        return similar_module.similar(connection(version), case_id, top, places)
    except similar_module.UnknownCase:
        return None


def topics(view: View) -> dict:
    return view.topics()


def emerging_by_township(view: View) -> pd.DataFrame:
    return _by_township(view.version, view.scope, view.as_of, view.start, view.end)


def group_trend(view: View, count: int = 12) -> pd.DataFrame:
    return _group_trend(view.version, view.scope, view.as_of, count)


def term_cases(view: View, term: str) -> pd.DataFrame:
    return _term_cases(view.version, view.scope, view.period, term, not view.unmasked)


def group_cases(view: View, group: str) -> pd.DataFrame:
    return _group_cases(view.version, view.scope, view.period, group, not view.unmasked)


def similar(view: View, case_id: str, top: int = 10) -> dict | None:
    """Within the user's places (a cadre sees only their own village's cases)."""
    return _similar(view.version, case_id, top, view.scope.places_only())


def alerts(view: View) -> list[dict]:
    return topics_module.alerts(topics(view))


def emerging_text(rows: list[dict]) -> str:
    return "、".join(f"{r['term']}（{r['cases']}件，上期{r['prev_cases']}件）" for r in rows)


EMERGING_SHOWN = 5


def overview_section(view: View) -> None:
    """总览's short list: the period's strongest emerging terms, and a 告警 for those with at
    least `alert_cases` cases ([topics] in the configuration)."""
    st.subheader("新出现的问题")
    if not terms.is_current(cursor(connection(view.version))):
        st.caption("诉求词尚未计算：打开“研判·诉求”页即可计算。")
        return
    result = topics(view)
    raised = topics_module.alerts(result)
    if raised:
        st.warning(f"告警：{md_escape(emerging_text(raised))}", icon=":material/campaign:")
    rows = result["emerging"][:EMERGING_SHOWN]
    if rows:
        st.markdown("本期占比显著上升的诉求：" + md_escape(emerging_text(rows)))
    else:
        st.caption("本期没有显著新出现的诉求。")
    st.page_link("pages/topics.py", label="查看研判·诉求", icon=":material/insights:")
