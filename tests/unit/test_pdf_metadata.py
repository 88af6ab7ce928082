"""Stamping Chromium's PDF: metadata set by an incremental update that leaves the original intact."""

from __future__ import annotations

import io

import pypdfium2
import pytest
from pypdf import PdfReader, PdfWriter

from converter import pdf_metadata
from converter.pdf_metadata import info_update, stamp_metadata


def _pdf(pages: int, outline: int = 0) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    parent = writer.add_outline_item(title="Chapter", page_number=0) if outline else None
    for n in range(1, outline):
        writer.add_outline_item(title=f"Section {n}", page_number=0, parent=parent)
    writer.add_metadata({"/Title": "chromium's title", "/Producer": "Skia/PDF", "/CreationDate": "D:20261130010203"})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _metadata_both_ways(content: bytes) -> tuple[dict, dict]:
    """The information dictionary as pypdf and as PDFium read it (two independent readers)."""
    by_pypdf = dict(PdfReader(io.BytesIO(content), strict=True).metadata or {})
    document = pypdfium2.PdfDocument(content)
    try:
        return by_pypdf, document.get_metadata_dict(skip_empty=True)
    finally:
        document.close()


def test_title_and_source_are_set_and_the_pages_and_bookmarks_counted():
    finished = stamp_metadata(_pdf(3, outline=3), "The page", "https://example.com/a?b=c")
    by_pypdf, by_pdfium = _metadata_both_ways(finished.content)
    assert (by_pypdf["/Title"], by_pypdf["/Subject"], by_pypdf["/Creator"]) == (
        "The page",
        "https://example.com/a?b=c",
        "PagePress",
    )
    assert by_pypdf["/Producer"] == "Skia/PDF" and by_pdfium["CreationDate"] == "D:20261130010203"  # kept
    assert by_pdfium["Title"] == "The page" and by_pdfium["Subject"] == "https://example.com/a?b=c"
    assert (finished.pages, finished.outline_entries) == (3, 3)


def test_the_original_file_is_kept_byte_for_byte_and_the_update_appended():
    original = _pdf(2)
    finished = stamp_metadata(original, "", "https://example.com/")
    assert finished.content.startswith(original)
    assert len(finished.content) - len(original) < 600  # one dictionary, one cross-reference entry
    assert PdfReader(io.BytesIO(finished.content), strict=True).metadata["/Title"] == "https://example.com/"


@pytest.mark.parametrize(
    "title",
    ["Ünïcödé — 日本語 🎉", "parens (and) back\\slash", "line\nbreak", ")>> endobj trailer <<"],
)
def test_any_title_reads_back_exactly_and_cannot_break_out_of_its_string(title):
    finished = stamp_metadata(_pdf(1), title, "https://example.com/?q=(x)")
    by_pypdf, by_pdfium = _metadata_both_ways(finished.content)
    assert by_pypdf["/Title"] == by_pdfium["Title"] == title
    assert by_pypdf["/Subject"] == "https://example.com/?q=(x)"
    assert set(by_pypdf) == {"/Title", "/Subject", "/Creator", "/Producer", "/CreationDate"}


def test_a_title_that_is_not_valid_unicode_is_stamped_with_a_question_mark():
    finished = stamp_metadata(_pdf(1), "a\ud800b", "https://example.com/")
    by_pypdf, by_pdfium = _metadata_both_ways(finished.content)
    assert by_pypdf["/Title"] == by_pdfium["Title"] == "a?b"


def test_chromium_s_own_title_need_not_be_valid_unicode():
    """Chromium writes a lone surrogate a page's script put in document.title as it is."""
    original = _pdf(1)
    broken = original.replace(b"(chromium\\047s title)", b"<FEFF0061D8000062   >")  # same length: xref holds
    assert broken != original
    by_pypdf, _ = _metadata_both_ways(stamp_metadata(broken, "a?b", "https://example.com/").content)
    assert (by_pypdf["/Title"], by_pypdf["/Producer"]) == ("a?b", "Skia/PDF")


def test_a_file_stamped_twice_keeps_the_last_stamp():
    once = stamp_metadata(_pdf(1), "First", "https://example.com/1")
    twice = stamp_metadata(once.content, "Second", "https://example.com/2")
    assert _metadata_both_ways(twice.content)[0]["/Title"] == "Second"


def test_a_trailer_that_is_not_chromiums_goes_to_pypdf(monkeypatch):
    unusual = _pdf(2).replace(b"trailer\n<<", b"trailer\n<<\n/Extra 1")
    assert info_update(unusual, {"Title": "x"}) is None
    by_pypdf: list[bytes] = []
    real = pdf_metadata._stamped_by_pypdf

    def recorded(content: bytes, title: str, source_url: str) -> pdf_metadata.FinishedPdf:
        by_pypdf.append(content)
        return real(content, title, source_url)

    monkeypatch.setattr(pdf_metadata, "_stamped_by_pypdf", recorded)
    finished = stamp_metadata(unusual, "Title", "https://example.com/")
    assert by_pypdf == [unusual] and finished.pages == 2
    assert PdfReader(io.BytesIO(finished.content)).metadata["/Title"] == "Title"


def test_what_is_not_a_classic_cross_reference_table_is_left_to_pypdf():
    assert info_update(b"%PDF-1.7\n1 0 obj <<>> endobj\nstartxref\n9\n%%EOF\n", {"Title": "x"}) is None
    assert info_update(b"no end of file marker", {"Title": "x"}) is None
