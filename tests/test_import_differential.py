"""The columnar import (#14) against the row-by-row importer it replaced (tests/reference_importer.py):
over messy files — random ones from the property test's generator and hand-made ones with every
oddity the readers know of — both must stage the same report figures, accepted cases, refused
rows with their reasons and raw values, and warnings."""
from __future__ import annotations

import tempfile
from collections import Counter
from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings

from conftest import write_csv, write_xlsx
from queries.ingest import csv_stream
from queries.ingest.case_store import CASE_COLUMNS
from queries.ingest.import_stage import stage_relation
from queries.ingest.importer import prepare_file
from reference_importer import reference
from test_import_property import exports

AS_OF = date(2026, 6, 30)
COMPARED = ("rows_read", "skipped_blank", "skipped_totals", "categories_unmatched", "columns_kept", "columns",
            "columns_unused", "duplicates", "accepted")


def staged(path: Path) -> dict:
    """The columnar path's stage for one file, in the reference's shape."""
    prepared = prepare_file(path, AS_OF)
    try:
        report = prepared.report
        if report.refused:
            return {"refused": report.refused}
        con = duckdb.connect()
        try:
            def table(name):
                cursor = con.execute(f"SELECT * FROM {stage_relation(prepared.stage, name)}")
                names = [d[0] for d in cursor.description]
                return [dict(zip(names, row)) for row in cursor.fetchall()]
            result = {"refused": None, "accepted": prepared.accepted, "cases": table("cases"),
                      "rejected": table("rejected"), "warnings": table("warnings")}
        finally:
            con.close()
        result.update({name: getattr(report, name) for name in COMPARED if name != "accepted"})
        return result
    finally:
        prepared.close()


def assert_same(path: Path) -> None:
    old, new = reference(path, AS_OF), staged(path)
    assert new["refused"] == old["refused"]
    if old["refused"]:
        return
    assert {k: new[k] for k in COMPARED} == {k: old[k] for k in COMPARED}
    case_fields = (*CASE_COLUMNS, "answer", "source_row", "source_sheet")
    by_id = lambda cases: sorted(({k: c[k] for k in case_fields} for c in cases), key=lambda c: c["case_id"])  # noqa: E731
    assert by_id(new["cases"]) == by_id(old["cases"])
    refused = lambda rows: sorted((r["source_sheet"] or "", r["source_row"], r["reason"], r["raw_values"]) for r in rows)  # noqa: E731
    assert refused(new["rejected"]) == refused(old["rejected"])
    warned = lambda rows: Counter((w["source_sheet"], w["source_row"], w["case_id"], w["field"], w["value"], w["message"])  # noqa: E731
                                  for w in rows)
    assert warned(new["warnings"]) == warned(old["warnings"])


HEADER = ["信访件编号", "登记日期", "信访形式", "信访人", "证件号码", "联系电话", "人数", "问题属地", "问题分类",
          "信访目的", "信访事由", "登记层级", "办理方式", "责任单位", "包案领导", "受理日期", "办理期限", "办结日期",
          "化解情况", "满意度", "重点人员", "是否重复信访", "处理意见", "备注"]
ROWS = [
    ["X001", "2026-03-02", "来访", "张三", "110101199003071234", "13800000000", "2", "某县青石镇河口村", "城乡建设_房屋",
     "求决", "反映房屋漏水", "县", "转送", "县住建局", "李四", "2026-03-03", "2026-05-01", "2026-03-20", "已化解",
     "满意", "否", "初件", "已答复", "甲"],
    ["X002", "2026/3/5", "來訪", " 王五 ", "11010119900307123X", "１３８００", "1", "青石镇", "劳动社保-工资",
     "申诉", "工资\u200b拖欠", "市", "交办", "县人社局\u3000", "赵六", "20260306", "45000", "", "未化解",
     "很不满意", "是", "重件", "", ""],
    ["Ｘ００３", "2026年3月7日", "网信", "钱七", "１１０１０１１９９００３０７１２３４", "", "1.0", "白沙乡", "涉法涉诉",
     "其他", "诉求\t多行\n内容", "省", "直接办理", "", "", "1970-01-01", "", "2026-03-20", "稳控", "基本满意",
     "y", "1", "意见\u202e", ""],
    ["X004", "昨天", "来信", "", "", "", "0", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", ""],
    ["", "2026-03-08", "来访", "孙八", "", "", "3", "青石镇", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", ""],
    ["X005", "2027-01-01", "来访", "周九", "", "", "两人", "", "其它问题", "", "", "", "", "", "", "", "", "", "",
     "", "否", "否", "", ""],
    ["X006", "1975-05-05", "来访", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", ""],
    ["合計", "", "", "", "", "", "12", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", ""],
    ["合 计", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", ""],
    ["", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", ""],
    ["\u200b", " ", "\u3000", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", ""],
    ["X001", "2026-03-09", "电话", "", "", "", "", "", "信访秩序", "", "", "", "", "", "", "2026-03-10", "", "", "",
     "", "否", "", "后来的", ""],
    ["X007", "2026-03-10", "走访", "吳一", "", "", "", "某市某区东门街道", "组织人事", "", "", "", "", "", "", "",
     "", "2026-03-11", "", "", "TRUE", "?", "", "额外"],
    ["X008", "45000.5", "来访", "", "", "", "10001", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", ""],
]


def _write(tmp: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp / name
    path.write_bytes(text.encode(encoding))
    return path


def _csv_text(rows, delimiter=",", newline="\n") -> str:
    import csv
    import io
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator=newline).writerows(rows)
    return buffer.getvalue()


BASE = _csv_text([["某县信访事项登记台账"], HEADER, *ROWS])
CSV_CASES = {
    "utf8": (BASE, "utf-8"),
    "utf8 bom": ("\ufeff" + BASE, "utf-8"),
    "gbk": (BASE.replace("\u200b", "").replace("\u202e", "").replace("\u3000", " "), "gbk"),
    "utf16": (BASE, "utf-16"),
    "crlf": (_csv_text([HEADER, *ROWS], newline="\r\n"), "utf-8"),
    "lone cr": (_csv_text([HEADER, *ROWS], newline="\r"), "utf-8"),
    "blank lines": (_csv_text([HEADER, *ROWS[:3]]) + "\n\n" + _csv_text(ROWS[3:]) + "\n", "utf-8"),
    "blank line after header": (_csv_text([HEADER]) + "\n" + _csv_text(ROWS), "utf-8"),
    "crlf blank line": (_csv_text([HEADER, *ROWS[:3]], newline="\r\n") + "\r\n"
                        + _csv_text(ROWS[3:], newline="\r\n"), "utf-8"),
    "lone cr in an lf body": (_csv_text([HEADER, *ROWS]).replace("张三", "张\r三"), "utf-8"),
    "title, blank line": ("标题\n\n" + _csv_text([HEADER, *ROWS]), "utf-8"),
    "tabs": (_csv_text([HEADER, *ROWS], delimiter="\t"), "utf-8"),
    "semicolons": (_csv_text([HEADER, *ROWS], delimiter=";"), "utf-8"),
    "bad quote": (_csv_text([HEADER, *ROWS]) + 'X009,"2026-03-01"x,来访\n', "utf-8"),
    "unterminated quote": (_csv_text([HEADER, *ROWS]) + 'X009,"2026-03-01,来访\n', "utf-8"),
    "quoted title line break": ('"标题\n第二行"\n' + _csv_text([HEADER, *ROWS]), "utf-8"),
    "ragged": (_csv_text([HEADER, ["X010", "2026-03-01"], ["X011", "2026-03-02", "来访", *[""] * 21, "多", "余"],
                          ["X012", "2026-03-03", *["x"] * 40], [*[""] * 30, "尾部"]]), "utf-8"),
    "nuls": (_csv_text([HEADER, *ROWS]).replace("X002", "X0\x0002"), "utf-8"),
    "mojibake": (_csv_text([HEADER, *ROWS]).replace("张三", "Ã©å¼ ä¸‰"), "utf-8"),
    "western in gbk": ("", "gbk header, cp1252 name"),
    "huge cell": (_csv_text([HEADER, ["X021", "2026-03-01", "来访", "长" * 140_000]]), "utf-8"),
    "no header": (_csv_text([["甲", "乙", "信访件编号"], ["1", "2", "3"]]), "utf-8"),
    "missing date column": (_csv_text([["信访件编号", "信访形式", "信访人"], ["X1", "来访", "张"]]), "utf-8"),
    "empty": ("  \n ", "utf-8"),
    "header only": (_csv_text([HEADER]), "utf-8"),
    "only blank rows": (_csv_text([HEADER, [""] * 24, [""] * 24]), "utf-8"),
    "not text": ("\x81\x00\xff" * 50, "latin-1"),
}


@pytest.mark.parametrize("case", CSV_CASES)
def test_csv_files_stage_as_the_row_by_row_importer_did(tmp_path, case):
    text, encoding = CSV_CASES[case]
    if encoding == "gbk header, cp1252 name":   # Windows-1252 bytes, which GBK also accepts
        path = tmp_path / "e.csv"
        path.write_bytes(_csv_text([HEADER]).encode("gbk") + "X020,2026-03-01,来访,".encode("gbk")
                         + "Müller\n".encode("cp1252"))
    else:
        path = _write(tmp_path, "e.csv", text, encoding)
    assert_same(path)


def test_excel_files_stage_as_the_row_by_row_importer_did(tmp_path):
    typed = [["X101", datetime(2026, 3, 2), "来访", "张三", 110101199003071234, 13800000000, 2, "青石镇河口村",
              "城乡建设", "求决", "事由", "县", "转送", "住建局", "李四", datetime(2026, 3, 3, 10, 30), 46100,
              45999.0, "已化解", "满意", True, False, 1.5, None],
             ["X102", 46083, "来访", None, None, None, 2.0, None, None, None, None, None, None, None, None, None,
              None, None, None, None, 1, 0, None, None],
             [1001, "2026-03-04", None, None, None, None, 1e12, None, None, None, None, None, None, None, None,
              None, None, None, None, None, "是", None, None, None],
             ["X103", 20260305, None, None, None, None, -1, None, None, None, None, None, None, None, None, 1900,
              None, None, None, None, None, None, None, None]]
    path = write_xlsx(tmp_path / "w.xlsx", {"台账": [["标题"], HEADER, *ROWS, *typed],
                                            "第二页": [HEADER, ["X001", "2026-03-11", "来访"], *typed[:2]],
                                            "说明": [["本表说明"]]})
    assert_same(path)
    refused = write_xlsx(tmp_path / "r.xlsx", {"台账": [HEADER, *ROWS], "坏页": [["信访件编号", "信访形式", "信访人"]]})
    assert_same(refused)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(exports())
def test_random_messy_exports_stage_as_the_row_by_row_importer_did(example):
    kind, encoding, title, header, _fields, rows = example
    table = ([["某镇信访事项登记台账"]] if title else []) + [header] + [cells for _, cells, _ in rows]
    with tempfile.TemporaryDirectory() as tmp:
        if kind == "xlsx":
            path = write_xlsx(Path(tmp) / "export.xlsx", {"台账": table})
        else:
            path = write_csv(Path(tmp) / "export.csv", table, encoding=encoding)
        assert_same(path)


def test_a_plain_csv_is_read_by_duckdb_and_a_blank_line_sends_it_to_the_csv_module(tmp_path, monkeypatch):
    """The fast reader is really used: the csv module's batches are not called for a plain file."""
    calls = []
    real = csv_stream.batches
    monkeypatch.setattr(csv_stream, "batches", lambda *a: calls.append(a) or real(*a))
    plain = _write(tmp_path, "p.csv", _csv_text([HEADER, *ROWS]))
    assert prepare_file(plain, AS_OF).report.rows_read == len(ROWS)
    assert calls == []
    blank = _write(tmp_path, "b.csv", _csv_text([HEADER, *ROWS[:2]]) + "\n" + _csv_text(ROWS[2:]))
    assert prepare_file(blank, AS_OF).report.rows_read == len(ROWS) + 1
    assert len(calls) == 1


_MANY = _csv_text([HEADER, *ROWS, *([f"L{i:03d}", "2026-03-01", "来访"] for i in range(80))])
_LAST = _csv_text([["L999", "2026-03-02", "来访", "王五"]])
LATE = {   # trouble past the first chunk the decoder reads and the 50 rows both readers are compared on
    "gbk after an ascii head": ("#" * 100 + "\n" + (_MANY + _LAST).replace("\u200b", "").replace("\u202e", "")
                                .replace("\u3000", " "), "gbk"),
    "nuls": (_MANY + _LAST.replace("王五", "王\x00五"), "utf-8"),
    "blank line": (_MANY + "\n" + _LAST, "utf-8"),
    "lone cr": (_MANY[:-1] + "\r" + _LAST, "utf-8"),
    "crlf blank line": (_MANY.replace("\n", "\r\n") + "\r\n" + _LAST.replace("\n", "\r\n"), "utf-8"),
    "lone cr in a crlf body": (_MANY.replace("\n", "\r\n") + _LAST.replace("王五", "王\r五"), "utf-8"),
    "mojibake": (_MANY + _LAST.replace("王五", "Ã©å¼ ä¸‰"), "utf-8"),
    "no header": CSV_CASES["no header"],
    "not text": CSV_CASES["not text"],
}


@pytest.mark.parametrize("case", LATE)
def test_trouble_past_the_first_chunk_stages_as_the_row_by_row_importer_did(tmp_path, monkeypatch, case):
    monkeypatch.setattr(csv_stream, "CHUNK_BYTES", 64)
    text, encoding = LATE[case]
    assert_same(_write(tmp_path, "late.csv", text, encoding))
