"""converter.thumbnail draws the first page of a PDF, and gives up quietly on what is not one."""

from __future__ import annotations

import io
import types
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pypdfium2
from PIL import Image
from pypdf import PdfWriter

from converter import thumbnail
from converter.pdfium import PDFIUM_LOCK
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


class _UnderLock:
    """A pypdfium2 object that fails the test when used without PDFIUM_LOCK held, and hands
    out the PDFium objects it returns wrapped the same way."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner

    @staticmethod
    def _held() -> None:
        assert PDFIUM_LOCK.locked(), "PDFium used without its lock"

    @classmethod
    def _wrapped(cls, value: object) -> object:
        return cls(value) if type(value).__module__.startswith("pypdfium2") else value

    def __getattr__(self, name: str) -> object:
        self._held()
        value = getattr(self._inner, name)
        if not callable(value):
            return value

        def call(*args: object, **kwargs: object) -> object:
            self._held()
            return self._wrapped(value(*args, **kwargs))

        return call

    def __len__(self) -> int:
        self._held()
        return len(self._inner)  # a PdfDocument

    def __getitem__(self, index: int) -> object:
        self._held()
        return self._wrapped(self._inner[index])  # a PdfDocument


def test_every_pdfium_call_holds_the_process_wide_lock(monkeypatch):
    """PDFium allows one call at a time in a process, even on different documents."""
    real = pypdfium2
    checked = types.SimpleNamespace(
        PdfDocument=lambda *a, **k: _UnderLock(real.PdfDocument(*a, **k)), PdfiumError=real.PdfiumError
    )
    monkeypatch.setattr(thumbnail, "pypdfium2", checked)
    assert thumbnail_of(_pdf((200, 100))) is not None
    assert thumbnail_of(b"not a pdf") is None


def test_thumbnails_drawn_from_several_threads_at_once_are_all_whole():
    pdf = _pdf((595, 842), (595, 842))
    alone = thumbnail_of(pdf)
    with ThreadPoolExecutor(max_workers=8) as pool:
        drawn = list(pool.map(lambda _: thumbnail_of(pdf), range(32)))
    assert alone is not None and drawn == [alone] * 32
