"""审计日志 (administrators): every unmasking of personal data and every export carrying it —
who, when, which scope, why."""
import pandas as pd
import streamlit as st

from pages._data import connection
from pages._frame import start_page
from pages._privacy import csv_download
from queries.access import audit_log
from queries.dimensions import scope_text, stored_scope


def scope_label(params: str) -> str:
    """The stored scope as the page header would describe it (the raw text if it is not one)."""
    try:
        return scope_text(stored_scope(params))
    except ValueError:
        return str(params)


view = start_page("audit", "审计日志")
st.caption("查看或导出未脱敏个人信息的每一次操作都记录在此（谁、何时、什么范围、理由），记录不可在界面中修改或删除。")
log = audit_log(connection())
if not len(log):
    st.info("暂无记录。")
    st.stop()
frame = pd.DataFrame({
    "时间": log["recorded_at"].dt.strftime("%Y-%m-%d %H:%M:%S"), "用户": log["username"],
    "操作": log["action"], "范围": [scope_label(p) for p in log["scope"]], "理由": log["reason"],
})
users = st.multiselect("用户", sorted(frame["用户"].unique()), placeholder="全部")
shown = frame[frame["用户"].isin(users)] if users else frame
st.dataframe(shown, hide_index=True)
csv_download(shown, "下载审计日志（CSV）", "审计日志.csv", key="dl_audit", view=view)
