"""预警名单: an explainable, rule-based score per person.

Every rule and its points are in `[watch]` of the configuration; the points are computed in
sql/research/watch_persons.sql and every point comes back as a reason a leader can read
("近一年越级2次 +6"). Two views: now (as of the as-of date, over the last `lookback_days`) and
before a 重大活动保障期 (as of the eve of the window, over the `before_event_days` before it).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import duckdb
import pandas as pd

from ..config import load_config
from ..metrics.engine import base_query, in_view, run_named, view_params
from ..periods import Period, Scope, data_range
from ..privacy import mask_key
from .paths import levels, with_steps

# Rule id -> what it means on screen (the 口径 text; the reasons carry the counts).
RULES = {
    "skip_level_year": "越级上访（来访到市、省、京），每次计分，设上限",
    "escalation": "逐级上行（本次层级高于上一次，且在重复信访期限内），每次计分，设上限",
    "overdue_open": "存在超期未办结件",
    "last_unsatisfied": "最近一件办结件评价不满意",
    "key_person": "台账标注的重点人员",
    "repeat_recent": "短期内多次信访",
    "rebound": "已化解后再次信访（反弹）",
}
COLUMNS = ["person", "score", "reasons_text", "township", "village", "last_case", "last_registered_on",
           "last_level", "person_token"]


@dataclass(frozen=True)
class Window:
    """What a list is computed over: its as-of date and the lookback before it."""
    as_of: date
    days: int
    label: str            # how the reasons name the lookback: 近一年, 近90天, 活动前30天

    @property
    def period(self) -> Period:
        return Period("watch", self.as_of - timedelta(days=self.days - 1), self.as_of, self.as_of)


def settings() -> dict:
    return load_config()["watch"]


def rules() -> dict[str, dict]:
    return settings()["rules"]


def events() -> list[dict]:
    """The configured 重大活动保障期 ([[events]]: name, start, end)."""
    return list(load_config().get("events", []))


def lookback_label(days: int) -> str:
    return "近一年" if days == 365 else f"近{days}天"


def current_window(as_of: date) -> Window:
    """Now: as of the as-of date, over `lookback_days`."""
    days = int(settings()["lookback_days"])
    return Window(as_of, days, lookback_label(days))


def event_window(name: str) -> Window:
    """Before the 保障期 `name`: as of the day before it starts, over `before_event_days`."""
    for event in events():
        if event["name"] == name:
            days = int(settings()["before_event_days"])
            return Window(event["start"] - timedelta(days=1), days, f"活动前{days}天")
    known = "、".join(e["name"] for e in events()) or "（配置中没有 [[events]]）"
    raise ValueError(f"没有名为“{name}”的重大活动保障期。已配置：{known}")


def _rule_params() -> dict:
    config = rules()
    points = {name: int(rule.get("points", 0)) for name, rule in config.items()}
    return {
        **points,
        "skip_level_year_max": int(config["skip_level_year"].get("max_points", 10**6)),
        "escalation_max": int(config["escalation"].get("max_points", 10**6)),
        "recent_days": int(config["repeat_recent"].get("days", 90)),
        "recent_min_cases": int(config["repeat_recent"].get("min_cases", 2)),
    }


def scores(con: duckdb.DuckDBPyConnection, scope: Scope, window: Window, min_score: int | None = None,
           top: int | None = None) -> pd.DataFrame:
    """The persons scoring at least `min_score` (default: configured), highest first, at most
    `top`, with the facts and points of each rule, `listed` (how many reach `min_score`) and
    their last case. The personal key is unmasked: `watch_frame` and `watch_list` mask it."""
    config = settings()
    frame = base_query(con, scope, window.period, with_steps("watch_persons", scope), levels=levels(), **_rule_params(),
                       min_score=int(config["min_score"] if min_score is None else min_score),
                       top=int(config["top"] if top is None else top))
    last = run_named(con, "research/watch_last_cases", {**view_params(con, scope), "as_of": window.as_of,
                                                        "keys": list(frame["petitioner_key"])}, in_view=in_view(scope))
    details = pd.DataFrame(list(last["last"]), columns=["last_case", "last_level", "township", "village"])
    details.insert(0, "petitioner_key", last["petitioner_key"].to_numpy())
    return frame.merge(details, on="petitioner_key", how="left")


def reasons(row, label: str) -> list[dict]:
    """The reasons of one person's score, in rule order: rule, points, text."""
    recent = rules()["repeat_recent"]
    texts = {
        "skip_level_year": lambda: f"{label}越级{row.skip_level_cases}次",
        "escalation": lambda: f"{label}逐级上行{row.escalations}次（最近{row.last_step}）",
        "overdue_open": lambda: f"存在超期未办结件{row.overdue_cases}件",
        "last_unsatisfied": lambda: "上次评价不满意",
        "key_person": lambda: "重点人员",
        "repeat_recent": lambda: f"近{recent.get('days', 90)}天信访{row.recent_cases}次",
        "rebound": lambda: "已化解后再次信访（反弹）",
    }
    found = []
    for rule, text in texts.items():
        points = int(getattr(row, f"{rule}_points"))
        if points:
            found.append({"rule": rule, "points": points, "text": text()})
    return found


def reasons_text(found: list[dict]) -> str:
    """近一年越级2次 +6；存在超期未办结件1件 +2"""
    return "；".join(f"{r['text']} +{r['points']}" for r in found)


def watch_frame(con: duckdb.DuckDBPyConnection, scope: Scope, window: Window, top: int | None = None,
                masked: bool = True) -> pd.DataFrame:
    """The list: persons scoring at least `min_score`, highest first (ties: latest case first),
    at most `top`; `reasons` holds the reasons, `reasons_text` them as one line."""
    frame = scores(con, scope, window, top=top)
    frame["reasons"] = [reasons(row, window.label) for row in frame.itertuples()]
    frame["reasons_text"] = frame["reasons"].map(reasons_text)
    frame.insert(0, "person", frame["petitioner_key"].map(mask_key) if masked else frame["petitioner_key"])
    return frame.drop(columns="petitioner_key")


def watch_list(con: duckdb.DuckDBPyConnection, scope: Scope = Scope(), as_of: date | None = None,
               before_event: str | None = None, top: int | None = None, masked: bool = True) -> list[dict]:
    """The `watch` document of the CLI."""
    window = (event_window(before_event) if before_event
              else current_window(as_of or data_range(con)[1] or date.today()))
    frame = watch_frame(con, scope, window, top, masked)
    return [{"person": r.person, "score": int(r.score), "reasons": r.reasons, "township": r.township,
             "village": r.village, "last_case": r.last_case, "last_level": r.last_level}
            for r in frame.itertuples()]
