"""How many cells an xlsx sheet will occupy once read, found before reading it.

calamine allocates a sheet as one dense rectangle from A1-ish to its farthest cell: one stray
cell at XFD1048576 asks for 512 GB and the process aborts (no exception to catch). So the
sheet XML is scanned first, in chunks, for the farthest column and for any cell beyond the
rows that column allows: one read for sheets up to column Z, a second one for wider sheets.
Values are never parsed here (benchmarks/bench_xlsx_extent.py: 0.25 s beside calamine's own
2.7 s for a 100,000-row sheet written with inline strings, less with shared strings).

The searches run in RE2, pyarrow's regex engine, a DFA that lets go of the GIL, while the next
chunk is inflated in a thread: 0.25 s where Python's re, one chunk after the other, took 0.55 s.
Python's re only lists the columns of the chunks that hold a cell beyond column Z.
"""
from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

from . import byte_search

CHUNK = 1 << 20
OVERLAP = 64          # a cell reference ` r="XFD1048576"` is far shorter
EXCEL_COLUMNS = 16384

# A literal ' r="' lets a regex engine jump between cells (a leading \s class made Python's re
# ten times slower); the rare tab or line break before an attribute is made a space first.
_WIDE_CELL = r' r="([A-Za-z]{2,})\d'   # beyond column Z: found by RE2, its letters listed by re
_WIDE = re.compile(_WIDE_CELL.encode())
_OTHER_SPACES = (b'\tr="', b'\nr="', b'\rr="')


def column_number(letters: bytes) -> int:
    number = 0
    for letter in letters.upper():
        number = number * 26 + letter - 64
    return number


def _greater_than(limit: int) -> str:
    """A regex alternation matching a decimal number (no leading zeros) greater than limit."""
    digits = str(limit)
    branches = [rf"[1-9]\d{{{len(digits)},}}"]          # more digits
    for i, d in enumerate(digits):
        if d != "9":
            rest = len(digits) - i - 1
            branches.append(f"{digits[:i]}[{int(d) + 1}-9]" + (rf"\d{{{rest}}}" if rest else ""))
    return "(?:" + "|".join(branches) + ")"


def _inflated(member) -> Iterator[bytes]:
    """The member's chunks, each next one inflated in a thread while this one is searched."""
    with ThreadPoolExecutor(1) as pool:
        pending = pool.submit(member.read, CHUNK)
        while chunk := pending.result():
            pending = pool.submit(member.read, CHUNK)
            yield chunk


def _chunks(member) -> Iterator[bytes]:
    tail = b""
    for chunk in _inflated(member):
        for space in _OTHER_SPACES:   # the one-byte test is a memchr; the four-byte one a slower search
            if space[:1] in chunk and space in chunk:
                chunk = chunk.replace(space, b' r="')
        yield tail + chunk
        tail = chunk[-OVERLAP:]


def _row_pattern(last_row: int) -> str:
    return ' r="[A-Za-z]{1,3}' + _greater_than(last_row) + '"'


def _first_pass(archive: zipfile.ZipFile, name: str, rows_if_narrow: int) -> tuple[int, bool]:
    """(widest column, any cell below rows_if_narrow?) in one read of the sheet. Sheets of
    single-letter columns are taken as 26 wide, so for most ledgers this pass decides."""
    widest, far = 26, False
    beyond = _row_pattern(rows_if_narrow)
    with archive.open(name) as member:
        for chunk in _chunks(member):
            if byte_search.found(_WIDE_CELL, chunk):
                widest = max(widest, max(map(column_number, set(_WIDE.findall(chunk)))))
            far = far or byte_search.found(beyond, chunk)
    return widest, far


def _has_row_beyond(archive: zipfile.ZipFile, name: str, last_row: int) -> bool:
    pattern = _row_pattern(last_row)
    with archive.open(name) as member:
        return any(byte_search.found(pattern, chunk) for chunk in _chunks(member))


def oversized_sheet(archive: zipfile.ZipFile, max_cells: int) -> tuple[int, int] | None:
    """(columns, rows allowed) of the first worksheet whose cells span more than max_cells,
    else None."""
    for name in archive.namelist():
        if not (name.startswith("xl/worksheets/") and name.endswith(".xml")):
            continue
        rows_if_narrow = max(max_cells // 26, 1)
        columns, far = _first_pass(archive, name, rows_if_narrow)
        rows_allowed = max_cells // columns
        if columns > EXCEL_COLUMNS or rows_allowed < 1 or far:
            return columns, max(rows_allowed, 0)
        if columns > 26 and _has_row_beyond(archive, name, rows_allowed):   # a second read only for wide sheets
            return columns, rows_allowed
    return None
