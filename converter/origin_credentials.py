"""A job's headers and cookies, given to the page's own site and to nobody else.

Headers: Playwright's ``set_extra_http_headers`` (CDP ``Network.setExtraHTTPHeaders``) sends
them with every request, third parties included, and its routing pauses every request and turns
the cache off. So this asks Chromium, on the page's own CDP session, to pause only requests whose
URL starts with the page's origin (CDP ``Fetch`` pattern ``<origin>/*``) and continues each with
the headers added, after checking the origin once more. A redirect away from the origin is a new
request Chromium does not pause and does not give the added headers (tests/integration/
test_credentials_in_chromium.py checks both). Jobs without headers pause nothing.

Cookies: set in the job's own context for the page's host (or the parent domain the user named,
which ``domain.page_credentials`` limits to the page's site); the browser then sends them as
cookie rules say. The context is thrown away after the job.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any
from urllib.parse import urlsplit

from playwright.async_api import BrowserContext, CDPSession, Page
from playwright.async_api import Error as PlaywrightError

from chalicelib.domain.errors import ConversionFailed
from chalicelib.domain.page_credentials import Cookie, PageCredentials, origin_of

log = logging.getLogger(__name__)


async def apply_credentials(context: BrowserContext, page: Page, url: str, credentials: PageCredentials) -> None:
    """Before the navigation. A failure is reported without the values (they are secrets)."""
    try:
        if credentials.cookies:
            host = (urlsplit(url).hostname or "").lower()
            cookies: list[Any] = [_cookie(cookie, host) for cookie in credentials.cookies]  # Playwright's TypedDict
            await context.add_cookies(cookies)
        if credentials.headers:
            await OriginHeaders(url, credentials.headers).start(context, page)
    except PlaywrightError:
        raise ConversionFailed(
            "The browser refused the cookies or headers given for this page.", "invalid_credentials"
        ) from None


def _cookie(cookie: Cookie, host: str) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "name": cookie.name,
        "value": cookie.value,
        # A leading dot makes a domain cookie (the parent domain asked for); none, the host's own.
        "domain": f".{cookie.domain}" if cookie.domain and cookie.domain != host else host,
        "path": cookie.path,
        "secure": cookie.secure,
        "httpOnly": cookie.http_only,
    }
    if cookie.same_site is not None:
        fields["sameSite"] = cookie.same_site
    return fields


class OriginHeaders:
    """Adds headers to the page's requests to one origin (its frames' too, in its process)."""

    def __init__(self, url: str, headers: tuple[tuple[str, str], ...]) -> None:
        self._origin = origin_of(url)
        self._headers = headers
        self._names = {name.lower() for name, _ in headers}
        self._session: CDPSession | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    async def start(self, context: BrowserContext, page: Page) -> None:
        session = self._session = await context.new_cdp_session(page)
        session.on("Fetch.requestPaused", self._on_paused)
        pattern = self._origin.replace("\\", "\\\\").replace("*", "\\*").replace("?", "\\?") + "/*"
        await session.send("Fetch.enable", {"patterns": [{"urlPattern": pattern, "requestStage": "Request"}]})

    def _on_paused(self, event: dict[str, Any]) -> None:
        task = asyncio.ensure_future(self._answer(event))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _answer(self, event: dict[str, Any]) -> None:
        session = self._session
        if session is None:
            return
        request = event["request"]
        answer: dict[str, Any] = {"requestId": event["requestId"]}
        if origin_of(request["url"]) == self._origin:  # the pattern is a prefix: check it exactly
            kept = [
                {"name": name, "value": value}
                for name, value in request.get("headers", {}).items()
                if name.lower() not in self._names
            ]
            answer["headers"] = kept + [{"name": name, "value": value} for name, value in self._headers]
        try:
            await session.send("Fetch.continueRequest", answer)
        except PlaywrightError as exc:  # the page or its request is gone; the message holds no values
            log.debug("continuing a paused request failed: %s", type(exc).__name__)
