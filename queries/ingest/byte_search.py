"""Searches and checks over a file's raw bytes done by Arrow's C++ (RE2 for regexes), which lets
go of the GIL and, on these inputs, outruns Python's re and bytes.find: a far-cell search of a
sheet's XML (xlsx_extent), the UTF-8 check of a CSV export (csv_stream)."""
from __future__ import annotations

import struct

import pyarrow as pa
import pyarrow.compute as pc


def _one_value(data, kind: pa.DataType) -> pa.Array:
    """`data` (bytes or a memoryview of them) as the one value of an Arrow array, not copied."""
    return pa.Array.from_buffers(kind, 1, [None, pa.py_buffer(struct.pack("<ii", 0, len(data))), pa.py_buffer(data)])


def found(pattern: str, data) -> bool:
    """Does RE2 find `pattern` (bytes written as \\xNN where not ASCII) in `data`?"""
    return pc.match_substring_regex(_one_value(data, pa.binary()), pattern)[0].as_py()


def valid_utf8(data) -> bool:
    """Is `data` UTF-8 by the rules of Python's strict decoder (tests/test_csv_stream.py holds
    the two to the same answers)? Checked without decoding it."""
    try:
        _one_value(data, pa.string()).validate(full=True)
    except pa.ArrowInvalid:
        return False
    return True
