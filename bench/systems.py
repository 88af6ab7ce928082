"""The systems under test, each with a synchronous, thread-safe ``render(url) -> (pdf, timings)``.

* ``Bare``: Playwright's async API driving the same Chromium with the same flags, launched
  once; per page new_context / new_page / goto(wait_until="load") / page.pdf / close, with
  PagePress's viewport and PDF options and nothing else. ``guard=True`` adds PagePress's
  EgressGuard (pinning proxy + navigation vetting) and nothing else: an ablation that isolates the hop.
* ``PagePress``: converter.renderer.PlaywrightRenderer as the converter builds it, warm.
* ``Wkhtmltopdf``: the seed's engine (Debian's build), for reference.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable
from typing import Any

from playwright.async_api import Browser, Playwright, ViewportSize, async_playwright

from chalicelib.config import Settings, default_chromium
from chalicelib.domain.models import ConversionOptions
from chalicelib.egress import EgressPolicy
from converter.browser import CHROMIUM_ARGS
from converter.egress_guard import EgressGuard
from converter.renderer import PlaywrightRenderer

#: The Chromium both systems launch: the one the converter would (CHROMIUM_PATH, else the headless
#: shell, else a full Chromium: chalicelib.config.default_chromium).
CHROMIUM = os.environ.get("CHROMIUM_PATH") or default_chromium() or "chromium"
#: The flags PagePress launches with; the bare system uses exactly these (PagePress adds
#: EgressGuard.LAUNCH_ARGS: proxy, QUIC and resolver rules).
CHROMIUM_FLAGS = list(CHROMIUM_ARGS)
VIEWPORT: ViewportSize = {"width": 1280, "height": 900}  # PagePress's context viewport
#: page.pdf arguments equal to what PagePress derives from ConversionOptions() defaults.
PDF_ARGS: dict[str, Any] = {
    "format": "A4",
    "margin": {"top": "1cm", "right": "1cm", "bottom": "1cm", "left": "1cm"},
    "print_background": True,
}
WKHTMLTOPDF = shutil.which("wkhtmltopdf")


def _ms_since(mark: float) -> float:
    return (time.perf_counter() - mark) * 1000


class Bare:
    """Bare Playwright on its own event-loop thread."""

    name = "bare"

    def __init__(self, policy: EgressPolicy | None = None) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="bare", daemon=True)
        self._thread.start()
        self._policy = policy
        self._pw: Playwright | None = None
        self._browser: Browser | None = None

    def _run(self, coro, timeout: float = 120.0):
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout)

    def start(self) -> Bare:
        self._run(self._start())
        return self

    async def _start(self) -> None:
        self._pw = pw = await async_playwright().start()
        self._browser = await pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)

    def render(self, url: str, guard: bool = False) -> tuple[bytes, dict]:
        return self._run(self._render_guarded(url) if guard else self._render(url, {}))

    async def _render(self, url: str, context_options: dict, attach: Callable | None = None) -> tuple[bytes, dict]:
        timings = {}
        assert self._browser is not None, "start() first"
        context = await self._browser.new_context(viewport=VIEWPORT, **context_options)
        try:
            page = await context.new_page()
            if attach is not None:
                await attach(context, page)
            mark = time.perf_counter()
            await page.goto(url, wait_until="load")
            timings["navigate_ms"] = _ms_since(mark)
            mark = time.perf_counter()
            pdf = await page.pdf(**PDF_ARGS)
            timings["print_ms"] = _ms_since(mark)
        finally:
            await context.close()
        return pdf, timings

    async def _render_guarded(self, url: str) -> tuple[bytes, dict]:
        assert self._policy is not None, "a guarded render needs the policy"
        async with EgressGuard(self._policy) as guard:
            return await self._render(url, guard.context_options, guard.attach)

    def close(self) -> None:
        async def shut():
            if self._browser is not None:
                await self._browser.close()
            if self._pw is not None:
                await self._pw.stop()

        try:
            self._run(shut(), 30)
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(5)


def pagepress_settings(port: int) -> Settings:
    """The converter's settings from this environment (so RENDER_CONCURRENCY=... applies, and
    "auto" resolves as it would here), allowed to reach the corpus server."""
    return Settings.from_env({**os.environ, "CONVERTER_EGRESS_ALLOW": f"127.0.0.1:{port}", "CHROMIUM_PATH": CHROMIUM})


class PagePress:
    """The renderer exactly as the converter builds it (``PlaywrightRenderer.from_settings``)."""

    name = "pagepress"

    def __init__(self, port: int) -> None:
        settings = pagepress_settings(port)
        self.concurrency = settings.render_concurrency
        self.renderer = PlaywrightRenderer.from_settings(settings)
        self._ids = itertools.count(1)
        self._ids_lock = threading.Lock()

    def render(self, url: str, correlation_id: str | None = None) -> tuple[bytes, dict]:
        """The PDF, with its thumbnail drawn too: the job draws it while the PDF uploads, but it is
        PagePress's work for every PDF, so it is timed here (``thumbnail_ms``)."""
        with self._ids_lock:
            cid = correlation_id or f"bench-{next(self._ids)}"
        rendered = self.renderer.render(url, ConversionOptions(), cid)
        started = time.perf_counter()
        if rendered.draw_thumbnail is not None:
            rendered.draw_thumbnail()
        return rendered.content, {"thumbnail_ms": (time.perf_counter() - started) * 1000}

    def close(self) -> None:
        self.renderer.close()


class Wkhtmltopdf:
    """Debian's wkhtmltopdf (the seed's engine), same paper and margins; no scripts waited for
    beyond its own 200 ms javascript delay."""

    name = "wkhtmltopdf"

    def __init__(self, timeout_seconds: float = 60.0) -> None:
        self._timeout = timeout_seconds

    @staticmethod
    def available() -> bool:
        return WKHTMLTOPDF is not None

    def render(self, url: str) -> tuple[bytes, dict]:
        assert WKHTMLTOPDF is not None, "available() first"
        with tempfile.TemporaryDirectory(prefix="bench-wk-") as tmp:
            out = os.path.join(tmp, "out.pdf")
            proc = subprocess.run(
                [
                    WKHTMLTOPDF,
                    "--quiet",
                    "--page-size",
                    "A4",
                    "-T",
                    "10mm",
                    "-B",
                    "10mm",
                    "-L",
                    "10mm",
                    "-R",
                    "10mm",
                    "--load-error-handling",
                    "ignore",
                    "--load-media-error-handling",
                    "ignore",
                    url,
                    out,
                ],
                capture_output=True,
                timeout=self._timeout,
                env={**os.environ, "XDG_RUNTIME_DIR": tmp},
            )
            if not os.path.exists(out) or os.path.getsize(out) == 0:
                raise RuntimeError(
                    f"wkhtmltopdf exited {proc.returncode}: {proc.stderr.decode(errors='replace')[-300:]}"
                )
            with open(out, "rb") as handle:
                return handle.read(), {}

    def close(self) -> None:
        pass
