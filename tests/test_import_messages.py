"""What the importer says about odd files (issue #17.13, #17.15, #14.3): an encrypted workbook
is called encrypted, NUL bytes in a CSV are dropped with a warning, the size refusal names its
setting, and Western text that GBK happens to accept is flagged."""
from __future__ import annotations

import re
import tomllib
from datetime import date
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from queries import db
from queries.config import load_config
from queries.ingest.importer import import_file
from queries.ingest.reader import looks_western

ROOT = Path(__file__).resolve().parent.parent
AS_OF = date(2026, 11, 1)
HEADER = "信访件编号,登记日期,信访形式,信访人\r\n"


def file_warnings(con) -> list[str]:
    return [r[0] for r in db.cursor(con).execute(
        "SELECT message FROM import_warnings WHERE field = 'file' ORDER BY message").fetchall()]


def test_an_encrypted_workbook_is_called_encrypted(tmp_path):
    """What Excel writes for a password-protected xlsx: an OLE compound file (magic bytes)
    whose directory names the EncryptedPackage and EncryptionInfo streams."""
    directory = "".join(name.ljust(32, "\0") for name in ("Root Entry", "EncryptionInfo", "EncryptedPackage"))
    data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504) + directory.encode("utf-16-le") + bytes(2048)
    path = tmp_path / "加密台账.xlsx"
    path.write_bytes(data)
    con = db.connect(tmp_path / "t.duckdb")
    report = import_file(con, path, as_of=AS_OF)
    assert report.refused.startswith("文件已加密（设置了打开密码）")
    assert "改了扩展名" not in report.refused


def test_nul_bytes_in_a_csv_are_dropped_with_a_warning(tmp_path):
    data = (HEADER + "N-1,2026-03-02,来访,王\x00五\r\nN-2,2026-03-03,来信,李四\x00\r\n").encode("utf-8")
    path = tmp_path / "nul.csv"
    path.write_bytes(data)
    con = db.connect(tmp_path / "t.duckdb")
    report = import_file(con, path, as_of=AS_OF)
    assert (report.refused, report.imported, report.warnings) == (None, 2, 1)
    assert db.cursor(con).execute("SELECT petitioner_name FROM cases ORDER BY case_id").fetchall() == [("王五",), ("李四",)]
    assert file_warnings(con) == ["文件中有 2 个空字符（NUL），已删除；文件可能在导出或传输中受损，请核对数据。"]


def test_utf16_without_bom_is_still_refused_as_an_encoding_problem(tmp_path):
    path = tmp_path / "u16.csv"
    path.write_bytes((HEADER + "U-1,2026-03-02,来访,王五\r\n").encode("utf-16-le"))
    report = import_file(db.connect(tmp_path / "t.duckdb"), path, as_of=AS_OF)
    assert "编码" in report.refused


def test_the_size_refusal_names_both_settings_and_they_agree(tmp_path, monkeypatch):
    page_limit = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))["server"]["maxUploadSize"]
    assert page_limit == load_config()["import"]["max_file_mb"]        # #14.3: one limit
    config = tmp_path / "c.toml"
    config.write_text("[import]\nmax_file_mb = 1\n", encoding="utf-8")
    monkeypatch.setenv("XINFANG_CONFIG", str(config))
    path = tmp_path / "big.csv"
    path.write_bytes((HEADER + "B-1,2026-03-02,来访,王五\r\n" * 60_000).encode("utf-8"))
    report = import_file(db.connect(tmp_path / "t.duckdb"), path, as_of=AS_OF)
    assert "超过上限 1 MB" in report.refused
    assert "[import] max_file_mb" in report.refused and "server.maxUploadSize" in report.refused


def test_western_text_that_gbk_accepts_is_flagged(tmp_path):
    """'Müller' and 'Señora' written in Windows-1252: ü+l and ñ+o pair up into rare GBK characters."""
    data = HEADER.encode("gbk") + b"W-1,2026-03-02," + "来访".encode("gbk") + ",Müller Señora\r\n".encode("cp1252")
    path = tmp_path / "w.csv"
    path.write_bytes(data)
    con = db.connect(tmp_path / "t.duckdb")
    report = import_file(con, path, as_of=AS_OF)
    assert report.imported == 1
    assert any("Windows-1252" in m for m in file_warnings(con))


def _outside_gb2312(character: str) -> bool:
    try:
        character.encode("gb2312")
    except UnicodeEncodeError:
        return True
    return False


# Latin letters, GB2312 characters (张, the pinyin é/ü), characters outside it (龥, 𠀋, ñ, and the
# rare ones GBK makes of cp1252 text: 黮 駉), digits, spaces and a lone surrogate.
TRACE_ALPHABET = st.sampled_from(list("Aaz Z1,张三龥𠀋éüñÀ\u3000黮駉") + ["\ud800"])


@given(st.text(alphabet=TRACE_ALPHABET, max_size=12))
def test_looks_western_is_a_character_outside_gb2312_after_a_latin_letter(text):
    """The rule read the plain way, a regex over every Latin letter, agrees with the GB2312 codec's
    error handler that looks_western uses for speed."""
    expected = any(_outside_gb2312(m.group(1)) for m in re.finditer(r"[A-Za-z]([^\x00-\x7f])", text))
    assert looks_western(text) == expected


def test_utf8_mojibake_is_flagged(tmp_path):
    path = tmp_path / "m.csv"
    path.write_bytes((HEADER + "M-1,2026-03-02,来访,JosÃ©\r\n").encode("utf-8"))
    con = db.connect(tmp_path / "t.duckdb")
    import_file(con, path, as_of=AS_OF)
    assert file_warnings(con) == ["文件中有疑似乱码（如“Ã©”，常见于编码转换错误），请核对。"]


def test_plain_gbk_ledgers_raise_no_encoding_warning(tmp_path):
    path = tmp_path / "g.csv"
    path.write_bytes((HEADER + "G-1,2026-03-02,来访,欧阳娜娜\r\nG-2,2026-03-02,来访,王小明\r\n").encode("gbk"))
    con = db.connect(tmp_path / "t.duckdb")
    report = import_file(con, path, as_of=AS_OF)
    assert (report.imported, report.warnings, file_warnings(con)) == (2, 0, [])
