"""A fresh `kpi` or `rank` process loads only what it needs (#14.4): not pandas or pyarrow (a
third of its time at 1,000,000 cases: benchmarks/bench_cold_start.py), not the document writers."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("pandas", "pyarrow", "docx", "pptx", "xlsxwriter", "kaleido", "plotly", "rjieba")
PROBE = f"""
import sys
from queries.cli import main
for command in (["kpi"], ["rank"], ["kpi", "--township", "青石镇", "--from", "2025-01-01", "--to", "2025-03-31"]):
    assert main([*command, "--db", sys.argv[1], "--json"]) == 0
print()
print(sorted(m for m in {HEAVY!r} if m in sys.modules))
"""


def test_kpi_and_rank_import_no_pandas_and_no_writers(demo_db):
    out = subprocess.run([sys.executable, "-c", PROBE, str(demo_db)], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    loaded = json.loads(out.stdout.strip().splitlines()[-1].replace("'", '"'))
    assert loaded == []
