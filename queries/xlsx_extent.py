"""How many cells an xlsx sheet will occupy once read, found before reading it.

calamine allocates a sheet as one dense rectangle from A1-ish to its farthest cell: one stray
cell at XFD1048576 asks for 512 GB and the process aborts (no exception to catch). So the
sheet XML is scanned first, in chunks, for the farthest column and for any cell beyond the
rows that column allows. Only existence searches run over every cell (a few tenths of a
second per 100,000 rows); values are never parsed here.
"""
from __future__ import annotations

import re
import zipfile

CHUNK = 1 << 20
OVERLAP = 64          # a cell reference ` r="XFD1048576"` is far shorter
EXCEL_COLUMNS = 16384

_THREE_LETTERS = re.compile(rb'\sr="\$?([A-Za-z]{3,})\$?\d')
_TWO_LETTERS = re.compile(rb'\sr="\$?([A-Za-z]{2})\$?\d')


def column_number(letters: bytes) -> int:
    number = 0
    for letter in letters.upper():
        number = number * 26 + letter - 64
    return number


def _greater_than(limit: int) -> bytes:
    """A regex alternation matching a decimal number (no leading zeros) greater than limit."""
    digits = str(limit)
    branches = [rb"[1-9]\d{%d,}" % len(digits)]          # more digits
    for i, d in enumerate(digits):
        if d != "9":
            rest = len(digits) - i - 1
            branches.append(digits[:i].encode() + b"[%d-9]" % (int(d) + 1) + (rb"\d{%d}" % rest if rest else b""))
    return b"(?:" + b"|".join(branches) + b")"


def _chunks(member) -> "iter[bytes]":
    tail = b""
    while chunk := member.read(CHUNK):
        yield tail + chunk
        tail = chunk[-OVERLAP:]


def _widest_column(archive: zipfile.ZipFile, name: str) -> int:
    widest = 0
    with archive.open(name) as member:
        for chunk in _chunks(member):
            for letters in _THREE_LETTERS.findall(chunk):
                widest = max(widest, column_number(letters))
    if widest:
        return widest
    with archive.open(name) as member:
        for chunk in _chunks(member):
            if _TWO_LETTERS.search(chunk):
                widest = max([widest] + [column_number(c) for c in _TWO_LETTERS.findall(chunk)])
    return widest or 26  # single letters only: at most Z


def _has_row_beyond(archive: zipfile.ZipFile, name: str, last_row: int) -> bool:
    pattern = re.compile(rb'\sr="\$?[A-Za-z]{1,3}\$?' + _greater_than(last_row) + b'"')
    with archive.open(name) as member:
        return any(pattern.search(chunk) for chunk in _chunks(member))


def oversized_sheet(archive: zipfile.ZipFile, max_cells: int) -> tuple[int, int] | None:
    """(columns, rows allowed) of the first worksheet whose cells span more than max_cells,
    else None."""
    for name in archive.namelist():
        if not (name.startswith("xl/worksheets/") and name.endswith(".xml")):
            continue
        columns = _widest_column(archive, name)
        rows_allowed = max_cells // columns
        if columns > EXCEL_COLUMNS or rows_allowed < 1 or _has_row_beyond(archive, name, rows_allowed):
            return columns, rows_allowed
    return None
