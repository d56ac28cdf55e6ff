"""Synthetic case exports of any size for the benchmarks (import throughput, metric latency).

`generate_cases(n)` builds n plausible cases, vectorized with numpy (a million rows in a few
seconds), under the Chinese header names an office's export would carry; `write_csv` and
`write_xlsx` save them as the importer reads them. The places, categories and the synthetic
people come from the demo (`queries/demo/people.py`), so there is one source of fake names and IDs.
Unlike the demo, the rows are clean: the benchmarks measure reading, not error handling.
"""
from __future__ import annotations

import random
import sys
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd
import xlsxwriter

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a checkout, uninstalled
from queries.demo import county as demo, people   # noqa: E402

MAX_PEOPLE = 200_000   # distinct petitioners; larger exports have more repeat petitions
EXCEL_EPOCH = np.datetime64("1899-12-30", "D")

DATE_COLUMNS = ("登记日期", "受理日期", "办理期限", "办结日期")


def _choice(rng: np.random.Generator, weighted: dict, n: int) -> np.ndarray:
    values = np.array(list(weighted), dtype=object)
    weights = np.array(list(weighted.values()), dtype=float)
    return values[rng.choice(len(values), size=n, p=weights / weights.sum())]


def _people(count: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = random.Random(seed)
    rows = [(people.person_name(rng), people.id_number(rng), people.phone_number(rng)) for _ in range(count)]
    return tuple(np.array(column, dtype=object) for column in zip(*rows))


def generate_cases(n: int, seed: int = 0) -> pd.DataFrame:
    """n cases registered between demo.START and demo.AS_OF, fewer each year, as of demo.AS_OF."""
    rng = np.random.default_rng(seed)
    start, as_of = np.datetime64(demo.START, "D"), np.datetime64(demo.AS_OF, "D")
    days = np.arange(start, as_of + 1)
    years = days.astype("datetime64[Y]").astype(int) + 1970
    _, year_index, days_in_year = np.unique(years, return_inverse=True, return_counts=True)
    volume = np.array([demo.YEAR_TOTALS[y] for y in years]) / days_in_year[year_index]  # per day
    registered = np.sort(rng.choice(days, size=n, p=volume / volume.sum()))

    places = [(t, v, w) for t, villages in demo.VILLAGES.items() for v, w, _ in villages]
    place = rng.choice(len(places), size=n, p=np.array([w for *_, w in places]) / sum(w for *_, w in places))
    township_index = np.array([list(demo.VILLAGES).index(t) for t, _, _ in places])[place]
    townships = np.array(list(demo.VILLAGES), dtype=object)[township_index]
    villages = np.array([v for _, v, _ in places], dtype=object)[place]

    topics = [(name, topic) for name, (_, _, ts) in demo.CATEGORIES.items() for topic in ts]
    topic_weights = np.array([demo.CATEGORIES[name][0] / len(demo.CATEGORIES[name][2]) for name, _ in topics])
    topic = rng.choice(len(topics), size=n, p=topic_weights / topic_weights.sum())
    raw_categories = np.array([t[0] for _, t in topics], dtype=object)[topic]
    # one 信访事由 per (topic, place), written out once
    summaries = np.array([t[2].format(village=v, place=v) for _, t in topics for _, v, _ in places], dtype=object)
    summary = summaries[topic * len(places) + place]

    channel = _choice(rng, {"来访": 0.33, "来信": 0.25, "网上信访": 0.3, "电话": 0.09, "其他": 0.03}, n)
    visit = channel == "来访"
    level = np.where(visit, _choice(rng, {"村": 0.06, "镇": 0.36, "县": 0.55, "市": 0.025, "省": 0.004, "京": 0.001}, n),
                     _choice(rng, {"镇": 0.1, "县": 0.65, "市": 0.17, "省": 0.07, "京": 0.01}, n))
    persons = np.where(visit, _choice(rng, {1: 0.7, 2: 0.15, 3: 0.08, 4: 0.03, 6: 0.03, 10: 0.01}, n), 1).astype(int)

    people = min(max(n, 1), MAX_PEOPLE)
    names, idnos, phones = _people(people, seed)
    who = rng.integers(0, people, size=n)

    leaders = np.array([demo.LEADERS[t] for t in demo.VILLAGES], dtype=object)  # township x leader
    township_units = np.array([demo.TOWNSHIP_UNITS[t] for t in demo.VILLAGES], dtype=object)[township_index]
    departments = np.array([demo.CATEGORIES[name][1][0] for name, _ in topics], dtype=object)[topic]

    accepted = registered + rng.choice([0, 1, 2, 3, 5, 8, 20], size=n, p=[.3, .25, .15, .12, .1, .06, .02])
    due = accepted + 60
    closed = accepted + rng.integers(5, 90, size=n)
    is_open = (closed > as_of) | (rng.random(n) < 0.01)
    accepted = np.where(accepted > as_of, np.datetime64("NaT"), accepted)
    closed = np.where(is_open, np.datetime64("NaT"), closed)
    resolution = np.where(is_open, None, _choice(rng, {"已化解": 0.88, "稳控": 0.07, "未化解": 0.05}, n))
    satisfaction = np.where(is_open, None, _choice(rng, {"满意": 0.62, "基本满意": 0.26, "不满意": 0.06,
                                                          "未评价": 0.06}, n))

    data = {
        "信访件编号": [f"BM{i:08d}" for i in range(n)],
        "登记日期": registered, "信访形式": channel,
        "信访人": names[who], "证件号码": idnos[who], "联系电话": phones[who],
        "人数": persons, "乡镇": townships, "村(社区)": villages, "问题分类": raw_categories,
        "信访目的": _choice(rng, {"求决": 0.7, "申诉": 0.1, "意见建议": 0.1, "揭发控告": 0.07, "其他": 0.03}, n),
        "信访事由": summary, "登记层级": level,
        "办理方式": _choice(rng, {"直接受理": 0.45, "转送": 0.3, "交办": 0.2, "不予受理": 0.05}, n),
        "责任单位": np.where(rng.random(n) < 0.45, township_units, departments),
        "包案领导": leaders[township_index, rng.integers(0, leaders.shape[1], size=n)],
        "受理日期": accepted, "办理期限": np.where(np.isnat(accepted), np.datetime64("NaT"), due),
        "办结日期": closed, "化解情况": resolution, "满意度": satisfaction,
        "重点人员": np.where(rng.random(n) < 0.03, "是", "否"),
        "是否重复信访": np.where(rng.random(n) < 0.12, "是", "否"),
    }
    # Text stays object dtype: converting a million rows to pandas' string dtype costs seconds.
    return pd.DataFrame({name: pd.Series(values, dtype="datetime64[s]" if name in DATE_COLUMNS else
                                         "int64" if name == "人数" else object)
                         for name, values in data.items()})


def write_csv(frame: pd.DataFrame, path: str | Path, encoding: str = "utf-8") -> Path:
    frame.to_csv(path, index=False, encoding=encoding, date_format="%Y-%m-%d")
    return Path(path)


def write_xlsx(frame: pd.DataFrame, path: str | Path) -> Path:
    """One sheet, dates as Excel dates; streamed (constant_memory) so size does not matter."""
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    book.set_properties({"created": datetime(2026, 11, 20)})
    sheet = book.add_worksheet("信访事项")
    date_format = book.add_format({"num_format": "yyyy-mm-dd"})
    sheet.write_row(0, 0, frame.columns)
    columns = []
    for name in frame.columns:
        if name in DATE_COLUMNS:
            values = frame[name].to_numpy().astype("datetime64[D]")
            serials = (values - EXCEL_EPOCH).astype("int64").astype(object)
            serials[np.isnat(values)] = None
            columns.append(serials.tolist())
        else:
            columns.append(frame[name].astype(object).where(frame[name].notna(), None).tolist())
    dates = {frame.columns.get_loc(name) for name in DATE_COLUMNS}
    for row, cells in enumerate(zip(*columns), start=1):
        for column, value in enumerate(cells):
            if value is None:
                continue
            if column in dates:
                sheet.write_number(row, column, value, date_format)
            elif isinstance(value, str):
                sheet.write_string(row, column, value)
            else:
                sheet.write_number(row, column, value)
    book.close()
    return Path(path)
