"""Turning what went wrong while loading a page into a ``ConversionFailed`` a person can read.

``permanent`` decides whether SQS retries the job: a 404 or an unknown host will not heal
in a minute, a 503 or a refused connection may.
"""

from __future__ import annotations

import re
from http import HTTPStatus
from urllib.parse import urlsplit

from chalicelib.domain.errors import ConversionFailed
from chalicelib.egress import RefusalKind
from converter.egress_proxy import BlockedRequest

#: Statuses that mean "try again later" rather than "this page is wrong".
TRANSIENT_HTTP_STATUSES = frozenset({408, 425, 429, 502, 503, 504})

# Chromium's net error code -> (our code, message, permanent). A code ending in "_" names a
# family (every ERR_CERT_... is a certificate problem).
_NET_ERRORS: dict[str, tuple[str, str, bool]] = {
    "ERR_NAME_NOT_RESOLVED": ("dns_failure", "The site's name could not be found (DNS lookup failed)", True),
    "ERR_NAME_RESOLUTION_FAILED": ("dns_failure", "The site's name could not be found (DNS lookup failed)", True),
    "ERR_CONNECTION_REFUSED": ("connection_failed", "The site refused the connection", False),
    "ERR_CONNECTION_RESET": ("connection_failed", "The connection to the site was reset", False),
    "ERR_CONNECTION_CLOSED": ("connection_failed", "The site closed the connection unexpectedly", False),
    "ERR_EMPTY_RESPONSE": ("connection_failed", "The site closed the connection without answering", False),
    "ERR_CONNECTION_TIMED_OUT": ("connection_failed", "The connection to the site timed out", False),
    "ERR_TUNNEL_CONNECTION_FAILED": ("connection_failed", "The site could not be reached", False),
    "ERR_ADDRESS_UNREACHABLE": ("connection_failed", "The site's address could not be reached", False),
    "ERR_CERT_": ("tls_error", "The site's HTTPS certificate is not valid", True),
    "ERR_SSL_": ("tls_error", "A secure (HTTPS) connection to the site could not be made", True),
    "ERR_TOO_MANY_REDIRECTS": ("too_many_redirects", "The page redirects in a loop", True),
    "ERR_INVALID_URL": ("invalid_url", "The address is not a valid web address", True),
    "ERR_UNSAFE_REDIRECT": ("blocked", "The page redirected to an address that is not a web page", True),
    "ERR_UNSAFE_PORT": ("blocked", "The address uses a port browsers refuse to connect to", True),
    # Chromium cancels the main document itself: a redirect to a scheme it will not follow
    # (ftp:, mailto:, javascript:...) or an empty answer. Nothing a retry would change.
    "ERR_ABORTED": (
        "not_a_page",
        "The address did not lead to a web page (it redirected to a non-web address or answered nothing)",
        True,
    ),
}

#: Playwright's error when the address starts a download: its one fixed sentence carries no
#: Chromium code, so it stands for its own kind here.
_DOWNLOAD_STARTING = "Download is starting"
_NOT_A_PAGE = ("not_a_page", "The address leads to a file download, not a web page", True)

_NET_ERROR_CODE = re.compile(r"net::(ERR_[A-Z0-9_]+)")


def net_error_code(error_text: str) -> str | None:
    """The Chromium net error code (``ERR_NAME_NOT_RESOLVED``...) a Playwright error names."""
    found = _NET_ERROR_CODE.search(error_text)
    return found.group(1) if found else None


def _classify(error_text: str) -> tuple[str, str, bool] | None:
    if error_text.startswith(_DOWNLOAD_STARTING):
        return _NOT_A_PAGE
    code = net_error_code(error_text)
    if code is None:
        return None
    if code in _NET_ERRORS:
        return _NET_ERRORS[code]
    family = next((name for name in _NET_ERRORS if name.endswith("_") and code.startswith(name)), None)
    return _NET_ERRORS[family] if family else None


#: An upstream reason phrase is the site's to choose (60 KB were seen); only this much is kept.
MAX_REASON_PHRASE = 100


def http_status_failure(status: int, status_text: str = "") -> ConversionFailed:
    """The main document answered ``status`` (>= 400)."""
    reason = " ".join(status_text.split())[:MAX_REASON_PHRASE]
    if not reason:
        try:
            reason = HTTPStatus(status).phrase
        except ValueError:
            reason = ""
    label = f"HTTP {status} {reason}".strip()
    return ConversionFailed(f"The page answered {label}", "http_error", permanent=status not in TRANSIENT_HTTP_STATUSES)


def navigation_failure(error_text: str) -> ConversionFailed:
    """Classify a failed ``page.goto`` by the Chromium net error code (``net::ERR_...``) it names:
    an identifier Chromium keeps stable, not the wording around it."""
    known = _classify(error_text)
    if known is not None:
        code, message, permanent = known
        return ConversionFailed(message, code, permanent=permanent)
    first_line = error_text.strip().splitlines()[0] if error_text.strip() else "unknown error"
    return ConversionFailed(f"The page could not be loaded ({first_line})", "navigation_failed", permanent=False)


def egress_refusal(refusal: BlockedRequest) -> ConversionFailed:
    """The egress guard refused the page itself, or a hop on its way. A name that does not
    resolve is refused there too (the guard resolves, Chromium never does): told apart by
    the refusal's kind, not its wording."""
    reason = refusal.reason
    if refusal.kind is RefusalKind.UNRESOLVED:
        return ConversionFailed(f"The site's name could not be found ({reason})", "dns_failure", permanent=True)
    if refusal.kind is RefusalKind.LOOKUP_TIMEOUT:
        return ConversionFailed(f"The site's name could not be looked up ({reason})", "dns_failure", permanent=False)
    return ConversionFailed(f"The page cannot be converted: {reason}", "blocked", permanent=True)


def proxy_could_not_connect(status: int, headers: dict[str, str]) -> bool:
    """True for the egress proxy's own "502 Bad Gateway" (it could not reach the site).

    Every response the proxy relays carries ``proxy-connection``; its own refusals carry
    only ``content-length`` and ``connection``. A real 502 from the site has more headers.
    """
    return status == 502 and "proxy-connection" not in headers and set(headers) <= {"content-length", "connection"}


def connection_failed() -> ConversionFailed:
    return ConversionFailed(
        "The site refused the connection or could not be reached", "connection_failed", permanent=False
    )


def navigation_timeout(seconds: float) -> ConversionFailed:
    return ConversionFailed(f"The page did not load within {seconds:g} seconds", "timeout", permanent=True)


def render_timeout(seconds: float) -> ConversionFailed:
    return ConversionFailed(f"The conversion did not finish within {seconds:g} seconds", "timeout", permanent=True)


def renderer_crashed() -> ConversionFailed:
    return ConversionFailed(
        "The browser crashed while rendering the page; it will be retried", "renderer_crashed", permanent=False
    )


def print_refused() -> ConversionFailed:
    """Chromium refused to print a healthy page: the options (margins, header or footer
    template) cannot work for it, and will not on a second try."""
    return ConversionFailed(
        "The browser could not print the page with these options (margins, header or footer); "
        "change them and try again",
        "print_failed",
        permanent=True,
    )


def blocked_scheme(final_url: str) -> ConversionFailed | None:
    """A page that ended up on something other than http(s) (file:, data:, chrome:...)."""
    scheme = urlsplit(final_url).scheme.lower()
    if scheme in ("http", "https"):
        return None
    return ConversionFailed(
        f"The page led to a {scheme or 'non-web'}: address, which is not allowed", "blocked", permanent=True
    )


def too_large(what: str) -> ConversionFailed:
    return ConversionFailed(f"The PDF would be too large: {what}", "too_large", permanent=True)
