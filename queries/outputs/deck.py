"""The 联席会议 deck: a 16:9 PowerPoint file of the scorecard, the charts of the pages and the
lists a meeting discusses.

Every number is a `kpi`/`rank`/`analysis` figure printed by `queries.metrics.formatting`, in native
tables (text that can be read back, restyled and projected sharp). There is no personal data
in the deck at all: counts, places and the names of 包案 leaders only. Each slide's footer states
scope, period, as-of date and generation time.
"""
from __future__ import annotations

import io
import math
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd
import plotly.graph_objects as go
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.shapes import MSO_SHAPE
from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.oxml.ns import qn
from pptx.util import Inches, Pt

from ..config import load_config
from ..escaping import document_text
from ..metrics import analysis
from ..metrics.formatting import COLUMN_LABELS, fmt_change, fmt_met, fmt_target, fmt_value
from ..metrics.registry import BY_ID, GROUPS, PUBLIC
from ..metrics.scorecard import Figure
from . import accountability as accountability_outputs, chart_images, charts, summaries, village_map
from .report import ReportRequest, Snapshot, grade_counts, issues, snapshot, unit_name, village_line
from .topics_text import emerging_sentence, request_topics, slide_table

# PowerPoint has no font fallback list; the GB2312 charset on the east-asian font lets
# PowerPoint and LibreOffice substitute an installed Chinese font where YaHei is missing.
FONT = "Microsoft YaHei"
GB2312 = "-122"
CENTER = PP_ALIGN.CENTER
INK, GREY, ACCENT, LIGHT, BAND = (RGBColor.from_string(c) for c in ("222222", "666666", "1F4E79", "DDEBF7", "F5F7FA"))
GOOD, BAD = RGBColor.from_string("2E7D32"), RGBColor.from_string("C62828")
GRADE_FILL = {grade: RGBColor.from_string(color.lstrip("#")) for grade, color in charts.GRADE_COLORS.items()}

HEIGHT = Inches(7.5)
WIDTH = HEIGHT * 16 // 9   # 16:9, exactly PowerPoint's widescreen
LEFT, RIGHT = Inches(0.5), Inches(12.833)
BODY_TOP, BODY_BOTTOM, FOOTER_TOP = Inches(1.2), Inches(6.85), Inches(7.02)
TILES_HEIGHT = Inches(1.25)   # the row of key figures: 0.36 + 0.53 + 0.36 in
GAP = Inches(0.23)
BELOW_TILES = BODY_TOP + TILES_HEIGHT + GAP
PX_PER_INCH = 96    # chart pixels per slide inch: the deck's 18 px type reads as 13.5 pt
SCALE = 2           # rendered at twice that, sharp on a projector
TREND_MONTHS = 12   # month labels of a half-slide chart stay legible
LEADER_ROWS = 10    # 包案 leaders listed one by one; the rest share a row
NEXT_STEP_ROWS = 8  # 下步工作 items per slide, at most
ROW = 0.33          # inches: a table row of 12 pt text

TITLES = {"scorecard": ("目标完成情况（一）：三降、四升", "目标完成情况（二）：三个100%、五不"),
          "trends": "信访趋势", "ranking": "村居排名", "repeat": "重复信访", "skip": "越级与集体访",
          "handling": "超期与包案", "next": "下步工作", "topics": "热点与新问题"}


# --- text, tables and pictures -------------------------------------------------------------

def _font(run, size: float, bold: bool = False, color: RGBColor = INK) -> None:
    run.font.size, run.font.bold = Pt(size), bold
    run.font.color.rgb = color
    run.font.name = FONT                       # a:latin
    east_asian = run._r.get_or_add_rPr().makeelement(qn("a:ea"), {"typeface": FONT, "charset": GB2312})
    run._r.rPr.latin.addnext(east_asian)       # the schema's order: latin, ea


def _write(frame, lines: str | list[str], size: float, bold: bool = False, color: RGBColor = INK,
           align=PP_ALIGN.LEFT) -> None:
    """Replace a text frame's text with these lines, set in the deck's font."""
    frame.word_wrap = True
    frame.text = ""
    for index, line in enumerate([lines] if isinstance(lines, str) else lines):
        paragraph = frame.paragraphs[0] if index == 0 else frame.add_paragraph()
        paragraph.alignment = align
        run = paragraph.add_run()
        run.text = document_text(line)   # names may hold characters XML cannot
        _font(run, size, bold, color)


def _textbox(slide, left, top, width, height, lines, size: float, **style):
    box = slide.shapes.add_textbox(left, top, width, height)
    box.text_frame.margin_left = box.text_frame.margin_right = 0
    _write(box.text_frame, lines, size, **style)
    return box


@dataclass
class Cell:
    text: str
    bold: bool = False
    color: RGBColor = INK
    fill: RGBColor | None = None
    align: PP_ALIGN | None = None   # default: the first column left, the others centred
    size: float | None = None       # default: the table's


def _table(slide, rows: list[list[str | Cell]], top, widths: list[float], size: float, row_height: float):
    """A native table at the left margin, the first row its header; widths and heights in inches."""
    shape = slide.shapes.add_table(len(rows), len(widths), LEFT, top,
                                   Inches(sum(widths)), Inches(row_height * len(rows)))
    table = shape.table
    table.first_row = table.horz_banding = False
    for index, width in enumerate(widths):
        table.columns[index].width = Inches(width)
    for r, row in enumerate(rows):
        table.rows[r].height = Inches(row_height)
        for c, value in enumerate(row):
            cell = table.cell(r, c)
            value = value if isinstance(value, Cell) else Cell(str(value))
            is_header = r == 0
            fill = value.fill or (LIGHT if is_header else BAND if r % 2 == 0 else RGBColor(255, 255, 255))
            cell.fill.solid()
            cell.fill.fore_color.rgb = fill
            cell.vertical_anchor = MSO_ANCHOR.MIDDLE
            cell.margin_left = cell.margin_right = Inches(0.08)
            cell.margin_top = cell.margin_bottom = Inches(0.03)
            _write(cell.text_frame, value.text, value.size or size, value.bold or is_header, value.color,
                   value.align or (PP_ALIGN.LEFT if c == 0 else CENTER))
    return table


def _met_cell(metric, figure: Figure) -> Cell:
    if not metric.rule:
        return Cell("仅列示", color=GREY)
    colors = {True: GOOD, False: BAD}
    met = figure.met
    return Cell(fmt_met(met), bold=met is not None, color=RGBColor(255, 255, 255) if met is not None else GREY,
                fill=colors.get(met))


def _tiles(slide, shot: Snapshot, metric_ids: list[str]) -> None:
    """Key figures of a slide: name, value (green met / red not met), 同比."""
    figures = shot.scorecard.figures
    width = (RIGHT - LEFT) / Inches(1) / len(metric_ids)
    values = []
    for metric_id in metric_ids:
        metric, figure = BY_ID[metric_id], figures[metric_id]
        color = {True: GOOD, False: BAD}.get(figure.met, ACCENT)
        values.append(Cell(fmt_value(metric, figure.value), bold=True, color=color, align=CENTER, size=24))
    rows = [[Cell(BY_ID[i].name, align=CENTER) for i in metric_ids], values,
            [Cell(fmt_change(BY_ID[i], figures[i].value, figures[i].yoy), color=GREY, align=CENTER)
             for i in metric_ids]]
    table = _table(slide, rows, BODY_TOP, [width] * len(metric_ids), 11, row_height=0.36)
    table.rows[1].height = Inches(0.53)


def _picture(slide, png: bytes | None, left, top, width, height, empty: str) -> None:
    if png is None:
        _textbox(slide, left, top + height // 2 - Inches(0.3), width, Inches(0.6), empty, 16, color=GREY,
                 align=CENTER)
    else:
        slide.shapes.add_picture(io.BytesIO(png), left, top, width, height)


# --- the charts: the pages' figures, rendered in one browser -------------------------------

# Every chart slide: a row of key figures, then two charts side by side below it.
CHART_WIDTH, CHART_HEIGHT = (RIGHT - LEFT - GAP) // 2, BODY_BOTTOM - BELOW_TILES


def _charts(con: duckdb.DuckDBPyConnection, shot: Snapshot) -> dict[str, go.Figure | None]:
    """The deck's figures by name; None where there is nothing to draw."""
    scope, period = shot.request.scope, shot.period
    trend = analysis.trend(con, scope, period.as_of, ["cases", "resolved_or_stable_rate", "repeat_ratio"],
                           TREND_MONTHS)
    by_category = analysis.breakdown(con, scope, period, "category", ["repeat_ratio", "cases"])
    sizes = summaries.collective_sizes(analysis.case_list(con, scope, period, "period_cases"))
    skip_levels = load_config()["metrics"]["skip_levels"]
    skip = analysis.skip_level_by_month(con, scope, period.as_of, TREND_MONTHS)
    cases, stable, ratio = BY_ID["cases"], BY_ID["resolved_or_stable_rate"], BY_ID["repeat_ratio"]
    return {
        "cases": charts.trend_figure(trend, cases, size="deck", title="信访总量（按月，各月截至月末）"),
        "stable": charts.trend_figure(trend, stable, stable.target, size="deck", title="化解稳定率（按月）"),
        "repeat": charts.trend_figure(trend, ratio, ratio.target, size="deck", title="重复信访占比（按月）"),
        "repeat_category": charts.bar_figure(by_category, "category", ratio, ratio.target, size="deck", top=10,
                                             title="重复信访占比（按问题分类，前10）"),
        "skip": charts.stacked_figure(skip, "month", "level", "skip_level_persons",
                                      skip_levels, charts.LEVEL_COLORS, size="deck", unit="人次",
                                      title="越级上访人次（按登记层级，按月）"),
        "collective": charts.collective_figure(sizes, size="deck", title="集体访（按人数与层级，批）")
        if len(sizes) else None,
        "map": village_map.ranking_map(shot.ranking),   # None without a village map (outputs/village_map.py)
    }


def render(figures: dict[str, go.Figure | None]) -> dict[str, bytes | None]:
    """PNG of every figure, at the size of a chart's box on the slide."""
    opts = {"format": "png", "width": round(CHART_WIDTH / Inches(1) * PX_PER_INCH),
            "height": round(CHART_HEIGHT / Inches(1) * PX_PER_INCH), "scale": SCALE}
    return chart_images.pngs({name: charts.for_export(f) if f is not None else None
                              for name, f in figures.items()}, opts)


# --- the slides ----------------------------------------------------------------------------

def _slide(deck, title: str):
    slide = deck.slides.add_slide(deck.slide_layouts[5])   # 仅标题: the title is the slide's title
    heading = slide.shapes.title
    heading.left, heading.top, heading.width, heading.height = LEFT, Inches(0.3), RIGHT - LEFT, Inches(0.7)
    heading.text_frame.vertical_anchor = MSO_ANCHOR.MIDDLE
    _write(heading.text_frame, title, 28, bold=True, color=ACCENT)
    rule = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, LEFT, Inches(1.02), RIGHT - LEFT, Pt(2))
    rule.fill.solid()
    rule.fill.fore_color.rgb = ACCENT
    rule.line.fill.background()
    return slide


def _cover(deck, shot: Snapshot) -> None:
    slide = deck.slides.add_slide(deck.slide_layouts[5])
    heading = slide.shapes.title
    heading.left, heading.top, heading.width, heading.height = LEFT, Inches(1.9), RIGHT - LEFT, Inches(1.1)
    _write(heading.text_frame, f"{unit_name()}信访工作联席会议", 40, bold=True, color=ACCENT, align=CENTER)
    _textbox(slide, LEFT, Inches(3.1), RIGHT - LEFT, Inches(0.6), f"汇报材料（{shot.period_text}）", 24,
             align=CENTER)
    _textbox(slide, LEFT, Inches(4.2), RIGHT - LEFT, Inches(1.6),
             [f"{label}：{value}" for label, value in shot.trace_items()], 16, color=GREY, align=CENTER)
    _textbox(slide, LEFT, Inches(6.0), RIGHT - LEFT, Inches(0.4),
             "本材料由信访看板按统一口径自动生成，数字与看板、命令行输出一致；不含个人信息。", 12, color=GREY,
             align=CENTER)


def _scorecard(deck, shot: Snapshot, title: str, groups: tuple[str, ...]) -> None:
    slide = _slide(deck, title)
    figures = shot.scorecard.figures
    rows: list[list] = [["指标", "本期", "上年同期", "同比", "目标", "达标情况"]]
    group_rows = []
    for group in groups:
        group_rows.append(len(rows))
        rows.append([Cell(group, bold=True, color=ACCENT)] + [""] * 5)
        for metric in (m for m in PUBLIC if m.group == group):
            figure = figures[metric.id]
            rows.append([metric.name, Cell(fmt_value(metric, figure.value), bold=True),
                         fmt_value(metric, figure.yoy), fmt_change(metric, figure.value, figure.yoy, label=""),
                         fmt_target(metric), _met_cell(metric, figure)])
    table = _table(slide, rows, BODY_TOP + Inches(0.1), [3.7, 1.6, 1.6, 2.93, 1.4, 1.1], 14, row_height=0.4)
    for r in group_rows:
        table.cell(r, 0).merge(table.cell(r, 5))


def _chart_slide(deck, shot: Snapshot, images: dict, title: str, metric_ids: list[str], pair: tuple[str, str],
                 empty: str = "（无数据）") -> None:
    slide = _slide(deck, title)
    _tiles(slide, shot, metric_ids)
    for left, name in zip((LEFT, LEFT + CHART_WIDTH + GAP), pair):
        _picture(slide, images[name], left, BELOW_TILES, CHART_WIDTH, CHART_HEIGHT, empty)


def _ranking(deck, shot: Snapshot) -> None:
    slide = _slide(deck, TITLES["ranking"])
    rows = [village_line(r) for r in shot.ranking]
    grades = grade_counts(shot.ranking)
    _textbox(slide, LEFT, BODY_TOP, RIGHT - LEFT, Inches(0.4),
             f"参与排名的村(社区){len(rows)}个：绿色{grades['绿']}个、黄色{grades['黄']}个、红色{grades['红']}个。"
             "得分 = 100 − 各项扣分。", 16)
    parts = [("排名前五", rows[:5]), ("排名后五", rows[-5:])] if len(rows) > 10 else [("全部村(社区)", rows)]
    top = BODY_TOP + Inches(0.55)
    for label, part in parts:
        _textbox(slide, LEFT, top, RIGHT - LEFT, Inches(0.35), label, 14, bold=True, color=ACCENT)
        table_rows = [["名次", "乡镇(街道)", "村(社区)", "得分", "等级", "信访总量", "主要扣分"]]
        table_rows += [[str(r["rank"]), r["township"], r["village"], Cell(r["score"], bold=True),
                        Cell(r["grade"], bold=True, color=RGBColor(255, 255, 255), fill=GRADE_FILL[r["grade"]]),
                        r["cases"], Cell(r["reasons"], align=PP_ALIGN.LEFT, size=10.5)]  # three fit one line
                       for r in part]
        _table(slide, table_rows, top + Inches(0.38), [0.7, 1.4, 1.5, 0.8, 0.7, 1.0, 6.23], 12, ROW)
        top += Inches(0.38 + ROW * len(table_rows) + 0.2)


def _topics(deck, con, shot: Snapshot) -> None:
    """热点与新问题: the 通报's sentence and the terms (queries/outputs/topics_text.py), new ones in red."""
    request = shot.request
    result = request_topics(con, request.scope, request.as_of, request.start, request.end)
    slide = _slide(deck, TITLES["topics"])
    _textbox(slide, LEFT, BODY_TOP, RIGHT - LEFT, Inches(0.9), emerging_sentence(result), 16)
    rows = [row if r == 0 or not row[-1] else [Cell(text, bold=True, color=BAD) for text in row]
            for r, row in enumerate(slide_table(result))]
    _table(slide, rows, BODY_TOP + Inches(1.0), [3.0, 1.6, 1.6, 1.8, 1.8, 2.53], 13, ROW)


def _map_slide(deck, images: dict) -> None:
    """The ranking grades on the village map, when a map of these villages is configured."""
    if images.get("map") is None:
        return
    slide = _slide(deck, "村(社区)排名等级分布图")
    _picture(slide, images["map"], LEFT + (RIGHT - LEFT - CHART_WIDTH) // 2, BODY_TOP, CHART_WIDTH,
             CHART_HEIGHT, "")


def leader_rows(table: pd.DataFrame) -> pd.DataFrame:
    """The 包案 table as the deck lists it: most overdue first, the tail folded into one row,
    then the total."""
    columns = ["cases", "open_cases", "closed_cases", "resolved_or_stable_cases", "overdue_open", "five_has_gaps"]
    table = table.sort_values(["overdue_open", "cases"], ascending=False, kind="stable")
    if len(table) > LEADER_ROWS:
        rest = table.iloc[LEADER_ROWS - 1:]
        folded = pd.DataFrame([{"case_leader": f"其余{len(rest)}名", **rest[columns].sum()}])
        table = pd.concat([table.iloc[:LEADER_ROWS - 1], folded], ignore_index=True)
    total = pd.DataFrame([{"case_leader": "合计", **table[columns].sum()}])
    return pd.concat([table[["case_leader", *columns]], total], ignore_index=True)


def _handling(deck, con, shot: Snapshot) -> None:
    slide = _slide(deck, TITLES["handling"])
    _tiles(slide, shot, ["overdue_open", "on_time_acceptance_rate", "on_time_closure_rate"])
    leaders = leader_rows(analysis.leader_table(con, shot.request.scope, shot.period))
    columns = list(leaders.columns)
    rows = [["包案领导" if c == "case_leader" else COLUMN_LABELS[c] for c in columns]]
    count = BY_ID["cases"]   # every column counts cases: printed as counts are
    for record in leaders.itertuples(index=False):
        overdue = record.overdue_open > 0
        rows.append([Cell(record.case_leader, bold=record.case_leader == "合计")] +
                    [Cell(fmt_value(count, v), bold=record.case_leader == "合计" or (c == "overdue_open" and overdue),
                          color=BAD if c == "overdue_open" and overdue else INK)
                     for c, v in zip(columns[1:], record[1:])])
    _textbox(slide, LEFT, BELOW_TILES, RIGHT - LEFT, Inches(0.35),
             "包案领导（本期登记事项；超期未办结含积案；五有缺项为仍未办结、五有不全的事项）", 12, color=GREY)
    row_height = min(0.32, (BODY_BOTTOM - BELOW_TILES - Inches(0.4)) / Inches(1) / len(rows))
    _table(slide, rows, BELOW_TILES + Inches(0.4), [2.43, 1.65, 1.65, 1.65, 1.65, 1.65, 1.65], 12, row_height)


def _next_steps(deck, shot: Snapshot) -> None:
    found = issues(shot.scorecard)
    per_page = math.ceil(len(found) / math.ceil(len(found) / NEXT_STEP_ROWS)) if found else 1  # balanced
    pages = [found[i:i + per_page] for i in range(0, len(found), per_page)] or [[]]
    for number, page in enumerate(pages, start=1):
        title = TITLES["next"] if len(pages) == 1 else f"{TITLES['next']}（{number}/{len(pages)}）"
        slide = _slide(deck, title)
        if not page:
            _textbox(slide, LEFT, BODY_TOP, RIGHT - LEFT, Inches(0.6), "本期各项目标均已达标，未发现告警指标。", 20)
            continue
        _textbox(slide, LEFT, BODY_TOP, RIGHT - LEFT, Inches(0.4),
                 "未达标及告警指标逐项讨论：明确责任单位、完成时限和工作措施（会上填写）。", 14, color=GREY)
        rows = [["序号", "事项", "责任单位", "完成时限", "工作措施"]]
        start = (number - 1) * per_page
        rows += [[str(start + i), Cell(issue["text"], bold=True, align=PP_ALIGN.LEFT), "", "", ""]
                 for i, issue in enumerate(page, start=1)]
        _table(slide, rows, BODY_TOP + Inches(0.5), [0.7, 5.8, 2.0, 1.5, 2.33], 13, row_height=0.55)


def _footers(deck, shot: Snapshot) -> None:
    """Scope, period, as-of date and generation time on every slide, and the page number."""
    total = len(deck.slides)
    for number, slide in enumerate(deck.slides, start=1):
        _textbox(slide, LEFT, FOOTER_TOP, Inches(10.8), Inches(0.3), shot.trace_line(" · ") + " · 不含个人信息",
                 9, color=GREY)
        _textbox(slide, RIGHT - Inches(1.2), FOOTER_TOP, Inches(1.2), Inches(0.3), f"{number} / {total}", 9,
                 color=GREY, align=PP_ALIGN.RIGHT)


def build_deck(con: duckdb.DuckDBPyConnection, request: ReportRequest) -> Presentation:
    shot = snapshot(con, request)
    images = render(_charts(con, shot))
    deck = Presentation()
    deck.slide_width, deck.slide_height = WIDTH, HEIGHT
    _cover(deck, shot)
    for title, groups in zip(TITLES["scorecard"], (GROUPS[:2], GROUPS[2:])):
        _scorecard(deck, shot, title, groups)
    _chart_slide(deck, shot, images, TITLES["trends"],
                 ["cases", "person_visits", "resolved_or_stable_rate", "satisfaction_rate"], ("cases", "stable"))
    _ranking(deck, shot)
    _map_slide(deck, images)
    _topics(deck, con, shot)
    _chart_slide(deck, shot, images, TITLES["repeat"], ["repeat_ratio", "cases", "rebound_petitioners"],
                 ("repeat", "repeat_category"))
    _chart_slide(deck, shot, images, TITLES["skip"],
                 ["skip_level_persons", "skip_level_petitioners", "beijing_province_visits", "large_collective_city",
                  "large_collective_province", "repeat_collective_province"], ("skip", "collective"),
                 empty="本期没有集体访。")
    _handling(deck, con, shot)
    for table in accountability_outputs.slide_tables(accountability_outputs.figures(con, shot.request.scope, shot.period)):
        slide = _slide(deck, table["title"])          # 责任单位, 县级领导接访, 交办件 (ACCOUNTABILITY.md)
        _textbox(slide, LEFT, BODY_TOP, RIGHT - LEFT, Inches(0.4), table["caption"], 14, color=GREY)
        _table(slide, table["rows"], BODY_TOP + Inches(0.5), table["widths"], 12, row_height=0.36)
    _next_steps(deck, shot)
    _footers(deck, shot)
    return deck


def write_deck(con: duckdb.DuckDBPyConnection, request: ReportRequest, path: Path) -> None:
    build_deck(con, request).save(path)
