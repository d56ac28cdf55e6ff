"""The byte scan of a UTF-8 export (csv_stream._scan_utf8) against the text scan it stands in for
(csv_stream._scan, which decodes every chunk with Python's strict decoder): on any bytes, cut
into chunks of any size, the byte scan either gives the text scan's answer or hands the file to
it (None), and it hands it over exactly when the file is not UTF-8 or holds a NUL, U+FFFD or a
Latin letter of the byte \xc3 (where mojibake would begin)."""
from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from queries.ingest import csv_stream

PIECES = [
    "信访", "张三", "a", "1,", "\n", "\r\n", "\r", "\n\n", "\"", "Ã©", "Ã", "â€œ", "Â", "é", "\ufffd", "\x00",
    "𠀀", "\u200b",
]
BROKEN = [b"\xed\xa0\x80", b"\xc0\xaf", b"\xf4\x90\x80\x80", b"\xe4\xb8", b"\x80", b"\xff", b"\xc3"]


def _takes_as_is(data: bytes) -> bool:
    """Should the byte scan answer for these bytes itself: UTF-8 by Python's decoder, without a
    NUL, U+FFFD or a character from U+00C0 to U+00FF?"""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return not any(ch in text for ch in "\x00\ufffd") and not any("\u00c0" <= ch <= "\u00ff" for ch in text)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pieces=st.lists(st.one_of(st.sampled_from(PIECES).map(str.encode), st.sampled_from(BROKEN)), max_size=40),
       chunk=st.integers(1, 12))
def test_the_byte_scan_agrees_with_the_text_scan(monkeypatch, pieces, chunk):
    monkeypatch.setattr(csv_stream, "CHUNK_BYTES", chunk)
    data = b"".join(pieces)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "e.csv"
        path.write_bytes(data)
        fast = csv_stream._scan_utf8(path)
        assert (fast is not None) == _takes_as_is(data), data
        if fast is not None:
            text, nuls = csv_stream._scan(path, "utf-8", None)
            assert nuls == 0
            assert fast == text, data


@pytest.mark.parametrize("data", [
    "张".encode() + b"\xe4\xb8",          # the file ends inside a character
    b"\xe4\xb8" + "张".encode(),          # a character without its first byte... or its last
    "中文".encode() + b"\xed\xa0\x80",    # a surrogate, which Python's decoder refuses
])
def test_a_file_that_is_not_utf8_is_handed_to_the_text_scan(tmp_path, monkeypatch, data):
    monkeypatch.setattr(csv_stream, "CHUNK_BYTES", 4)
    path = tmp_path / "e.csv"
    path.write_bytes(data)
    assert csv_stream._scan_utf8(path) is None


def test_a_plain_chinese_export_is_answered_by_the_byte_scan(tmp_path, monkeypatch):
    """Every chunk boundary of a Chinese CRLF text with a blank line: the byte scan answers, as
    the text scan does."""
    data = "信访件编号,登记日期\r\nX1,张三\r\n\r\nX2,“李四”，𠀀\r\n".encode()
    path = tmp_path / "e.csv"
    path.write_bytes(data)
    for chunk in range(1, len(data) + 1):
        monkeypatch.setattr(csv_stream, "CHUNK_BYTES", chunk)
        fast = csv_stream._scan_utf8(path)
        assert fast is not None and fast == csv_stream._scan(path, "utf-8", None)[0], chunk
        assert fast.blank_line_at == data.index(b"\n\r\n")


def test_a_failed_write_of_the_decoded_copy_is_raised(tmp_path):
    """The copy is written in a thread: a full disk must still stop the import, not be lost there."""
    class FullDisk:
        def write(self, data):
            raise OSError(28, "No space left on device")

        def close(self):
            pass

    copy = csv_stream._Copy(tmp_path / "decoded.csv")
    copy.file.close()
    copy.file = FullDisk()
    copy.write(b"first chunk")
    with pytest.raises(OSError, match="No space"):
        copy.write(b"second chunk")
    with pytest.raises(OSError, match="No space"):
        copy.close()
