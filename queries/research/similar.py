"""相似来访: for a case, the most similar earlier cases and how they were answered.

Similarity is BM25 over the stored terms (sql/research/similar.sql), divided by the case's
score against itself: 1.0 says the same thing in the same words, 0.5 shares about half of
what matters. A case's `note` is how it was answered: the export's 处理意见 where one was
imported (case_answers, headers in [import.kept_headers]), else a line composed from 办理方式,
责任单位, 办结日期 and 满意度 (docs/spec-notes.md). Two cases at least
`similar_contradiction` alike whose outcomes are opposite (已化解 against 未化解, or one not
accepted and the other accepted) are flagged `contradicts`: the office answered the same
question two ways.
"""
from __future__ import annotations

import duckdb
import pandas as pd

from ..db import cursor, sql
from ..ingest.terms import topics_config
from ..metrics.engine import query
from ..periods import Scope

K1, B = 1.2, 0.75   # the usual BM25 constants
OPPOSITE = ({"已化解"}, {"未化解"})


class UnknownCase(LookupError):
    """The case id is not in the database (or not in the user's places)."""


def note(case) -> str:
    """How a case was answered, in one line: its 处理意见, or what the other columns say of it."""
    answer = _plain(case.get("answer"))
    if answer:
        return answer
    handling, unit, closed, satisfaction = (_plain(case.get(name)) for name in
                                            ("handling", "responsible_unit", "closed_on", "satisfaction"))
    parts = [handling, unit and f"{unit}办理", closed and f"{closed}办结",
             satisfaction and f"群众评价{satisfaction}"]
    return "；".join(p for p in parts if p) or "尚无办理记录"


def _outcome(case) -> str | None:
    if _plain(case.get("handling")) == "不予受理":
        return "不予受理"
    return _plain(case.get("resolution"))


def contradicts(a, b) -> bool:
    """Opposite outcomes: 已化解 against 未化解, or 不予受理 against a case that was settled."""
    pair = {_outcome(a), _outcome(b)}
    return pair == {"已化解", "未化解"} or pair == {"不予受理", "已化解"}


def _plain(value):
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if hasattr(value, "isoformat"):
        return value.isoformat()[:10]
    return value


def similar(con: duckdb.DuckDBPyConnection, case_id: str, top: int = 10, scope: Scope = Scope()) -> dict:
    """{"case": the case, "similar": the `top` most similar earlier cases in the scope's places}."""
    cur = cursor(con)
    try:
        params = {"case_id": case_id, **scope.places_only().params()}
        target = query(cur, sql("research/case_outcome"), params)
        if target.empty:
            raise UnknownCase(f"找不到信访件编号 {case_id}")
        found = query(cur, sql("research/similar"), {**params, "top": top, "k1": K1, "b": B})
    finally:
        cur.close()
    case = target.iloc[0].to_dict()
    threshold = topics_config()["similar_contradiction"]
    rows = []
    for row in found.to_dict("records"):
        rows.append({"case_id": row["case_id"], "registered_on": _plain(row["registered_on"]),
                     "score": round(float(row["score"]), 3), "resolution": _plain(row["resolution"]),
                     "note": note(row), "township": _plain(row["township"]), "village": _plain(row["village"]),
                     "summary": _plain(row["summary"]),
                     "contradicts": bool(row["score"] >= threshold and contradicts(case, row))})
    return {"case": {"case_id": case["case_id"], "registered_on": _plain(case["registered_on"]),
                     "summary": _plain(case["summary"]), "resolution": _plain(case["resolution"]),
                     "note": note(case)},
            "similar": rows}
