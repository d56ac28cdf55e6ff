"""The dimensions a figure is filtered or broken down by, each defined once: its name on screen,
the case column it reads, and — for the filters — the Scope field, the link's parameter and the
CLI option. The sidebar, the link parser, the CLI, the headers that state a scope and the
breakdowns read them from here."""
from __future__ import annotations

import json
from dataclasses import dataclass

from .periods import Scope


@dataclass(frozen=True)
class Dimension:
    id: str
    label: str                   # on screen, in headers, tables and outputs
    column: str | None           # the case column it reads; None: a tag, not a column (诉求群体)
    scope_field: str | None = None   # the Scope field that filters it; None: a breakdown only
    url_key: str | None = None   # the link's query parameter
    cli_help: str = ""           # the CLI option is --<id>, repeatable

    @property
    def is_filter(self) -> bool:
        return self.scope_field is not None


DIMENSIONS = (
    Dimension("township", "乡镇(街道)", "township", "townships", "t", "乡镇，可重复"),
    Dimension("village", "村(社区)", "village", "villages", "v", "村(社区)，可重复"),
    Dimension("category", "问题分类", "category", "categories", "c", "问题分类，可重复"),
    Dimension("channel", "信访形式", "channel", "channels", "ch", "信访形式，可重复"),
    Dimension("unit", "责任单位", "responsible_unit", "units", "u", "责任单位，可重复"),   # ACCOUNTABILITY.md §1
    Dimension("group", "诉求群体", None, "groups", "gr", "诉求群体（配置 topics.groups），可重复"),
    Dimension("level", "登记层级", "level"),
    Dimension("case_leader", "包案领导", "case_leader"),
)
BY_ID = {dimension.id: dimension for dimension in DIMENSIONS}
FILTERS = tuple(d for d in DIMENSIONS if d.is_filter)   # in the order of the sidebar
BREAKDOWN_COLUMNS = tuple(d.column for d in DIMENSIONS if d.column)


def scope_text(scope: Scope) -> str:
    """乡镇(街道)：青石镇；问题分类：土地征收 — or 全部: what every header and output says of a scope."""
    chosen = [f"{d.label}：{'、'.join(values)}" for d in FILTERS if (values := getattr(scope, d.scope_field))]
    return "；".join(chosen) or "全部"


def stored_scope(params: str) -> Scope:
    """The Scope of a stored `Scope.params()` JSON text (the audit log's scope column); ValueError
    when the text is not one."""
    try:
        stored = json.loads(params)
        return Scope(**{key: tuple(values) for key, values in stored.items()})
    except (TypeError, AttributeError, json.JSONDecodeError) as error:
        raise ValueError(f"not a stored scope: {params!r}") from error
