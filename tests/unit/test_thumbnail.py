"""converter.thumbnail draws the first page of a PDF, and gives up quietly on what is not one."""

from __future__ import annotations

import io

from PIL import Image
from pypdf import PdfWriter

from converter.thumbnail import THUMBNAIL_WIDTH, thumbnail_of


def _pdf(*sizes: tuple[int, int]) -> bytes:
    writer = PdfWriter()
    for width, height in sizes:
        writer.add_blank_page(width=width, height=height)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_the_picture_is_the_first_page_at_thumbnail_width_in_its_proportions():
    picture = Image.open(io.BytesIO(thumbnail_of(_pdf((200, 100), (100, 400))) or b""))
    assert picture.format == "WEBP"
    assert (picture.width, picture.height) == (
        THUMBNAIL_WIDTH,
        THUMBNAIL_WIDTH // 2,
    )  # the first page's, not the second's


def test_what_is_not_a_pdf_gets_no_picture():
    assert thumbnail_of(b"%PDF-1.4 not really") is None
    assert thumbnail_of(b"") is None
    assert thumbnail_of(_pdf()) is None  # a document without a page
