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

from ..config import load_config
from ..dimensions import scope_text
from ..escaping import document_text, markdown_text
from ..metrics import analysis
from ..metrics.case_lists import BY_ID as CASE_LIST_BY_ID
from ..metrics.deductions import BY_RULE, itemised
from ..metrics.formatting import COLUMN_LABELS, fmt_change, fmt_date_cn, fmt_met, fmt_target, fmt_value
from ..metrics.kpi import kpi, rank
from ..metrics.registry import BY_ID, GROUPS, PUBLIC
from ..metrics.scorecard import Figure, Scorecard
from ..periods import Period, Scope
from . import accountability as accountability_outputs
from .topics_text import bulletin_paragraph

# Every value printed into the Markdown 通报 is escaped (names come from import files: no links,
# no raw HTML); write_docx turns the escapes back into the plain text.
_TEMPLATES = jinja2.Environment(
    loader=jinja2.PackageLoader("queries", "templates"), autoescape=False,
    trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined, finalize=markdown_text)


@dataclass(frozen=True)
class ReportRequest:
    scope: Scope = Scope()
    as_of: date | None = None
    start: date | None = None
    end: date | None = None


@dataclass(frozen=True)
class Snapshot:
    """What every output of one request states, computed once: the scorecard (`kpi`), the
    ranking (`rank`), the period they describe and when they were computed."""
    request: ReportRequest
    scorecard: Scorecard
    ranking: list[dict]
    generated_at: datetime

    @property
    def period(self) -> Period:
        return self.scorecard.period

    @property
    def period_text(self) -> str:
        return f"{self.period.start:%Y年%-m月%-d日}至{self.period.end:%Y年%-m月%-d日}"

    def trace_items(self) -> list[tuple[str, str]]:
        """Scope, period, as-of date and generation time: what makes a printed number traceable."""
        period = self.period
        return [("统计范围", scope_text(self.request.scope)), ("统计期间", f"{period.start} 至 {period.end}"),
                ("口径截至", str(period.as_of)), ("生成时间", f"{self.generated_at:%Y-%m-%d %H:%M}")]

    def trace_line(self, sep: str = "；") -> str:
        return sep.join(f"{label}：{value}" for label, value in self.trace_items())


def snapshot(con: duckdb.DuckDBPyConnection, request: ReportRequest) -> Snapshot:
    args = (request.scope, request.as_of, request.start, request.end)
    return Snapshot(request, kpi(con, *args), rank(con, *args), datetime.now())


def unit_name() -> str:
    return load_config().get("report", {}).get("unit", "本地区")


def masthead(shot: Snapshot) -> dict:
    """What heads and closes a 通报 ([report] in the configuration): 期号 (default: the month of the
    as-of date, 2026年第11期), 发文单位 (default: the unit), the Chinese date of issue and the
    报送/抄送 lines (omitted when not configured)."""
    settings = load_config().get("report", {})
    as_of = shot.period.as_of
    number = settings.get("issue") or as_of.month
    issuer = settings.get("issuer") or unit_name()
    return {"issue": f"{as_of.year}年第{number}期", "issuer": issuer,
            "date_cn": fmt_date_cn(shot.generated_at.date()),
            "report_to": "，".join(settings.get("report_to") or []),
            "copy_to": "，".join(settings.get("copy_to") or [])}


def deduction_reasons(row: dict) -> str:
    """The main deductions of a ranked village, largest first: 进京来访1批扣2分…"""
    return itemised(row, limit=3)


def grade_counts(ranking: list[dict]) -> dict[str, int]:
    """Villages per 红黄绿 grade, 绿 first."""
    return {grade: sum(1 for r in ranking if r["grade"] == grade) for grade in ("绿", "黄", "红")}


def village_line(row: dict) -> dict:
    """A ranked village as the 通报 and the deck print it."""
    return {"rank": row["rank"], "township": row["township"] or "", "village": row["village"] or "",
            "place": f"{row['township'] or ''}{row['village'] or ''}", "score": f"{row['score']:g}",
            "grade": row["grade"], "cases": fmt_value(BY_ID["cases"], row["cases"]), "reasons": deduction_reasons(row)}


def verdict(figure: Figure) -> str:
    """达标 / 未达标（差…） / 仅列示 / —"""
    metric = figure.metric
    if not metric.rule:
        return "仅列示"
    text = fmt_met(figure.met)
    if figure.met is False and metric.rule != "fall":
        gap = abs(figure.value - metric.target)
        text += f"（差距：{fmt_value(metric, gap)}）" if metric.fmt == "count" else f"（差{gap * 100:.1f}个百分点）"
    return text


def issues(scorecard: Scorecard) -> list[dict]:
    """The metrics a meeting must act on, in registry order: off target, or an adverse 告警
    against 同比 (one line per metric when both)."""
    alerted = {row.metric for row in analysis.alerts(scorecard).itertuples()
               if row.level == "告警" and row.adverse}
    found = []
    for metric in PUBLIC:
        figure = scorecard.figures[metric.id]
        parts = []
        if figure.met is False:
            parts.append(f"{metric.name}{fmt_value(metric, figure.value)}，目标{fmt_target(metric)}，未达标")
        if metric.id in alerted:
            change = fmt_change(metric, figure.value, figure.yoy)
            parts.append(f"{change}，告警" if parts else f"{metric.name}{fmt_value(metric, figure.value)}，{change}，告警")
        if parts:
            found.append({"metric": metric, "text": "；".join(parts)})
    return found


def bulletin_context(con: duckdb.DuckDBPyConnection, request: ReportRequest) -> dict:
    """Everything the 通报 says, as numbers and short texts from the metric registry."""
    shot = snapshot(con, request)
    figures, ranking = shot.scorecard.figures, shot.ranking

    def item(metric_id: str) -> dict:
        metric, figure = BY_ID[metric_id], figures[metric_id]
        return {"metric": metric, "value": fmt_value(metric, figure.value),
                "change": fmt_change(metric, figure.value, figure.yoy),
                "target": fmt_target(metric), "verdict": verdict(figure), "met": figure.met}

    channels = analysis.breakdown(con, request.scope, shot.period, "channel", ["cases"])
    found = accountability_outputs.figures(con, request.scope, shot.period)
    return {
        **masthead(shot),
        "accountability": accountability_outputs.bulletin_sections(found),
        "unit": unit_name(), "trace": shot.trace_line(), "period_text": shot.period_text,
        "groups": [{"name": group, "rows": [item(m.id) for m in PUBLIC if m.group == group]} for group in GROUPS],
        "problems": [issue["text"] for issue in issues(shot.scorecard)],
        "topics": bulletin_paragraph(con, request.scope, request.as_of, request.start, request.end),
        "grades": grade_counts(ranking),
        "lowest": [village_line(r) for r in ranking[-3:][::-1]],
        "ranking_count": len(ranking),
        "channels": [{"name": r.channel if isinstance(r.channel, str) else "未注明", "cases": r.cases}
                     for r in channels.itertuples()],
        "v": lambda metric_id, which="value": fmt_value(BY_ID[metric_id], getattr(figures[metric_id], which)),
        "f": lambda metric_id: figures[metric_id],
        "change": lambda metric_id: fmt_change(BY_ID[metric_id], figures[metric_id].value,
                                               figures[metric_id].yoy),
    }


def bulletin_markdown(con: duckdb.DuckDBPyConnection, request: ReportRequest) -> str:
    return _TEMPLATES.get_template("bulletin.md.j2").render(**bulletin_context(con, request))


# --- XLSX: the lists a meeting hands out ---------------------------------------------------

_SHEETS = (  # sheet name -> what fills it
    *((CASE_LIST_BY_ID[name].title, name) for name in ("problem", "resolved", "stability")),
    ("村居排名", "ranking"), ("超期件", "overdue"), ("包案台账", "leaders"),
)
_PERCENT_COLUMNS = {"repeat_ratio", "satisfaction_rate", *accountability_outputs.PERCENT_COLUMNS}
_HIDDEN_COLUMNS = {"petitioner_key", "category_raw"}


def _sheet_frames(con: duckdb.DuckDBPyConnection, shot: Snapshot, masked: bool):
    scope = shot.request.scope
    for sheet, source in _SHEETS:
        if source == "ranking":
            frame = pd.DataFrame([{k: v for k, v in r.items() if k not in ("deductions", "events")}
                                  | {f"扣分:{BY_RULE[rule].label}": points for rule, points in r["deductions"].items()}
                                  for r in shot.ranking])
        elif source == "leaders":
            frame = analysis.leader_table(con, scope, shot.period)
        else:
            frame = analysis.case_list(con, scope, shot.period, source, masked=masked)
        yield sheet, frame.drop(columns=[c for c in frame.columns if c in _HIDDEN_COLUMNS])
    yield from accountability_outputs.sheets(accountability_outputs.figures(con, scope, shot.period))


def write_xlsx(con: duckdb.DuckDBPyConnection, request: ReportRequest, path: Path, masked: bool = True) -> None:
    """One workbook: a cover sheet stating scope/period/as-of/masking, then the six lists."""
    import xlsxwriter
    shot = snapshot(con, request)
    workbook = xlsxwriter.Workbook(path, {"strings_to_formulas": False, "strings_to_urls": False,
                                          "strings_to_numbers": False})
    header = workbook.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True})
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
    percent = workbook.add_format({"num_format": "0.0%"})
    cover = workbook.add_worksheet("说明")
    lines = [
        f"{unit_name()}信访工作清单",
        *(f"{label}：{value}" for label, value in shot.trace_items()),
        "个人信息：已隐去（脱敏）" if masked else "个人信息：未脱敏——本文件含信访人姓名、证件号码、联系电话，仅限授权人员使用，不得外传",
    ]
    for row, text in enumerate(lines):
        cover.write_string(row, 0, document_text(text))
    cover.set_column(0, 0, 90)
    for sheet, frame in _sheet_frames(con, shot, masked):
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
        worksheet.write_string(row, col, document_text(value))  # never a formula, whatever it starts with
    elif isinstance(value, (bool, np.bool_)):
        worksheet.write_string(row, col, "是" if value else "否")
    elif isinstance(value, (pd.Timestamp, datetime, date)):
        worksheet.write_datetime(row, col, pd.Timestamp(value).to_pydatetime(), date_format)
    else:
        worksheet.write_number(row, col, float(value), number_format)
