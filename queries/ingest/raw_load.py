"""An export's sheets loaded into a scratch DuckDB database as raw text (#14): one table a
sheet, columns c0, c1, … of VARCHAR, rows in file order (rowid), blank cells NULL.

A CSV is decoded as a stream (csv_stream) and read by DuckDB where its reader is known to agree
with Python's csv module, else by the csv module in batches; an Excel workbook is read by
fastexcel into Arrow text columns (ingest/workbook.py) and loaded from them whole.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa

from . import csv_stream
from .reader import (
    CLOSEST_ROWS,
    CSV_DELIMITERS,
    CSV_SUFFIXES,
    EMPTY,
    EXCEL_SUFFIXES,
    NO_HEADER,
    FileRefused,
    Header,
    Sheet,
    closest_header,
    header_lookup,
    map_header,
    missing_required,
    read_sheets,
    read_tables,
    too_large,
)

_log = logging.getLogger(__name__)
BATCH_ROWS = 50_000
SPARE_COLUMNS = 8          # a data row may run past its header (trailing delimiters)
MAX_LINE_BYTES = 2**17     # longer lines are left to the csv module, which refuses a cell over 128 KB


@dataclass
class RawTable:
    name: str                # the DuckDB table holding the sheet's rows below its header
    sheet: str | None
    header: Header
    first_row: int           # 1-based source row of the table's first row
    width: int               # its columns c0 … c{width-1}
    notes: list[str] = field(default_factory=list)   # file-level warnings


def _create(con: duckdb.DuckDBPyConnection, name: str, width: int) -> None:
    con.execute(f"CREATE TEMP TABLE {name} ({', '.join(f'c{j} VARCHAR' for j in range(width))})")


def append_rows(con: duckdb.DuckDBPyConnection, name: str, rows: list[list], width: int) -> int:
    """Append rows of cells to the table (widening it for a longer row); returns its width."""
    widest = max(map(len, rows), default=0)
    for j in range(width, widest):
        con.execute(f"ALTER TABLE {name} ADD COLUMN c{j} VARCHAR")
    width = max(width, widest)
    columns = zip(*(row + [None] * (width - len(row)) for row in rows))
    con.register("new_rows", pa.table({f"c{j}": pa.array(cells, pa.string()) for j, cells in enumerate(columns)}))
    try:
        con.execute(f"INSERT INTO {name} SELECT * FROM new_rows")
    finally:
        con.unregister("new_rows")
    return width


def _check_file(path: Path, max_bytes: int) -> None:
    """reader.read_sheets' first checks, without reading the file into memory."""
    if not any(chunk.strip() for chunk in csv_stream.chunks(path)):   # stops at the first text
        raise FileRefused(EMPTY)
    if (size := path.stat().st_size) > max_bytes:
        raise too_large(size, max_bytes)


def _find_header(path: Path, lookup: dict, also_known: frozenset[str]):
    """(delimiter, header, header record index, lines up to the header, the records after it
    that both readers must agree on)."""
    head = []   # the first records as read with ',' for the closest-header message
    for delimiter in CSV_DELIMITERS:
        records = csv_stream.records(path, delimiter)
        for index, (cells, lines) in enumerate(records):
            if delimiter == CSV_DELIMITERS[0] and index < CLOSEST_ROWS:
                head.append(cells)
            header = map_header(cells, lookup, also_known)
            if header is None:
                continue
            if refusal := missing_required(header, cells, None):
                raise refusal
            following = [cells for _, (cells, _lines) in zip(range(csv_stream.CHECKED_ROWS), records)]
            return delimiter, header, index, lines, following
    raise FileRefused(NO_HEADER + closest_header([Sheet(None, head)], lookup))


def _duckdb_read(con, name: str, path: Path, delimiter: str, lines: int, width: int,
                 expected: list[list]) -> bool:
    """Read the body with DuckDB's reader in strict mode; False (and no table) where it refuses
    the file or its first rows differ from the csv module's."""
    columns = "{" + ", ".join(f"'c{j}': 'VARCHAR'" for j in range(width)) + "}"
    for parallel in (True, False):   # DuckDB reads quoted line breaks with null padding only serially
        try:
            con.execute(
                f"CREATE TEMP TABLE {name} AS SELECT * FROM read_csv(?, header = false, all_varchar = true, "
                "auto_detect = false, delim = ?, quote = '\"', escape = '\"', null_padding = true, "
                f"strict_mode = true, skip = ?, max_line_size = {MAX_LINE_BYTES}, parallel = {parallel}, "
                f"columns = {columns})", [str(path), delimiter, lines])
            break
        except duckdb.Error as error:
            if not parallel or "parallel" not in str(error):
                _log.info("CSV left to the csv module: %s", str(error).splitlines()[0])
                return False
    first = [list(row) for row in con.execute(f"SELECT * FROM {name} ORDER BY rowid LIMIT ?",
                                              [len(expected)]).fetchall()]
    if first == [row + [None] * (width - len(row)) for row in expected]:
        return True
    con.execute(f"DROP TABLE {name}")
    return False


def load_csv(con: duckdb.DuckDBPyConnection, path: Path, scratch: Path, synonyms: dict,
             also_known: frozenset[str]) -> list[RawTable]:
    decoded = csv_stream.decode(path, scratch)
    delimiter, header, index, lines, expected = _find_header(decoded.path, header_lookup(synonyms), also_known)
    width = max([len(header.headers), *map(len, expected)]) + SPARE_COLUMNS
    name = "raw_0"
    plain = decoded.plain_from(csv_stream.body_offset(decoded.path, lines))
    if not (plain and _duckdb_read(con, name, decoded.path, delimiter, lines, width, expected)):
        _create(con, name, width)
        for batch in csv_stream.batches(decoded.path, delimiter, index + 1, BATCH_ROWS):
            width = append_rows(con, name, batch, width)
    return [RawTable(name, None, header, index + 2, width, decoded.notes)]


def excel_sheets(path: Path, max_bytes: int, max_cells: int) -> list[Sheet] | None:
    """A workbook's sheets, read once for both the kind of file and its tables; None for a CSV."""
    if path.suffix.lower() not in EXCEL_SUFFIXES:
        return None
    return read_sheets(path, path.read_bytes(), max_bytes=max_bytes, max_cells=max_cells)


def load_excel(con: duckdb.DuckDBPyConnection, path: Path, sheets: list[Sheet], synonyms: dict,
               also_known: frozenset[str]) -> list[RawTable]:
    tables = []
    for number, table in enumerate(read_tables(path, b"", synonyms, also_known=also_known, sheets=sheets)):
        name, body = f"raw_{number}", table.rows.table   # a workbook's rows are workbook.GridRows: Arrow
        cells = ", ".join(f"NULLIF({column}, '') AS c{j}" for j, column in enumerate(body.column_names))
        con.register("sheet_body", body)
        try:
            con.execute(f"CREATE TEMP TABLE {name} AS SELECT {cells} FROM sheet_body")
        finally:
            con.unregister("sheet_body")
        tables.append(RawTable(name, table.sheet, table.header,
                               table.first_row, body.num_columns, table.notes))
    return tables


def load(con: duckdb.DuckDBPyConnection, path: Path, scratch: Path, synonyms: dict, max_bytes: int,
         also_known: frozenset[str], sheets: list[Sheet] | None) -> list[RawTable]:
    """Every sheet of the export (`sheets`: a workbook's, from excel_sheets); FileRefused (a
    Chinese reason) for a file that cannot be read."""
    suffix = path.suffix.lower()
    if sheets is not None:
        return load_excel(con, path, sheets, synonyms, also_known)
    _check_file(path, max_bytes)
    if suffix in CSV_SUFFIXES:
        return load_csv(con, path, scratch, synonyms, also_known)
    raise FileRefused(f"不支持的文件类型“{path.suffix or '无扩展名'}”：请导入 .xlsx、.xls 或 .csv 文件。")
