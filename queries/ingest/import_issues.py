"""The 问题清单 of an import: every refused row and every warning, with file, sheet, row number,
column, value and reason; personal values masked; and its CSV, safe to open in Excel."""
from __future__ import annotations

import json

import duckdb
import pandas as pd

from ..config import load_config
from ..db import cursor, sql
from ..escaping import csv_bytes
from ..normalize import header_key
from ..privacy import mask_idno, mask_name, mask_phone
from .case_store import FIELD_LABELS

MASKS = {"petitioner_name": mask_name, "petitioner_idno": mask_idno, "phone": mask_phone}
COLUMNS = ["类别", "文件", "工作表", "行号", "列", "原因", "值"]   # the reason before a refused row's long cells


def _masked_raw(raw: str, masks_by_header: dict) -> str:
    try:
        values = json.loads(raw)
    except (TypeError, ValueError):
        return ""
    shown = {}
    for name, value in values.items():
        mask = masks_by_header.get(header_key(name))
        shown[name] = mask(str(value)) if mask and value not in (None, "") else value
    return "；".join(f"{name}={value}" for name, value in shown.items())


def import_issues(con: duckdb.DuckDBPyConnection, batch: str) -> pd.DataFrame:
    """One row per refused row (列 = 整行, 值 = its cells) and per warning; masked."""
    frame = cursor(con).execute(sql("import_issues"), {"batch": batch}).df()
    headers = load_config()["import"]["headers"]
    by_header = {header_key(h): mask for field, mask in MASKS.items() for h in headers.get(field, [])}
    values, columns = [], []
    for kind, field, value in zip(frame["kind"], frame["field"], frame["value"]):
        if kind == "拒收":
            columns.append("（整行）")
            values.append(_masked_raw(value, by_header))
        else:
            columns.append("（整个文件）" if field == "file" else FIELD_LABELS.get(field, field))
            mask = MASKS.get(field)
            values.append(mask(value) if mask and isinstance(value, str) else value)
    rows = [None if r is None or pd.isna(r) or r == 0 else int(r) for r in frame["source_row"]]
    return pd.DataFrame({"类别": frame["kind"], "文件": frame["source_file"], "工作表": frame["source_sheet"].fillna(""),
                         "行号": pd.array(rows, dtype="Int64"), "列": columns, "值": values, "原因": frame["message"]},
                        columns=COLUMNS)


def issues_csv(frame: pd.DataFrame) -> bytes:
    """The 问题清单 as a UTF-8 CSV with BOM (Excel opens it as Chinese), every cell escaped."""
    return csv_bytes(frame)
