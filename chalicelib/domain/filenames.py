"""The clean name a PDF downloads as, derived from its title or URL."""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import urlsplit

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def download_filename(title: str | None, url: str) -> str:
    base = title or urlsplit(url).hostname or "page"
    ascii_text = unicodedata.normalize("NFKD", base).encode("ascii", "ignore").decode("ascii")
    cleaned = _UNSAFE.sub("-", ascii_text).strip("-._")[:80].rstrip("-._")
    return f"{cleaned or 'page'}.pdf"
