"""Per-step timings as the converter logs them, from log records (in process) or log lines
(the local stack's JSON output). Any ``*_ms`` number counts, at the top level of the record or
inside a ``timings`` object, so keys the converter adds later show up without changes here."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from typing import Any

#: The converter's log messages that carry step timings.
TIMED_MESSAGES = ("Page rendered", "job finished", "Conversion finished")


def ms_fields(record: dict) -> dict[str, float]:
    found = {
        k: float(v)
        for k, v in record.items()
        if k.endswith("_ms") and isinstance(v, (int, float)) and not isinstance(v, bool)
    }
    nested = record.get("timings")
    if isinstance(nested, dict):
        found.update(
            {
                k if k.endswith("_ms") else f"{k}_ms": float(v)
                for k, v in nested.items()
                if isinstance(v, (int, float)) and not isinstance(v, bool)
            }
        )
    return found


def from_log_lines(lines: Iterable[str]) -> dict[str, list[dict[str, float]]]:
    """message -> one dict of ms fields per matching JSON log line (other lines are skipped)."""
    out: dict[str, list[dict[str, float]]] = {m: [] for m in TIMED_MESSAGES}
    for line in lines:
        line = line.strip()
        if not line.startswith("{"):
            continue
        try:
            record = json.loads(line)
        except ValueError:
            continue
        message = record.get("message")
        if message in out:
            fields = ms_fields(record)
            if fields:
                out[message].append(fields)
    return out


class RendererTimings(logging.Handler):
    """Collects the renderer's ``Page rendered`` timings, keyed by correlation id."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.by_correlation: dict[str, dict[str, float]] = {}

    def emit(self, record: logging.LogRecord) -> None:
        if record.getMessage() == "Page rendered":
            fields: dict[str, Any] = {k: v for k, v in vars(record).items() if k.endswith("_ms") or k == "timings"}
            self.by_correlation[str(getattr(record, "correlation_id", ""))] = ms_fields(fields)

    def install(self) -> None:
        """Attach to the renderer's logger, keeping its INFO lines off the console."""
        for name in ("pagepress-converter.converter.renderer", "converter.renderer"):
            logger = logging.getLogger(name)
            logger.addHandler(self)
            logger.setLevel(logging.INFO)
            logger.propagate = False
