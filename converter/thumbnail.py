"""A small picture of the page for the file list, taken from the page already rendered.

No second page load: once the PDF is printed, Chromium paints the same page, in the same
(print) media, at thumbnail size (DevTools' ``Page.captureScreenshot`` with a scaled clip,
so Chromium does the downscaling and nothing is decoded here). The clip has the paper's
proportions, so the picture looks like the PDF's first page. A thumbnail is a nicety: if it
cannot be made in time the job goes on without one.
"""

from __future__ import annotations

import asyncio
import base64
import logging
import time
from collections.abc import Awaitable

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Page

from chalicelib.domain.models import ConversionOptions

THUMBNAIL_WIDTH = 300
THUMBNAIL_TYPE = "image/webp"
THUMBNAIL_TIMEOUT_SECONDS = 5.0
#: Height / width of each paper format, portrait.
_PAPER_RATIO = {"A3": 1.414, "A4": 1.414, "A5": 1.414, "Letter": 1.294, "Legal": 1.647, "Tabloid": 1.545}

log = logging.getLogger(__name__)


def clip_for(options: ConversionOptions, viewport_width: int) -> dict[str, float]:
    """The top of the page, as wide as the viewport and as tall as the paper's proportions say."""
    ratio = _PAPER_RATIO.get(options.format, 1.414)
    if options.landscape:
        ratio = 1 / ratio
    return {
        "x": 0,
        "y": 0,
        "width": viewport_width,
        "height": round(viewport_width * ratio),
        "scale": THUMBNAIL_WIDTH / viewport_width,
    }


async def take_thumbnail(page: Page, options: ConversionOptions) -> bytes | None:
    """A WebP about ``THUMBNAIL_WIDTH`` pixels wide, or None when the page would not give one."""
    viewport = page.viewport_size or {"width": 1280}
    try:
        session = await page.context.new_cdp_session(page)
        try:
            shot = await asyncio.wait_for(
                session.send(
                    "Page.captureScreenshot",
                    {
                        "format": "webp",
                        "quality": 70,
                        "clip": clip_for(options, viewport["width"]),
                        "captureBeyondViewport": True,
                    },
                ),
                THUMBNAIL_TIMEOUT_SECONDS,
            )
        finally:
            await session.detach()
    except (TimeoutError, PlaywrightError) as exc:
        log.info("No thumbnail for this page: %s", exc)
        return None
    return base64.b64decode(shot["data"])


async def timed[T](work: Awaitable[T], timings: dict[str, int], name: str) -> T:
    """``work``'s result, with how long it took noted in ``timings[name]`` (ms)."""
    started = time.monotonic()
    try:
        return await work
    finally:
        timings[name] = round((time.monotonic() - started) * 1000)
