"""The scorecard as typed values: what `kpi.kpi` computes and every page, output and the CLI
read. JSON (CLI.md's `kpi` shape) only at the edge, through `Scorecard.to_json`."""
from __future__ import annotations

from dataclasses import dataclass

from ..periods import Period, Periods
from .registry import Metric


@dataclass(frozen=True)
class Figure:
    """One metric of the scorecard: its value in the period, 同比 (yoy) and 环比 (pop) bases and
    whether it meets its target (None: no target, or nothing to judge)."""
    metric: Metric
    value: float | int | None
    yoy: float | int | None
    pop: float | int | None
    met: bool | None

    @property
    def target(self) -> float | None:
        return self.metric.target

    def to_json(self) -> dict:
        return {"name": self.metric.name, "value": self.value, "yoy": self.yoy, "pop": self.pop,
                "target": self.metric.target, "met": self.met}


@dataclass(frozen=True)
class Scorecard:
    periods: Periods
    figures: dict[str, Figure]   # metric id -> figure, in registry order

    @property
    def period(self) -> Period:
        return self.periods.current

    def to_json(self) -> dict:
        current = self.period
        return {"as_of": current.as_of.isoformat(), "from": current.start.isoformat(),
                "to": current.end.isoformat(),
                "metrics": {metric_id: figure.to_json() for metric_id, figure in self.figures.items()},
                "periods": {p.name: {"from": p.start.isoformat(), "to": p.end.isoformat(),
                                     "as_of": p.as_of.isoformat(), "comparable": p.comparable}
                            for p in self.periods.all}}
