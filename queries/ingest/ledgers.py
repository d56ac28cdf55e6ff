"""Which kind of file an export is (ACCOUNTABILITY.md §2), and its tables in that vocabulary.

The header row is the first row with at least three known names of any vocabulary (case
export, reception ledger, duty roster). A file is a reception ledger when that row has a
`held_on` and a `leader` column and not the `case_id` + `registered_on` pair of a case export;
a roster when it has a duty date and a duty leader. A two-column roster (日期, 值班领导) has no
third name, so a roster is also recognised by those two alone when no row has three.
"""
from __future__ import annotations

import codecs
import csv
import io
from itertools import islice
from pathlib import Path

from ..normalize import header_key
from .reader import (
    CSV_DELIMITERS,
    CSV_SUFFIXES,
    MIN_HEADER_MATCHES,
    UNKNOWN_ENCODING,
    FileRefused,
    Sheet,
    Table,
    candidate_encodings,
    header_lookup,
    header_of,
    read_sheets,
)

CASES, RECEPTIONS, ROSTER = "cases", "receptions", "roster"
SNIFF_ROWS = 200   # the header row of a real ledger is within its first rows
REQUIRED = {RECEPTIONS: ("held_on", "leader"), ROSTER: ("duty_on", "leader")}
LABELS = {RECEPTIONS: {"held_on": "日期", "leader": "接访领导"},
          ROSTER: {"duty_on": "日期", "leader": "值班领导"}}
KIND_NAMES = {RECEPTIONS: "领导接访登记台账", ROSTER: "坐班接访值班表"}


def vocabularies(config: dict) -> dict[str, dict[str, list[str]]]:
    settings = config["import"]
    return {CASES: settings["headers"], RECEPTIONS: settings["reception_headers"],
            ROSTER: settings["roster_headers"]}


def other_header_keys(config: dict) -> frozenset[str]:
    """Header keys of the reception and roster vocabularies: they count towards a case export's
    header row too (the first row with three known names of either vocabulary)."""
    vocab = vocabularies(config)
    return frozenset(header_lookup(vocab[RECEPTIONS])) | frozenset(header_lookup(vocab[ROSTER]))


def _known(row: list, lookup: dict) -> set[str]:
    return {lookup[key][0] for key in map(header_key, row) if key in lookup}


def _kind_of_header(row: list, lookups: dict[str, dict]) -> str:
    fields = {kind: _known(row, lookup) for kind, lookup in lookups.items()}
    if {"case_id", "registered_on"} <= fields[CASES]:
        return CASES
    for kind in (RECEPTIONS, ROSTER):
        if set(REQUIRED[kind]) <= fields[kind]:
            return kind
    return CASES


def _header_index(rows: list[list], lookups: dict[str, dict]) -> int | None:
    union = {key for lookup in lookups.values() for key in lookup}
    for index, row in enumerate(rows):
        if len({k for k in map(header_key, row) if k in union}) >= MIN_HEADER_MATCHES:
            return index
    return None


HEAD_BYTES = 2**20   # a CSV's first rows, for its header row


def _csv_head(path: Path) -> str:
    """The first megabyte of a CSV as text (a character cut at the end is left out)."""
    with open(path, "rb") as file:
        head = file.read(HEAD_BYTES)
    for encoding in candidate_encodings(head):
        try:
            return codecs.getincrementaldecoder(encoding)().decode(head).replace("\x00", "")
        except UnicodeDecodeError:
            continue
    raise FileRefused(UNKNOWN_ENCODING)


def _first_rows(path: Path, delimiter: str, max_bytes: int) -> list[list[list]]:
    """The first rows of a CSV, read without decoding the whole file."""
    size = path.stat().st_size
    if not size or size > max_bytes or path.suffix.lower() not in CSV_SUFFIXES:
        return []
    reader = csv.reader(io.StringIO(_csv_head(path), newline=""), delimiter=delimiter)
    return [[[c if c != "" else None for c in row] for row in islice(reader, SNIFF_ROWS)]]


def sniff_kind(path: Path, config: dict, sheets: list[Sheet] | None = None) -> str:
    """cases, receptions or roster (`sheets`: a workbook's, already read by the importer; a CSV's
    first rows are read here). Anything unreadable, or too large, is left to the case reader,
    which refuses it with its own message."""
    lookups = {kind: header_lookup(v) for kind, v in vocabularies(config).items()}
    max_bytes = int(config["import"]["max_file_mb"] * 2**20)
    is_csv = Path(path).suffix.lower() in CSV_SUFFIXES
    try:
        for delimiter in CSV_DELIMITERS if is_csv else (None,):
            firsts = ([sheet.rows[:SNIFF_ROWS] for sheet in sheets] if sheets is not None
                      else _first_rows(Path(path), delimiter, max_bytes))
            for rows in firsts:
                index = _header_index(rows, lookups)
                if index is not None:
                    return _kind_of_header(rows[index], lookups)
            for rows in firsts:  # a roster of two columns
                if any(_kind_of_header(row, {**lookups, RECEPTIONS: {}}) == ROSTER for row in rows):
                    return ROSTER
    except Exception:  # damaged, encrypted, wrong encoding...: the case reader says why
        return CASES
    return CASES


def _map_header(sheet_name, rows: list[list], index: int, lookup: dict) -> Table:
    """The table below row `index`, its header mapped with one vocabulary (first synonym wins)."""
    header = header_of(rows[index], lookup)
    return Table(sheet_name, header.headers, header.columns, header.unused, index + 2, rows[index + 1:])


def read_ledger_tables(path: Path, data: bytes, kind: str, config: dict) -> list[Table]:
    """Every sheet's table of a reception ledger or roster; refuses a sheet that has a header
    row without the kind's required columns."""
    lookups = {k: header_lookup(v) for k, v in vocabularies(config).items()}
    max_bytes = int(config["import"]["max_file_mb"] * 2**20)
    max_cells = int(config["import"]["max_sheet_cells"])
    is_csv = Path(path).suffix.lower() in CSV_SUFFIXES
    for delimiter in CSV_DELIMITERS if is_csv else (",",):
        tables = []
        for sheet in read_sheets(Path(path), data, delimiter, max_bytes, max_cells):
            index = _header_index(sheet.rows, lookups)
            if index is None and kind == ROSTER:
                index = next((i for i, row in enumerate(sheet.rows)
                              if set(REQUIRED[ROSTER]) <= _known(row, lookups[ROSTER])), None)
            if index is None:
                continue
            table = _map_header(sheet.name, sheet.rows, index, lookups[kind])
            missing = [LABELS[kind][f] for f in REQUIRED[kind] if f not in table.columns]
            if missing:
                where = f"工作表“{sheet.name}”" if sheet.name else "文件"
                raise FileRefused(f"{where}缺少{KIND_NAMES[kind]}必需的列：{'、'.join(missing)}。")
            tables.append(table)
        if tables:
            return tables
    raise FileRefused(f"未找到{KIND_NAMES[kind]}的表头行。")
