"""The 坐班接访安排表 for the 公告: an A4 table as xlsx and docx (ACCOUNTABILITY.md §3)."""
from __future__ import annotations

from pathlib import Path

import xlsxwriter
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt

from ..config import load_config

HEADERS = ("日期", "星期", "坐班领导", "备注")
A4_PAPER = 9   # xlsxwriter's paper code for A4


def roster_title(township: str | None) -> str:
    issuer = load_config().get("report", {}).get("unit", "")
    who = f"{township}领导" if township else "县级领导"
    return f"{issuer}{who}坐班接访安排表"


def roster_rows(days: list[dict]) -> list[list[str]]:
    return [[d["date"].isoformat(), d["weekday"], d["leader"] + (f"（替班：{d['substitute']}）" if d["substitute"] else ""),
             d["window"] or ""] for d in days]


def _xlsx(rows: list[list[str]], title: str, path: Path) -> None:
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet("坐班安排")
    sheet.set_paper(A4_PAPER)
    sheet.set_portrait()
    sheet.fit_to_pages(1, 0)          # one page wide, as many pages long as needed
    sheet.repeat_rows(1)              # the header on every printed page
    sheet.set_margins(left=0.6, right=0.6, top=0.8, bottom=0.8)
    heading = workbook.add_format({"bold": True, "font_size": 16, "align": "center"})
    head = workbook.add_format({"bold": True, "border": 1, "align": "center", "bg_color": "#D9E1F2"})
    cell = workbook.add_format({"border": 1, "align": "center"})
    sheet.merge_range(0, 0, 0, len(HEADERS) - 1, title, heading)
    sheet.write_row(1, 0, HEADERS, head)
    for r, row in enumerate(rows, start=2):
        sheet.write_row(r, 0, row, cell)
    for column, width in enumerate((14, 8, 26, 22)):
        sheet.set_column(column, column, width)
    workbook.close()


def _docx(rows: list[list[str]], title: str, path: Path) -> None:
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2.0)
    paragraph = document.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = paragraph.add_run(title)
    run.bold, run.font.size = True, Pt(16)
    table = document.add_table(rows=1, cols=len(HEADERS))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, HEADERS):
        cell.text = text
        cell.paragraphs[0].runs[0].bold = True
    for row in rows:
        for cell, text in zip(table.add_row().cells, row):
            cell.text = text
    document.save(str(path))


def write_roster(days: list[dict], path: Path, township: str | None = None) -> None:
    path = Path(path)
    writer = _docx if path.suffix.lower() == ".docx" else _xlsx
    writer(roster_rows(days), roster_title(township), path)
