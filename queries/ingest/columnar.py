"""The import rules of SCHEMA.md §4–§5 applied column by column in DuckDB (#14).

Each field's cell reader (normalize, field_parsers) runs once per *distinct* value of its
column, and its results are joined back onto the rows. Text columns whose values are already
clean (printable, no edge spaces: most names, phones and 信访事由) skip Python altogether: the
SQL test below accepts only values the Python reader would return unchanged, so the result is
the same either way. Rows then get their refusal reasons, warnings and the in-file duplicate
rule in SQL, into three stage tables: stage_cases, stage_rejected, stage_warnings.
"""
from __future__ import annotations

import json

import duckdb
import pyarrow as pa

from .. import normalize as nz
from ..db import literal
from .case_store import DATE_FIELDS
from .field_parsers import ENUM_FIELDS, FieldParsers
from .raw_load import RawTable

# Values these match are returned unchanged by clean_text (SAFE_TEXT) or clean_id (SAFE_ASCII).
SAFE_TEXT = r"[\p{L}\p{M}\p{N}\p{P}\p{S}](?:[\p{L}\p{M}\p{N}\p{P}\p{S} ]*[\p{L}\p{M}\p{N}\p{P}\p{S}])?"
SAFE_ASCII = r"[!-~](?:[ -~]*[!-~])?"
BLANK = r"[\p{Cc}\p{Cf}\p{Z}]*"        # clean_text() is None exactly for these
MAY_HIDE = r"[\p{Cc}\p{Cf}]"           # has_invisible() can be true only for these
TEXT_FIELDS = ("petitioner_name", "phone", "summary", "responsible_unit", "case_leader")
BOOL_FIELDS = {"key_person": nz.parse_bool, "repeat_flag": nz.parse_repeat_flag}
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
STRING, DAY, FLAG, COUNT = pa.string(), pa.date32(), pa.bool_(), pa.int32()


def _id_check_fails(compact: str) -> str:
    """SQL: the GB 11643 check character of an ID number (`compact`: upper case, spaces removed)
    is wrong (normalize.check_id_number)."""
    total = " + ".join(f"(ascii(substr({compact}, {i + 1}, 1)) - 48) * {w}" for i, w in enumerate(ID_WEIGHTS))
    return (f"CASE WHEN regexp_full_match({compact}, '[0-9]{{17}}[0-9X]') "   # CASE: AND does not short-circuit
            f"THEN substr({compact}, 18, 1) <> substr('10X98765432', ({total}) % 11 + 1, 1) ELSE false END")


class _Table:
    """The SELECT that parses one raw table: the columns it derives from the raw cells (in the CTE
    `r`), its outputs, and one map of Python results per raw column, joined back on the value."""

    def __init__(self, con: duckdb.DuckDBPyConnection, raw: RawTable, number: int):
        self.con, self.raw, self.number = con, raw, number
        self.derived: dict[str, str] = {}
        self.outputs: dict[str, str] = {}
        self.joins: list[str] = []
        self.pending: list[tuple] = []   # (alias, cell, parse, outputs, where, hidden)

    def column(self, name: str) -> str | None:
        index = self.raw.header.columns.get(name)
        return None if index is None else f"c{index}"

    def python(self, cell: str, parse, outputs: dict[str, pa.DataType], where: str = "true",
               hidden: bool = False) -> str:
        """Join parse()'s results (a tuple a value) over the distinct values of `cell` that match
        `where` (with, when `hidden`, found/shown: has_invisible and shown_invisible of the value);
        the alias of the map, filled by resolve()."""
        alias = f"m{len(self.joins)}_{self.number}"
        self.pending.append((alias, cell, parse, outputs, where, hidden))
        self.joins.append(f"LEFT JOIN map_{alias} {alias} ON {alias}.k = r.{cell}")
        return alias

    def resolve(self) -> None:
        # One DISTINCT query a column: at 1M rows one scan with a list(DISTINCT) a column took
        # 0.84 s, these queries 0.59 s.
        for alias, cell, parse, outputs, where, hidden in self.pending:
            values = [v for (v,) in self.con.execute(
                f"SELECT DISTINCT {cell} FROM {self.raw.name} WHERE {cell} IS NOT NULL AND ({where})").fetchall()]
            results = [parse(v) for v in values]
            arrays = {"k": pa.array(values, STRING)}
            for position, (name, kind) in enumerate(outputs.items()):
                arrays[name] = pa.array([r[position] for r in results], kind)
            if hidden:
                arrays["found"] = pa.array([nz.has_invisible(v) for v in values], FLAG)
                arrays["shown"] = pa.array([nz.shown_invisible(v) for v in values], STRING)
            self.con.register(f"map_{alias}", pa.table(arrays))

    def hide(self, name: str, alias: str | None) -> None:
        """The warning value of a field's invisible characters (NULL: none, or a value the map
        does not hold: a safe one)."""
        self.outputs[f"hidden_{name}"] = "NULL" if alias is None else f"CASE WHEN {alias}.found THEN {alias}.shown END"

    def field(self, names: dict[str, pa.DataType], field_name: str | None, parse, cell: str | None = None) -> None:
        """Outputs `names` from parse() of the field's cell, run once per distinct value; parse(None)
        for blanks."""
        cell = cell or (self.column(field_name) if field_name else None)
        blank = parse(None)
        if cell is None:
            for (name, _), value in zip(names.items(), blank):
                self.outputs[name] = literal(value)
            return
        mapped = field_name in self.raw.header.columns
        alias = self.python(cell, parse, names, hidden=mapped)
        if mapped:
            self.hide(field_name, alias)
        for (name, _), value in zip(names.items(), blank):
            self.outputs[name] = f"CASE WHEN r.{cell} IS NULL THEN {literal(value)} ELSE {alias}.{name} END"

    def text(self, name: str, cell: str | None, clean, safe: str, extra=None) -> str | None:
        """A text output: the cell itself where it is already clean (`safe` matches it, so that
        the map of Python results, which holds the other values, has no row for it), else clean()
        of it; `extra`: more outputs of the same map. The map's alias."""
        if cell is None:
            self.outputs[name] = "NULL"
            return None
        parse = (lambda v: (clean(v), *extra[1](v))) if extra else (lambda v: (clean(v),))
        mapped = name in self.raw.header.columns
        alias = self.python(cell, parse, {"value": STRING, **(extra[0] if extra else {})},
                            f"NOT regexp_full_match({cell}, '{safe}')", hidden=mapped)
        if mapped:
            self.hide(name, alias)
        self.outputs[name] = f"CASE WHEN {alias}.k IS NULL THEN r.{cell} ELSE {alias}.value END"
        return alias


def _with_clean(parse):
    """parse() as (value, unreadable, the cell as clean text for messages)."""
    def run(value):
        try:
            return parse(value), False, nz.clean_text(value)
        except nz.Unreadable:
            return None, True, nz.clean_text(value)
    return run


def _idno(value) -> tuple[str | None, bool]:
    """An ID number's cell as clean text (for the warning) and whether its check character is wrong."""
    try:
        nz.check_id_number(value)
        bad = False
    except nz.Unreadable:
        bad = True
    return nz.clean_text(value), bad


def parse_table(con: duckdb.DuckDBPyConnection, raw: RawTable, number: int, parsers: FieldParsers,
                totals: tuple[str, ...], answer_at: int | None) -> str:
    """CREATE the TEMP VIEW parsed_{number}: one row per row of the raw table, every field read."""
    t = _Table(con, raw, number)
    cells = [f"c{j}" for j in range(raw.width)]
    first = "coalesce(" + ", ".join(f"CASE WHEN regexp_full_match({c}, '{BLANK}') THEN NULL ELSE {c} END"
                                    for c in cells) + ")"   # the first non-blank cell: blank and totals rows
    marker_alnum = any(ch.isascii() and ch.isalnum() for m in totals for ch in m)
    candidates = "" if marker_alnum else " AND NOT regexp_matches(first, '[0-9A-Za-z]')"   # ids have digits
    values = [v for (v,) in con.execute(
        f"SELECT DISTINCT first FROM (SELECT {first} AS first FROM {raw.name}) WHERE first IS NOT NULL"
        + candidates).fetchall()]
    totals_rows = [v for v in values if nz.folded(v).replace(" ", "") in totals]
    con.register(f"totals_{number}", pa.table({"k": pa.array(totals_rows, STRING)}))

    t.text("case_id", t.column("case_id"), nz.clean_id, SAFE_ASCII)
    for name in TEXT_FIELDS:
        t.text(name, t.column(name), nz.clean_text, SAFE_TEXT)
    t.text("answer", None if answer_at is None else f"c{answer_at}", nz.clean_text, SAFE_TEXT)
    idno = t.column("petitioner_idno")
    alias = t.text("petitioner_idno", idno, nz.clean_id, SAFE_ASCII, ({"clean": STRING, "bad": FLAG}, _idno))
    if idno is None:
        t.outputs.update(idno_clean="NULL", idno_bad="false")
    else:
        t.derived[f"compact_{idno}"] = f"upper(replace({idno}, ' ', ''))"
        t.outputs["idno_clean"] = f"CASE WHEN {alias}.k IS NULL THEN r.{idno} ELSE {alias}.clean END"
        t.outputs["idno_bad"] = (f"coalesce(CASE WHEN {alias}.k IS NULL THEN {_id_check_fails(f'r.compact_{idno}')} "
                                 f"ELSE {alias}.bad END, false)")
    path = t.column("place_path")
    if path is not None:
        t.field({"path_township": STRING, "path_village": STRING}, "place_path", nz.split_place_path)
    for name in ("township", "village"):
        if t.column(name) is not None or path is None:
            t.field({name: STRING}, name, lambda v: (nz.folded(v),))
        else:
            t.outputs[name] = t.outputs[f"path_{name}"]
    for name in ("path_township", "path_village"):
        t.outputs.pop(name, None)
    for name in ENUM_FIELDS:
        enum = parsers.enum(name)
        t.field({name: STRING, f"{name}_known": FLAG, f"{name}_clean": STRING}, name,
                lambda v, enum=enum: (*enum(v), nz.clean_text(v)))
    t.field({"category": STRING, "category_matched": FLAG, "category_raw": STRING}, "category",
            lambda v: (*parsers.category(v), nz.clean_text(v)))
    for name in DATE_FIELDS:
        t.field({name: DAY, f"{name}_bad": FLAG, f"{name}_clean": STRING}, name, _with_clean(nz.parse_date))
    most = parsers.max_persons
    t.field({"persons": COUNT, "persons_bad": FLAG, "persons_clean": STRING}, "persons",
            _with_clean(lambda v: nz.parse_persons(v, most)))
    for name, parse in BOOL_FIELDS.items():
        t.field({name: FLAG, f"{name}_bad": FLAG, f"{name}_clean": STRING}, name, _with_clean(parse))
    t.resolve()

    floor = literal(parsers.earliest_date)
    for name in DATE_FIELDS[1:]:   # spec-notes: an impossible date is a warning, left blank
        t.outputs[f"{name}_early"] = f"coalesce(({t.outputs[name]}) < {floor}, false)"
        t.outputs[name] = f"CASE WHEN ({t.outputs[name]}) < {floor} THEN NULL ELSE ({t.outputs[name]}) END"
    select = ",\n  ".join(f"{expr} AS {name}" for name, expr in t.outputs.items())
    name = f"parsed_{number}"
    con.execute(
        f"CREATE TEMP VIEW {name} AS WITH r AS (SELECT rowid AS i, *, {first} AS first"
        + "".join(f", {expr} AS {column}" for column, expr in t.derived.items()) + f" FROM {raw.name})\n"
        f"SELECT {number} AS tbl, {literal(raw.sheet)}::VARCHAR AS sheet, CAST(r.i + {raw.first_row} AS INTEGER) "
        "AS source_row, CASE WHEN r.first IS NULL THEN 'blank' WHEN tt.k IS NOT NULL THEN 'totals' END AS skip,"
        f"\n  {select}\nFROM r LEFT JOIN totals_{number} tt ON tt.k = r.first\n" + "\n".join(t.joins))
    return name


def raw_values(con: duckdb.DuckDBPyConnection, raw: RawTable, rows: list[int]) -> dict[int, str]:
    """source_row -> the JSON of a refused row's cells under their headers (as rejected_rows keeps them)."""
    if not rows:
        return {}
    headers = raw.header.headers
    cells = ", ".join(f"c{j}" for j in range(min(len(headers), raw.width)))
    con.register("refused_rows", pa.table({"i": pa.array([r - raw.first_row for r in rows], pa.int64())}))
    try:
        found = con.execute(f"SELECT rowid, {cells} FROM {raw.name} WHERE rowid IN (SELECT i FROM refused_rows)").fetchall()
    finally:
        con.unregister("refused_rows")
    values = {}
    for rowid, *row in found:
        kept = {headers[c]: nz.clean_text(v) for c, v in enumerate(row) if nz.clean_text(v) is not None}
        values[rowid + raw.first_row] = json.dumps(kept, ensure_ascii=False, default=str)
    return values
