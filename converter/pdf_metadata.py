"""Finishing Chromium's PDF: a real title and the source address in its metadata, and a page count.

Chromium titles the PDF after the document and leaves the source out; readers and search
tools show the metadata, so we set /Title (the page title, or the URL when it has none),
/Subject (where it came from) and /Creator (who made it). The outline (bookmarks) Chromium
built from the headings is counted for the render report.

The new information dictionary is appended as an incremental update (ISO 32000-1, 7.5.6):
Chromium's file stays as it is, byte for byte. PDFium reads the page count, the outline and
the metadata Chromium wrote; the update itself is a few lines written here, because the
general tool for it (pypdf's incremental writer) reads and hashes every object of the file to
find what changed, 10-25 ms of the converter's CPU per PDF for one dictionary. A file whose
end is not the classic cross-reference table and trailer Chromium writes goes to pypdf.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from typing import Any

import pypdfium2
from pypdf import PdfReader, PdfWriter

from converter.pdfium import PDFIUM_LOCK

CREATOR = "PagePress"
#: The end of the file: where its last cross-reference section starts.
_START_XREF = re.compile(rb"startxref\s+(\d+)\s+%%EOF\s*$")
_TRAILER = re.compile(rb"trailer\s*<<(.*?)>>\s*startxref", re.DOTALL)
_TRAILER_ENTRY = re.compile(
    rb"\s*/(Size|Root|Info|ID)\s*(\d+\s+\d+\s+R|\d+|\[\s*<[0-9A-Fa-f]*>\s*<[0-9A-Fa-f]*>\s*\])\s*"
)
_TAIL_BYTES = 1024
#: The entries Chromium writes that the stamp keeps (it sets /Title, /Subject and /Creator).
_KEPT = ("Author", "Keywords", "Producer", "CreationDate", "ModDate")


@dataclass(frozen=True)
class FinishedPdf:
    content: bytes
    pages: int
    outline_entries: int = 0


@dataclass(frozen=True)
class _Facts:
    pages: int
    outline_entries: int
    info: dict[str, str]


def stamp_metadata(content: bytes, title: str, source_url: str) -> FinishedPdf:
    """``content`` with /Title, /Subject and /Creator set (the other standard entries Chromium
    wrote are kept); also its page count and outline entries."""
    facts = _facts(content)
    if facts is not None:
        info = {**facts.info, "Title": title or source_url, "Subject": source_url, "Creator": CREATOR}
        update = info_update(content, info)
        if update is not None:
            return FinishedPdf(content + update, facts.pages, facts.outline_entries)
    return _stamped_by_pypdf(content, title, source_url)


def _facts(content: bytes) -> _Facts | None:
    """What PDFium reads of the file; None when it cannot read it."""
    with PDFIUM_LOCK:
        try:
            document = pypdfium2.PdfDocument(content)
        except pypdfium2.PdfiumError:
            return None
        try:
            return _Facts(
                pages=len(document),
                outline_entries=sum(1 for _ in document.get_toc()),
                info=_kept_entries(document),
            )
        finally:
            document.close()


def _kept_entries(document: pypdfium2.PdfDocument) -> dict[str, str]:
    """The entries kept, as PDFium reads them; one that is not valid text (a lone surrogate
    written by a page's script) is left out."""
    kept = {}
    for key in _KEPT:
        try:
            value = document.get_metadata_value(key)
        except UnicodeDecodeError:
            continue
        if value:
            kept[key] = value
    return kept


def info_update(content: bytes, info: dict[str, str]) -> bytes | None:
    """The bytes to append to ``content`` so that ``info`` becomes its information dictionary;
    None unless the file ends with a classic cross-reference table and a trailer of /Size,
    /Root, /Info and /ID only (what Chromium and pypdf write)."""
    tail_start = max(0, len(content) - _TAIL_BYTES)
    end = _START_XREF.search(content, tail_start)
    if end is None:
        return None
    previous = int(end.group(1))
    if not content.startswith(b"xref", previous):
        return None  # a cross-reference stream
    trailer = _TRAILER.search(content, previous)
    entries = _trailer_entries(trailer.group(1)) if trailer else None
    if entries is None or "Size" not in entries or "Root" not in entries:
        return None
    number = int(entries["Size"])
    lead = b"" if content.endswith(b"\n") else b"\n"
    obj_offset = len(content) + len(lead)
    obj = f"{number} 0 obj\n<<{''.join(f'/{key} {_text(value)}' for key, value in info.items())}>>\nendobj\n".encode()
    xref_offset = obj_offset + len(obj)
    kept_id = f" /ID {entries['ID']}" if "ID" in entries else ""
    section = (
        f"xref\n{number} 1\n{obj_offset:010d} 00000 n \n"
        f"trailer\n<</Size {number + 1} /Root {entries['Root']} /Info {number} 0 R{kept_id} /Prev {previous}>>\n"
        f"startxref\n{xref_offset}\n%%EOF\n"
    )
    return lead + obj + section.encode()


def _trailer_entries(body: bytes) -> dict[str, str] | None:
    entries: dict[str, str] = {}
    position = 0
    while position < len(body):
        entry = _TRAILER_ENTRY.match(body, position)
        if entry is None:
            return None  # something else in the trailer (/Encrypt, /XRefStm...): not ours to rewrite
        entries[entry.group(1).decode()] = entry.group(2).decode()
        position = entry.end()
    return entries


def _text(value: str) -> str:
    """A PDF text string: literal when it is printable ASCII, else UTF-16BE with its byte order mark
    (a lone surrogate, which a page's script can put in its title, becomes "?")."""
    if all(" " <= c <= "~" for c in value):
        return "(" + value.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ")"
    return "<FEFF" + value.encode("utf-16-be", "replace").hex().upper() + ">"


def _stamped_by_pypdf(content: bytes, title: str, source_url: str) -> FinishedPdf:
    reader = PdfReader(io.BytesIO(content))
    writer = PdfWriter(reader, incremental=True)
    writer.add_metadata({"/Title": title or source_url, "/Subject": source_url, "/Creator": CREATOR})
    out = io.BytesIO()
    writer.write(out)
    return FinishedPdf(content=out.getvalue(), pages=len(reader.pages), outline_entries=count_outline(reader.outline))


def count_outline(outline: list[Any]) -> int:
    """Every bookmark, nested ones included (pypdf nests children as lists)."""
    return sum(count_outline(item) if isinstance(item, list) else 1 for item in outline)
