"""What, besides the page failing to load, fails a job: the user's ``fail_on_*`` options.

``FailureWatch`` listens to the page from before navigation until printing and is asked,
once the page is ready, whether anything it saw should fail the job. Messages name the
resource without its query string (which may carry tokens) and are kept short.
"""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Page, Request, Response

from chalicelib.domain.errors import ConversionFailed
from chalicelib.domain.models import ConversionOptions
from chalicelib.domain.status_rules import DEFAULT_DOCUMENT_RULES, status_matches
from converter.failures import TRANSIENT_HTTP_STATUSES

MAX_NAMED = 200


def document_fails(status: int, options: ConversionOptions) -> bool:
    """Whether the main document's status fails the job (by default: every 4xx and 5xx)."""
    rules = DEFAULT_DOCUMENT_RULES if options.fail_on_http_status is None else options.fail_on_http_status
    return status_matches(status, rules)


class FailureWatch:
    """The first resource status, failed load or uncaught exception the options say fails the job."""

    def __init__(self, page: Page, options: ConversionOptions) -> None:
        self._page = page
        self._options = options
        self._failure: ConversionFailed | None = None
        if options.fail_on_resource_http_status:
            page.on("response", self._on_response)
        if options.fail_on_resource_loading_failed:
            page.on("requestfailed", self._on_request_failed)
        if options.fail_on_console_exceptions:
            page.on("pageerror", self._on_page_error)

    def check(self) -> None:
        if self._failure is not None:
            raise self._failure

    def _note(self, failure: ConversionFailed) -> None:
        if self._failure is None:
            self._failure = failure

    def _is_main_document(self, request: Request) -> bool:
        try:
            return request.is_navigation_request() and request.frame == self._page.main_frame
        except PlaywrightError:  # a frame that is gone was not the main one
            return False

    def _on_response(self, response: Response) -> None:
        if self._is_main_document(response.request):
            return
        if status_matches(response.status, self._options.fail_on_resource_http_status):
            self._note(
                ConversionFailed(
                    f"A resource of the page answered HTTP {response.status}: {_named(response.url)}",
                    "resource_http_error",
                    permanent=response.status not in TRANSIENT_HTTP_STATUSES,
                )
            )

    def _on_request_failed(self, request: Request) -> None:
        if self._is_main_document(request):
            return
        reason = (request.failure or "unknown error").strip()[:MAX_NAMED]
        self._note(
            ConversionFailed(
                f"A resource of the page failed to load ({reason}): {_named(request.url)}",
                "resource_failed",
                permanent=True,
            )
        )

    def _on_page_error(self, error: PlaywrightError) -> None:
        name = getattr(error, "name", "") or "Error"
        message = " ".join((getattr(error, "message", "") or str(error)).split())
        self._note(
            ConversionFailed(
                f"The page threw an uncaught exception: {name}: {message}"[: MAX_NAMED + 50],
                "console_exception",
                permanent=True,
            )
        )


def _named(url: str) -> str:
    """The URL without its query and fragment, cut to a readable length."""
    parts = urlsplit(url)
    bare = urlunsplit((parts.scheme, parts.netloc, parts.path, "", "")) if parts.scheme else url
    return bare if len(bare) <= MAX_NAMED else bare[: MAX_NAMED - 3] + "..."
