"""queries.url_state: a link's query string -> the view it describes and the notes the page
shows for what it dropped; and back. The expected states and notes are written out by hand."""
from __future__ import annotations

from datetime import date
from urllib.parse import parse_qs

import pytest

from queries.periods import Scope
from queries.url_state import (P_CATS, P_CHANNELS, P_GROUPS, P_TOWNS, P_UNITS, P_VILLAGES, ViewState, encode,
                               parse)

HIGH = date(2026, 12, 31)
VILLAGES = {"青石镇": ["上庄村", "下庄村"], "柳河镇": ["柳河村"]}
WJ = "\u2060"   # the word joiner markdown_text puts into "http://" (no autolink)


def choices(towns):
    return {P_TOWNS: list(VILLAGES), P_VILLAGES: [v for t, vs in VILLAGES.items() if not towns or t in towns for v in vs],
            P_CATS: ["城乡建设类", "劳动社保类"], P_CHANNELS: ["来访", "来信"], P_UNITS: ["县住建局"],
            P_GROUPS: ["退役军人"]}


def params(query: str) -> dict[str, list[str]]:
    """As Streamlit reads the address bar: every key with all its values, blanks kept."""
    return parse_qs(query, keep_blank_values=True)


CUSTOM = "自定义统计期缺少有效的起止日期，已改用本年"
CASES = [  # query string, the view, the notes
    ("", ViewState(), []),
    ("p=month&asof=2026-05-31", ViewState("month", date(2026, 5, 31)), []),
    ("p=year&p=month", ViewState("month"), []),   # a repeated key: the last one
    ("p=custom&from=2026-03-01&to=2026-06-30", ViewState("custom", None, date(2026, 3, 1), date(2026, 6, 30)), []),
    ("p=custom&from= 2026-03-01 &to=2026-06-30", ViewState("custom", None, date(2026, 3, 1), date(2026, 6, 30)), []),
    ("p=custom&from=2026-03-01", ViewState(), [CUSTOM]),
    ("p=custom&from=2026-03-01&to=soon", ViewState(), ["日期“soon”无法识别（应为 YYYY-MM-DD）", CUSTOM]),
    ("from=2026-03-01&to=2026-06-30", ViewState(), []),   # bounds without the custom preset mean nothing
    ("p=decade", ViewState(), ["统计期“decade”无效"]),
    ("p=", ViewState(), ["统计期“”无效"]),
    ("asof=2026-13-01", ViewState(), ["日期“2026-13-01”无法识别（应为 YYYY-MM-DD）"]),
    ("asof=1999-12-31", ViewState(), ["日期 1999-12-31 超出可选范围（2000-01-01 至 2026-12-31）"]),
    ("asof=2027-01-01&p=quarter", ViewState("quarter"), ["日期 2027-01-01 超出可选范围（2000-01-01 至 2026-12-31）"]),
    ("t=青石镇,柳河镇&t=青石镇", ViewState(scope=Scope(townships=("青石镇", "柳河镇"))), []),
    ("t=,,青石镇, ", ViewState(scope=Scope(townships=("青石镇",))), []),
    ("t=青石镇&v=上庄村,柳河村", ViewState(scope=Scope(townships=("青石镇",), villages=("上庄村",))),
     ["村(社区)“柳河村”不在可选范围内"]),   # a village of a township not chosen
    ("t=nowhere&v=柳河村", ViewState(scope=Scope(villages=("柳河村",))), ["乡镇(街道)“nowhere”不在可选范围内"]),
    ("c=劳动社保类&ch=来访&u=县住建局&gr=退役军人",
     ViewState(scope=Scope(categories=("劳动社保类",), channels=("来访",), units=("县住建局",), groups=("退役军人",))),
     []),
    ("t=[点此领取](http://evil.example)", ViewState(),
     [f"乡镇(街道)“\\[点此领取\\]\\(http:{WJ}//evil.example\\)”不在可选范围内"]),
    ("c='; DROP TABLE cases; --", ViewState(), ["问题分类“'; DROP TABLE cases; --”不在可选范围内"]),
    ("c=<b>粗</b>", ViewState(), ["问题分类“\\<b\\>粗\\</b\\>”不在可选范围内"]),
    ("ch=" + "x" * 40, ViewState(), ["信访形式“" + "x" * 30 + "…”不在可选范围内"]),
    ("u=a,b,c,d", ViewState(), ["责任单位“a、b、c”不在可选范围内"]),   # at most three quoted
    ("present=1", ViewState(present=True), []),
    ("present=0", ViewState(), []),
    ("present=yes", ViewState(), ["演示模式参数“yes”无效"]),
    ("p=decade&asof=x&gr=y&present=2", ViewState(),
     ["统计期“decade”无效", "日期“x”无法识别（应为 YYYY-MM-DD）", "诉求群体“y”不在可选范围内", "演示模式参数“2”无效"]),
]


@pytest.mark.parametrize(("query", "state", "notices"), CASES, ids=[c[0] or "empty" for c in CASES])
def test_a_link_becomes_a_view_and_notes_for_what_it_drops(query, state, notices):
    assert parse(params(query), choices, HIGH) == (state, notices)


ENCODED = [  # the view, the parameters of the address bar
    (ViewState("year", date(2026, 11, 20)), {"p": "year", "asof": "2026-11-20"}),
    (ViewState("custom", date(2026, 11, 20), date(2026, 3, 1), date(2026, 6, 30), present=True),
     {"p": "custom", "asof": "2026-11-20", "from": "2026-03-01", "to": "2026-06-30", "present": "1"}),
    (ViewState("month", date(2026, 5, 31), scope=Scope(("青石镇", "柳河镇"), ("上庄村",), ("劳动社保类",), ("来访",),
                                                      ("县住建局",), ("退役军人",))),
     {"p": "month", "asof": "2026-05-31", "t": "青石镇,柳河镇", "v": "上庄村", "c": "劳动社保类", "ch": "来访",
      "u": "县住建局", "gr": "退役军人"}),
]


@pytest.mark.parametrize(("state", "wanted"), ENCODED)
def test_a_view_becomes_its_link_and_back(state, wanted):
    assert encode(state) == wanted
    assert parse({key: [value] for key, value in wanted.items()}, choices, HIGH) == (state, [])
