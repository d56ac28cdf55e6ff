"""Meeting outputs of the current view: the 联席会议 deck, the 通报 (Word and Markdown) and the
three lists (Excel), built when asked for and then offered for download. Always masked (the
unmasked administrator's variant is audited and lives elsewhere)."""
from __future__ import annotations

import logging
import tempfile
from pathlib import Path

import streamlit as st

from pages._data import View, connection
from queries.outputs.meeting_files import write_report
from queries.outputs.report import ReportRequest

_MIME = "application/vnd.openxmlformats-officedocument."
OUTPUTS = (  # key, label, file name stem, format, MIME type
    ("deck", "联席会议幻灯片", "信访工作联席会议", "pptx", _MIME + "presentationml.presentation"),
    ("docx", "通报（Word）", "信访工作通报", "docx", _MIME + "wordprocessingml.document"),
    ("md", "通报（Markdown）", "信访工作通报", "md", "text/markdown"),
    ("xlsx", "三个清单（Excel）", "三个清单", "xlsx", _MIME + "spreadsheetml.sheet"),
)
_BUILT = "_meeting_outputs"   # session state: output key -> (view key, file bytes)
_log = logging.getLogger(__name__)


def file_name(stem: str, fmt: str, view: View) -> str:
    """信访工作联席会议_2026-01-01至2026-11-20.pptx: the period the file describes."""
    period = view.period
    return f"{stem}_{period.start}至{period.end}.{fmt}"


def build(fmt: str, request: ReportRequest, version: tuple) -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"output.{fmt}"
        write_report(connection(version), fmt, path, request)   # masked: the default
        return path.read_bytes()


def meeting_downloads(view: View) -> None:
    """One button per output: 生成 builds it for this view, then 下载 offers it. A file built
    for another view or an older database is not offered."""
    request = ReportRequest(view.scope, view.as_of, view.start, view.end)
    current = (view.version, request)
    built = st.session_state.setdefault(_BUILT, {})
    for column, (key, label, stem, fmt, mime) in zip(st.columns(len(OUTPUTS)), OUTPUTS):
        with column:
            slot = st.empty()
            if built.get(key, (None,))[0] != current:
                if not slot.button(f"生成{label}", key=f"make_{key}", icon=":material/description:",
                                   width="stretch"):
                    continue
                with st.spinner(f"正在生成{label}…"):
                    try:
                        built[key] = (current, build(fmt, request, view.version))
                    except Exception:  # the user gets a sentence, the server log the traceback
                        _log.exception("meeting output %s failed", fmt)
                        st.error(f"{label}生成失败，请稍后重试；如仍失败，请联系信访办管理员。")
                        continue
            slot.download_button(f"下载{label}", built[key][1], file_name=file_name(stem, fmt, view), mime=mime,
                                 key=f"download_{key}", icon=":material/download:", on_click="ignore",
                                 width="stretch")
