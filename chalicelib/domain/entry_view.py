"""A file entry as the API shows it: in GET /files, and in the webhook that reports it."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from chalicelib.domain.filenames import download_filename
from chalicelib.domain.models import FileEntry
from chalicelib.domain.outputs import OUTPUTS


def entry_view(entry: FileEntry) -> dict[str, Any]:
    error = {"code": entry.error_code, "message": entry.error_message or ""} if entry.error_code else None
    view = {
        "name": entry.file_id,
        "url": entry.url,
        "source": entry.source,
        "title": entry.title,
        "status": entry.status.value,
        "error": error,
        "size": entry.size,
        "pages": entry.pages,
        "warnings": list(entry.warnings),
        "attempts": entry.attempts,
        "options": entry.options.to_dict(),
        "filename": download_filename(
            entry.title, entry.url, entry.options.filename, OUTPUTS[entry.options.output].extension
        ),
        "created_at": entry.created_at,
        "updated_at": entry.updated_at,
        "report": entry.report.to_dict() if entry.report is not None else None,
    }
    if entry.callback_url:
        view["callback_url"] = entry.callback_url
        view["callback"] = asdict(entry.callback) if entry.callback else None
    return view
