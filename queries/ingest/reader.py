"""Reading an export file into sheets of raw cells, and finding each sheet's header row.

CSV is decoded in Python (UTF-8 with or without BOM, UTF-16 with BOM, GBK/GB18030); Excel
(xlsx, xls, ods) is read with fastexcel (ingest/workbook.py), values only: formulas are never evaluated.
"""
from __future__ import annotations

import codecs
import csv
import io
import re
import string
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..normalize import clean_text, header_key
from .workbook import read_grids
from .xlsx_extent import oversized_sheet

EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"}
ZIP_SUFFIXES = {".xlsx", ".xlsm", ".xlsb", ".ods"}
XML_SHEET_SUFFIXES = {".xlsx", ".xlsm"}  # sheets as xl/worksheets/*.xml, scanned before reading
MAX_UNZIPPED_RATIO = 200  # real workbooks compress 5-20x; a far higher ratio is a zip bomb
CSV_SUFFIXES = {".csv", ".txt", ".tsv"}
MIN_HEADER_MATCHES = 3
REQUIRED_FIELDS = ("case_id", "registered_on")
FIELD_LABELS = {"case_id": "信访件编号", "registered_on": "登记日期"}


class FileRefused(Exception):
    """The whole file cannot be imported; the message is Chinese and says why."""


@dataclass
class Sheet:
    name: str | None
    rows: Sequence[list]  # raw cells, row i is source row i + 1 (a workbook's: workbook.GridRows)
    notes: list[str] = field(default_factory=list)   # file-level warnings (e.g. NULs dropped)


@dataclass
class Header:
    """A header row mapped onto case fields."""
    headers: list[str]            # header cells as written (for raw values of refused rows)
    columns: dict[str, int]       # field -> column index
    unused: list[str]             # header cells not mapped to any field


@dataclass
class Table:
    """A sheet's data below its header row, with the header mapped onto case fields."""
    sheet: str | None
    headers: list[str]            # header cells as written (for raw values of refused rows)
    columns: dict[str, int]       # field -> column index
    unused: list[str]             # header cells not mapped to any field
    first_row: int                # 1-based source row of the first data row
    rows: Sequence[list] = field(repr=False)
    notes: list[str] = field(default_factory=list)   # file-level warnings, from its sheet

    @property
    def header(self) -> Header:
        return Header(self.headers, self.columns, self.unused)


MOJIBAKE = re.compile("[ÃÂâ][\u0080-\u00bf\u2018-\u203a\u20ac\u0152-\u0178]")  # UTF-8 read as Windows-1252 once


UNKNOWN_ENCODING = ("无法识别文件编码：文件既不是 UTF-8，也不是 GBK/GB18030，或含有乱码。"
                    "请另存为 UTF-8 或 GBK 编码的 CSV 后再导入。")


def candidate_encodings(head: bytes) -> list[str]:
    """The encodings a CSV starting with `head` is tried in, in order."""
    if head.startswith(b"\xef\xbb\xbf"):
        return ["utf-8-sig"]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return ["utf-16"]
    return ["utf-8", "gb18030"]


def not_this_encoding(replacements: bool, nuls: int, characters: int) -> bool:
    """A decoded text with U+FFFD, or NULs in more than a tenth of it (UTF-16 without a BOM,
    which is not guessed), is not taken for text of that encoding."""
    return replacements or nuls > characters // 10


def file_notes(nuls: int, western: bool, mojibake: str | None) -> list[str]:
    """File-level warnings of a decoded CSV: NULs dropped, GBK that looks Western, mojibake."""
    notes = []
    if nuls:
        notes.append(f"文件中有 {nuls} 个空字符（NUL），已删除；文件可能在导出或传输中受损，请核对数据。")
    if western:
        notes.append("文件按 GBK 编码读取，但内容更像西文 Windows-1252 编码，部分文字可能成为乱码，请核对；"
                     "如有乱码，请另存为 UTF-8 编码的 CSV 后再导入。")
    if mojibake:
        notes.append(f"文件中有疑似乱码（如“{mojibake}”，常见于编码转换错误），请核对。")
    return notes


def decode_csv(data: bytes) -> tuple[str, list[str]]:
    """The text of a CSV and file-level warnings. A few NUL bytes (a damaged export) are dropped
    with a warning; many mean UTF-16 without a BOM, which is not guessed."""
    for encoding in candidate_encodings(data):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        nuls = text.count("\x00")
        if not_this_encoding("\ufffd" in text, nuls, len(text)):
            break
        text = text.replace("\x00", "") if nuls else text
        found = MOJIBAKE.search(text)
        return text, file_notes(nuls, encoding == "gb18030" and looks_western(text), found and found.group())
    raise FileRefused(UNKNOWN_ENCODING)


class _WesternTrace(Exception):
    pass


_LATIN_LETTERS = frozenset(string.ascii_letters)


def _after_latin_letter(error: UnicodeEncodeError):
    """Encoding error handler: stop at a character outside GB2312 right after a Latin letter."""
    if error.start and error.object[error.start - 1] in _LATIN_LETTERS:
        raise _WesternTrace
    return "", error.end


codecs.register_error("xinfang_western_trace", _after_latin_letter)


def looks_western(text: str) -> bool:
    """GBK accepts a Windows-1252 accented letter followed by a letter (ü+l in Müller, ñ+o in
    Señor) as one rare Chinese character: a character outside GB2312 right after a Latin
    letter is the trace of it. Chinese ledgers put neither there.

    Found by encoding the text as GB2312, whose codec calls the handler only at the characters
    it lacks: 0.45 s for a 1M-row GBK export, against 1.08 s for a regex over every Latin letter."""
    try:
        text.encode("gb2312", errors="xinfang_western_trace")
    except _WesternTrace:
        return True
    return False


CSV_DELIMITERS = (",", "\t", ";")


def read_csv(data: bytes, delimiter: str) -> list[Sheet]:
    text, notes = decode_csv(data)
    try:
        rows = [[cell if cell != "" else None for cell in row]
                for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]
    except csv.Error as exc:  # e.g. a cell longer than csv.field_size_limit() (128 KB)
        raise FileRefused(f"CSV 文件格式有误（如单元格内容过长或引号不配对），无法读取：{exc}") from exc
    return [Sheet(None, rows, notes)]


OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ENCRYPTED = FileRefused("文件已加密（设置了打开密码），无法读取。请在 Excel 中打开，删除密码（文件 → 信息 → 保护工作簿 → "
                        "用密码进行加密，清空密码）后另存，再导入。")


def is_encrypted_ooxml(data: bytes) -> bool:
    """An encrypted xlsx is not a zip but an OLE container holding an EncryptedPackage stream."""
    return data.startswith(OLE_MAGIC) and "EncryptedPackage".encode("utf-16-le") in data


def read_excel(data: bytes) -> list[Sheet]:
    try:
        return [Sheet(name, rows) for name, rows in read_grids(data)]
    except Exception as exc:  # fastexcel raises several kinds for damaged or foreign files
        if "password" in str(exc).lower():   # an encrypted xls
            raise FileRefused(str(ENCRYPTED)) from exc
        raise FileRefused(f"无法读取 Excel 文件（文件可能已损坏、加密或并非 Excel 格式）：{exc}") from exc


def check_zip(data: bytes, max_bytes: int, max_cells: int | None = None) -> None:
    """Refuse a workbook whose content would unpack to far more than a real ledger, or (xlsx)
    one of whose sheets spans more cells than max_cells — checked before calamine allocates."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
            if unpacked > max_bytes or unpacked > MAX_UNZIPPED_RATIO * max(len(data), 1):
                raise FileRefused(f"文件解压后过大（{unpacked / 2**20:.0f} MB），疑似异常文件，已拒收。")
            oversized = oversized_sheet(archive, max_cells) if max_cells else None
    except FileRefused:
        raise
    except Exception as exc:  # BadZipFile, but a damaged directory also raises NotImplementedError, ValueError…
        raise FileRefused("无法读取 Excel 文件：文件已损坏或并非 Excel 格式（可能是改了扩展名的其他文件）。") from exc
    if oversized:
        columns, rows = oversized
        raise FileRefused(
            f"工作表的单元格范围过大：按 {columns:,} 列计，第 {rows:,} 行以下仍有单元格，"
            f"按行×列计超过 {max_cells:,} 个单元格的上限（设置项 [import] max_sheet_cells）。这通常是远处"
            "有个别孤立的单元格：请在 Excel 中删除数据区域以外的行和列后另存，再导入。")


DEFAULT_MAX_CELLS = 20_000_000


EMPTY = "文件是空的。"
NO_HEADER = "未找到表头行：文件中没有一行包含至少三个可识别的列名（如 信访件编号、登记日期、信访形式）。"
CLOSEST_ROWS = 200   # the rows of each sheet closest_header looks at


def too_large(size: int, max_bytes: int) -> FileRefused:
    return FileRefused(f"文件过大（{size / 2**20:.1f} MB），超过上限 {max_bytes / 2**20:.0f} MB"
                       "（设置项 [import] max_file_mb；网页上传的上限是 .streamlit/config.toml 中的 "
                       "server.maxUploadSize，两者应设为相同）。可把文件按年份拆分后分别导入，或请管理员调高上限。")


def read_sheets(path: Path, data: bytes, delimiter: str = ",", max_bytes: int = 50 * 2**20,
                max_cells: int = DEFAULT_MAX_CELLS) -> list[Sheet]:
    if not data.strip():
        raise FileRefused(EMPTY)
    if len(data) > max_bytes:
        raise too_large(len(data), max_bytes)
    suffix = path.suffix.lower()
    if suffix in ZIP_SUFFIXES and is_encrypted_ooxml(data):
        raise FileRefused(str(ENCRYPTED))
    if suffix in ZIP_SUFFIXES:
        check_zip(data, 10 * max_bytes, max_cells if suffix in XML_SHEET_SUFFIXES else None)
    if suffix in EXCEL_SUFFIXES:
        return read_excel(data)
    if suffix in CSV_SUFFIXES:
        return read_csv(data, delimiter)
    raise FileRefused(f"不支持的文件类型“{path.suffix or '无扩展名'}”：请导入 .xlsx、.xls 或 .csv 文件。")


def header_lookup(synonyms: dict[str, list[str]]) -> dict[str, tuple[str, int]]:
    """header key -> (field, priority) from the configured synonyms."""
    lookup = {}
    for field_name, names in synonyms.items():
        for priority, name in enumerate(names):
            lookup.setdefault(header_key(name), (field_name, priority))
    return lookup


def map_header(row: list, lookup: dict[str, tuple[str, int]],
               also_known: frozenset[str] = frozenset()) -> Header | None:
    """The row as a header row if it matches at least three known headers (`also_known`: header
    keys of the other ledgers' vocabularies, which count too), else None."""
    keys = [header_key(cell) for cell in row]
    if sum(1 for key in keys if key in lookup or key in also_known) < MIN_HEADER_MATCHES:
        return None
    return header_of(row, lookup)


def header_of(row: list, lookup: dict[str, tuple[str, int]]) -> Header:
    """A header row's cells mapped onto fields: for each field, its column of highest priority."""
    keys = [header_key(cell) for cell in row]
    best: dict[str, tuple[int, int]] = {}  # field -> (priority, column)
    for column, key in enumerate(keys):
        if key in lookup:
            field_name, priority = lookup[key]
            if field_name not in best or priority < best[field_name][0]:
                best[field_name] = (priority, column)
    columns = {name: column for name, (_, column) in best.items()}
    used = set(columns.values())
    headers = [clean_text(cell) or f"第{column + 1}列" for column, cell in enumerate(row)]
    unused = [headers[column] for column, key in enumerate(keys) if key and column not in used]
    return Header(headers, columns, unused)


def missing_required(header: Header, row: list, sheet: str | None) -> FileRefused | None:
    """The refusal of a header row that lacks 信访件编号 or 登记日期."""
    missing = [FIELD_LABELS[f] for f in REQUIRED_FIELDS if f not in header.columns]
    if not missing:
        return None
    where = f"工作表“{sheet}”" if sheet else "文件"
    found = [clean_text(c) for c in row if clean_text(c)]
    return FileRefused(f"{where}缺少必需的列：{'、'.join(missing)}。找到的表头为：{'、'.join(found)}。")


def find_table(sheet: Sheet, lookup: dict[str, tuple[str, int]],
               also_known: frozenset[str] = frozenset()) -> Table | None:
    """The sheet's table below its first header row (map_header)."""
    for index, row in enumerate(sheet.rows):
        header = map_header(row, lookup, also_known)
        if header is not None:
            return Table(sheet.name, header.headers, header.columns, header.unused, index + 2,
                         sheet.rows[index + 1:], sheet.notes)
    return None


def read_tables(path: Path, data: bytes, synonyms: dict[str, list[str]],
                max_bytes: int = 50 * 2**20, max_cells: int = DEFAULT_MAX_CELLS,
                also_known: frozenset[str] = frozenset(), sheets: list[Sheet] | None = None) -> list[Table]:
    """Every sheet's table; refuses a file with no usable header row. `sheets`: a workbook's
    sheets already read (read_sheets), so that a large workbook is parsed once.

    A CSV is tried with each delimiter in turn: the one whose rows show a header row wins.
    """
    lookup = header_lookup(synonyms)
    is_csv = path.suffix.lower() in CSV_SUFFIXES
    for delimiter in CSV_DELIMITERS if is_csv else (None,):
        tables, lacking = [], []
        for sheet in sheets if sheets is not None else read_sheets(path, data, delimiter, max_bytes, max_cells):
            table = find_table(sheet, lookup, also_known)
            if table is None:
                continue
            refusal = missing_required(table.header, sheet.rows[table.first_row - 2], sheet.name)
            if refusal:
                lacking.append(refusal)
            else:
                tables.append(table)
        if tables and not lacking:
            return tables
        if lacking:
            raise lacking[0]
    raise FileRefused(NO_HEADER + closest_header(sheets if sheets is not None else
                                       read_sheets(path, data, CSV_DELIMITERS[0], max_bytes, max_cells), lookup))


def closest_header(sheets: list[Sheet], lookup: dict[str, tuple[str, int]]) -> str:
    """Where the header probably is, to help the user fix the file: the first row with the
    most recognised column names (at least one), as written."""
    best = (0, None, 0, [])
    for sheet in sheets:
        for index, row in enumerate(sheet.rows[:CLOSEST_ROWS]):
            known = [clean_text(cell) for cell in row if header_key(cell) in lookup]
            if len(known) > best[0]:
                best = (len(known), sheet.name, index + 1, known)
    count, name, row_number, known = best
    if not count:
        return "文件中未见任何可识别的列名。"
    where = f"工作表“{name}”第{row_number}行" if name else f"第{row_number}行"
    return f"最接近表头的是{where}，仅识别出：{'、'.join(known)}。"
