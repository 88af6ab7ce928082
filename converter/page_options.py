"""The options that shape how a page is shown and printed, beyond ``page.pdf``'s own arguments.

Each job has a fresh context, so whatever is set here (user agent, media features, the
default background) ends with it. ``print_arguments`` adds what needs the loaded page:
the height of the content for ``single_page``.
"""

from __future__ import annotations

import math
from typing import Any

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Page
from playwright.async_api import TimeoutError as PlaywrightTimeoutError

from chalicelib.domain.errors import ConversionFailed
from chalicelib.domain.models import ConversionOptions
from chalicelib.domain.options import PAPER_INCHES, length_inches
from converter.print_options import pdf_arguments

CSS_PX_PER_INCH = 96
#: Room for Chromium's rounding so that single_page content never spills onto a second page.
SINGLE_PAGE_SLACK_PX = 4
#: Playwright's emulate_media keyword for each media feature the API accepts.
_EMULATE_MEDIA_ARGUMENT = {
    "prefers-color-scheme": "color_scheme",
    "prefers-reduced-motion": "reduced_motion",
    "forced-colors": "forced_colors",
    "prefers-contrast": "contrast",
}
_TRANSPARENT_ROOT = """() => {
  for (const element of [document.documentElement, document.body]) {
    if (element) element.style.setProperty('background', 'transparent', 'important');
  }
}"""
_CONTENT_HEIGHT = (
    "() => Math.max(document.documentElement.scrollHeight, document.body ? document.body.scrollHeight : 0)"
)


async def prepare_page(page: Page, options: ConversionOptions) -> None:
    """Before navigating: the user agent, the media features and the default background."""
    if options.media_features:
        arguments: dict[str, Any] = {
            _EMULATE_MEDIA_ARGUMENT[feature.name]: feature.value for feature in options.media_features
        }  # names and values validated against Playwright's literals at the API (chalicelib/domain/options.py)
        await page.emulate_media(**arguments)
    if options.user_agent is None and not options.omit_background:
        return
    # Emulation overrides last as long as their session: this one stays open until the
    # job's context closes.
    session = await page.context.new_cdp_session(page)
    if options.user_agent is not None:
        # Both the header and navigator.userAgent, as a browser with that agent would show them.
        await session.send("Emulation.setUserAgentOverride", {"userAgent": options.user_agent})
    if options.omit_background:
        transparent = {"r": 0, "g": 0, "b": 0, "a": 0}
        await session.send("Emulation.setDefaultBackgroundColorOverride", {"color": transparent})


async def before_print(page: Page, options: ConversionOptions) -> None:
    """On the loaded page: ``omit_background`` also clears the page's own root background."""
    if options.omit_background:
        await page.evaluate(_TRANSPARENT_ROOT)


async def print_arguments(page: Page, options: ConversionOptions) -> dict[str, Any]:
    """``page.pdf``'s arguments; for ``single_page`` a paper as tall as the content laid out at the paper's width."""
    arguments = pdf_arguments(options)
    if not options.single_page:
        return arguments
    width_in, height_in = PAPER_INCHES[options.format]
    if options.landscape:
        width_in, height_in = height_in, width_in
    margin = options.margin
    across_in = width_in - length_inches(margin.left) - length_inches(margin.right)
    # Lay the page out as it will be printed (the content box's width, unscaled) and measure it.
    viewport = page.viewport_size or {"width": 1280, "height": 900}
    await page.set_viewport_size(
        {"width": max(1, round(across_in * CSS_PX_PER_INCH / options.scale)), "height": viewport["height"]}
    )
    content_px = await page.evaluate(_CONTENT_HEIGHT)
    margins_px = (length_inches(margin.top) + length_inches(margin.bottom)) * CSS_PX_PER_INCH
    height_px = math.ceil(content_px * options.scale + margins_px) + SINGLE_PAGE_SLACK_PX
    arguments.pop("format", None)
    arguments["landscape"] = False  # width and height already say which way round
    arguments["width"] = f"{round(width_in * CSS_PX_PER_INCH)}px"
    arguments["height"] = f"{height_px}px"
    return arguments


async def await_expression(page: Page, expression: str, seconds: float) -> None:
    """Wait until the user's expression is truthy in the page, at most ``seconds``."""
    try:
        await page.wait_for_function(expression, timeout=max(seconds, 0.001) * 1000)
    except PlaywrightTimeoutError:
        raise ConversionFailed(
            f"The expression {_quoted(expression)} was not true within {seconds:.0f} seconds",
            "expression_timeout",
            permanent=True,
        ) from None
    except PlaywrightError as exc:
        if page.is_closed():
            raise
        raise ConversionFailed(
            f"The expression {_quoted(expression)} could not be evaluated: {_first_line(str(exc))}",
            "invalid_expression",
            permanent=True,
        ) from None


def page_range_failure(page_ranges: str) -> ConversionFailed:
    return ConversionFailed(
        f"The page ranges {page_ranges!r} go past the end of the document", "invalid_page_range", permanent=True
    )


def _quoted(expression: str) -> str:
    return repr(expression if len(expression) <= 80 else expression[:77] + "...")


def _first_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return (lines[0] if lines else "unknown error")[:200]
