"""热点与新问题 in the meeting outputs: the 通报's paragraph and the deck's slide, from the
same `topics` document as the page and `python -m queries topics --json`."""
from __future__ import annotations

import duckdb

from ..periods import Scope
from ..research.topics import topics

MENTIONED = 5      # emerging terms named in the 通报
SLIDE_ROWS = 10    # terms on the deck's slide


def request_topics(con: duckdb.DuckDBPyConnection, scope: Scope, as_of, start, end) -> dict:
    return topics(con, scope, as_of, start, end, top=SLIDE_ROWS)


def _count(value) -> str:
    return "—" if value is None else f"{value}件"


def emerging_sentence(result: dict) -> str:
    """本期新出现的问题主要有：不动产证（32件，上期0件）、…。"""
    rows = result["emerging"][:MENTIONED]
    if not rows:
        return "本期未发现占比显著上升的新问题。"
    named = "、".join(f"{r['term']}（{r['cases']}件，上期{_count(r['prev_cases'])}）" for r in rows)
    more = len(result["emerging"]) - len(rows)
    return f"本期新出现的问题主要有：{named}" + (f"，另有{more}个诉求词占比显著上升" if more > 0 else "") + "。"


def hot_sentence(result: dict) -> str:
    """热点诉求依次为：审批（140件，占9.4%）、…。"""
    rows = result["terms"][:MENTIONED]
    if not rows:
        return ""
    return "热点诉求依次为：" + "、".join(f"{r['term']}（{r['cases']}件，占{r['share']:.1%}）" for r in rows) + "。"


def bulletin_paragraph(con: duckdb.DuckDBPyConnection, scope: Scope, as_of, start, end) -> str:
    result = request_topics(con, scope, as_of, start, end)
    return emerging_sentence(result) + hot_sentence(result)


def slide_rows(result: dict) -> list[dict]:
    """The slide's table: the emerging terms the 通报 names first, then the hot terms."""
    rows = list(result["emerging"][:MENTIONED])
    shown = {r["term"] for r in rows}
    rows += [r for r in result["terms"] if r["term"] not in shown][:SLIDE_ROWS - len(rows)]
    return rows


def slide_table(result: dict) -> list[list[str]]:
    header = ["诉求词", "本期(件)", "占比", "环比期(件)", "同比期(件)", "新出现(G²)"]
    return [header] + [[r["term"], str(r["cases"]), f"{r['share']:.1%}", _count(r["prev_cases"]).removesuffix("件"),
                        _count(r["yoy_cases"]).removesuffix("件"), f"是（{r['g2']:.1f}）" if r["emerging"] else ""]
                       for r in slide_rows(result)]
