"""热点与新问题 in the 通报 and the deck, read back from the files and compared with
`python -m queries topics --json` for the same period."""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from pptx import Presentation

from queries.db import open_reader
from queries.outputs.report import ReportRequest, bulletin_markdown

ROOT = Path(__file__).resolve().parent.parent
ITEM = re.compile(r"([^：、，（）]+)（(\d+)件，上期(\d+|—)件?）")


def topics_json(db: Path, *args: str) -> dict:
    out = subprocess.run([sys.executable, "-m", "queries", "topics", "--db", str(db), "--json", *args],
                         cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def test_the_bulletin_names_the_emerging_terms_of_topics_json(demo_db):
    expected = topics_json(demo_db)
    text = bulletin_markdown(open_reader(demo_db), ReportRequest())
    sentence = re.search(r"本期新出现的问题主要有：(.*?)[，。]另有(\d+)个", text)
    assert sentence, text
    named = [(term, int(cases), None if prev == "—" else int(prev)) for term, cases, prev in ITEM.findall(sentence[1])]
    assert named == [(r["term"], r["cases"], r["prev_cases"]) for r in expected["emerging"][:5]]
    assert int(sentence[2]) == len(expected["emerging"]) - 5
    hot = re.search(r"热点诉求依次为：(.*?)。", text)[1]
    assert [part.split("（")[0] for part in hot.split("、")] == [r["term"] for r in expected["terms"][:5]]


def test_the_deck_slide_lists_the_terms_of_topics_json(demo_db, tmp_path):
    from queries.outputs.meeting_files import write_report
    path = tmp_path / "deck.pptx"
    write_report(open_reader(demo_db), "pptx", path, ReportRequest())
    slide = next(s for s in Presentation(path).slides if s.shapes.title.text_frame.text == "热点与新问题")
    table = next(shape.table for shape in slide.shapes if shape.has_table)
    rows = [[cell.text for cell in row.cells] for row in table.rows][1:]
    expected = topics_json(demo_db, "--top", "10")
    by_term = {r["term"]: r for r in expected["terms"] + expected["emerging"]}
    emerging = [r["term"] for r in expected["emerging"][:5]]
    assert [row[0] for row in rows[:5]] == emerging
    assert [row[0] for row in rows[5:]] == [r["term"] for r in expected["terms"] if r["term"] not in emerging][:5]
    for term, cases, share, prev, yoy, new in rows:
        r = by_term[term]
        assert (int(cases), share, int(prev), int(yoy)) == (r["cases"], f"{r['share']:.1%}", r["prev_cases"],
                                                            r["yoy_cases"])
        assert (new != "") == r["emerging"] and (not new or new == f"是（{r['g2']:.1f}）")
