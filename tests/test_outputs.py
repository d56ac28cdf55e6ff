"""Meeting outputs: the 联席会议 deck (pptx), the 通报 (docx, md) and the lists (xlsx).

Each file is opened with its own reader and every number in it is parsed back and compared with
what `kpi`/`rank`/`analysis` compute for the same options, printed by `queries.metrics.formatting`; on
the demo county and with a township filter. Default exports hold no personal data at all.
"""
from __future__ import annotations

import io
import re
import shutil
import subprocess
import zipfile
from datetime import date
from pathlib import Path

import docx
import pptx
import pytest
from PIL import Image
from python_calamine import CalamineWorkbook

from queries.metrics import analysis
from queries.access import audit_log
from queries.db import cursor, open_reader
from queries.escaping import markdown_plain
from queries.metrics.formatting import COLUMN_LABELS, fmt_change, fmt_date_cn, fmt_met, fmt_target, fmt_value
from queries.metrics.kpi import kpi, rank
from queries.metrics.registry import BY_ID, PUBLIC
from queries.periods import Period, Scope
from queries.outputs.meeting_files import write_report
from queries.dimensions import scope_text
from queries.outputs.report import ReportRequest, unit_name
from queries.metrics.scorecard import Scorecard
from test_cli import cli

SCOPES = {"all": Scope(), "township": Scope(townships=("青石镇",))}
TITLES = [f"{unit_name()}信访工作联席会议", "目标完成情况（一）：三降、四升", "目标完成情况（二）：三个100%、五不",
          "信访趋势", "村居排名", "村(社区)排名等级分布图", "热点与新问题", "重复信访", "越级与集体访",
          "超期与包案", "责任单位办理情况", "县级领导接访情况", "交办件办理进度"]   # the last three: ACCOUNTABILITY.md
NAMES = {m.name: m for m in PUBLIC}


@pytest.fixture(scope="module")
def con(demo_db):
    reader = open_reader(demo_db)
    yield reader
    reader.close()


@pytest.fixture(scope="module")
def output(con, tmp_path_factory):
    """(scope name, format) -> the file write_report made (each built once per module)."""
    folder, made = tmp_path_factory.mktemp("files"), {}

    def get(scope: str, fmt: str) -> Path:
        if (scope, fmt) not in made:
            path = folder / f"{scope}.{fmt}"
            write_report(con, fmt, path, ReportRequest(SCOPES[scope]))
            made[scope, fmt] = path
        return made[scope, fmt]
    return get


@pytest.fixture(scope="module")
def expected(con):
    """What the data layer says for a scope: the scorecard and the ranking."""
    return {name: (kpi(con, scope), rank(con, scope)) for name, scope in SCOPES.items()}


def deck(path: Path) -> pptx.Presentation:
    return pptx.Presentation(str(path))


def tables(slide) -> list[list[list[str]]]:
    return [[[cell.text for cell in row.cells] for row in shape.table.rows]
            for shape in slide.shapes if shape.has_table]


def texts(slide) -> list[str]:
    return [shape.text_frame.text for shape in slide.shapes if shape.has_text_frame]


def slide_titled(presentation, title: str):
    return next(s for s in presentation.slides if s.shapes.title.text_frame.text == title)


def period_of(scorecard: Scorecard) -> Period:
    return scorecard.period


# --- the deck ------------------------------------------------------------------------------

@pytest.mark.parametrize("scope", SCOPES)
def test_deck_has_the_slides_in_order_16_9(output, scope):
    presentation = deck(output(scope, "pptx"))
    titles = [s.shapes.title.text_frame.text for s in presentation.slides]
    assert titles[:len(TITLES)] == TITLES
    assert titles[len(TITLES):] and all(t.startswith("下步工作") for t in titles[len(TITLES):])
    assert presentation.slide_width * 9 == presentation.slide_height * 16


@pytest.mark.parametrize("scope", SCOPES)
def test_deck_scorecard_equals_kpi(output, expected, scope):
    presentation = deck(output(scope, "pptx"))
    rows = [row for title in TITLES[1:3] for table in tables(slide_titled(presentation, title)) for row in table
            if row[0] in NAMES]
    figures = expected[scope][0].figures
    assert [row[0] for row in rows] == [m.name for m in PUBLIC]   # every metric once, registry order
    for row in rows:
        metric = NAMES[row[0]]
        figure = figures[metric.id]
        assert row[1:] == [fmt_value(metric, figure.value), fmt_value(metric, figure.yoy),
                           fmt_change(metric, figure.value, figure.yoy, label=""), fmt_target(metric),
                           fmt_met(figure.met) if metric.rule else "仅列示"], row


@pytest.mark.parametrize("scope", SCOPES)
def test_deck_key_figures_equal_kpi(output, expected, scope):
    figures = expected[scope][0].figures
    checked = 0
    for slide in deck(output(scope, "pptx")).slides:
        for table in tables(slide):
            if len(table) == 3 and all(name in NAMES for name in table[0]):   # a row of key figures
                for name, value, change in zip(*table):
                    metric, figure = NAMES[name], figures[NAMES[name].id]
                    assert (value, change) == (fmt_value(metric, figure.value),
                                               fmt_change(metric, figure.value, figure.yoy))
                    checked += 1
    assert checked >= 15


@pytest.mark.parametrize("scope", SCOPES)
def test_deck_ranking_equals_rank(output, expected, scope):
    slide = slide_titled(deck(output(scope, "pptx")), "村居排名")
    ranking = expected[scope][1]
    shown = [row[:6] for table in tables(slide) for row in table[1:]]
    listed = ranking[:5] + ranking[-5:] if len(ranking) > 10 else ranking
    assert shown == [[str(r["rank"]), r["township"] or "", r["village"] or "", f"{r['score']:g}", r["grade"],
                      fmt_value(BY_ID["cases"], r["cases"])] for r in listed]
    grades = {g: sum(r["grade"] == g for r in ranking) for g in "绿黄红"}
    summary = f"参与排名的村(社区){len(ranking)}个：绿色{grades['绿']}个、黄色{grades['黄']}个、红色{grades['红']}个"
    assert any(summary in text for text in texts(slide))
    if scope == "township":
        assert {row[1] for row in shown} == {"青石镇"}


@pytest.mark.parametrize("scope", SCOPES)
def test_deck_leader_table_adds_up_to_kpi(con, output, expected, scope):
    """Per leader as analysis.leader_table says; the total row equals the scorecard's counts."""
    slide = slide_titled(deck(output(scope, "pptx")), "超期与包案")
    (table,) = [t for t in tables(slide) if t[0][0] == "包案领导"]
    header, *rows = table
    scorecard = expected[scope][0]
    by_leader = analysis.leader_table(con, SCOPES[scope], period_of(scorecard)).set_index("case_leader")
    count = BY_ID["cases"]
    for row in rows:
        figures = dict(zip(header[1:], row[1:]))
        if row[0] == "合计":
            assert figures[COLUMN_LABELS["cases"]] == fmt_value(count, scorecard.figures["cases"].value)
            assert figures[COLUMN_LABELS["overdue_open"]] == fmt_value(
                BY_ID["overdue_open"], scorecard.figures["overdue_open"].value)
        elif row[0] in by_leader.index:
            for column in ("cases", "open_cases", "closed_cases", "overdue_open", "five_has_gaps"):
                assert figures[COLUMN_LABELS[column]] == fmt_value(count, by_leader.at[row[0], column]), (row, column)
        else:
            assert re.fullmatch(r"其余\d+名", row[0])
    assert rows[-1][0] == "合计"
    assert all(not any(personal in h for h in header) for personal in ("信访人", "证件", "电话"))


@pytest.mark.parametrize("scope", SCOPES)
def test_deck_next_steps_one_heading_per_issue(output, expected, scope):
    scorecard = expected[scope][0]
    alerts = analysis.alerts(scorecard)
    warned = set(alerts[(alerts["level"] == "告警") & alerts["adverse"].astype(bool)]["metric"])
    off_target = {m.id for m in PUBLIC if scorecard.figures[m.id].met is False}
    presentation = deck(output(scope, "pptx"))
    items = [row[1] for slide in presentation.slides if slide.shapes.title.text_frame.text.startswith("下步工作")
             for table in tables(slide) for row in table[1:]]
    assert len(items) == len(off_target | warned)
    for metric in (m for m in PUBLIC if m.id in off_target | warned):
        (item,) = [i for i in items if i.startswith(metric.name + fmt_value(metric, scorecard.figures[metric.id].value))]
        assert ("未达标" in item) == (metric.id in off_target) and ("告警" in item) == (metric.id in warned)


@pytest.mark.parametrize("scope", SCOPES)
def test_every_slide_states_scope_period_as_of_and_time(output, expected, scope):
    scorecard = expected[scope][0]
    slides = list(deck(output(scope, "pptx")).slides)
    for number, slide in enumerate(slides, start=1):
        footer = " ".join(texts(slide))
        for part in (f"统计范围：{scope_text(SCOPES[scope])}", f"统计期间：{scorecard.period.start} 至 {scorecard.period.end}",
                     f"口径截至：{scorecard.period.as_of}", f"{number} / {len(slides)}"):
            assert part in footer, (number, part)
        assert re.search(r"生成时间：\d{4}-\d\d-\d\d \d\d:\d\d", footer)


def test_deck_text_is_set_in_an_east_asian_font(output):
    runs = [run for slide in deck(output("all", "pptx")).slides for shape in slide.shapes
            for frame in ([shape.text_frame] if shape.has_text_frame else
                          [c.text_frame for row in shape.table.rows for c in row.cells] if shape.has_table else [])
            for paragraph in frame.paragraphs for run in paragraph.runs]
    assert len(runs) > 200
    for run in runs:
        east_asian = run._r.rPr.find("{http://schemas.openxmlformats.org/drawingml/2006/main}ea")
        assert east_asian is not None and east_asian.get("typeface"), run.text


@pytest.mark.parametrize("scope", SCOPES)
def test_deck_charts_are_real_pictures(output, scope):
    pictures = [shape.image for slide in deck(output(scope, "pptx")).slides for shape in slide.shapes
                if shape.shape_type == pptx.enum.shapes.MSO_SHAPE_TYPE.PICTURE]
    assert len(pictures) >= 5   # two per chart slide; 集体访 only when there was one
    for picture in pictures:
        image = Image.open(io.BytesIO(picture.blob))
        assert image.format == "PNG" and image.width >= 1000 and image.height >= 700
        rgb = image.convert("RGB")
        colours = rgb.getcolors(maxcolors=1 << 20)
        assert len(colours) > 100, "a blank or flat image"
        white = sum(n for n, colour in colours if min(colour) >= 250)
        assert white < 0.97 * image.width * image.height, "nothing drawn"


# --- the 通报 and the lists ------------------------------------------------------------------

# - **信访总量**：1494件，同比下降14.0%；目标同比下降，达标。 (Markdown; Word drops "- " and "**")
BULLET = re.compile(r"^(?:- )?(?:\*\*)?(?P<name>[^*：]+)(?:\*\*)?：(?P<value>[^，]+)，(?P<change>[^；]+)；"
                    r"(?:目标(?P<target>[^，]+)，)?(?P<verdict>.+)。$")


def bulletin_rows(lines: list[str]) -> dict[str, dict]:
    return {m["name"]: m.groupdict() for m in map(BULLET.match, lines) if m and m["name"] in NAMES}


def assert_bulletin_equals_kpi(lines: list[str], scorecard: Scorecard, ranking: list[dict], scope: Scope) -> None:
    rows = bulletin_rows(lines)
    assert list(rows) == [m.name for m in PUBLIC]
    for name, row in rows.items():
        metric, figure = NAMES[name], scorecard.figures[NAMES[name].id]
        assert (row["value"], row["change"]) == (fmt_value(metric, figure.value),
                                                 fmt_change(metric, figure.value, figure.yoy))
        assert row["target"] == (fmt_target(metric) if metric.rule else None)
        assert row["verdict"].startswith(fmt_met(figure.met) if metric.rule else "仅列示")
    text = "\n".join(lines).replace("**", "")
    for r in ranking[-3:][::-1]:
        assert f"{r['township'] or ''}{r['village'] or ''}：{r['score']:g}分（{r['grade']}）" in text
    assert f"统计范围：{scope_text(scope)}；统计期间：{scorecard.period.start} 至 {scorecard.period.end}；" \
           f"口径截至：{scorecard.period.as_of}" in text


@pytest.mark.parametrize("scope", SCOPES)
def test_bulletin_markdown_equals_kpi(output, expected, scope):
    # values in the Markdown are escaped (names from data must stay text): read them as text
    lines = [markdown_plain(line) for line in output(scope, "md").read_text(encoding="utf-8").splitlines()]
    assert_bulletin_equals_kpi(lines, *expected[scope], SCOPES[scope])


@pytest.mark.parametrize("scope", SCOPES)
def test_bulletin_docx_equals_kpi(output, expected, scope):
    lines = [p.text for p in docx.Document(str(output(scope, "docx"))).paragraphs]
    assert_bulletin_equals_kpi(lines, *expected[scope], SCOPES[scope])


def sheet(path: Path, name: str) -> list[dict]:
    header, *rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(name).to_python()
    return [dict(zip(header, row)) for row in rows]


@pytest.mark.parametrize("scope", SCOPES)
def test_workbook_equals_rank_and_kpi(con, output, expected, scope):
    path = output(scope, "xlsx")
    scorecard, ranking = expected[scope]
    label = COLUMN_LABELS.get
    shown = [(int(r[label("rank")]), r[label("township")] or None, r[label("village")] or None, r[label("score")],
              r[label("grade")], int(r[label("cases")])) for r in sheet(path, "村居排名")]
    assert shown == [(r["rank"], r["township"], r["village"], r["score"], r["grade"], r["cases"]) for r in ranking]
    figures = scorecard.figures
    assert len(sheet(path, "超期件")) == figures["overdue_open"].value
    leaders = sheet(path, "包案台账")
    assert sum(r[label("cases")] for r in leaders) == figures["cases"].value
    assert sum(r[label("overdue_open")] for r in leaders) == figures["overdue_open"].value
    period = period_of(scorecard)
    for name, source in (("问题清单", "problem"), ("化解清单", "resolved"), ("稳控清单", "stability")):
        assert len(sheet(path, name)) == len(analysis.case_list(con, SCOPES[scope], period, source))
    cover = [row[0] for row in CalamineWorkbook.from_path(str(path)).get_sheet_by_name("说明").to_python()]
    for line in (f"统计范围：{scope_text(SCOPES[scope])}", f"统计期间：{scorecard.period.start} 至 {scorecard.period.end}",
                 f"口径截至：{scorecard.period.as_of}", "个人信息：已隐去（脱敏）"):
        assert line in cover


# --- personal data ---------------------------------------------------------------------------

def document_text(path: Path) -> str:
    """All text of a file: every XML part of a zip (tags removed, so split runs join up), or the file."""
    if not zipfile.is_zipfile(path):
        return path.read_text(encoding="utf-8")
    with zipfile.ZipFile(path) as archive:
        return "\n".join(re.sub(r"<[^>]+>", "", archive.read(name).decode("utf-8"))
                         for name in archive.namelist() if name.endswith((".xml", ".rels")))


def occurring(text: str, values: set[str]) -> set[str]:
    """Which of the values occur in the text (every substring of the right lengths, in one pass)."""
    alphabet = re.compile("[" + re.escape("".join(set("".join(values)))) + "]+")
    lengths = {len(v) for v in values}
    found = set()
    for run in alphabet.findall(text):
        found.update(run[i:i + n] for n in lengths for i in range(len(run) - n + 1))
    return found & values


@pytest.fixture(scope="module")
def personal(con) -> dict[str, set[str]]:
    """Names, ID numbers and phones in the database. A name that is also part of other,
    non-personal text (周志 in the leader 周志强) cannot be told apart, and is left out."""
    cur = cursor(con)
    columns = {column: {r[0] for r in cur.execute(f"SELECT DISTINCT {column} FROM cases WHERE {column} <> ''").fetchall()}
               for column in ("petitioner_name", "petitioner_idno", "phone")}
    other = "\n".join(str(r[0]) for column in ("case_leader", "summary", "township", "village", "responsible_unit")
                      for r in cur.execute(f"SELECT DISTINCT {column} FROM cases").fetchall())
    columns["petitioner_name"] -= occurring(other, columns["petitioner_name"])
    assert all(len(values) > 1000 for values in columns.values())
    return columns


@pytest.mark.parametrize("fmt", ["pptx", "docx", "md", "xlsx"])
def test_default_exports_hold_no_personal_data(output, personal, fmt):
    text = document_text(output("all", fmt))
    for column, values in personal.items():
        assert not occurring(text, values), (fmt, column, sorted(occurring(text, values))[:5])


# --- the command line ------------------------------------------------------------------------

def test_cli_writes_the_deck(demo_db, tmp_path):
    out = tmp_path / "会议.pptx"
    result = cli("report", "--db", str(demo_db), "--format", "pptx", "--out", str(out), "--township", "青石镇")
    assert result.returncode == 0, result.stderr
    presentation = deck(out)
    assert [s.shapes.title.text_frame.text for s in presentation.slides][:len(TITLES)] == TITLES
    assert "乡镇(街道)：青石镇" in " ".join(texts(presentation.slides[0]))


def test_cli_unmasked_needs_a_reason_and_is_audited(demo_db, tmp_path, personal):
    db = tmp_path / "copy.duckdb"
    shutil.copyfile(demo_db, db)
    out = tmp_path / "清单.xlsx"
    refused = cli("report", "--db", str(db), "--format", "xlsx", "--out", str(out), "--unmasked")
    assert refused.returncode == 2 and "--reason" in refused.stderr and not out.exists()
    assert len(audit_log(open_reader(db))) == 0
    done = cli("report", "--db", str(db), "--format", "xlsx", "--out", str(out), "--unmasked", "--reason", "信访积案核查")
    assert done.returncode == 0, done.stderr
    (entry,) = audit_log(open_reader(db)).itertuples()
    assert entry.reason == "信访积案核查" and "未脱敏xlsx" in entry.action and entry.username.startswith("cli:")
    # the control for the masking test: unmasked, the same search finds the people
    assert occurring(document_text(out), personal["petitioner_idno"])


# --- what a projector shows ------------------------------------------------------------------

def single_slide(source: Path, index: int, target: Path) -> Path:
    """A copy of the deck holding only one slide (LibreOffice exports the first slide as PNG)."""
    presentation = deck(source)
    slide_ids = presentation.slides._sldIdLst
    for position, slide_id in reversed(list(enumerate(slide_ids))):
        if position != index:
            presentation.part.drop_rel(slide_id.rId)
            slide_ids.remove(slide_id)
    presentation.save(str(target))
    return target


@pytest.mark.slow
@pytest.mark.parametrize("index", [0, 1, 3])   # the cover, the scorecard, a chart slide
def test_libreoffice_renders_the_slides(output, tmp_path, index):
    soffice = shutil.which("soffice")
    if not soffice:
        pytest.skip("LibreOffice (soffice) is not installed")
    source = single_slide(output("all", "pptx"), index, tmp_path / f"slide{index}.pptx")
    subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{tmp_path}/lo", "--convert-to", "png",
                    "--outdir", str(tmp_path), str(source)], check=True, capture_output=True, timeout=180)
    image = Image.open(tmp_path / f"slide{index}.png").convert("RGB")
    assert image.width > image.height   # 16:9
    colours = image.getcolors(maxcolors=1 << 20)
    assert len(colours) > 50
    ink = sum(n for n, colour in colours if max(colour) < 160)   # dark pixels: text and lines
    assert ink > 0.005 * image.width * image.height


def test_bulletin_docx_is_an_official_a4_document(con, tmp_path, monkeypatch):
    """A4 (210 × 297 mm) with the official margins read back from the file, the body in 仿宋
    三号, and the masthead and 版记 from [report]."""
    from docx.shared import Pt

    config = tmp_path / "xinfang.toml"
    config.write_text('[report]\nunit = "东安县"\nissuer = "东安县信访局"\nissue = 7\n'
                      'report_to = ["县委办", "县政府办"]\ncopy_to = ["各乡镇(街道)"]\n', encoding="utf-8")
    monkeypatch.setenv("XINFANG_CONFIG", str(config))
    path = tmp_path / "通报.docx"
    write_report(con, "docx", path, ReportRequest())
    document = docx.Document(str(path))
    section = document.sections[0]
    mm = [round(length.mm, 1) for length in (section.page_width, section.page_height, section.top_margin,
                                              section.bottom_margin, section.left_margin, section.right_margin)]
    assert mm == [210, 297, 37, 35, 28, 26]   # Word stores twips: US Letter would be 215.9 × 279.4
    lines = [p.text for p in document.paragraphs]
    today = fmt_date_cn(date.today())
    assert lines[:3] == ["东安县信访工作通报", f"{kpi(con).period.as_of.year}年第7期", f"东安县信访局\t{today}"]
    assert lines[-3:] == ["报送：县委办，县政府办。", "抄送：各乡镇(街道)。", f"东安县信访局　{today}印发"]
    body = next(p for p in document.paragraphs if p.text.startswith("信访总量"))
    assert {(run.font.size, run.font.name) for run in body.runs} == {(Pt(16), "仿宋")}


def test_bulletin_issue_defaults_to_the_month_and_omits_empty_lines(con, tmp_path):
    path = tmp_path / "通报.md"
    write_report(con, "md", path, ReportRequest())
    text = path.read_text(encoding="utf-8")
    as_of = kpi(con).period.as_of
    assert f"\n{as_of.year}年第{as_of.month}期\n" in text
    assert "报送" not in text and "抄送" not in text
