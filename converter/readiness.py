"""Deciding that a page is ready to print by knowing what is still pending, not by waiting.

``load`` fires before scripts fetch their data, web fonts swap in and lazy images are
requested: a PDF taken then shows blank boxes and fallback fonts. Fixed quiet windows fix
that but make every page, even a static one, pay for them. So instead:

* an init script (``readiness.js``) counts, inside the page, the work that can still
  change it: fetch/XHR in flight, short timers and animation frames, fonts and images
  loading, and whether anything reacts to scrolling;
* ``NetworkActivity`` counts the requests in flight in every frame, as Chromium reports
  them;
* ``settle`` prints as soon as both say nothing is pending and one short confirmation (two
  frames, no new request) agrees. It scrolls only when something on the page reacts to
  scrolling.

Work that never ends does not hold a page: WebSockets and EventSource streams, beacons,
requests in flight for longer than ``LONG_REQUEST_SECONDS`` (long-poll), a URL requested
again and again (polling), intervals and callbacks that keep rescheduling themselves. All
of it stays inside the settle bound.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Page, Request

from converter.logs import Log

#: The init script every page of a job gets before its own scripts run.
PROBE_SCRIPT = (Path(__file__).with_name("readiness.js")).read_text(encoding="utf-8")

#: A request still in flight after this long (or a quarter of the settle bound, if that is
#: shorter) is a long-poll or a stream, not loading work.
LONG_REQUEST_SECONDS = 2.0
#: Request types that stay open by design or never change the page.
UNCOUNTED_TYPES = frozenset({"eventsource", "websocket", "ping", "media", "manifest"})
#: The same URL requested more often than this is polling.
REQUEST_REPEATS = 3
#: Scroll-through bounds: screens visited, and the share of the remaining settle time.
MAX_SCROLL_SCREENS = 40
SCROLL_SHARE = 0.5

_PROBE = "window.__pagepressReadiness"
_IDLE_JS = f"([ms, longMs]) => {_PROBE} ? {_PROBE}.idle(ms, longMs) : {{pending: 0}}"
_CONFIRM_JS = f"longMs => {_PROBE} ? {_PROBE}.confirm(longMs) : {{pending: 0}}"
_SCROLL_JS = f"([screens, ms]) => {_PROBE} ? {_PROBE}.scrollThrough(screens, ms) : 0"


class NetworkActivity:
    """The page's requests in flight (all frames) that loading still depends on."""

    def __init__(self, page: Page, loop: asyncio.AbstractEventLoop | None = None) -> None:
        self._loop = loop or asyncio.get_running_loop()
        self._in_flight: dict[Request, float] = {}  # request -> when it started (loop time)
        self._requests_per_url: dict[str, int] = {}
        self._changed = asyncio.Event()
        self.started = 0  # counted requests seen so far, to tell whether anything new began
        page.on("request", self._started)
        page.on("requestfinished", self._ended)
        page.on("requestfailed", self._ended)

    def in_flight(self, long_after: float = LONG_REQUEST_SECONDS) -> int:
        """Requests that still count: those in flight for less than ``long_after`` seconds."""
        now = self._loop.time()
        return sum(1 for began in self._in_flight.values() if now - began < long_after)

    def _started(self, request: Request) -> None:
        if request.resource_type in UNCOUNTED_TYPES:
            return
        seen = self._requests_per_url.get(request.url, 0) + 1
        self._requests_per_url[request.url] = seen
        if seen > REQUEST_REPEATS:
            return
        self.started += 1
        self._in_flight[request] = self._loop.time()
        self._changed.set()

    def _ended(self, request: Request) -> None:
        if self._in_flight.pop(request, None) is not None:
            self._changed.set()

    async def wait_idle(self, deadline: float, long_after: float = LONG_REQUEST_SECONDS) -> bool:
        """True once no counted request is in flight; False if ``deadline`` (loop time) comes first."""
        while True:
            now = self._loop.time()
            ages = [now - began for began in self._in_flight.values() if now - began < long_after]
            if not ages:
                return True
            # Wake on any change, or when the oldest request turns long-lived.
            window = min(deadline - now, long_after - max(ages))
            if deadline - now <= 0:
                return False
            self._changed.clear()
            try:
                await asyncio.wait_for(self._changed.wait(), max(window, 0.001))
            except TimeoutError:
                pass


async def settle(page: Page, activity: NetworkActivity, timeout_seconds: float, logger: Log) -> bool:
    """Wait until nothing on the page is pending; False if ``timeout_seconds`` ran out first."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_seconds
    long_after = min(LONG_REQUEST_SECONDS, timeout_seconds / 4)
    long_ms = round(long_after * 1000)
    scrolled = False
    while True:
        remaining = deadline - loop.time()
        if remaining <= 0:
            return False
        requests_before = activity.started
        state = await _evaluate(page, _IDLE_JS, [round(remaining * 1000), long_ms], deadline, logger)
        if not await activity.wait_idle(deadline, long_after):
            return False
        if state["pending"]:
            continue  # idle() gave up at the deadline, or the page navigated: look again
        if state.get("reactsToScroll") and not scrolled:
            scrolled = True
            budget = round((deadline - loop.time()) * SCROLL_SHARE * 1000)
            await _evaluate(page, _SCROLL_JS, [MAX_SCROLL_SCREENS, budget], deadline, logger)
            continue
        confirmed = await _evaluate(page, _CONFIRM_JS, long_ms, deadline, logger)
        if not confirmed["pending"] and activity.started == requests_before and not activity.in_flight(long_after):
            return True


async def _evaluate(page: Page, script: str, arg: Any, deadline: float, logger: Log) -> dict[str, Any]:
    """One probe call, bounded by the deadline. A page that navigated away mid-call (its
    document, and the probe's state, replaced) reads as still pending, so the loop looks again."""
    remaining = deadline - asyncio.get_running_loop().time()
    if remaining <= 0:
        return {"pending": 1}
    try:
        result = await asyncio.wait_for(page.evaluate(script, arg), remaining)
    except TimeoutError:
        return {"pending": 1}
    except PlaywrightError as exc:
        logger.debug("Readiness probe call failed", extra={"error": str(exc)})
        await _new_document(page, deadline)
        return {"pending": 1}
    return result if isinstance(result, dict) else {"pending": 0}


async def _new_document(page: Page, deadline: float) -> None:
    """After a probe call lost its document (the page navigated): wait for the next one to be
    parsed, so its own probe can answer, rather than calling again into the old one."""
    remaining = deadline - asyncio.get_running_loop().time()
    if remaining <= 0 or page.is_closed():
        return
    try:
        await page.wait_for_load_state("domcontentloaded", timeout=remaining * 1000)
    except PlaywrightError:
        pass  # closed or out of time: the caller's loop sees the deadline
