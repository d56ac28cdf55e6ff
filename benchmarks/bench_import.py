"""Import throughput and memory (#14): each import is a fresh `python -m queries import` process.

    python benchmarks/bench_import.py [--csv-rows 1000000] [--xlsx-rows 100000] [--runs 3] [--folder DIR]

* a county ledger export of --csv-rows cases as UTF-8 CSV and as GBK CSV (bench_growth's
  generator, written in chunks), each into a new database: wall seconds, rows/s, peak RSS
  (goal: >= 200,000 rows/s with peak RSS <= 1 GB), and DuckDB's `read_csv` of the same file
  alone, for scale;
* the same columns as XLSX with --xlsx-rows cases: the import, and calamine reading the
  workbook alone in a fresh process (goal: >= 50,000 rows/s or within 1.5x of calamine), both as
  python-calamine's lists (the yardstick of #14) and as fastexcel's Arrow (what the import uses).

Each figure is the median of --runs fresh processes (this VM's timings vary by 10-15 %).
Memory is bounded by `[import] memory_mb` (DuckDB spills beyond it). Nothing is asserted.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # run from a checkout, uninstalled
sys.path.insert(0, str(HERE))

from bench_growth import run_measured, write_export  # noqa: E402
from generate import generate_cases, write_xlsx  # noqa: E402

import _browser as b  # noqa: E402

READ_CSV = ("import duckdb, sys; duckdb.sql(\"SELECT count(*) FROM read_csv(?, all_varchar = true)\", "
            "params=[sys.argv[1]]).fetchall()")
CALAMINE = ("import python_calamine, sys; book = python_calamine.CalamineWorkbook.from_path(sys.argv[1]); "
            "[book.get_sheet_by_name(name).to_python() for name in book.sheet_names]")
FASTEXCEL = ("import fastexcel, sys; book = fastexcel.read_excel(sys.argv[1]); "
             "[book.load_sheet(name, header_row=None, skip_rows=0, dtypes='string').to_arrow() "
             "for name in book.sheet_names]")


def gbk_copy(source: Path, target: Path) -> Path:
    with open(source, encoding="utf-8") as text, open(target, "w", encoding="gbk", errors="replace") as out:
        while chunk := text.read(2**22):
            out.write(chunk)
    return target


def median_of(runs: int, measure) -> tuple[float, float]:
    """(median wall seconds, median peak RSS MB) of `runs` calls of measure()."""
    results = [measure() for _ in range(runs)]
    return statistics.median(r[0] for r in results), statistics.median(r[1] for r in results)


def imported(path: Path, folder: Path, env: dict[str, str]) -> tuple[float, float]:
    db = folder / f"{path.stem}.duckdb"
    db.unlink(missing_ok=True)
    return run_measured([sys.executable, "-m", "queries", "import", "--db", str(db), "--as-of", "2026-11-20",
                         str(path)], env)


def line(label: str, rows: int, seconds: float, rss: float) -> str:
    return f"{label:<34} {seconds:7.2f} s  {rows / seconds:>9,.0f} rows/s  peak RSS {rss:,.0f} MB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--csv-rows", type=int, default=1_000_000)
    parser.add_argument("--xlsx-rows", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=1, help="fresh processes per figure (the median is shown)")
    parser.add_argument("--folder", type=Path, help="where the exports go (default: a temporary folder)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=args.folder) as scratch:
        folder = Path(scratch)
        config = folder / "xinfang.toml"   # a 1M-row export is larger than the default upload limit
        config.write_text("[import]\nmax_file_mb = 100000\n", encoding="utf-8")
        env = {**os.environ, "PYTHONPATH": str(b.ROOT), "XINFANG_CONFIG": str(config)}
        utf8 = write_export(folder / "cases-utf8.csv", args.csv_rows)
        gbk = gbk_copy(utf8, folder / "cases-gbk.csv")
        workbook = write_xlsx(generate_cases(args.xlsx_rows), folder / "cases.xlsx")
        print(f"{args.csv_rows:,} rows: UTF-8 CSV {utf8.stat().st_size / 2**20:,.0f} MB, GBK CSV "
              f"{gbk.stat().st_size / 2**20:,.0f} MB; {args.xlsx_rows:,} rows: XLSX "
              f"{workbook.stat().st_size / 2**20:,.1f} MB (load average {os.getloadavg()[0]:.1f})")
        runs = args.runs
        print(line("DuckDB read_csv alone (UTF-8)", args.csv_rows, *median_of(
            runs, lambda: run_measured([sys.executable, "-c", READ_CSV, str(utf8)], env))))
        print(line("import, UTF-8 CSV", args.csv_rows, *median_of(runs, lambda: imported(utf8, folder, env))))
        print(line("import, GBK CSV", args.csv_rows, *median_of(runs, lambda: imported(gbk, folder, env))))
        calamine = median_of(runs, lambda: run_measured([sys.executable, "-c", CALAMINE, str(workbook)], env))
        print(line("python-calamine reading it alone", args.xlsx_rows, *calamine))
        arrow = median_of(runs, lambda: run_measured([sys.executable, "-c", FASTEXCEL, str(workbook)], env))
        print(line("fastexcel reading it alone", args.xlsx_rows, *arrow))
        seconds, rss = median_of(runs, lambda: imported(workbook, folder, env))
        print(line("import, XLSX", args.xlsx_rows, seconds, rss)
              + f"  ({seconds / calamine[0]:.2f}x python-calamine, {seconds / arrow[0]:.2f}x fastexcel)")


if __name__ == "__main__":
    main()
