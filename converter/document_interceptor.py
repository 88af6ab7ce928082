"""The routing layer for documents only: every navigation of a page, vetted before it leaves.

Playwright's routing pauses *every* request of a context in the browser (its CDP ``Fetch``
pattern is always ``*``) and disables the HTTP cache: measured on the bench corpus, a
quarter of a conversion's CPU. The guard's proxy already sees and vets every connection,
so the second layer is needed only where the proxy cannot act as we want: navigations (a
refused one must leave a loaded page as it was, not replace it by an error page; the
main document's refusal must be named). This asks Chromium, on the page's own CDP session,
to pause only requests whose resource type is ``Document`` (the main frame and same-process
frames); everything else goes straight to the proxy.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from enum import Enum
from typing import Any

from playwright.async_api import BrowserContext, CDPSession, Page
from playwright.async_api import Error as PlaywrightError

log = logging.getLogger(__name__)


class Verdict(Enum):
    CONTINUE = "continue"
    #: "No Content": the navigation ends and the frame keeps what it shows.
    NO_CONTENT = "no-content"
    #: The navigation fails (``net::ERR_BLOCKED_BY_CLIENT``).
    FAIL = "fail"


#: Decides one paused document request: (url, is the page's main frame) -> what to do.
Decide = Callable[[str, bool], Awaitable[Verdict]]


class DocumentInterceptor:
    """Pauses a page's document requests and answers each with what ``decide`` says."""

    def __init__(self, decide: Decide) -> None:
        self._decide = decide
        self._session: CDPSession | None = None
        self._main_frame_id = ""
        self._tasks: set[asyncio.Task[None]] = set()

    async def start(self, context: BrowserContext, page: Page) -> None:
        session = self._session = await context.new_cdp_session(page)
        tree = await session.send("Page.getFrameTree")
        self._main_frame_id = tree["frameTree"]["frame"]["id"]
        session.on("Fetch.requestPaused", self._on_paused)
        await session.send("Fetch.enable", {"patterns": [{"urlPattern": "*", "resourceType": "Document"}]})

    def _on_paused(self, event: dict[str, Any]) -> None:
        task = asyncio.ensure_future(self._answer(event))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _answer(self, event: dict[str, Any]) -> None:
        session, request_id = self._session, event["requestId"]
        if session is None:
            return
        try:
            verdict = await self._decide(event["request"]["url"], event.get("frameId") == self._main_frame_id)
        except Exception:  # fail closed: a decision that broke refuses the navigation
            log.exception("deciding on a navigation failed; refusing it")
            verdict = Verdict.FAIL
        try:
            if verdict is Verdict.CONTINUE:
                await session.send("Fetch.continueRequest", {"requestId": request_id})
            elif verdict is Verdict.NO_CONTENT:
                await session.send(
                    "Fetch.fulfillRequest", {"requestId": request_id, "responseCode": 204, "responseHeaders": []}
                )
            else:
                await session.send("Fetch.failRequest", {"requestId": request_id, "errorReason": "BlockedByClient"})
        except PlaywrightError as exc:  # the page (or its navigation) is gone: nothing left to answer
            log.debug("answering a paused navigation failed: %r", exc)
