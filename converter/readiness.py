"""Deciding that a page is ready to print, by watching it rather than by sleeping.

``load`` fires before scripts fetch their data, web fonts swap in, and lazy images are
requested. A PDF taken then shows blank boxes and fallback fonts. So after ``load`` we
wait for the network to be quiet, for ``document.fonts.ready``, scroll through the page
(lazy loaders react to scrolling), wait for every image to decode, and for the network
to be quiet again: all inside one bound, because some pages never go quiet.
"""
from __future__ import annotations

import asyncio
import logging
from typing import Any, Awaitable

from playwright.async_api import Error as PlaywrightError, Page, Request

#: How long the page must have no request in flight to count as quiet.
NETWORK_QUIET_SECONDS = 0.5
#: The closing quiet window when the readiness steps started no request at all: long
#: enough for a scroll handler's usual debounce, without paying the full window twice.
CONFIRM_QUIET_SECONDS = 0.2

_FONTS_READY_JS = "() => document.fonts.ready.then(() => true)"

# Native lazy images are switched to eager; scrolling through the page (two animation
# frames per screen, so IntersectionObserver-based loaders see each position) wakes
# script-driven ones. Bounded by a step cap for endless pages.
_SCROLL_THROUGH_JS = """async () => {
  const frame = () => new Promise(done => requestAnimationFrame(() => done()));
  for (const img of document.querySelectorAll('img[loading="lazy"]')) img.loading = 'eager';
  const root = document.scrollingElement || document.documentElement;
  const step = Math.max(window.innerHeight, 200);
  for (let y = 0, i = 0; y < root.scrollHeight && i < 200; y += step, i++) {
    window.scrollTo(0, y);
    await frame(); await frame();
  }
  window.scrollTo(0, 0);
  await frame();
  return true;
}"""

_IMAGES_DECODED_JS = """() => Promise.all(Array.from(document.images, img => {
  const decoded = () => (img.decode ? img.decode().catch(() => undefined) : undefined);
  if (img.complete) return decoded();
  return new Promise(done => {
    img.addEventListener('load', done, {once: true});
    img.addEventListener('error', done, {once: true});
  }).then(decoded);
})).then(() => true)"""


class NetworkActivity:
    """Tracks the page's requests in flight (all frames) and wakes waiters on every change."""

    def __init__(self, page: Page) -> None:
        self._in_flight: set[Request] = set()
        self._changed = asyncio.Event()
        self.started = 0  # requests seen so far, to tell whether a step caused any
        page.on("request", self._started)
        page.on("requestfinished", self._ended)
        page.on("requestfailed", self._ended)

    @property
    def in_flight(self) -> int:
        return len(self._in_flight)

    def _started(self, request: Request) -> None:
        self.started += 1
        self._in_flight.add(request)
        self._changed.set()

    def _ended(self, request: Request) -> None:
        self._in_flight.discard(request)
        self._changed.set()

    async def wait_quiet(self, quiet_seconds: float, deadline: float) -> bool:
        """True once nothing was in flight for ``quiet_seconds``; False if ``deadline`` (loop time) comes first."""
        loop = asyncio.get_running_loop()
        while True:
            remaining = deadline - loop.time()
            if remaining <= 0:
                return False
            idle = not self._in_flight
            window = min(quiet_seconds, remaining) if idle else remaining
            self._changed.clear()
            try:
                await asyncio.wait_for(self._changed.wait(), window)
            except asyncio.TimeoutError:
                return idle and window >= quiet_seconds


async def settle(
    page: Page,
    activity: NetworkActivity,
    timeout_seconds: float,
    logger: logging.Logger,
    quiet_seconds: float = NETWORK_QUIET_SECONDS,
) -> bool:
    """Wait until the page looks finished; False if ``timeout_seconds`` ran out first.

    The first quiet wait gets half the bound and may run out; every later step still runs
    while time remains, so a page that never goes quiet gets its fonts and lazy images a
    chance. Ready means: all steps finished and the network was quiet at the end.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_seconds
    first_quiet_deadline = loop.time() + timeout_seconds / 2
    # best effort: scripts fetch content
    quiet_before = await activity.wait_quiet(quiet_seconds, first_quiet_deadline)
    requests_before = activity.started
    settled = True
    for name, script in (
        ("fonts", _FONTS_READY_JS),
        ("scroll", _SCROLL_THROUGH_JS),
        ("images", _IMAGES_DECODED_JS),
    ):
        settled = await _bounded(page.evaluate(script), deadline, name, logger) and settled
    untouched = quiet_before and activity.started == requests_before
    closing_window = min(quiet_seconds, CONFIRM_QUIET_SECONDS) if untouched else quiet_seconds
    return await activity.wait_quiet(closing_window, deadline) and settled


async def _bounded(step: Awaitable[Any], deadline: float, name: str, logger: logging.Logger) -> bool:
    remaining = deadline - asyncio.get_running_loop().time()
    if remaining <= 0:
        if asyncio.iscoroutine(step):
            step.close()
        return False
    try:
        await asyncio.wait_for(step, remaining)
        return True
    except asyncio.TimeoutError:
        logger.info("Page readiness step ran out of time", extra={"step": name})
        return False
    except PlaywrightError as exc:
        # e.g. the page navigated itself away mid-step; print what is there.
        logger.info("Page readiness step failed", extra={"step": name, "error": str(exc)})
        return False
