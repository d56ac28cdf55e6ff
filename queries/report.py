"""Meeting outputs: the 通报 (Markdown, DOCX), the Excel lists and the 联席会议 deck.

Every output is built from the same functions as the screen and the CLI (`kpi`, `rank`,
`analysis`), states its scope, period, as-of date and generation time, and masks personal data
unless an unmasked Excel file is asked for explicitly.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import duckdb
import jinja2
import numpy as np
import pandas as pd

from . import analysis
from .config import load_config
from .formatting import COLUMN_LABELS, fmt_change, fmt_met, fmt_target, fmt_value
from .kpi import kpi, rank
from .metrics import BY_ID, GROUPS, PUBLIC
from .periods import Period, Scope

DEDUCTIONS = {  # ranking rule -> (label, unit)
    "visit_jing": ("进京来访", "批"), "visit_sheng": ("赴省来访", "批"), "visit_shi": ("到市来访", "批"),
    "repeat": ("重复信访", "件"), "collective_county_up": ("县级以上集体访", "批"), "overdue": ("超期未办结", "件"),
}
_TEMPLATES = jinja2.Environment(
    loader=jinja2.PackageLoader("queries", "templates"), autoescape=False,
    trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined)


@dataclass(frozen=True)
class ReportRequest:
    scope: Scope = Scope()
    as_of: date | None = None
    start: date | None = None
    end: date | None = None


def scope_text(scope: Scope) -> str:
    parts = [("乡镇", scope.townships), ("村(社区)", scope.villages), ("问题分类", scope.categories),
             ("信访形式", scope.channels)]
    chosen = [f"{label}：{'、'.join(values)}" for label, values in parts if values]
    return "；".join(chosen) or "全部"


def unit_name() -> str:
    return load_config().get("report", {}).get("unit", "本地区")


def deduction_reasons(row: dict) -> str:
    """The main deductions of a ranked village, largest first: 进京来访1批扣2分…"""
    items = sorted(((points, rule) for rule, points in row["deductions"].items() if points), reverse=True)
    if not items:
        return "无扣分事项"
    return "；".join(f"{DEDUCTIONS[rule][0]}{row['events'][rule]}{DEDUCTIONS[rule][1]}扣{points:g}分"
                    for points, rule in items[:3])


def bulletin_context(con: duckdb.DuckDBPyConnection, request: ReportRequest) -> dict:
    """Everything the 通报 says, as numbers and short texts from the metric registry."""
    scorecard = kpi(con, request.scope, request.as_of, request.start, request.end)
    ranking = rank(con, request.scope, request.as_of, request.start, request.end)
    figures = scorecard["metrics"]
    period = Period("current", date.fromisoformat(scorecard["from"]), date.fromisoformat(scorecard["to"]),
                    date.fromisoformat(scorecard["as_of"]))

    def item(metric_id: str) -> dict:
        metric, figure = BY_ID[metric_id], figures[metric_id]
        verdict = fmt_met(figure["met"]) if metric.rule else "仅列示"
        if figure["met"] is False and metric.rule != "fall":
            verdict += f"（差距：{fmt_value(metric, abs(figure['value'] - metric.target))}）" \
                if metric.fmt == "count" else \
                f"（差{abs(figure['value'] - metric.target) * 100:.1f}个百分点）"
        return {"metric": metric, "value": fmt_value(metric, figure["value"]),
                "change": fmt_change(metric, figure["value"], figure["yoy"]),
                "target": fmt_target(metric), "verdict": verdict, "met": figure["met"]}

    groups = [{"name": group, "rows": [item(m.id) for m in PUBLIC if m.group == group]} for group in GROUPS]
    alerts = analysis.alerts(scorecard)
    problems = [f"{i['metric'].name}{i['value']}，目标{i['target']}，未达标。"
                for g in groups for i in g["rows"] if i["met"] is False]
    problems += [f"{row.name}{row.level}：{fmt_change(BY_ID[row.metric], row.value, row.yoy)}。"
                 for row in alerts.itertuples() if row.level == "告警" and row.adverse]
    channels = analysis.breakdown(con, request.scope, period, "channel", ["cases"])
    grades = {grade: sum(1 for r in ranking if r["grade"] == grade) for grade in ("绿", "黄", "红")}
    lowest = [{"place": f"{r['township'] or ''}{r['village'] or ''}", "score": f"{r['score']:g}",
               "grade": r["grade"], "reasons": deduction_reasons(r)} for r in ranking[-3:][::-1]]
    return {
        "unit": unit_name(), "scope_text": scope_text(request.scope),
        "period": {"from": scorecard["from"], "to": scorecard["to"], "as_of": scorecard["as_of"]},
        "period_text": f"{period.start:%Y年%-m月%-d日}至{period.end:%Y年%-m月%-d日}",
        "generated_at": f"{datetime.now():%Y-%m-%d %H:%M}",
        "groups": groups, "problems": problems, "grades": grades, "lowest": lowest,
        "ranking_count": len(ranking),
        "channels": [{"name": r.channel if isinstance(r.channel, str) else "未注明", "cases": r.cases}
                     for r in channels.itertuples()],
        "v": lambda metric_id, which="value": fmt_value(BY_ID[metric_id], figures[metric_id][which]),
        "f": lambda metric_id: figures[metric_id],
        "change": lambda metric_id: fmt_change(BY_ID[metric_id], figures[metric_id]["value"],
                                               figures[metric_id]["yoy"]),
    }


def bulletin_markdown(con: duckdb.DuckDBPyConnection, request: ReportRequest) -> str:
    return _TEMPLATES.get_template("bulletin.md.j2").render(**bulletin_context(con, request))


# --- DOCX: the same text as the Markdown, set in the fonts of an official document ------------

def _run_font(run, east_asian: str, size: float | None = None, bold: bool | None = None) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt
    run.font.name = east_asian
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), east_asian)
    if size:
        run.font.size = Pt(size)
    if bold is not None:
        run.bold = bold


def _add_inline(paragraph, text: str, font: str, size: float) -> None:
    """Paragraph text with **bold** spans."""
    for index, part in enumerate(text.split("**")):
        if part:
            _run_font(paragraph.add_run(part), font, size, bold=index % 2 == 1)


def write_docx(markdown: str, path: Path) -> None:
    """Render the 通报's Markdown (headings, quotes, lists, bold) as a Word document."""
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    document = docx.Document()
    for line in markdown.splitlines():
        text = line.strip()
        if not text:
            continue
        if text.startswith("# "):
            paragraph = document.add_paragraph()
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            _run_font(paragraph.add_run(text[2:]), "方正小标宋简体", 22, bold=True)
        elif text.startswith(("## ", "### ")):
            level = text.index(" ")
            paragraph = document.add_paragraph()
            _run_font(paragraph.add_run(text[level + 1:]), "黑体" if level == 2 else "楷体", 16, bold=level == 2)
        elif text.startswith("> "):
            paragraph = document.add_paragraph()
            _add_inline(paragraph, text[2:], "楷体", 12)
        else:
            paragraph = document.add_paragraph()
            paragraph.paragraph_format.first_line_indent = docx.shared.Pt(32)
            _add_inline(paragraph, text[2:] if text.startswith("- ") else text, "仿宋", 16)
    document.save(path)


# --- XLSX: the lists a meeting hands out ---------------------------------------------------

_SHEETS = (  # sheet name -> what fills it
    ("问题清单", "problem"), ("化解清单", "resolved"), ("稳控清单", "stability"),
    ("村居排名", "ranking"), ("超期件", "overdue"), ("包案台账", "leaders"),
)
_PERCENT_COLUMNS = {"repeat_ratio", "satisfaction_rate"}
_HIDDEN_COLUMNS = {"petitioner_key", "category_raw"}


def _sheet_frames(con: duckdb.DuckDBPyConnection, request: ReportRequest, masked: bool):
    scorecard = kpi(con, request.scope, request.as_of, request.start, request.end)
    period = Period("current", date.fromisoformat(scorecard["from"]), date.fromisoformat(scorecard["to"]),
                    date.fromisoformat(scorecard["as_of"]))
    for sheet, source in _SHEETS:
        if source == "ranking":
            rows = rank(con, request.scope, request.as_of, request.start, request.end)
            frame = pd.DataFrame([{k: v for k, v in r.items() if k not in ("deductions", "events")}
                                  | {f"扣分:{DEDUCTIONS[rule][0]}": points for rule, points in r["deductions"].items()}
                                  for r in rows])
        elif source == "leaders":
            frame = analysis.leader_table(con, request.scope, period)
        else:
            frame = analysis.case_list(con, request.scope, period, source, masked=masked)
        yield sheet, frame.drop(columns=[c for c in frame.columns if c in _HIDDEN_COLUMNS])


def write_xlsx(con: duckdb.DuckDBPyConnection, request: ReportRequest, path: Path, masked: bool = True) -> None:
    """One workbook: a cover sheet stating scope/period/as-of/masking, then the six lists."""
    import xlsxwriter
    workbook = xlsxwriter.Workbook(path, {"strings_to_formulas": False, "strings_to_urls": False,
                                          "strings_to_numbers": False})
    header = workbook.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True})
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
    percent = workbook.add_format({"num_format": "0.0%"})
    cover = workbook.add_worksheet("说明")
    scorecard = kpi(con, request.scope, request.as_of, request.start, request.end)
    lines = [
        f"{unit_name()}信访工作清单",
        f"统计范围：{scope_text(request.scope)}",
        f"统计期间：{scorecard['from']} 至 {scorecard['to']}",
        f"口径截至：{scorecard['as_of']}",
        f"生成时间：{datetime.now():%Y-%m-%d %H:%M}",
        "个人信息：已隐去（脱敏）" if masked else "个人信息：未脱敏——本文件含信访人姓名、证件号码、联系电话，仅限授权人员使用，不得外传",
    ]
    for row, text in enumerate(lines):
        cover.write_string(row, 0, text)
    cover.set_column(0, 0, 90)
    for sheet, frame in _sheet_frames(con, request, masked):
        worksheet = workbook.add_worksheet(sheet)
        columns = list(frame.columns)
        for col, name in enumerate(columns):
            worksheet.write_string(0, col, COLUMN_LABELS.get(name, name), header)
            width = 12
            if name in ("summary", "category_raw"):
                width = 36
            elif name in ("petitioner_idno", "case_id", "township", "village", "case_leader", "responsible_unit"):
                width = 18
            worksheet.set_column(col, col, width, percent if name in _PERCENT_COLUMNS else None)
        for row, record in enumerate(frame.itertuples(index=False), start=1):
            for col, value in enumerate(record):
                _write_cell(worksheet, row, col, value, date_format, percent if columns[col] in _PERCENT_COLUMNS else None)
        worksheet.freeze_panes(1, 0)
        if len(frame):
            worksheet.autofilter(0, 0, len(frame), max(len(columns) - 1, 0))
    workbook.close()


def _write_cell(worksheet, row: int, col: int, value, date_format, number_format) -> None:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        worksheet.write_blank(row, col, None)
    elif isinstance(value, str):
        worksheet.write_string(row, col, value)  # never a formula, whatever it starts with
    elif isinstance(value, (bool, np.bool_)):
        worksheet.write_string(row, col, "是" if value else "否")
    elif isinstance(value, (pd.Timestamp, datetime, date)):
        worksheet.write_datetime(row, col, pd.Timestamp(value).to_pydatetime(), date_format)
    else:
        worksheet.write_number(row, col, float(value), number_format)


def write_report(con: duckdb.DuckDBPyConnection, fmt: str, path: Path, request: ReportRequest,
                 masked: bool = True) -> None:
    """The CLI's one entry: md, docx or xlsx for the request (the PPTX deck is still to come)."""
    path = Path(path)
    if fmt == "xlsx":
        write_xlsx(con, request, path, masked)
    elif fmt in ("md", "docx"):
        markdown = bulletin_markdown(con, request)
        if fmt == "md":
            path.write_text(markdown, encoding="utf-8")
        else:
            write_docx(markdown, path)
    else:
        raise ValueError(f"unknown format {fmt!r}")
