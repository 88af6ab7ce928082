"""Owns the warm Chromium: launched lazily, shared by jobs, recycled, and never left behind.

A warm Lambda container lives for hours. One browser per container saves a second of
start-up per job, but a long-lived Chromium leaks memory, can crash, and a hung
``close()`` would leave zombies and profile directories in /tmp. So: count jobs per
browser and recycle after ``recycle_after``; treat a disconnect as a crash; bound
every close and fall back to killing the process group.
"""

from __future__ import annotations

import asyncio
import collections
import logging
import time
from collections.abc import Sequence

from playwright.async_api import Browser, Playwright, async_playwright
from playwright.async_api import Error as PlaywrightError

from converter.chromium_process import ChromiumProcess
from converter.logs import Log

#: Flags for a headless Chromium in a container: no sandbox (root / Lambda lack user
#: namespaces), no GPU, /tmp instead of the tiny /dev/shm, and no background traffic.
CHROMIUM_ARGS: tuple[str, ...] = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)

_EXIT_POLL_SECONDS = 0.05


class BrowserGeneration:
    """One launched browser and the bookkeeping that decides when it must go."""

    def __init__(self, browser: Browser, process: ChromiumProcess | None, number: int) -> None:
        self.browser = browser
        self.process = process
        self.number = number
        self.jobs_started = 0
        self.active = 0
        self.broken = False
        self.closing = False
        browser.on("disconnected", self._on_disconnected)

    def _on_disconnected(self, _browser: Browser) -> None:
        self.broken = True

    def mark_broken(self) -> None:
        """Retire this browser once its running jobs end (crashed page, hung job...)."""
        self.broken = True

    def usable(self, recycle_after: int) -> bool:
        return (
            not self.broken and not self.closing and self.browser.is_connected() and self.jobs_started < recycle_after
        )


class BrowserSupervisor:
    """Hands out the current browser to jobs; all methods run on the renderer's loop."""

    def __init__(
        self,
        *,
        executable_path: str | None,
        recycle_after: int,
        launch_timeout_seconds: float,
        close_timeout_seconds: float,
        extra_args: Sequence[str] = (),
        logger: Log | None = None,
    ) -> None:
        self._executable_path = executable_path
        self._args = list(CHROMIUM_ARGS) + [a for a in extra_args if a not in CHROMIUM_ARGS]
        self._recycle_after = recycle_after
        self._launch_timeout = launch_timeout_seconds
        self._close_timeout = close_timeout_seconds
        self._log = logger or logging.getLogger(__name__)
        self._lock = asyncio.Lock()
        self._playwright: Playwright | None = None
        self._current: BrowserGeneration | None = None
        self._open: set[BrowserGeneration] = set()
        self._launches = 0
        self._history: collections.deque[ChromiumProcess] = collections.deque(maxlen=16)

    @property
    def launches(self) -> int:
        """How many browsers this supervisor has started (recycling shows up here)."""
        return self._launches

    @property
    def processes(self) -> tuple[ChromiumProcess, ...]:
        """The most recent browsers' processes, oldest first (diagnostics and tests)."""
        return tuple(self._history)

    async def acquire(self, counted: bool = True) -> BrowserGeneration:
        """The browser for one more job, launching a fresh one when needed. ``counted=False``
        holds it without counting a job (warming up)."""
        async with self._lock:
            current = self._current
            if current is not None and not current.usable(self._recycle_after):
                self._current = None
                await self._retire_if_idle(current)
            if self._current is None:
                self._current = await self._launch()
            generation = self._current
            generation.jobs_started += 1 if counted else 0
            generation.active += 1
            return generation

    def has_usable_browser(self) -> bool:
        """Whether the next job would find a browser ready (none launched yet counts as not)."""
        return self._current is not None and self._current.usable(self._recycle_after)

    def serves(self, generation: BrowserGeneration) -> bool:
        """Whether new jobs still go to ``generation`` (so pages prepared in it will be used)."""
        return self._current is generation and generation.usable(self._recycle_after)

    async def release(self, generation: BrowserGeneration) -> None:
        """A job is done with ``generation``; close it if it is worn out and now idle."""
        generation.active -= 1
        if not generation.usable(self._recycle_after):
            if self._current is generation:
                self._current = None
            await self._retire_if_idle(generation)

    async def close(self) -> None:
        """Close every browser and the Playwright driver; bounded, safe to repeat."""
        async with self._lock:
            self._current = None
            for generation in list(self._open):
                if not generation.closing:
                    generation.closing = True
                    await self._shut(generation)
            if self._playwright is not None:
                await self._stop_playwright()

    async def _retire_if_idle(self, generation: BrowserGeneration) -> None:
        if generation.active == 0 and not generation.closing:
            generation.closing = True
            await self._shut(generation)

    async def _launch(self) -> BrowserGeneration:
        started = time.monotonic()
        try:
            if self._playwright is None:
                self._playwright = await asyncio.wait_for(async_playwright().start(), self._launch_timeout)
            browser = await self._playwright.chromium.launch(
                executable_path=self._executable_path,
                args=self._args,
                timeout=self._launch_timeout * 1000,
            )
        except BaseException:
            # A dead driver would fail every later launch too; start it afresh next time.
            await self._stop_playwright()
            raise
        process = await self._find_process(browser)
        self._launches += 1
        generation = BrowserGeneration(browser, process, self._launches)
        self._open.add(generation)
        if process is not None:
            self._history.append(process)
        self._log.info(
            "Chromium launched",
            extra={
                "browser_number": generation.number,
                "browser_pid": process.pid if process else None,
                "duration_ms": round((time.monotonic() - started) * 1000),
            },
        )
        return generation

    async def _find_process(self, browser: Browser) -> ChromiumProcess | None:
        """Ask Chromium for its own pid (Playwright does not expose it)."""
        try:
            session = await asyncio.wait_for(browser.new_browser_cdp_session(), self._launch_timeout)
            info = await asyncio.wait_for(session.send("SystemInfo.getProcessInfo"), self._launch_timeout)
            await asyncio.wait_for(session.detach(), self._launch_timeout)
        except (TimeoutError, PlaywrightError) as exc:
            self._log.warning("Could not learn the Chromium pid", extra={"error": str(exc)})
            return None
        for entry in info.get("processInfo", []):
            if entry.get("type") == "browser":
                return ChromiumProcess.from_pid(int(entry["id"]))
        return None

    async def _shut(self, generation: BrowserGeneration) -> None:
        """Close gracefully within the bound; otherwise kill the group. Then clean /tmp."""
        started = time.monotonic()
        forced = False
        try:
            await asyncio.wait_for(generation.browser.close(), self._close_timeout)
        except (TimeoutError, PlaywrightError) as exc:
            forced = True
            self._log.warning(
                "Chromium did not close in time; killing its process group",
                extra={"browser_number": generation.number, "error": str(exc) or type(exc).__name__},
            )
        process = generation.process
        if process is not None:
            if forced or not await self._exited(process):
                forced = True
                process.kill()
                await self._exited(process)
            process.remove_profile()
        self._open.discard(generation)
        self._log.info(
            "Chromium closed",
            extra={
                "browser_number": generation.number,
                "jobs": generation.jobs_started,
                "killed": forced,
                "duration_ms": round((time.monotonic() - started) * 1000),
            },
        )

    async def _exited(self, process: ChromiumProcess) -> bool:
        """Poll, within the close bound, until no live process is left in the group."""
        deadline = time.monotonic() + self._close_timeout
        while process.members(include_zombies=False):
            if time.monotonic() >= deadline:
                return False
            await asyncio.sleep(_EXIT_POLL_SECONDS)
        return True

    async def _stop_playwright(self) -> None:
        playwright, self._playwright = self._playwright, None
        if playwright is None:
            return
        try:
            await asyncio.wait_for(playwright.stop(), self._close_timeout)
        except (TimeoutError, PlaywrightError, OSError) as exc:
            self._log.warning("Playwright driver did not stop cleanly", extra={"error": str(exc)})
