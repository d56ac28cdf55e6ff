"""The 通报 as a Word document: the Markdown of `report.bulletin_markdown`, laid out on A4 as an
official document.

GB/T 9704 (党政机关公文格式) in spirit: A4, 天头 37 mm, 订口 28 mm, 版心 156 × 225 mm; body in 仿宋
三号 (16 pt) on a fixed 28 pt line (22 lines a page); title in 小标宋 二号 (22 pt); headings in 黑体 /
楷体 三号; the masthead's 期号, 发文单位 and date over a red rule; 报送/抄送 in the 版记 at the end in
四号 (14 pt) between rules; page numbers "— 1 —" at the foot.
"""
from __future__ import annotations

from pathlib import Path

import docx
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from ..escaping import document_text, markdown_plain

A4_MM = (210, 297)
MARGINS_MM = {"top": 37, "bottom": 35, "left": 28, "right": 26}
BODY_PT, TITLE_PT, RECORD_PT, LINE_PT = 16, 22, 14, 28
RED = "C00000"
RULE = "---"   # in the Markdown: masthead above the first rule, 版记 below the last


def _run(paragraph, markdown: str):
    """A run holding the plain text of escaped Markdown, without characters Word cannot hold."""
    return paragraph.add_run(document_text(markdown_plain(markdown)))


def _run_font(run, east_asian: str, size: float | None = None, bold: bool | None = None,
              color: str | None = None) -> None:
    run.font.name = east_asian
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), east_asian)
    if size:
        run.font.size = Pt(size)
    if bold is not None:
        run.bold = bold
    if color:
        run.font.color.rgb = RGBColor.from_string(color)


def _add_inline(paragraph, text: str, font: str, size: float) -> None:
    """Paragraph text with **bold** spans."""
    for index, part in enumerate(text.split("**")):
        if part:
            _run_font(_run(paragraph, part), font, size, bold=index % 2 == 1)


def _border(paragraph, side: str, color: str = "000000", eighths: int = 8) -> None:
    """A rule above or below a paragraph (the masthead's red line, the 版记's lines)."""
    ppr = paragraph._p.get_or_add_pPr()
    borders = ppr.find(qn("w:pBdr"))
    if borders is None:
        borders = OxmlElement("w:pBdr")
        ppr.append(borders)
    line = OxmlElement(f"w:{side}")
    for key, value in (("val", "single"), ("sz", str(eighths)), ("space", "1"), ("color", color)):
        line.set(qn(f"w:{key}"), value)
    borders.append(line)


def _page_setup(document) -> None:
    section = document.sections[0]
    section.page_width, section.page_height = Mm(A4_MM[0]), Mm(A4_MM[1])
    for side, mm in MARGINS_MM.items():
        setattr(section, f"{side}_margin", Mm(mm))
    section.footer_distance = Mm(20)
    normal = document.styles["Normal"]
    normal.font.name, normal.font.size = "仿宋", Pt(BODY_PT)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "仿宋")
    normal.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    normal.paragraph_format.line_spacing = Pt(LINE_PT)
    normal.paragraph_format.space_after = Pt(0)
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run_font(footer.add_run("— "), "宋体", 14)
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    footer._p.append(field)
    _run_font(footer.add_run(" —"), "宋体", 14)


def _split(markdown: str) -> tuple[list[str], list[str], list[str]]:
    """Masthead, body and 版记 lines (the rules split them; without rules all is body)."""
    lines = [line.strip() for line in markdown.splitlines() if line.strip()]
    rules = [i for i, line in enumerate(lines) if line == RULE]
    if len(rules) < 2:
        return [], [line for line in lines if line != RULE], []
    return lines[:rules[0]], lines[rules[0] + 1:rules[-1]], lines[rules[-1] + 1:]


def _masthead(document, lines: list[str]) -> None:
    for index, text in enumerate(lines):
        paragraph = document.add_paragraph()
        if text.startswith("# "):
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            paragraph.paragraph_format.line_spacing = Pt(TITLE_PT * 1.6)
            _run_font(_run(paragraph, text[2:]), "方正小标宋简体", TITLE_PT, color=RED)
        elif "　　" in text:   # 发文单位　　日期: one line, the date at the right margin, over the red rule
            width = Mm(A4_MM[0] - MARGINS_MM["left"] - MARGINS_MM["right"])
            paragraph.paragraph_format.tab_stops.add_tab_stop(width, WD_TAB_ALIGNMENT.RIGHT)
            issuer, _, day = text.partition("　　")
            _run_font(_run(paragraph, f"{issuer}\t{day.strip()}"), "仿宋", BODY_PT)
            _border(paragraph, "bottom", RED, 16)
            paragraph.paragraph_format.space_after = Pt(BODY_PT)
        else:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            _run_font(_run(paragraph, text), "仿宋", BODY_PT)


def _record(document, lines: list[str]) -> None:
    """The 版记: 报送/抄送 and the issuing line, in 四号 between rules."""
    spacer = document.add_paragraph()
    spacer.paragraph_format.space_before = Pt(LINE_PT)
    for index, text in enumerate(lines):
        paragraph = document.add_paragraph()
        paragraph.paragraph_format.left_indent = Pt(RECORD_PT)
        _run_font(_run(paragraph, text), "仿宋", RECORD_PT)
        if index == 0:
            _border(paragraph, "top", eighths=8)
        _border(paragraph, "bottom", eighths=8 if index == len(lines) - 1 else 4)


def write_docx(markdown: str, path: Path) -> None:
    """Render the 通报's Markdown (masthead, headings, quotes, lists, bold, 版记) as a Word document
    on A4 in the fonts and margins of an official document."""
    document = docx.Document()
    _page_setup(document)
    head, body, tail = _split(markdown)
    _masthead(document, head)
    for index, text in enumerate(body):
        paragraph = document.add_paragraph()
        if index == 0 and text.startswith("（") and text.endswith("）"):   # the period, under the masthead
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            _run_font(_run(paragraph, text), "楷体", BODY_PT)
        elif text.startswith("# "):
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            _run_font(_run(paragraph, text[2:]), "方正小标宋简体", TITLE_PT)
        elif text.startswith(("## ", "### ")):
            level = text.index(" ")
            _run_font(_run(paragraph, text[level + 1:]), "黑体" if level == 2 else "楷体", BODY_PT)
        elif text.startswith("> "):
            _add_inline(paragraph, text[2:], "楷体", 12)
            paragraph.paragraph_format.line_spacing = Pt(20)
        else:
            paragraph.paragraph_format.first_line_indent = Pt(BODY_PT * 2)
            _add_inline(paragraph, text[2:] if text.startswith("- ") else text, "仿宋", BODY_PT)
    if tail:
        _record(document, tail)
    document.save(path)
