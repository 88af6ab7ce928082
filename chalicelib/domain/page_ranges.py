"""Page ranges as Chromium prints them ("1-3, 5"), checked before a job is queued.

What can be known without the document is refused here (bad syntax, page 0, a range that
runs backwards, a page past the most a PDF may have); a range past the end of the actual
document is only known when it is printed, and fails the job as ``invalid_page_range``.
"""

from __future__ import annotations

import re
from typing import Any

from chalicelib.domain.errors import InvalidInput

_PART = re.compile(r"^\s*([0-9]{1,6})\s*(?:-\s*([0-9]{1,6})\s*)?$")
MAX_PAGE_RANGES = 200
FIELD = "options.page_ranges"


def parse_page_ranges(value: Any, max_pages: int) -> str | None:
    """The ranges normalised ("1-3,5"), or None when absent."""
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip() or len(value) > MAX_PAGE_RANGES:
        raise InvalidInput(
            f'page_ranges must be text like "1-3, 5" (at most {MAX_PAGE_RANGES} characters).', field=FIELD
        )
    parts = []
    for raw in value.split(","):
        match = _PART.match(raw)
        if match is None:
            raise InvalidInput(f'page_ranges: {raw.strip()!r} is not a page or a range like "2-4".', field=FIELD)
        first = int(match.group(1))
        last = int(match.group(2)) if match.group(2) else first
        if first < 1:
            raise InvalidInput("page_ranges: pages are numbered from 1.", field=FIELD)
        if last < first:
            raise InvalidInput(f"page_ranges: {first}-{last} runs backwards.", field=FIELD)
        if first > max_pages:
            raise InvalidInput(f"page_ranges: page {first} is past the {max_pages} pages a PDF may have.", field=FIELD)
        parts.append(str(first) if first == last else f"{first}-{last}")
    return ",".join(parts)
