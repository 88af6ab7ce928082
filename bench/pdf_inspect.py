"""What a PDF actually holds: pages, pictures, broken-image icons, fonts and text (pypdf)."""

from __future__ import annotations

import io
import logging

from pypdf import PdfReader

MIN_IMAGE_SIDE = 64  # the corpus's pictures are 320x214; Chromium's broken-image icon is 14x16

# "Object count N exceeds defined trailer size M": pypdf on Chromium's PDFs, harmless.
logging.getLogger("pypdf").setLevel(logging.ERROR)


def inspect_pdf(content: bytes) -> dict:
    reader = PdfReader(io.BytesIO(content))
    images: set = set()
    icons: set = set()
    fonts: set[str] = set()
    text = []
    for page in reader.pages:
        resources = page.get("/Resources") or {}
        for ref in (resources.get("/XObject") or {}).values():
            obj = ref.get_object()
            if obj.get("/Subtype") != "/Image":
                continue
            key = getattr(ref, "idnum", id(obj))
            # Count picture-sized images, each object once; the rest are broken-image icons.
            (images if min(obj.get("/Width", 0), obj.get("/Height", 0)) >= MIN_IMAGE_SIDE else icons).add(key)
        for ref in (resources.get("/Font") or {}).values():
            name = str(ref.get_object().get("/BaseFont", "")).lstrip("/").split("+")[-1]
            if name:
                fonts.add(name)
        text.append(page.extract_text() or "")
    return {
        "bytes": len(content),
        "pages": len(reader.pages),
        "images": len(images),
        "broken_image_icons": len(icons),
        "fonts": sorted(fonts),
        "text": " ".join(" ".join(text).split()),
    }


def completeness(page, pdf: bytes) -> dict:
    """``inspect_pdf`` plus which of the page's markers are in the text and what is missing."""
    info = inspect_pdf(pdf)
    text = info.pop("text")
    found = [m for m in page.markers if m in text]
    return {
        **info,
        "words": len(text.split()),
        "markers_found": found,
        "markers_missing": [m for m in page.markers if m not in found],
        "images_missing": max(0, page.images - info["images"]),
        "font_missing": bool(page.font) and not any(page.font in f for f in info["fonts"]),
        "complete": len(found) == len(page.markers)
        and info["images"] >= page.images
        and not (page.font and not any(page.font in f for f in info["fonts"])),
    }
