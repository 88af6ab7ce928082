"""The render report: what happened while a page became a PDF, kept on its entry.

A picture missing from a PDF is usually a request that was blocked or failed; the report
says so in numbers and a few examples, so nobody has to read the converter's logs. Parts of
it come from the page (URLs, console messages), so every list and every string is capped
here, once, whoever built the report.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field, replace
from typing import Any

MAX_BLOCKED_EXAMPLES = 20
MAX_FAILED_EXAMPLES = 5
MAX_CONSOLE_MESSAGES = 5
MAX_REDIRECTS = 10
MAX_TEXT = 300
#: The steps a job is timed by, in order (milliseconds); a step the job never reached is absent.
TIMING_STEPS = ("queued", "navigate", "settle", "print", "store", "total")


def capped(text: str, limit: int = MAX_TEXT) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass(frozen=True)
class Example:
    """One blocked or failed request: where it went and why it did not arrive."""

    host: str
    reason: str
    url: str = ""


@dataclass(frozen=True)
class Tally:
    """How many, and the first few of them."""

    count: int = 0
    examples: tuple[Example, ...] = ()


@dataclass(frozen=True)
class ConsoleErrors:
    count: int = 0
    messages: tuple[str, ...] = ()


@dataclass(frozen=True)
class PdfFacts:
    pages: int
    bytes: int
    outline_entries: int


@dataclass(frozen=True)
class RenderReport:
    final_url: str = ""
    http_status: int | None = None
    redirects: tuple[str, ...] = ()  # the URLs the main document passed through, in order
    blocked_requests: Tally = field(default_factory=Tally)
    failed_requests: Tally = field(default_factory=Tally)
    console_errors: ConsoleErrors = field(default_factory=ConsoleErrors)
    timings_ms: Mapping[str, int] = field(default_factory=dict)
    pdf: PdfFacts | None = None

    def with_timings(self, **timings: int | None) -> RenderReport:
        """The same report with more steps timed (``None`` leaves a step out)."""
        merged = {**self.timings_ms, **{k: v for k, v in timings.items() if v is not None}}
        return replace(self, timings_ms={step: merged[step] for step in TIMING_STEPS if step in merged})

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["timings_ms"] = dict(self.timings_ms)
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RenderReport:
        pdf = data.get("pdf")
        return cls(
            final_url=str(data.get("final_url") or ""),
            http_status=data.get("http_status"),
            redirects=tuple(data.get("redirects") or ()),
            blocked_requests=_tally(data.get("blocked_requests") or {}),
            failed_requests=_tally(data.get("failed_requests") or {}),
            console_errors=_console(data.get("console_errors") or {}),
            timings_ms={str(k): int(v) for k, v in (data.get("timings_ms") or {}).items()},
            pdf=PdfFacts(**pdf) if pdf else None,
        )


def _console(data: Mapping[str, Any]) -> ConsoleErrors:
    return ConsoleErrors(int(data.get("count", 0)), tuple(str(m) for m in data.get("messages") or ()))


def _tally(data: Mapping[str, Any]) -> Tally:
    return Tally(int(data.get("count", 0)), tuple(Example(**e) for e in data.get("examples") or ()))


def tally(items: Iterable[Example], limit: int) -> Tally:
    """Count every item, keep the first ``limit`` (strings capped)."""
    everything = list(items)
    examples = tuple(Example(capped(e.host, 255), capped(e.reason), capped(e.url)) for e in everything[:limit])
    return Tally(len(everything), examples)


def console_errors(messages: Iterable[str]) -> ConsoleErrors:
    everything = list(messages)
    return ConsoleErrors(len(everything), tuple(capped(m) for m in everything[:MAX_CONSOLE_MESSAGES]))


def redirects(urls: Iterable[str]) -> tuple[str, ...]:
    return tuple(capped(u) for u in list(urls)[:MAX_REDIRECTS])
