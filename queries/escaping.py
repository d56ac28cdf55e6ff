"""Text from the data made safe for where it is written: one helper per destination.

Names of places, people and units come from import files anyone can craft. Wherever they are
written they must stay text:
* documents (docx, pptx, xlsx are XML): characters XML cannot hold are dropped (`document_text`);
* CSV opened in Excel: a cell starting like a formula is prefixed with an apostrophe (`csv_cell`,
  `csv_bytes`), as the xlsx lists store every string as a string;
* Markdown (Streamlit, the Markdown 通报): no links, images, HTML, colours or LaTeX (`markdown_text`);
* Plotly text (labels, hover, ticks): Plotly renders a subset of HTML (`<a href>`), so `<`, `>`
  and `&` are written as entities (`plotly_text`).
"""
from __future__ import annotations

import html
import re

import pandas as pd

# XML 1.0 allows tab, LF, CR and everything from U+0020 except surrogates and U+FFFE/U+FFFF.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def document_text(text) -> str:
    """Text a Word, PowerPoint or Excel file can hold (python-docx refuses control characters)."""
    return _XML_ILLEGAL.sub("", str(text))


# What makes Excel (and LibreOffice) read a CSV cell as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value):
    """A CSV cell that Excel shows as text, never runs: '=HYPERLINK(…) stays visible as typed."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with every text cell (and header) made formula-safe."""
    safe = frame.rename(columns=lambda c: csv_cell(c) if isinstance(c, str) else c)
    for column in safe.columns:
        if not (pd.api.types.is_numeric_dtype(safe[column]) or pd.api.types.is_datetime64_any_dtype(safe[column])):
            safe[column] = safe[column].map(csv_cell, na_action="ignore")
    return safe


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """A formula-safe CSV that Excel opens with Chinese intact (UTF-8 with BOM). Rows end in CRLF,
    so a cell holding a CR or LF is quoted (with LF endings pandas leaves a lone CR bare, and
    Excel starts a new row there)."""
    return csv_frame(frame).to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")


# Inline Markdown that could turn text into a link, an image, HTML, emphasis or LaTeX:
# backslash-escaped. Line breaks go too, so nothing can start a list, a quote or a heading.
_MARKDOWN_SPECIALS = set("\\`*_[]()<>#|$~!&")
# Some transforms run on the text after escapes are read, whatever the escapes: GFM links bare
# addresses (http://…, www.…, a@b.cn) and Streamlit makes `:red[…]`, `:material/icon:` and
# `:emoji:`. An invisible WORD JOINER after ":" and "@" and inside "www." breaks every one of
# them and shows nothing.
WORD_JOINER = "\u2060"
_TRANSFORMED = re.compile(r"(?<=[:@])|(?<=www)(?=\.)", re.IGNORECASE)


def markdown_text(text) -> str:
    """Text from data, shown literally inside Markdown."""
    flat = " ".join(document_text(text).replace(WORD_JOINER, "").split())
    escaped = "".join("\\" + ch if ch in _MARKDOWN_SPECIALS else ch for ch in flat)
    return _TRANSFORMED.sub(WORD_JOINER, escaped)


_MARKDOWN_ESCAPE = re.compile(r"\\(.)|" + WORD_JOINER)


def markdown_plain(text: str) -> str:
    """The literal text of a `markdown_text` (for a document that is not Markdown)."""
    return _MARKDOWN_ESCAPE.sub(lambda m: m.group(1) or "", text)


def plotly_text(text) -> str:
    """Text from data, shown literally in a Plotly label, hover or tick (no tags, no links)."""
    if text is None or (not isinstance(text, str) and pd.isna(text)):
        return text
    return html.escape(document_text(text), quote=False)
