"""The dimension registry (queries.dimensions): one label, one column, one link parameter and one
CLI option per filter, and the scope texts every header and output prints."""
import pytest

from queries import url_state
from queries.cli import _scope, build_parser
from queries.dimensions import scope_text, stored_scope
from queries.metrics.formatting import COLUMN_LABELS
from queries.periods import Scope


@pytest.mark.parametrize("scope, text", [
    (Scope(), "全部"),
    (Scope(townships=("青石镇",)), "乡镇(街道)：青石镇"),
    (Scope(townships=("青石镇", "柳河镇"), categories=("土地征收",)), "乡镇(街道)：青石镇、柳河镇；问题分类：土地征收"),
    (Scope(villages=("上庄村",), channels=("来访",), units=("住建局",), groups=("涉军",)),
     "村(社区)：上庄村；信访形式：来访；责任单位：住建局；诉求群体：涉军"),
])
def test_scope_text(scope, text):
    assert scope_text(scope) == text


@pytest.mark.parametrize("stored, scope", [
    ('{"townships": ["青石镇"], "villages": [], "categories": [], "channels": [], "units": [], "groups": []}',
     Scope(townships=("青石镇",))),
    ('{"units": ["住建局"]}', Scope(units=("住建局",))),
    ("{}", Scope()),
])
def test_stored_scope_reads_what_scope_params_wrote(stored, scope):
    assert stored_scope(stored) == scope


def test_a_scope_survives_the_audit_log_round_trip():
    import json
    scope = Scope(("青石镇",), ("上庄村",), ("土地征收",), ("来访",), ("住建局",), ("涉军",))
    assert stored_scope(json.dumps(scope.params(), ensure_ascii=False)) == scope


@pytest.mark.parametrize("stored", ["", "not json", "[1, 2]", '{"towns": ["x"]}', "null", '"text"'])
def test_stored_scope_refuses_what_is_not_a_scope(stored):
    with pytest.raises(ValueError):
        stored_scope(stored)


def test_every_filter_is_a_cli_option_a_link_parameter_and_a_scope_field():
    args = build_parser().parse_args(["kpi", "--township", "青石镇", "--village", "上庄村", "--category", "土地征收",
                                      "--channel", "来访", "--unit", "住建局", "--unit", "（未明确）", "--group", "涉军"])
    assert _scope(args) == Scope(("青石镇",), ("上庄村",), ("土地征收",), ("来访",), ("住建局", "（未明确）"), ("涉军",))
    assert list(url_state.SCOPE_FIELDS.values()) == list(Scope.__dataclass_fields__)
    assert (url_state.P_TOWNS, url_state.P_VILLAGES, url_state.P_CATS, url_state.P_CHANNELS, url_state.P_UNITS,
            url_state.P_GROUPS) == ("t", "v", "c", "ch", "u", "gr")   # links already shared keep working


def test_tables_head_a_dimension_column_with_the_sidebar_name():
    assert [COLUMN_LABELS[c] for c in ("township", "village", "category", "channel", "responsible_unit", "level",
                                       "case_leader")] == \
        ["乡镇(街道)", "村(社区)", "问题分类", "信访形式", "责任单位", "登记层级", "包案领导"]
