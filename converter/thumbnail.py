"""A small picture of the PDF's first page, for the file list.

Drawn from the PDF itself (PDFium, through pypdfium2, then WebP through Pillow), so the picture
is exactly the first page as printed, margins and all. It costs 10-30 ms of CPU, spent by the
job while the PDF uploads (``RenderedPdf.draw_thumbnail``), and nothing of the browser: having
Chromium paint the page a second time at thumbnail size (``Page.captureScreenshot`` with
``captureBeyondViewport``) made it lay the page out again at the paper's height, 60-240 ms on
the renderer's main thread while the job waited. PDFium runs one call at a time
(``converter.pdfium``); the WebP is encoded after. A thumbnail is a nicety: when one cannot be
made, the job goes on without it.
"""

from __future__ import annotations

import io
import logging

import pypdfium2
from PIL import Image

from converter.pdfium import PDFIUM_LOCK

THUMBNAIL_WIDTH = 300
THUMBNAIL_TYPE = "image/webp"
THUMBNAIL_QUALITY = 70
#: libwebp's fastest effort: a third of the default's (4) encoding CPU (4 ms against 12 on a
#: 300 px A4 page) for files about a fifth larger (12 KB against 10).
THUMBNAIL_EFFORT = 0

log = logging.getLogger(__name__)


def thumbnail_of(pdf: bytes) -> bytes | None:
    """A WebP of ``pdf``'s first page, ``THUMBNAIL_WIDTH`` pixels wide; None when PDFium cannot
    read the document or it has no page."""
    picture = _first_page(pdf)
    if picture is None:
        return None
    out = io.BytesIO()
    picture.save(out, "WEBP", quality=THUMBNAIL_QUALITY, method=THUMBNAIL_EFFORT)
    return out.getvalue()


def _first_page(pdf: bytes) -> Image.Image | None:
    """The first page drawn at thumbnail width, as a picture of its own (no PDFium memory in it)."""
    with PDFIUM_LOCK:
        try:
            document = pypdfium2.PdfDocument(pdf)
        except pypdfium2.PdfiumError as exc:
            log.info("No thumbnail: the PDF could not be read: %s", exc)
            return None
        try:
            if len(document) == 0:
                return None
            page = document[0]
            try:
                bitmap = page.render(scale=THUMBNAIL_WIDTH / page.get_width())
                try:
                    picture: Image.Image = bitmap.to_pil().copy()
                    return picture
                finally:
                    bitmap.close()
            finally:
                page.close()
        finally:
            document.close()
