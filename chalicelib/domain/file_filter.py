"""Finding files: words in the title or the address, and a status (GET /files?q=&status=)."""

from __future__ import annotations

from dataclasses import dataclass

from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.models import FileStatus

MAX_QUERY = 200  # as api/openapi.yaml says
MAX_WORDS = 8


@dataclass(frozen=True)
class FileFilter:
    """Every word must appear (case-insensitively) in the title or the URL; ``status`` if given."""

    words: tuple[str, ...] = ()
    status: FileStatus | None = None

    @property
    def empty(self) -> bool:
        return not self.words and self.status is None


def folded(text: str | None) -> str:
    """A title or URL as the words are looked for in it (stored beside it on the entry)."""
    return (text or "").casefold()


def parse_filter(q: str | None, status: str | None) -> FileFilter:
    if q is not None and len(q) > MAX_QUERY:
        raise InvalidInput(f"Search for at most {MAX_QUERY} characters.", field="q")
    words = tuple(dict.fromkeys((q or "").casefold().split()))
    if len(words) > MAX_WORDS:
        raise InvalidInput(f"Search for at most {MAX_WORDS} words.", field="q")
    if status in (None, ""):
        return FileFilter(words)
    try:
        return FileFilter(words, FileStatus(status))
    except ValueError:
        allowed = ", ".join(s.value for s in FileStatus)
        raise InvalidInput(f"status must be one of {allowed}.", field="status") from None
