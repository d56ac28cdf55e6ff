"""A workbook's worksheets read by fastexcel (calamine underneath) straight into Arrow text
columns, and their rows handed out as Python lists only where they are asked for (#14).

The importer loads a sheet's body into DuckDB from Arrow without making a Python object per
cell; the header search, the ledgers and the reference importer read rows as lists.

Cells that are not text are written as fastexcel writes them: a number as its shortest decimal
(1.0 → "1", 0.1 + 0.2 → "0.30000000000000004"), a date-time as "2024-03-05 10:30:00", a time as
"10:30:00", a boolean as "true"/"false", an error cell (#DIV/0!) blank; except that a date (a
date-time at midnight) is written "2024-03-05", as the office typed it. Formulas are never
evaluated: their cached values are read.
"""
from __future__ import annotations

from collections.abc import Iterator, Sequence

import fastexcel
import pyarrow as pa
import pyarrow.compute as pc

ROWS_PER_CHUNK = 2_000   # rows turned into lists at a time while a sheet is searched or read
MIDNIGHT = r"^(\d{4}-\d{2}-\d{2}) 00:00:00$"   # how fastexcel writes a date cell


def _rows(table: pa.Table) -> list[list]:
    """The table's rows as lists; empty text is a blank cell (None)."""
    if not table.num_columns:
        return [[] for _ in range(table.num_rows)]
    columns = [column.to_pylist() for column in table.columns]
    return [[cell if cell != "" else None for cell in row] for row in zip(*columns)]


class GridRows(Sequence):
    """A worksheet's rows from its Arrow table (row i is source row i + 1 of what it was sliced
    from, column j is sheet column j, A = 0): a slice is another GridRows, rows become lists
    only as they are read."""

    def __init__(self, table: pa.Table):
        self.table = table

    def __len__(self) -> int:
        return self.table.num_rows

    def __getitem__(self, key):
        if isinstance(key, slice):
            start, stop, step = key.indices(len(self))
            if step != 1:
                raise ValueError("GridRows slices have no step")
            return GridRows(self.table.slice(start, max(stop - start, 0)))
        index = key + len(self) if key < 0 else key
        if not 0 <= index < len(self):
            raise IndexError(key)
        return _rows(self.table.slice(index, 1))[0]

    def __iter__(self) -> Iterator[list]:
        for start in range(0, len(self), ROWS_PER_CHUNK):
            yield from _rows(self.table.slice(start, ROWS_PER_CHUNK))


def _grid(sheet: fastexcel.ExcelSheet) -> pa.Table:
    """The sheet as text columns c0 …, from column A: fastexcel starts at the first column that
    holds a value, so the empty columns before it are put back (header names like 第3列 count
    columns from A). Dates lose fastexcel's " 00:00:00" (a cell typed so as text too: harmless)."""
    batch = sheet.to_arrow()
    columns = sheet.available_columns()
    lead = columns[0].absolute_index - columns[0].index if columns else 0
    dated = [pc.replace_substring_regex(column, MIDNIGHT, r"\1")   # the regex only where a literal finds one
             if pc.any(pc.match_substring(column, " 00:00:00")).as_py() else column for column in batch.columns]
    arrays = [pa.nulls(batch.num_rows, pa.string())] * lead + dated
    return pa.table(arrays, names=[f"c{j}" for j in range(len(arrays))])


def read_grids(data: bytes) -> list[tuple[str, GridRows]]:
    """(name, rows) of every sheet, from row 1 (leading empty rows kept: row numbers are the
    sheet's own). A chart sheet has no rows. fastexcel's errors are left to the caller."""
    workbook = fastexcel.read_excel(data)
    return [(name, GridRows(_grid(workbook.load_sheet(name, header_row=None, skip_rows=0, dtypes="string"))))
            for name in workbook.sheet_names]
