"""数据导入: upload ledgers and system exports, see exactly what happened to every row."""
from datetime import date
from pathlib import Path

import pandas as pd
import streamlit as st

from pages import _common as ui
from queries import analysis
from queries.config import load_config
from queries.importer import FIELD_LABELS, import_file

COUNTS = (("rows_read", "读取(行)"), ("imported", "新增(件)"), ("updated", "更新(件)"),
          ("rejected", "拒收(行)"), ("skipped", "跳过(行)"), ("warnings", "警告(条)"))


def import_uploads(files) -> list[dict]:
    """Import each file in its own transaction; one failure never stops the others. Other
    sessions keep reading the old data until the whole batch is in."""
    results = []
    with ui.writing() as con:
        for upload in files:
            try:
                report = import_file(con, Path(upload.name), as_of=date.today(),
                                     display_name=upload.name, data=upload.getvalue())
                results.append({"name": upload.name, "report": report.to_dict(), "error": None})
            except Exception as error:  # shown in Chinese below, never as a traceback
                results.append({"name": upload.name, "report": None, "error": f"{type(error).__name__}：{error}"})
    return results


def rejected_frame(batch: str) -> pd.DataFrame:
    rows = analysis.rejected_rows(ui.connection(), batch)
    return pd.DataFrame({
        "工作表": rows["source_sheet"].fillna(""), "行号": rows["source_row"], "拒收原因": rows["reason"],
        "原始内容（个人信息已脱敏）": [ui.masked_raw_values(v) for v in rows["raw_values"]],
    })


def column_mapping(report: dict) -> pd.DataFrame:
    return pd.DataFrame([{"字段": FIELD_LABELS.get(name, name), "文件中的列名": header}
                         for name, header in report["columns"].items()])


def show_result(result: dict, index: int) -> None:
    name, report = ui.md_escape(result["name"]), result["report"]
    if result["error"]:
        st.error(f"“{name}”导入失败，数据库未作改动。原因：{ui.md_escape(result['error'])}")
        return
    if report["refused"]:
        st.error(f"“{name}”被整体拒收：{ui.md_escape(report['refused'])}")
        return
    kind = {"receptions": "领导接访登记台账", "roster": "坐班接访值班表"}.get(report.get("kind"), "信访事项台账")
    st.success(f"“{name}”（按{kind}读取）：读取 {report['rows_read']} 行 = 新增 {report['imported']} + 更新 {report['updated']}"
               f" + 拒收 {report['rejected']} + 跳过 {report['skipped']}（合计/空行）")
    for column, (key, label) in zip(st.columns(len(COUNTS)), COUNTS):
        column.metric(label, report[key])
    mapping, notes = st.columns([1, 1])
    with mapping:
        st.markdown("**列的对应**")
        st.dataframe(column_mapping(report), hide_index=True)
    with notes:
        unused = report["columns_unused"]
        st.markdown("**未使用的列**：" + (ui.md_escape("、".join(unused)) if unused else "无"))
        if report["duplicates"]:
            shown = ui.md_escape("、".join(report["duplicates"][:5])) + ("…" if len(report["duplicates"]) > 5 else "")
            st.markdown(f"**文件内重复编号** {len(report['duplicates'])} 个（以后出现的一行为准）：{shown}")
        if report["categories_unmatched"]:
            st.markdown(f"**未能识别的问题分类** {report['categories_unmatched']} 条，已归入“其他”。")
        if report["warnings"]:
            st.markdown(f"**警告** {report['warnings']} 条（数据已导入，个别取值无法识别或不在规定范围）。")
    if report["rejected"]:
        rejected = rejected_frame(report["batch"])
        st.markdown(f"**拒收的行**（{len(rejected)} 行，未写入数据库）")
        st.dataframe(rejected, hide_index=True)
        st.download_button("下载拒收清单（CSV）", rejected.to_csv(index=False).encode("utf-8-sig"),
                           file_name=f"拒收清单_{Path(name).stem}.csv", mime="text/csv",
                           key=f"dl_rejected_{index}", icon=":material/download:")


def history_frame() -> pd.DataFrame:
    history = analysis.import_history(ui.connection())
    return pd.DataFrame({
        "导入时间": history["imported_at"].dt.strftime("%Y-%m-%d %H:%M"), "文件": history["file_name"],
        "读取": history["rows_read"], "新增": history["imported"], "更新": history["updated"],
        "拒收": history["rejected"], "跳过": history["skipped"], "警告": history["warnings"],
        "未使用的列": ["、".join(c) if c is not None and len(c) else "" for c in history["columns_unused"]],
        "拒收原因(整个文件)": history["refused"].fillna(""),
    })


view = ui.start_page("import", "数据导入")
st.markdown("导入《信访事项登记台账》或信访信息系统导出文件（.xlsx / .xls / .csv，可多选）。"
            "同一编号的事项以最新导入为准，重复导入不会重复计数；每个文件单独处理，出错的文件不影响数据库。")
generation = st.session_state.setdefault("_upload_generation", 0)
files = st.file_uploader("选择文件", type=["xlsx", "xls", "csv"], accept_multiple_files=True,
                         key=f"uploads_{generation}",
                         max_upload_size=int(load_config()["import"]["max_file_mb"]))
if st.button("开始导入", type="primary", disabled=not files):
    with st.spinner("正在导入…"):
        try:
            st.session_state["_import_results"] = import_uploads(files)
        except Exception as error:  # e.g. the disk is full: nothing was changed
            st.session_state["_import_results"] = [
                {"name": f.name, "report": None, "error": f"{type(error).__name__}：{error}"} for f in files]
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
