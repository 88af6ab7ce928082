"""A screenshot instead of a PDF: the same page, readiness, options and egress guard, then
``page.screenshot`` in the chosen format."""

from __future__ import annotations

from typing import Any

from playwright.async_api import Page

from chalicelib.domain.models import ConversionOptions
from chalicelib.domain.outputs import LOSSY


def screenshot_arguments(options: ConversionOptions) -> dict[str, Any]:
    arguments: dict[str, Any] = {
        "type": options.output,
        "full_page": options.full_page,
        "omit_background": options.omit_background,
        "animations": "disabled",  # a still picture of where the page settles, not a random frame
    }
    if options.output in LOSSY and options.quality is not None:
        arguments["quality"] = options.quality
    return arguments


async def take_screenshot(page: Page, options: ConversionOptions, timeout_seconds: float) -> bytes:
    return await page.screenshot(**screenshot_arguments(options), timeout=timeout_seconds * 1000)
