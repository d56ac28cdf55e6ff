"""Unit tests of queries/normalize.py against the value rules of SCHEMA.md §2–§4.

Expected values are read off the spec, not off the code. Enumerations and categories are
checked through the shipped configuration (defaults.toml) as the importer uses it, so a wrong
variant table fails here too.
"""
from __future__ import annotations

from datetime import date, datetime

import pytest

from queries import normalize as nz
from queries.config import load_config
from queries.ingest.field_parsers import FieldParsers

D = date(2024, 3, 5)
PARSERS = FieldParsers(load_config())


def enum(name: str, raw):
    return PARSERS.enum(name)(raw)


def category(raw):
    return PARSERS.category(raw)


# --- dates (SCHEMA.md §4 "Dates") ------------------------------------------------------

@pytest.mark.parametrize("raw", [
    "2024-03-05", "2024-3-5", "2024/3/5", "2024/03/05", "2024.3.5", "2024.03.05",
    "2024年3月5日", "2024年03月05日", "20240305", " 2024-03-05 ",
])
def test_date_text_forms(raw):
    assert nz.parse_date(raw) == D


@pytest.mark.parametrize("raw", [
    "2024-03-05 14:30:00", "2024-03-05 14:30", "2024/3/5 8:05", "2024-03-05T14:30:00",
    "2024年3月5日 14:30", "20240305 143000",
    datetime(2024, 3, 5, 14, 30), datetime(2024, 3, 5, 23, 59, 59),
])
def test_date_time_drops_the_time(raw):
    assert nz.parse_date(raw) == D


@pytest.mark.parametrize("raw", [
    "２０２４－０３－０５", "２０２４年３月５日", "２０２４０３０５", "２０２４/３/５", "２０２４．３．５",
])
def test_full_width_digits_are_digits(raw):
    assert nz.parse_date(raw) == D


@pytest.mark.parametrize("raw, expected", [
    # Excel's serial day 1 is 1900-01-01 with the 1900 leap-year bug, i.e. an epoch of
    # 1899-12-30 for every serial after 60. 45292 is 2024-01-01 (well-known);
    # + 31 (Jan) + 29 (Feb 2024) = 45352 for 2024-03-01, so 2024-03-05 is 45356.
    (45356, D),
    (45356.0, D),
    (45356.75, D),               # 18:00 on that day: the time is dropped
    (45292, date(2024, 1, 1)),
    (45291, date(2023, 12, 31)),
    (61, date(1900, 3, 1)),
    (1899, date(1905, 3, 13)),   # just outside the years 1900..2100 (1899-12-30 + 1899 days)
    (2101, date(1905, 10, 1)),
    ("45356", D),                # a CSV carries the serial as text
])
def test_excel_serial_numbers(raw, expected):
    assert nz.parse_date(raw) == expected


def test_date_objects_pass_through():
    assert nz.parse_date(D) == D


@pytest.mark.parametrize("raw", [None, "", "   ", "\u3000"])
def test_blank_date_is_none(raw):
    assert nz.parse_date(raw) is None


@pytest.mark.parametrize("raw", [
    "abc", "明天", "2024-02-30", "2024-13-01", "2023-02-29", "20241305", "2024-03-05abc",
    "3/5/2024", "2024年", "不详", True,
    # a bare year, typed as text or as a number: not Excel serial 2024 (1905-07-16)
    "2024", "１９９９", 2025, 2025.0, 1900, 2100,
])
def test_unreadable_dates_raise(raw):
    with pytest.raises(nz.Unreadable):
        nz.parse_date(raw)


def test_leap_day_is_a_date():
    assert nz.parse_date("2024-02-29") == date(2024, 2, 29)
    assert nz.parse_date("20240229") == date(2024, 2, 29)


# --- booleans (SCHEMA.md §4 "Booleans") ------------------------------------------------

@pytest.mark.parametrize("raw, expected", [
    ("是", True), ("否", False),
    ("Y", True), ("N", False), ("y", True), ("n", False),
    ("1", True), ("0", False), (1, True), (0, False), (1.0, True),
    ("true", True), ("false", False), ("TRUE", True), ("False", False),
    (True, True), (False, False),
    ("√", True), (" 是 ", True),
    (None, None), ("", None), ("  ", None),
])
def test_booleans(raw, expected):
    assert nz.parse_bool(raw) is expected


def test_unreadable_boolean_raises():
    with pytest.raises(nz.Unreadable):
        nz.parse_bool("也许")


def test_repeat_flag_marks():
    # SCHEMA.md §2: 初重标志 — 初件 = no, 重件 = yes; the plain booleans still apply.
    assert nz.parse_repeat_flag("初件") is False
    assert nz.parse_repeat_flag("重件") is True
    assert nz.parse_repeat_flag("是") is True
    assert nz.parse_repeat_flag(None) is None


# --- persons (SCHEMA.md §4 and §5 rule 4) ----------------------------------------------

@pytest.mark.parametrize("raw, expected", [
    (None, 1), ("", 1), ("  ", 1),         # blank -> 1
    ("1", 1), ("3", 3), (" 12 ", 12), (3, 3), (3.0, 3), (150, 150),
    ("10000", 10000), (10000.0, 10000), ("007", 7), ("１２", 12),    # the bound itself; leading zeros; full-width
])
def test_persons_readable(raw, expected):
    assert nz.parse_persons(raw) == expected


@pytest.mark.parametrize("raw", ["0", 0, "1.5", 1.5, "两人", "-2", -2, "abc", "3人", True,
                                 "10001", 10001, "2147483647", "3000000000", 1e12, 3e9, "1e12", "9" * 5000, float("inf")])
def test_persons_unreadable(raw):
    with pytest.raises(nz.Unreadable):
        nz.parse_persons(raw)


# --- enumerations (SCHEMA.md §1 values, §4 variants) -----------------------------------

@pytest.mark.parametrize("raw", ["来信", "来访", "网上信访", "电话", "其他"])
def test_channel_canonical_values(raw):
    assert enum("channel", raw) == (raw, True)


@pytest.mark.parametrize("raw, expected", [
    ("手机信访", "网上信访"), ("微信信访", "网上信访"), ("网上建议", "网上信访"),
    ("领导信箱", "网上信访"), ("电话信访", "电话"),
    ("來訪", "来访"), ("來信", "来信"), ("網上信訪", "网上信访"), ("電話信訪", "电话"),
    (" 来访 ", "来访"),
])
def test_channel_variants(raw, expected):
    assert enum("channel", raw) == (expected, True)


@pytest.mark.parametrize("raw", ["村", "镇", "县", "市", "省", "京"])
def test_level_canonical_values(raw):
    assert enum("level", raw) == (raw, True)


@pytest.mark.parametrize("raw, expected", [
    ("国家", "京"), ("中央", "京"), ("北京", "京"),
    ("省(自治区)", "省"), ("省（自治区）", "省"), ("省（自治區）", "省"), ("省级", "省"),
    ("市级", "市"),
    ("区县", "县"), ("县级", "县"), ("区", "县"), ("區縣", "县"),
    ("乡镇", "镇"), ("街道", "镇"), ("鄉鎮", "镇"),
    ("村居", "村"), ("社区", "村"), ("社區", "村"),
])
def test_level_variants(raw, expected):
    assert enum("level", raw) == (expected, True)


@pytest.mark.parametrize("name, raw, expected", [
    ("purpose", "求决", "求决"), ("purpose", "意见建议", "意见建议"), ("purpose", "揭發控告", "揭发控告"),
    ("handling", "直接受理", "直接受理"), ("handling", "轉送", "转送"),
    ("resolution", "已化解", "已化解"), ("resolution", "穩控", "稳控"), ("resolution", "未化解", "未化解"),
    ("satisfaction", "滿意", "满意"), ("satisfaction", "基本滿意", "基本满意"),
    ("satisfaction", "不满意", "不满意"), ("satisfaction", "未評價", "未评价"),
])
def test_other_enums_and_traditional(name, raw, expected):
    assert enum(name, raw) == (expected, True)


@pytest.mark.parametrize("name, raw", [
    ("channel", "走访"), ("level", "乡"), ("purpose", "咨询"), ("handling", "督办"),
    ("resolution", "部分化解"), ("satisfaction", "一般"),
])
def test_unknown_enum_kept_raw(name, raw):
    # SCHEMA.md §4: outside the list -> keep the raw value (flagged as unknown for a warning).
    assert enum(name, raw) == (raw, False)


def test_blank_enum_is_null():
    assert enum("channel", None) == (None, True)
    assert enum("channel", "  ") == (None, True)


# --- categories (SCHEMA.md §3) ---------------------------------------------------------

@pytest.mark.parametrize("raw, expected", [
    # by exact name of the first level
    ("城乡建设类", "城乡建设类"), ("其他", "其他"), ("军人事务类_优待抚恤", "军人事务类"),
    # by name plus 类
    ("城乡建设", "城乡建设类"), ("城乡建设_住房保障_物业管理", "城乡建设类"),
    ("农业农村/宅基地", "农业农村类"), ("劳动保障-工资", "劳动保障类"), ("涉法涉诉_执行不到位", "涉法涉诉类"),
    ("民生保障", "民生保障类"), ("军人事务", "军人事务类"),
    # through the alias table
    ("自然资源_土地征收", "城乡建设类"), ("国土资源", "城乡建设类"), ("城建_房屋质量", "城乡建设类"),
    ("住房", "城乡建设类"),
    ("农村农业_土地承包", "农业农村类"), ("涉农", "农业农村类"),
    ("政法_判决不公", "涉法涉诉类"), ("涉法", "涉法涉诉类"), ("涉诉", "涉法涉诉类"),
    ("劳动和社会保障_养老保险", "劳动保障类"), ("劳动社保", "劳动保障类"), ("人社", "劳动保障类"),
    ("军队事务_退役安置", "军人事务类"), ("涉军", "军人事务类"),
    ("民政与应急_困难帮扶", "民生保障类"), ("民政", "民生保障类"), ("民生", "民生保障类"),
    # traditional characters
    ("勞動保障_工資", "劳动保障类"), ("城鄉建設類", "城乡建设类"), ("國土資源_土地權屬", "城乡建设类"),
    ("農業農村", "农业农村类"), ("涉軍", "军人事务类"),
])
def test_category_mapping(raw, expected):
    assert category(raw) == (expected, True)


@pytest.mark.parametrize("raw", ["教育_学校", "卫生健康", "环保", "城乡", "交通运输_道路"])
def test_unmatched_category_is_other(raw):
    assert category(raw) == ("其他", False)


# --- 问题属地 paths (SCHEMA.md §2) -------------------------------------------------------

@pytest.mark.parametrize("raw, expected", [
    # the spec's own example
    ("湖南省某市某县青石镇上庄村", ("青石镇", "上庄村")),
    # 街道: the township ends at 街道 and starts after the last 区 before it
    ("湖南省长沙市芙蓉区定王台街道韭菜园社区", ("定王台街道", "韭菜园社区")),
    # 乡
    ("某省某市某县柳河乡东风村", ("柳河乡", "东风村")),
    # no province/city/county prefix
    ("青石镇上庄村", ("青石镇", "上庄村")),
    # traditional characters
    ("湖南省某市東安縣青石鎮上莊村", ("青石镇", "上庄村")),
])
def test_place_path(raw, expected):
    assert nz.split_place_path(raw) == expected


def test_place_path_blank():
    assert nz.split_place_path(None) == (None, None)
    assert nz.split_place_path("  ") == (None, None)


# --- header keys (SCHEMA.md §2) --------------------------------------------------------

@pytest.mark.parametrize("raw, expected", [
    ("信访件编号", "信访件编号"),
    ("信访件编号*", "信访件编号"),
    ("登记日期＊", "登记日期"),                 # full-width asterisk
    ("　登记日期　", "登记日期"),               # full-width spaces
    (" 登记日期 ", "登记日期"),
    ("信訪件編號", "信访件编号"),               # traditional
    ("村（社区）", "村(社区)"),                 # full-width brackets
    ("鄉鎮（街道）", "乡镇(街道)"),
    ("　信訪件編號*　", "信访件编号"),
    ("问题属地（乡镇）", "问题属地(乡镇)"),
])
def test_header_key(raw, expected):
    assert nz.header_key(raw) == expected


def test_header_key_blank():
    assert nz.header_key(None) is None
    assert nz.header_key("  ") is None
    assert nz.header_key("*") is None


# --- text --------------------------------------------------------------------------------

def test_text_is_trimmed_and_blank_is_null():
    assert nz.clean_text("  张三\u3000") == "张三"
    assert nz.clean_text("") is None
    assert nz.clean_text(None) is None


def test_excel_whole_numbers_lose_the_decimal():
    # An Excel case number 2024001 is read as 2024001.0; its text is "2024001".
    assert nz.clean_text(2024001.0) == "2024001"
    assert nz.clean_text(2024001) == "2024001"


def test_folded_converts_traditional_and_full_width():
    assert nz.folded("東安縣") == nz.folded("东安县") == "东安县"
