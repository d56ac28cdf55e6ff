"""The small tables a page, an output and the CLI show, computed from the data layer's results:
总览's 告警/向好 tables, the ranking's frames (villages with their deductions, townships with
their grades) and the 集体访 size bands. Plain pandas, no drawing: queries.outputs.charts draws them."""
from __future__ import annotations

import pandas as pd

from ..config import load_config
from ..metrics.analysis import alerts, movement
from ..metrics.deductions import DEDUCTIONS, itemised
from ..metrics.formatting import fmt_change, fmt_value, missing
from ..metrics.kpi import RANK_METRICS
from ..metrics.scorecard import Scorecard

# 集体访 size bands above the configured minimum ([metrics] collective_min); 20 and 50 are the
# 五不 thresholds (20人以上赴省进京, 50人以上到市).
SIZE_BREAKS = (10, 20, 50)


def moved(scorecard: Scorecard) -> dict[str, pd.DataFrame]:
    """The scorecard's large 同比 moves (告警 and 异常 levels of analysis.alerts), split by which
    way they went: 告警 moved the wrong way, 向好 the right way; the larger level first, then
    registry order. Columns as 总览 shows them."""
    found = alerts(scorecard)
    found = found[found["level"].isin(["告警", "异常"])]
    thresholds = load_config()["alerts"]
    size = {"告警": f"超过{thresholds['alert']:.0%}", "异常": f"超过{thresholds['warn']:.0%}"}
    columns = ["指标", "分组", "本期", "上年同期", "同比", "变化幅度"]
    tables = {}
    for name, bad in (("告警", True), ("向好", False)):
        rows = [r for r in found.itertuples()
                if (movement(scorecard.figures[r.metric].metric, r.value, r.yoy) != "向好") is bad]
        rows.sort(key=lambda r: r.level != "告警")  # stable: registry order within a level
        metrics = [scorecard.figures[r.metric].metric for r in rows]
        tables[name] = pd.DataFrame({
            "指标": [r.name for r in rows], "分组": [r.group for r in rows],
            "本期": [fmt_value(m, r.value) for m, r in zip(metrics, rows)],
            "上年同期": [fmt_value(m, r.yoy) for m, r in zip(metrics, rows)],
            "同比": [fmt_change(m, r.value, r.yoy, label="") for m, r in zip(metrics, rows)],
            "变化幅度": [size[r.level] for r in rows],
        }, columns=columns)
    return tables


def ranking_frame(rows: list[dict]) -> pd.DataFrame:
    """kpi.rank rows as one table: the figures, each deduction as a negative d_<rule> column and
    the itemised 扣分明细 (`detail`); 万人信访率 only where a population table is configured."""
    frame = pd.DataFrame([{key: row[key] for key in ("rank", "township", "village", "score", "grade",
                                                     *RANK_METRICS, "cases_per_10k")}
                          | {f"d_{d.rule}": -row["deductions"][d.rule] for d in DEDUCTIONS}
                          | {"detail": itemised(row)} for row in rows])
    if frame["cases_per_10k"].isna().all():
        frame = frame.drop(columns="cases_per_10k")
    return frame


def township_frame(figures: pd.DataFrame, ranking: pd.DataFrame) -> pd.DataFrame:
    """The townships' figures (analysis.breakdown by township) with their villages' 红/黄/绿 counts."""
    return figures.assign(township=figures["township"].fillna("（空白）")).merge(
        grade_summary(ranking), on="township", how="left")


def collective_cases(cases: pd.DataFrame) -> pd.DataFrame:
    """The 集体访 of a case list (case_facts.is_collective: 来访 with persons ≥ collective_min)."""
    return cases[cases["is_collective"].fillna(False).astype(bool)]


def size_buckets(low: int) -> tuple[tuple[int, int | None, str], ...]:
    """Size bands of 集体访 from `low` persons: (first, last or None, label), e.g. 5–9人 … 50人以上."""
    bounds = [low, *(b for b in SIZE_BREAKS if b > low)]
    bands = [(a, b - 1, f"{a}–{b - 1}人" if b - 1 > a else f"{a}人") for a, b in zip(bounds, bounds[1:])]
    return (*bands, (bounds[-1], None, f"{bounds[-1]}人以上"))


def _buckets(visits: pd.DataFrame) -> tuple[tuple[int, int | None, str], ...]:
    """The bands for these visits: from the configured minimum (or a smaller count a database
    built under an older setting holds, so no visit is ever without a band)."""
    persons = pd.to_numeric(visits["persons"], errors="coerce").dropna() if len(visits) else []
    low = int(min([load_config()["metrics"]["collective_min"], *persons]))
    return size_buckets(max(low, 1))


def collective_sizes(cases: pd.DataFrame) -> pd.DataFrame:
    """集体访 of a case list by size bucket and level: columns size, level, visits, persons
    (rows in band order)."""
    visits = collective_cases(cases)
    buckets = _buckets(visits)
    labels = []
    for persons in visits["persons"]:
        persons = buckets[0][0] if missing(persons) else persons
        labels.append(next(name for low, high, name in buckets if persons >= low and (high is None or persons <= high)))
    visits = visits.assign(size=labels, level=visits["level"].fillna("（空白）"))
    table = visits.groupby(["size", "level"], as_index=False).agg(visits=("case_id", "count"),
                                                                   persons=("persons", "sum"))
    order = {name: i for i, (_, _, name) in enumerate(buckets)}
    table = table.sort_values("size", key=lambda s: s.map(order), ignore_index=True)
    table.attrs["buckets"] = [name for _, _, name in buckets]
    return table


def grade_summary(ranking: pd.DataFrame) -> pd.DataFrame:
    """红/黄/绿 village counts per township (kpi.rank rows)."""
    counts = ranking.assign(township=ranking["township"].fillna("（空白）")) \
        .groupby(["township", "grade"]).size().unstack(fill_value=0)
    counts = counts.reindex(columns=["红", "黄", "绿"], fill_value=0).reset_index()
    counts.columns.name = None
    return counts.rename(columns={"红": "红(个)", "黄": "黄(个)", "绿": "绿(个)"})
