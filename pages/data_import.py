"""数据导入: upload ledgers and system exports, see exactly what happened to every row."""
import logging
from datetime import date
from pathlib import Path

import pandas as pd
import streamlit as st

from pages._data import connection, db_path, writing
from pages._frame import start_page
from queries.config import load_config
from queries.demo import database as demo
from queries.escaping import markdown_text as md_escape
from queries.ingest.case_store import FIELD_LABELS
from queries.ingest.import_issues import import_issues, issues_csv
from queries.ingest.import_run import import_prepared
from queries.ingest.importer import prepare_file
from queries.ingest.refusal_log import pending
from queries.metrics import analysis
from queries.metrics.formatting import accounting_text, kind_label

COUNTS = (("rows_read", "读取(行)"), ("imported", "新增(件)"), ("updated", "更新(件)"),
          ("rejected", "拒收(行)"), ("skipped", "跳过(行)"), ("warnings", "警告(条)"))


def import_uploads(files, remove_demo_first: bool = False) -> list[dict]:
    """Check every file first, then import each in its own transaction; a run whose files are
    all refused never rewrites the database (#17.14). Other sessions keep reading the old data
    until the whole batch is in (the demo's removal too)."""
    prepared = [prepare_file(Path(u.name), date.today(), u.name, u.getvalue()) for u in files]
    report = import_prepared(db_path(), prepared, writing,
                             demo.remove_demo if remove_demo_first else None)
    return [{"name": u.name, "report": r, "error": None} for u, r in zip(files, report["files"])]


def failure_text(error: Exception) -> str:
    """One Chinese sentence for a failure outside the importer's own refusals (details: server log)."""
    if isinstance(error, OSError):
        return "无法写入数据库文件（磁盘空间不足，或数据目录没有写权限）。请清理磁盘或检查权限后重试。"
    return "导入时发生意外错误。请稍后重试；如仍失败，请将文件交系统维护人员检查。"


def column_mapping(report: dict) -> pd.DataFrame:
    return pd.DataFrame([{"字段": FIELD_LABELS.get(name, name), "文件中的列名": header}
                         for name, header in report["columns"].items()])


def show_result(result: dict, index: int) -> None:
    name, report = md_escape(result["name"]), result["report"]
    if result["error"]:
        st.error(f"“{name}”导入失败，数据库未作改动。{md_escape(result['error'])}")
        return
    if report["refused"]:
        st.error(f"“{name}”被整体拒收：{md_escape(report['refused'])}")
        return
    st.success(f"“{name}”（按{kind_label(report)}读取）：{accounting_text(report)}")
    for column, (key, label) in zip(st.columns(len(COUNTS)), COUNTS):
        column.metric(label, report[key])
    mapping, notes = st.columns([1, 1])
    with mapping:
        st.markdown("**列的对应**")
        st.dataframe(column_mapping(report), hide_index=True)
    with notes:
        unused = report["columns_unused"]
        st.markdown("**未使用的列**：" + (md_escape("、".join(unused)) if unused else "无"))
        if report.get("columns_kept"):
            st.markdown("**其中另存供研判**（相似来访显示其处理意见）：" + md_escape("、".join(report["columns_kept"])))
        if report["duplicates"]:
            shown = md_escape("、".join(report["duplicates"][:5])) + ("…" if len(report["duplicates"]) > 5 else "")
            st.markdown(f"**文件内重复编号** {len(report['duplicates'])} 个（以后出现的一行为准）：{shown}")
        if report["categories_unmatched"]:
            st.markdown(f"**未能识别的问题分类** {report['categories_unmatched']} 条，已归入“其他”。")
        if report["warnings"]:
            st.markdown(f"**警告** {report['warnings']} 条（数据已导入，个别取值无法识别或不在规定范围）。")
    if report["rejected"] or report["warnings"]:
        issues = import_issues(connection(), report["batch"])
        st.markdown(f"**问题清单**：拒收 {report['rejected']} 行（未写入数据库），警告 {report['warnings']} 条"
                    "（个人信息已脱敏）")
        st.dataframe(issues, hide_index=True)
        st.download_button("下载问题清单（CSV）", issues_csv(issues), file_name=f"问题清单_{Path(result['name']).stem}.csv",
                           mime="text/csv", key=f"dl_issues_{index}", icon=":material/download:")


def history_frame() -> pd.DataFrame:
    history = analysis.import_history(connection())
    waiting = pd.DataFrame(pending(db_path()))   # refused files not yet moved into the database
    if len(waiting):
        waiting = waiting[~waiting["import_batch"].isin(history["import_batch"])]
        waiting = waiting.assign(imported_at=pd.to_datetime(waiting["imported_at"]), rows_read=0, imported=0,
                                 updated=0, rejected=0, skipped=0, warnings=0, columns_unused=None)
        history = pd.concat([waiting, history], ignore_index=True).sort_values("imported_at", ascending=False)
    return pd.DataFrame({
        "导入时间": history["imported_at"].dt.strftime("%Y-%m-%d %H:%M"), "文件": history["file_name"],
        "读取": history["rows_read"], "新增": history["imported"], "更新": history["updated"],
        "拒收": history["rejected"], "跳过": history["skipped"], "警告": history["warnings"],
        "未使用的列": ["、".join(c) if c is not None and len(c) else "" for c in history["columns_unused"]],
        "拒收原因(整个文件)": history["refused"].fillna(""),
    })


view = start_page("import", "数据导入")
st.markdown("导入《信访事项登记台账》或信访信息系统导出文件（.xlsx / .xls / .csv，可多选）。"
            "同一编号的事项以最新导入为准，重复导入不会重复计数；每个文件单独处理，出错的文件不影响数据库。")
generation = st.session_state.setdefault("_upload_generation", 0)
limit_mb = int(load_config()["import"]["max_file_mb"])
# Streamlit draws the drop zone's own texts ("Drag and drop files here", "Browse files", "Limit … per
# file") in English and offers no parameter for them: the label and help say it in Chinese.
files = st.file_uploader("选择台账文件（.xlsx / .xls / .csv，可多选）", type=["xlsx", "xls", "csv"],
                         accept_multiple_files=True, key=f"uploads_{generation}", max_upload_size=limit_mb,
                         help=f"把文件拖到下面的框内，或点框内右侧的按钮选择文件。单个文件不超过 {limit_mb} MB"
                              "（设置项 [import] max_file_mb，与 .streamlit/config.toml 的 server.maxUploadSize 一致）。")
remove_demo_first = False
if demo.has_demo(connection()):
    choice = st.radio("数据库中有演示数据（虚构的东安县案件）。导入本单位的台账前：",
                      ["先删除演示数据（推荐）", "保留演示数据，与导入的数据并存"], key="demo_choice")
    remove_demo_first = choice.startswith("先删除")
if st.button("开始导入", type="primary", disabled=not files):
    with st.spinner("正在导入…"):
        try:
            st.session_state["_import_results"] = import_uploads(files, remove_demo_first)
        except Exception as error:  # e.g. the disk is full: nothing was changed
            logging.getLogger(__name__).exception("import failed")
            st.session_state["_import_results"] = [
                {"name": f.name, "report": None, "error": failure_text(error)} for f in files]
    st.session_state["_upload_generation"] = generation + 1  # an empty uploader for the next batch
    st.rerun()  # the sidebar (as-of date, filter options) must see the new data too

for index, result in enumerate(st.session_state.get("_import_results", [])):
    show_result(result, index)

st.subheader("导入记录")
history = history_frame()
if len(history):
    st.dataframe(history, hide_index=True)
else:
    st.caption("尚无导入记录。")
