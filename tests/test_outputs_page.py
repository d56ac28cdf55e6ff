"""The meeting downloads of a page (pages/_outputs.py), driven headless with AppTest: a tiny
script builds a view and calls `meeting_downloads`; 生成 builds the file for that view, then a
下载 button offers it; a failure is one Chinese sentence, never a traceback."""
from __future__ import annotations

import io
from pathlib import Path

import docx
import pptx
from streamlit.testing.v1 import AppTest


ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 120
SCRIPT = """
import sys
sys.path.insert(0, {root!r})
from datetime import date
from pages._data import View, data_version
from pages import _outputs
from queries.periods import Scope
import streamlit as st
from streamlit.delta_generator import DeltaGenerator
offer = DeltaGenerator.download_button
def recording(self, label, data, file_name=None, **kwargs):  # the file name is not in the proto
    st.session_state.setdefault("file_names", dict())[label] = file_name
    return offer(self, label, data, file_name=file_name, **kwargs)
view = View("year", date(2026, 11, 20), date(2026, 1, 1), date(2026, 11, 20), Scope(townships=("青石镇",)),
               False, None, None, data_version())
DeltaGenerator.download_button = recording
try:
    _outputs.meeting_downloads(view)
finally:
    DeltaGenerator.download_button = offer
"""


def app(monkeypatch, demo_db: Path, fail: bool = False) -> AppTest:
    monkeypatch.setenv("XINFANG_DB", str(demo_db))
    if fail:  # the app imports the same module object; monkeypatch restores it after the test
        from pages import _outputs

        def broken(*args, **kwargs):
            raise OSError("disk full")
        monkeypatch.setattr(_outputs, "write_report", broken)
    at = AppTest.from_string(SCRIPT.format(root=str(ROOT)), default_timeout=TIMEOUT)
    return at.run()


def built(at: AppTest, key: str) -> bytes:
    return at.session_state["_meeting_outputs"][key][1]


def test_generate_then_download_each_output(monkeypatch, demo_db):
    at = app(monkeypatch, demo_db)
    assert not at.exception
    assert [b.label for b in at.button] == ["生成联席会议幻灯片", "生成通报（Word）", "生成通报（Markdown）", "生成三个清单（Excel）"]
    for key in ("deck", "docx", "md", "xlsx"):
        at.button(key=f"make_{key}").click().run()
        assert not at.exception and not at.error, [e.value for e in at.error]
    downloads = at.get("download_button")
    assert len(downloads) == 4 and not at.button   # every 生成 became its 下载
    names = [d.proto.label for d in downloads]
    assert names == ["下载联席会议幻灯片", "下载通报（Word）", "下载通报（Markdown）", "下载三个清单（Excel）"]
    deck = pptx.Presentation(io.BytesIO(built(at, "deck")))
    assert "乡镇(街道)：青石镇" in " ".join(s.text_frame.text for s in deck.slides[0].shapes if s.has_text_frame)
    assert any("乡镇(街道)：青石镇" in p.text for p in docx.Document(io.BytesIO(built(at, "docx"))).paragraphs)
    assert built(at, "md").decode("utf-8").startswith("# ")
    assert built(at, "xlsx")[:2] == b"PK"


def test_file_names_carry_the_period(monkeypatch, demo_db):
    at = app(monkeypatch, demo_db)
    for key in ("deck", "xlsx"):
        at.button(key=f"make_{key}").click().run()
    assert at.session_state["file_names"] == {
        "下载联席会议幻灯片": "信访工作联席会议_2026-01-01至2026-11-20.pptx",
        "下载三个清单（Excel）": "三个清单_2026-01-01至2026-11-20.xlsx"}


def test_a_failure_is_a_chinese_message(monkeypatch, demo_db):
    at = app(monkeypatch, demo_db, fail=True)
    at.button(key="make_docx").click().run()
    assert not at.exception
    (error,) = at.error
    assert "生成失败" in error.value and "Traceback" not in error.value and "disk full" not in error.value
    assert len(at.button) == 4   # still offered again
