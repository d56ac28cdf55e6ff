"""A CSV export read as a stream (#14): decoded chunk by chunk to UTF-8, its header row found
among the first records, and its body handed to DuckDB's CSV reader where that reader gives
exactly what Python's csv module gives, else streamed through the csv module in batches.
A file that is already UTF-8 is checked on its bytes (_scan_utf8) and read in place; the text
scan (_scan) decides the rest.

Memory does not grow with the file: nothing here holds more than one chunk or one batch.
"""
from __future__ import annotations

import codecs
import csv
import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

from . import byte_search
from .reader import (
    MOJIBAKE,
    UNKNOWN_ENCODING,
    FileRefused,
    candidate_encodings,
    file_notes,
    looks_western,
    not_this_encoding,
)

CHUNK_BYTES = 8 * 2**20
CHECKED_ROWS = 50   # the first body rows, read by both readers and compared


@dataclass
class Decoded:
    """The export as UTF-8 without NULs: the file itself when it already is, else a copy."""
    path: Path
    notes: list[str] = field(default_factory=list)   # file-level warnings
    blank_line_at: int = -1    # byte offset of its last blank line ("\n\n" or "\n\r"), -1 if none
    lone_return: bool = False  # a "\r" not followed by "\n" somewhere

    def plain_from(self, offset: int) -> bool:
        """Has the text from `offset` no blank line and no lone carriage return? Python's csv
        module yields an empty record for a blank line and ends a record at a lone \r; DuckDB's
        reader skips the one and may not do the other, so such a file is read by the csv module.
        (A blank line inside a quoted cell counts too: only speed is lost.)"""
        return not self.lone_return and self.blank_line_at < offset - 1


_LONE_RETURN = re.compile(rb"\r(?!\n)")
_BLANK_LINE = re.compile(rb"\n[\n\r]")


class _Breaks:
    """Watches the UTF-8 bytes of a file go by for blank lines and lone carriage returns."""

    def __init__(self):
        self.offset, self.last, self.blank_line_at, self.lone_return, self.pending_return = 0, b"\n", -1, False, False

    def see(self, data: bytes) -> None:
        # Two regex searches led by a literal byte: 0.39 s over a 1M-row CRLF export (0.32 s LF),
        # where counting the returns and the CRLFs and two rfinds took 0.73 s (0.44 s).
        if not data:
            return
        if self.pending_return and not data.startswith(b"\n"):
            self.lone_return = True
        self.pending_return = data.endswith(b"\r")
        if b"\r" in data and (lone := _LONE_RETURN.search(data)) and lone.start() < len(data) - 1:
            self.lone_return = True   # (a return that ends the chunk is decided by the next one)
        found = -1
        for found_line in _BLANK_LINE.finditer(data):   # few: a file with many is read by the csv module
            found = found_line.start()
        if found >= 0:
            self.blank_line_at = self.offset + found
        elif self.last == b"\n" and data[:1] in (b"\n", b"\r"):
            self.blank_line_at = self.offset - 1
        self.offset += len(data)
        self.last = data[-1:]

    def close(self) -> None:
        self.lone_return = self.lone_return or self.pending_return


LATIN_LEADS = ("\u00c3", "\u00c2", "\u00e2")   # the first characters MOJIBAKE looks for: rare in Chinese text


def chunks(path: Path) -> Iterator[bytes]:
    with open(path, "rb") as file:
        while chunk := file.read(CHUNK_BYTES):
            yield chunk


class _Copy:
    """A file written in a thread one chunk behind its caller: the write lets go of the GIL while
    the next chunk is decoded (0.6 s of a 1M-row GBK export's copy). Two chunks at most are held."""

    def __init__(self, path: Path):
        self.file, self.pool, self.pending = open(path, "wb"), ThreadPoolExecutor(1), None

    def write(self, data: bytes) -> None:
        if self.pending is not None:
            self.pending.result()   # the previous chunk is written (or its OSError raised here)
        self.pending = self.pool.submit(self.file.write, data)

    def close(self) -> None:
        try:
            if self.pending is not None:
                self.pending.result()
        finally:
            self.pool.shutdown()
            self.file.close()


def _scan(path: Path, encoding: str, copy: Path | None) -> tuple[Decoded, int] | None:
    """Decode the whole file (writing the UTF-8 copy, without NULs, when `copy` is given): what
    it holds and its NUL count, or None when it is not this encoding's text (U+FFFD, mostly NULs)."""
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    breaks = _Breaks()
    nuls = characters = 0
    mojibake = western = None
    tail = ""   # the previous chunk's last character: the patterns span two characters
    out = _Copy(copy) if copy else None
    try:
        for chunk in chunks(path):
            text = decoder.decode(chunk)
            if "\ufffd" in text:
                return None   # not_this_encoding
            characters += len(text)
            if "\x00" in text:
                nuls += text.count("\x00")
                text = text.replace("\x00", "")
            window = tail + text
            if mojibake is None and any(lead in window for lead in LATIN_LEADS) and (found := MOJIBAKE.search(window)):
                mojibake = found.group()
            if encoding == "gb18030" and western is None and looks_western(window):
                western = True
            tail = text[-1:] or tail
            if out:
                data = text.encode("utf-8")
                out.write(data)
                breaks.see(data)
            else:
                breaks.see(chunk)
        decoder.decode(b"", final=True)
    finally:
        if out:
            out.close()
    breaks.close()
    if not_this_encoding(False, nuls, characters):
        return None
    return Decoded(copy or path, file_notes(nuls, bool(western), mojibake), breaks.blank_line_at,
                   breaks.lone_return), nuls


def _cut_character(data: bytes) -> tuple[int, int]:
    """(where the UTF-8 character that the end of `data` cuts begins, how many bytes it lacks);
    (len(data), 0) when the end cuts none."""
    for back in range(1, min(4, len(data)) + 1):
        byte = data[-back]
        if byte < 0x80:
            break
        if byte >= 0xC0:   # the lead byte of a sequence of 2, 3 or 4
            length = 2 if byte < 0xE0 else 3 if byte < 0xF0 else 4
            return (len(data) - back, length - back) if length > back else (len(data), 0)
    return len(data), 0


def _scan_utf8(path: Path) -> Decoded | None:
    """What _scan finds in a UTF-8 file, from its bytes alone: 0.4 s for a 1M-row export where
    decoding it took 0.9 s. None hands the file to _scan: it is not UTF-8, or it holds a NUL,
    U+FFFD or the byte \\xc3 (Ã, Â and â, with which MOJIBAKE begins, and other Latin letters)."""
    breaks = _Breaks()
    with open(path, "rb") as file:
        while chunk := file.read(CHUNK_BYTES):
            start, missing = _cut_character(chunk)
            extra = file.read(missing) if missing else b""
            cut = chunk[start:] + extra   # the character the chunk cuts, whole
            if any(byte in part for byte in (b"\x00", b"\xc3") for part in (chunk, extra)):
                return None
            body = memoryview(chunk)[:start]
            if not (byte_search.valid_utf8(body) and byte_search.valid_utf8(cut)):
                return None
            # U+FFFD: RE2 finds it from its first byte in 0.016 s over the 1M-row file, bytes.find in 0.2 s
            if any(byte_search.found(r"\xef\xbf\xbd", part) for part in (body, cut)):
                return None
            breaks.see(chunk)
            breaks.see(extra)
    breaks.close()
    return Decoded(path, [], breaks.blank_line_at, breaks.lone_return)


def decode(path: Path, scratch: Path) -> Decoded:
    """The export as UTF-8 (reader.decode_csv's rules, one chunk at a time)."""
    copy = scratch / "decoded.csv"
    with open(path, "rb") as file:
        head = file.read(3)
    for encoding in candidate_encodings(head):
        utf8 = encoding.startswith("utf-8")
        if utf8 and (plain := _scan_utf8(path)) is not None:
            return plain
        try:
            scanned = _scan(path, encoding, None if utf8 else copy)
        except UnicodeDecodeError:
            continue
        if scanned is None:
            break
        decoded, nuls = scanned
        if utf8 and nuls:   # rare: a second pass writes the copy without them
            decoded, _ = _scan(path, encoding, copy)
        return decoded
    raise FileRefused(UNKNOWN_ENCODING)


def records(path: Path, delimiter: str) -> Iterator[tuple[list[str | None], int]]:
    """(cells, physical lines read so far) of each record; blank cells are None."""
    with open(path, encoding="utf-8-sig", newline="") as file:
        reader = csv.reader(file, delimiter=delimiter)
        try:
            for row in reader:
                yield [cell if cell != "" else None for cell in row], reader.line_num
        except csv.Error as exc:  # e.g. a cell longer than csv.field_size_limit() (128 KB)
            raise FileRefused(f"CSV 文件格式有误（如单元格内容过长或引号不配对），无法读取：{exc}") from exc


def batches(path: Path, delimiter: str, skip: int, size: int) -> Iterator[list[list[str | None]]]:
    """The records after the first `skip`, `size` at a time."""
    rows = (cells for cells, _ in islice(records(path, delimiter), skip, None))
    while batch := list(islice(rows, size)):
        yield batch


def body_offset(path: Path, lines: int) -> int:
    """Byte offset after the first `lines` line breaks (\n: a file with a lone \r is not read by DuckDB)."""
    offset = 0
    with open(path, "rb") as file:
        data = b""
        while lines:
            if (found := data.find(b"\n", offset)) >= 0:
                offset, lines = found + 1, lines - 1
                continue
            more = file.read(CHUNK_BYTES)
            if not more:
                return len(data)
            data += more
    return offset
