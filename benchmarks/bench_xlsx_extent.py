"""What the sheet-size check (#17.1) costs: the scan of a 100,000-row × 25-column xlsx before
calamine reads it, beside calamine's own read. Prints both; no assertion.

    python benchmarks/bench_xlsx_extent.py
"""
from __future__ import annotations

import io
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import python_calamine
import xlsxwriter

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from queries.ingest.xlsx_extent import oversized_sheet  # noqa: E402

ROWS, COLUMNS = 100_000, 25


def workbook(path: Path) -> bytes:
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet("台账")
    for r in range(ROWS + 1):
        sheet.write_row(r, 0, [f"R{r}-{c}" if c % 3 else r * 1.5 for c in range(COLUMNS)])
    book.close()
    return path.read_bytes()


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        data = workbook(Path(tmp) / "big.xlsx")
    started = time.perf_counter()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert oversized_sheet(archive, 20_000_000) is None
    scan = time.perf_counter() - started
    started = time.perf_counter()
    book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    book.get_sheet_by_name("台账").to_python(skip_empty_area=False)
    read = time.perf_counter() - started
    print(f"{ROWS:,} rows × {COLUMNS} columns ({len(data) / 2**20:.1f} MB): size check {scan:.2f} s, "
          f"calamine read {read:.2f} s ({scan / read:.0%} extra)")


if __name__ == "__main__":
    main()
