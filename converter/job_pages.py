"""Browser contexts made ready before the job that will use them.

Opening a context and its first page costs Chromium a new renderer process: a few hundred
milliseconds that every job would otherwise pay before it even starts navigating. So the
renderer keeps a few spare pages, each in a fresh context behind its own egress guard, with
the readiness probe installed and print media set, and a job takes one. A spare serves one
job only and is thrown away after it (nothing carries over from one job to the next), and
spares belong to one browser: when that browser is retired, its spares go with it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from typing import Any, Literal, Protocol, cast

from playwright.async_api import Browser, BrowserContext, Page
from playwright.async_api import Error as PlaywrightError

from converter.browser import BrowserGeneration
from converter.egress_proxy import BlockedRequest
from converter.logs import Log
from converter.readiness import PROBE_SCRIPT, NetworkActivity

CONTEXT_DEFAULTS: dict[str, Any] = {
    "accept_downloads": False,
    "service_workers": "block",  # a worker could answer requests the guard never sees
    "viewport": {"width": 1280, "height": 900},
}
#: The CSS media a page can emulate (ConversionOptions.media is checked against MEDIA_TYPES).
Media = Literal["print", "screen"]

#: What a spare page is set up for; a job asking for something else re-emulates.
DEFAULT_MEDIA: Media = "print"


class Guard(Protocol):
    @property
    def context_options(self) -> dict[str, Any]: ...

    @property
    def blocked(self) -> list[BlockedRequest]: ...

    async def __aenter__(self) -> Guard: ...

    async def __aexit__(self, *exc: Any) -> None: ...

    async def attach(self, context: BrowserContext, page: Page) -> None: ...

    def blocked_navigation(self, url: str) -> BlockedRequest | None: ...


GuardFactory = Callable[[], AbstractAsyncContextManager[Guard]]


class BrowserGone(Exception):
    """The browser could not open a context: it died, or is dying."""


class PageWatch:
    """A job's page plus whether it (or the whole browser) has died under us."""

    def __init__(self, browser: Browser, page: Page) -> None:
        self.browser = browser
        self.page = page
        self.crashed = False
        page.on("crash", self._on_crash)

    def _on_crash(self, _page: Page) -> None:
        self.crashed = True

    @property
    def broken(self) -> bool:
        return self.crashed or self.page.is_closed() or not self.browser.is_connected()


class JobPage:
    """One job's guard, context and page, with the page's network activity tracked."""

    def __init__(
        self,
        generation: BrowserGeneration,
        guard: Guard,
        context: BrowserContext,
        watch: PageWatch,
        activity: NetworkActivity,
    ) -> None:
        self.generation = generation
        self.guard = guard
        self.context = context
        self.watch = watch
        self.activity = activity
        self.media = DEFAULT_MEDIA

    @property
    def page(self) -> Page:
        return self.watch.page

    @classmethod
    async def open(cls, generation: BrowserGeneration, guard_factory: GuardFactory) -> JobPage:
        """Start a guard, open a context behind it and a page with the probe installed.
        Raises ``BrowserGone`` when the browser cannot open a context."""
        guard = await guard_factory().__aenter__()
        context: BrowserContext | None = None
        try:
            try:
                context = await generation.browser.new_context(**{**CONTEXT_DEFAULTS, **guard.context_options})
            except PlaywrightError:
                generation.mark_broken()  # a browser that cannot open a context is no use
                raise BrowserGone() from None
            await context.add_init_script(PROBE_SCRIPT)
            page = await context.new_page()
            await guard.attach(context, page)
            activity = NetworkActivity(page)
            await page.emulate_media(media=DEFAULT_MEDIA)
            return cls(generation, guard, context, PageWatch(generation.browser, page), activity)
        except BaseException:
            if context is not None:
                await _quietly(context.close())
            await guard.__aexit__(None, None, None)
            raise

    async def use_media(self, media: str) -> None:
        if media != self.media:
            self.media = cast(Media, media)
            await self.page.emulate_media(media=self.media)

    async def close(self, timeout: float, log: Log) -> None:
        """Close the context (bounded; a context that will not close retires its browser),
        then the guard."""
        try:
            await asyncio.wait_for(self.context.close(), timeout)
        except (TimeoutError, PlaywrightError) as exc:
            self.generation.mark_broken()  # let the supervisor kill the browser rather than leak pages
            log.warning("Browser context did not close", extra={"error": str(exc) or type(exc).__name__})
        finally:
            await self.guard.__aexit__(None, None, None)


class SparePages:
    """Keeps up to ``target`` ready ``JobPage``s for the current browser."""

    def __init__(
        self,
        target: int,
        guard_factory: GuardFactory,
        close_timeout: float,
        prepare_timeout: float,
        log: Log,
    ) -> None:
        self._target = target
        self._guard_factory = guard_factory
        self._close_timeout = close_timeout
        self._prepare_timeout = prepare_timeout
        self._log = log
        self._ready: list[JobPage] = []
        self._preparing = 0
        self._tasks: set[asyncio.Task[None]] = set()
        self._closed = False

    def take(self, generation: BrowserGeneration) -> JobPage | None:
        """A ready page in ``generation``'s browser, if there is one; stale spares are dropped."""
        while self._ready:
            spare = self._ready.pop(0)
            if spare.generation is generation and not spare.watch.broken:
                return spare
            self.discard(spare)
        return None

    def refill(self, generation: BrowserGeneration, usable: Callable[[], bool], up_to: int | None = None) -> None:
        """Prepare spares in the background until ``target`` (or ``up_to``) are ready or being made."""
        if self._closed:
            return
        while len(self._ready) + self._preparing < min(self._target, up_to or self._target):
            self._preparing += 1
            self._spawn(self._prepare(generation, usable))

    def discard(self, job_page: JobPage) -> None:
        """Close a page in the background (the caller does not wait for Chromium)."""
        self._spawn(job_page.close(self._close_timeout, self._log))

    async def close(self) -> None:
        """Drop every spare and wait for the background work; bounded by its own timeouts."""
        self._closed = True
        while self._ready:
            self.discard(self._ready.pop())
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def _prepare(self, generation: BrowserGeneration, usable: Callable[[], bool]) -> None:
        try:
            spare = await asyncio.wait_for(JobPage.open(generation, self._guard_factory), self._prepare_timeout)
        except (TimeoutError, BrowserGone, PlaywrightError, OSError) as exc:
            self._log.info("Spare page could not be prepared", extra={"error": str(exc) or type(exc).__name__})
            return
        finally:
            self._preparing -= 1
        if self._closed or not usable():
            self.discard(spare)
        else:
            self._ready.append(spare)

    def _spawn(self, work: Any) -> None:
        task = asyncio.ensure_future(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)


async def _quietly(work: Any) -> None:
    try:
        await work
    except (PlaywrightError, OSError):
        pass
