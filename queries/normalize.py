"""Reading single values of an export: text, dates, booleans, counts, enumerations, places.

Each function takes one raw cell (str, int, float, bool, date, datetime or None, as the CSV
or Excel reader gives it) and returns the canonical value. The importer calls them once per
distinct value of a column, so they may be plain Python.
"""
from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, timedelta
from functools import cache

import opencc

_T2S = opencc.OpenCC("t2s")
_EXCEL_EPOCH = date(1899, 12, 30)
_MAX_EXCEL_SERIAL = 2958465  # 9999-12-31


class Unreadable(ValueError):
    """A value that cannot be read as its field's type."""


@cache
def simplified(text: str) -> str:
    return _T2S.convert(text)


_INVISIBLE = ("Cf", "Cc")   # format and control characters (SCHEMA.md §4)
_LINE_BREAKS = "\t\n\r"     # control characters too, but white space a cell may hold: not warned about


def without_invisible(text: str) -> str:
    """text without its format and control characters (zero-width spaces, bidi marks, soft
    hyphens, NUL, \x0b, \x1b…); tab and line breaks become spaces."""
    if text.isprintable():  # the common case, in C: nothing to remove
        return text
    return "".join(" " if ch in _LINE_BREAKS else ch for ch in text
                   if ch in _LINE_BREAKS or unicodedata.category(ch) not in _INVISIBLE)


def has_invisible(value) -> bool:
    """Does a cell hold a format or control character other than tab and line breaks? (warned)"""
    if not isinstance(value, str) or value.isprintable():
        return False
    return any(unicodedata.category(ch) in _INVISIBLE for ch in value if ch not in _LINE_BREAKS)


def shown_invisible(value) -> str:
    """A cell as text with each removed character written as <U+200B>, to show a user what
    was there."""
    return "".join(f"<U+{ord(ch):04X}>" if ch not in _LINE_BREAKS and unicodedata.category(ch) in _INVISIBLE
                   else ch for ch in str(value)).strip()


_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_18 = re.compile(r"\d{17}[\dX]")


def id_check_character(body: str) -> str:
    """The GB 11643 check character of the first 17 digits of an ID number."""
    return "10X98765432"[sum(int(d) * w for d, w in zip(body, _ID_WEIGHTS)) % 11]


def check_id_number(value) -> None:
    """Unreadable when an 18-character ID number's check character is wrong (a typing error:
    the row is kept with a warning). Other forms are not judged here."""
    text = clean_id(value)
    if text is None:
        return
    compact = re.sub(r"\s", "", text).upper()
    if _ID_18.fullmatch(compact) and compact[17] != id_check_character(compact[:17]):
        raise Unreadable(value)


def clean_text(value) -> str | None:
    """Trimmed text of a cell without format and control characters; blank -> None. Whole
    floats lose their '.0' (Excel numbers)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        if value != value:  # NaN
            return None
        if value.is_integer():
            value = int(value)
    if isinstance(value, datetime):
        value = value.date() if value.time() == datetime.min.time() else value
    text = without_invisible(str(value)).strip()
    return text or None


def clean_id(value) -> str | None:
    """case_id and ID numbers: clean text, NFKC-normalised (ＲＴ04-001 is RT04-001, full-width
    digits and Ｘ are ASCII)."""
    text = clean_text(value)
    return None if text is None else unicodedata.normalize("NFKC", text).strip() or None


def folded(value) -> str | None:
    """Text for matching: NFKC (full-width -> half-width), trimmed, simplified."""
    text = clean_text(value)
    if text is None:
        return None
    return simplified(unicodedata.normalize("NFKC", text).strip()) or None


def header_key(value) -> str | None:
    """A header as SCHEMA.md §2 compares it: trimmed, no trailing '*', simplified, half-width brackets."""
    text = folded(value)
    if text is None:
        return None
    return text.rstrip("*").strip() or None


# --- dates -----------------------------------------------------------------------------

_YMD = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})(?:\s*(日))?")
_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})")
_SERIAL = re.compile(r"\d{1,7}(?:\.\d+)?")


def _from_serial(serial: float) -> date:
    # A whole number 1900..2100 is somebody's year, not a day of 1905: not a date (the row's
    # reason says so) rather than a registration 120 years ago.
    if not 1 <= serial <= _MAX_EXCEL_SERIAL or (float(serial).is_integer() and 1900 <= serial <= 2100):
        raise Unreadable(serial)
    return _EXCEL_EPOCH + timedelta(days=int(serial))


def _from_number(number: float) -> date:
    if 19000101 <= number <= 29991231 and float(number).is_integer():
        return _from_digits(str(int(number)))
    return _from_serial(number)


def _from_digits(digits: str) -> date:
    m = _COMPACT.fullmatch(digits)
    return date(int(m[1]), int(m[2]), int(m[3]))


def parse_date(value) -> date | None:
    """A date from any form of SCHEMA.md §4; None for blank; Unreadable otherwise."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, bool):
        raise Unreadable(value)
    if isinstance(value, (int, float)):
        if value != value:
            return None
        return _from_number(value)
    text = unicodedata.normalize("NFKC", without_invisible(str(value))).strip()
    if not text:
        return None
    try:
        m = _YMD.match(text)
        if m:
            rest = text[m.end():]
            if rest and not (m[4] or rest[0] in " T\t"):
                raise Unreadable(value)
            return date(int(m[1]), int(m[2]), int(m[3]))
        head, _, tail = text.partition(" ")
        if _COMPACT.fullmatch(head):
            return _from_digits(head)
        if _SERIAL.fullmatch(text):
            return _from_serial(float(text))
    except ValueError as exc:  # e.g. 2024-02-30
        raise Unreadable(value) from exc
    raise Unreadable(value)


# --- booleans, counts --------------------------------------------------------------------

_BOOLEANS = {
    "是": True, "否": False, "y": True, "n": False, "1": True, "0": False,
    "true": True, "false": False, "√": True,
}
_REPEAT_MARKS = {"初件": False, "重件": True}


def parse_bool(value, extra: dict[str, bool] | None = None) -> bool | None:
    text = folded(value)
    if text is None:
        return None
    key = text.lower()
    if key in _BOOLEANS:
        return _BOOLEANS[key]
    if extra and key in extra:
        return extra[key]
    raise Unreadable(value)


def parse_repeat_flag(value) -> bool | None:
    return parse_bool(value, _REPEAT_MARKS)


_WHOLE = re.compile(r"\d+(?:\.0*)?")


DEFAULT_MAX_PERSONS = 10_000


def parse_persons(value, max_persons: int = DEFAULT_MAX_PERSONS) -> int:
    """人数: blank -> 1; otherwise a whole number from 1 to max_persons (SCHEMA.md §5 rule 4),
    else Unreadable. Never overflows: 3000000000, 1e12 or 10**5000 are simply out of range."""
    if isinstance(value, bool):
        raise Unreadable(value)
    if isinstance(value, (int, float)):
        if value != value:
            return 1
        if float(value).is_integer() and 1 <= value <= max_persons:
            return int(value)
        raise Unreadable(value)
    text = folded(value)
    if text is None:
        return 1
    if _WHOLE.fullmatch(text):
        number = text.split(".")[0].lstrip("0")
        if number and len(number) <= len(str(max_persons)) and 1 <= int(number) <= max_persons:
            return int(number)
    raise Unreadable(value)


# --- enumerations, categories, places ----------------------------------------------------

def enum_value(value, values: list[str], variants: dict[str, str]) -> tuple[str | None, bool]:
    """(canonical value, known?) of an enumerated field; unknown values are kept as read."""
    text = folded(value)
    if text is None:
        return None, True
    if text in values:
        return text, True
    if text in variants:
        return variants[text], True
    return text, False


_LEVEL_SPLIT = re.compile(r"[_/\-]")


def category_class(value, classes: list[str], aliases: dict[str, str], other: str) -> tuple[str, bool]:
    """(class, matched?) of a raw 内容分类 on its first level (SCHEMA.md §3); blank -> other."""
    text = folded(value)
    if text is None:
        return other, True
    first = _LEVEL_SPLIT.split(text, maxsplit=1)[0].strip()
    for candidate in (first, first + "类"):
        if candidate in classes:
            return candidate, True
    if first in aliases:
        return aliases[first], True
    return other, False


_TOWNSHIP_END = re.compile(r"乡|镇|街道")
_ABOVE_TOWNSHIP = re.compile(r"省|市|县|区")


def split_place_path(value) -> tuple[str | None, str | None]:
    """问题属地 path -> (township, village), per SCHEMA.md §2."""
    text = folded(value)
    if text is None:
        return None, None
    ends = [m.end() for m in _TOWNSHIP_END.finditer(text)]
    if not ends:
        starts = [m.end() for m in _ABOVE_TOWNSHIP.finditer(text)]
        return None, text[max(starts, default=0):] or None
    end = max(ends)
    marker_start = max(m.start() for m in _TOWNSHIP_END.finditer(text) if m.end() == end)
    starts = [m.end() for m in _ABOVE_TOWNSHIP.finditer(text, 0, marker_start)]
    start = max(starts, default=0)
    return text[start:end] or None, text[end:] or None
