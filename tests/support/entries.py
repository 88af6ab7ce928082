"""A pending file entry made in the test, for tests that put it straight into an index."""

from __future__ import annotations

from typing import Any

from chalicelib.domain.ids import new_file_id
from chalicelib.domain.models import FileEntry, FileStatus

CREATED_AT = "2026-01-01T00:00:00.000Z"


def pending_entry(user_id: str, url: str = "http://example.com/", **fields: Any) -> FileEntry:
    """A new pending entry of ``user_id`` (a fresh file id); ``fields`` set any other attribute."""
    return FileEntry(
        user_id=user_id,
        file_id=new_file_id(),
        url=url,
        status=FileStatus.PENDING,
        created_at=CREATED_AT,
        updated_at=CREATED_AT,
        **fields,
    )
