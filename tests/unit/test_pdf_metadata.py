"""Stamping Chromium's PDF: metadata set by an incremental update that leaves the original intact."""

from __future__ import annotations

import io

from pypdf import PdfReader, PdfWriter

from converter.pdf_metadata import stamp_metadata


def _pdf(pages: int) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": "chromium's title", "/Producer": "Skia/PDF"})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_title_and_source_are_set_and_the_pages_counted():
    finished = stamp_metadata(_pdf(3), "The page", "https://example.com/a?b=c")
    metadata = PdfReader(io.BytesIO(finished.content)).metadata
    assert (metadata["/Title"], metadata["/Subject"]) == ("The page", "https://example.com/a?b=c")
    assert metadata["/Producer"] == "Skia/PDF"  # what Chromium said is kept
    assert finished.pages == 3


def test_the_original_file_is_kept_byte_for_byte_and_the_update_appended():
    original = _pdf(2)
    finished = stamp_metadata(original, "", "https://example.com/")
    assert finished.content.startswith(original)
    assert PdfReader(io.BytesIO(finished.content)).metadata["/Title"] == "https://example.com/"
