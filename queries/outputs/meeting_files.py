"""The one entry of the CLI and the pages for a meeting file: it picks the writer by format.

Its own module so that the writers depend on `report` (the shared snapshot and the 通报's text)
and nothing in `report` depends on them: no import loop between report and deck."""
from __future__ import annotations

from pathlib import Path

import duckdb

from .report import ReportRequest, bulletin_markdown, write_xlsx


def write_report(con: duckdb.DuckDBPyConnection, fmt: str, path: Path, request: ReportRequest,
                 masked: bool = True) -> None:
    """The one entry of the CLI and the pages: pptx, docx, md or xlsx for the request.
    Only the xlsx lists carry personal data (masked unless asked); the deck and the 通报 never do."""
    path = Path(path)
    # the writers load python-pptx, kaleido and python-docx: only when a file is asked for, so
    # that 总览 (which offers the buttons) does not pay for them on its first draw
    if fmt == "pptx":
        from .deck import write_deck
        write_deck(con, request, path)
    elif fmt == "xlsx":
        write_xlsx(con, request, path, masked)
    elif fmt in ("md", "docx"):
        markdown = bulletin_markdown(con, request)
        if fmt == "md":
            path.write_text(markdown, encoding="utf-8")
        else:
            from .bulletin_docx import write_docx
            write_docx(markdown, path)
    else:
        raise ValueError(f"unknown format {fmt!r}")
