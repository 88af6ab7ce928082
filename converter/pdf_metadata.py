"""Finishing Chromium's PDF: a real title and the source address in its metadata, and a page count.

Chromium titles the PDF after the document and leaves the source out; readers and search
tools show the metadata, so we set /Title (the page title, or the URL when it has none),
/Subject (where it came from) and /Creator (who made it). The outline (bookmarks) Chromium
built from the headings is counted for the render report.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from pypdf import PdfReader, PdfWriter

CREATOR = "PagePress"


@dataclass(frozen=True)
class FinishedPdf:
    content: bytes
    pages: int
    outline_entries: int = 0


def stamp_metadata(content: bytes, title: str, source_url: str) -> FinishedPdf:
    """``content`` with /Title and /Subject set; also report its page count.

    Written as an incremental update (the new information dictionary appended to Chromium's
    file, which stays as it is): about half the work of rewriting every object."""
    reader = PdfReader(io.BytesIO(content))
    writer = PdfWriter(reader, incremental=True)
    writer.add_metadata({"/Title": title or source_url, "/Subject": source_url, "/Creator": CREATOR})
    out = io.BytesIO()
    writer.write(out)
    return FinishedPdf(content=out.getvalue(), pages=len(reader.pages), outline_entries=count_outline(reader.outline))


def count_outline(outline: list[Any]) -> int:
    """Every bookmark, nested ones included (pypdf nests children as lists)."""
    return sum(count_outline(item) if isinstance(item, list) else 1 for item in outline)
