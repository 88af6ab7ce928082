"""Watching one job's page for its render report (``chalicelib.domain.render_report``).

Attached to the page before it navigates; it only listens (no request is held up), and
``report`` turns what it heard, with the egress guard's refusals and the renderer's
timings, into the report the entry keeps.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from urllib.parse import urlsplit

from playwright.async_api import ConsoleMessage, Page, Request, Response

from chalicelib.domain import render_report
from chalicelib.domain.render_report import Example, PdfFacts, RenderReport
from converter.egress_proxy import BlockedRequest

#: The renderer's timings (``<step>_ms``) the report shows, under the report's names.
_RENDER_STEPS = {"navigate_ms": "navigate", "settle_ms": "settle", "print_ms": "print"}
_NETWORK_NOISE = "Failed to load resource:"
_KEPT = 50  # examples held while the page loads: the report keeps fewer, the count is exact


class ReportCollector:
    """Listens to a page's console, failed requests and main-document responses."""

    def __init__(self, page: Page) -> None:
        self._page = page
        self._console: list[str] = []
        self._console_count = 0
        self._failed: list[Example] = []
        self._failed_count = 0
        self._document: Response | None = None
        page.on("console", self._on_console)
        page.on("pageerror", self._on_page_error)
        page.on("requestfailed", self._on_request_failed)
        page.on("response", self._on_response)

    def report(
        self,
        blocked: Sequence[BlockedRequest],
        timings: Mapping[str, int],
        pdf: PdfFacts | None = None,
    ) -> RenderReport:
        blocked_hosts = {b.host for b in blocked}
        failed = [f for f in self._failed if f.host not in blocked_hosts]  # counted as blocked already
        dropped = self._failed_count - len(self._failed)
        document = self._document
        return RenderReport(
            final_url=render_report.capped(self._page.url, 2048),
            http_status=document.status if document is not None else None,
            redirects=render_report.redirects(_hops(document)),
            blocked_requests=render_report.tally(
                (Example(b.host or (urlsplit(b.url).hostname or ""), b.reason) for b in blocked),
                render_report.MAX_BLOCKED_EXAMPLES,
            ),
            failed_requests=replace(
                render_report.tally(failed, render_report.MAX_FAILED_EXAMPLES), count=len(failed) + dropped
            ),
            console_errors=replace(render_report.console_errors(self._console), count=self._console_count),
            timings_ms={name: timings[key] for key, name in _RENDER_STEPS.items() if key in timings},
            pdf=pdf,
        )

    # --- listeners (Playwright calls them on the loop thread) ---------------------------

    def _on_console(self, message: ConsoleMessage) -> None:
        # Chromium logs every failed load as a console error too; those are counted as requests.
        if message.type == "error" and not message.text.startswith(_NETWORK_NOISE):
            self._note_console(message.text)

    def _on_page_error(self, error: Exception) -> None:
        self._note_console(f"Uncaught {error}")

    def _note_console(self, text: str) -> None:
        self._console_count += 1
        if len(self._console) < _KEPT:
            self._console.append(render_report.capped(text))

    def _on_request_failed(self, request: Request) -> None:
        self._failed_count += 1
        if len(self._failed) < _KEPT:
            host = urlsplit(request.url).hostname or ""
            self._failed.append(Example(host, request.failure or "failed", render_report.capped(request.url)))

    def _on_response(self, response: Response) -> None:
        try:
            main = response.request.is_navigation_request() and response.frame == self._page.main_frame
        except Exception:  # a frame detached meanwhile: not the main document
            return
        if main and not 300 <= response.status < 400:
            self._document = response


def _hops(document: Response | None) -> list[str]:
    """The URLs the main document was redirected from, first hop first."""
    hops: list[str] = []
    request = document.request.redirected_from if document is not None else None
    while request is not None and len(hops) <= render_report.MAX_REDIRECTS:
        hops.append(request.url)
        request = request.redirected_from
    return list(reversed(hops))
