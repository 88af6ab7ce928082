"""The clean name a PDF downloads as: the one the user chose, else one made from its title or URL."""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import urlsplit

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def download_filename(title: str | None, url: str, chosen: str | None = None, extension: str = "pdf") -> str:
    base = _without_extension(chosen, extension) if chosen else None
    base = base or title or urlsplit(url).hostname or "page"
    ascii_text = unicodedata.normalize("NFKD", base).encode("ascii", "ignore").decode("ascii")
    cleaned = _UNSAFE.sub("-", ascii_text).strip("-._")[:80].rstrip("-._")
    return f"{cleaned or 'page'}.{extension}"


def _without_extension(name: str, extension: str) -> str:
    suffix = f".{extension}"
    return name[: -len(suffix)] if name.lower().endswith(suffix) else name
