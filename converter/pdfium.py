"""PDFium, one call at a time.

PDFium is not thread-safe: no two of its calls may run at once in a process, not even on
different documents ("doing so would crash or corrupt the process", pypdfium2's documentation).
The converter renders several pages at once and finishes their PDFs in worker threads, so every
use of PDFium (opening, reading, drawing, closing) holds ``PDFIUM_LOCK``. Work outside PDFium
(encoding a picture, writing bytes) runs after the lock is let go.
"""

from __future__ import annotations

import threading

PDFIUM_LOCK = threading.Lock()
