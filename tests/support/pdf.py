"""Reading PDFs the tests produce."""

from __future__ import annotations

import io

from pypdf import PdfReader


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(content)).pages)


def pdf_reader(content: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(content))
