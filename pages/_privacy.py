"""Personal data on screen: masked unless an administrator unmasks one view with a reason;
every unmasking and every CSV carrying unmasked personal data is written to the audit log first.
"""
from __future__ import annotations

import pandas as pd
import streamlit as st

from pages._data import View, db_path, writing
from pages._state import unmasked_key
from queries import db
from queries.access import record_audit
from queries.escaping import csv_bytes as safe_csv_bytes
from queries.metrics.formatting import COLUMN_LABELS
from queries.privacy import PERSONAL_COLUMNS


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """CSV that Excel opens with Chinese intact (UTF-8 with BOM), Chinese headers; a cell that
    Excel would run as a formula (=HYPERLINK…, +cmd…, @SUM…) is kept as text."""
    return safe_csv_bytes(frame.rename(columns=COLUMN_LABELS))


def csv_download(frame: pd.DataFrame, label: str, file_name: str, key: str, view: View) -> None:
    """A CSV of what the table shows. One carrying unmasked personal data is audited first: a
    准备 button writes the audit record, and only then is the download offered (for this view)."""
    personal = view.unmasked and any(c in frame.columns for c in PERSONAL_COLUMNS)
    if personal:
        label = label.replace("已脱敏", "含个人信息")
        audited = st.session_state.setdefault("_csv_audited", {})
        token = (unmasked_key(view), file_name)
        if audited.get(key) != token:
            st.button(label.replace("下载", "准备", 1), key=f"{key}_audit", icon=":material/policy:",
                      disabled=len(frame) == 0, on_click=_audit_csv, args=(view, key, token, file_name),
                      help="含个人信息的导出先记入审计日志，随后出现下载按钮。")
            return
    st.download_button(label, csv_bytes(frame), file_name=file_name, mime="text/csv", key=key,
                       icon=":material/download:", disabled=len(frame) == 0, on_click="ignore")


def _audit_csv(view: View, key: str, token: tuple, file_name: str) -> None:
    if _audit(view, f"导出含个人信息的CSV：{file_name}"):
        st.session_state["_csv_audited"][key] = token


# --- personal data: masked unless an admin unmasks one view, with a reason ------------------

def _audit(view: View, action: str) -> bool:
    """Write the audit record; False (and the reason, in one sentence, shown in the sidebar) when
    it cannot be written: a read-only data directory, a full disk."""
    try:
        with writing() as con:
            record_audit(con, view.user, action, view.scope, st.session_state.get("_unmask_reason", ""))
    except Exception as error:
        message = db.explain(error, db_path())
        if message is None:
            raise
        st.session_state["_audit_error"] = f"未能记入审计日志，个人信息保持脱敏。{message}"
        return False
    return True


def _unmask(view: View, page_title: str) -> None:
    reason = st.session_state.get("unmask_reason", "").strip()
    if not reason:
        st.session_state["_unmask_error"] = True
        return
    st.session_state["_unmask_reason"] = reason
    if not _audit(view, f"查看个人信息：{page_title}"):
        return   # no audit record, no unmasking
    st.session_state["_unmasked_view"] = unmasked_key(view)
    st.session_state["unmask_reason"] = ""


def _remask() -> None:
    st.session_state.pop("_unmasked_view", None)


def privacy_control(view: View, page_title: str) -> None:
    """Admins only, never in presentation mode: show this view's personal data, with a reason
    (the audit record names the page, `page_title`)."""
    if not view.user.is_admin or view.present:
        st.sidebar.caption("个人信息一律脱敏显示")
        return
    audit_error = st.session_state.pop("_audit_error", None)
    with st.sidebar.expander("查看个人信息", icon=":material/visibility:", expanded=bool(audit_error)):
        if audit_error:
            st.error(audit_error)
        if view.unmasked:
            st.caption("本视图正在显示个人信息，已记入审计日志。")
            st.button("恢复脱敏", on_click=_remask, width="stretch")
            return
        st.caption("个人信息默认脱敏。管理员可为本页当前筛选显示完整信息：须填写理由，记入审计日志；"
                   "切换页面或筛选条件即恢复脱敏。")
        st.text_input("理由（必填）", key="unmask_reason", max_chars=200)
        if st.session_state.pop("_unmask_error", False):
            st.error("请填写查看个人信息的理由。")
        st.button("显示本视图的个人信息", on_click=_unmask, args=(view, page_title), width="stretch")
