"""ConversionOptions -> the keyword arguments of Playwright's ``page.pdf``.

Chromium prints its own date/title header and URL/page footer whenever headers are on;
when the user gives only one template the other is set to an empty element so the
default never appears.
"""

from __future__ import annotations

from typing import Any

from chalicelib.domain.models import ConversionOptions

EMPTY_TEMPLATE = "<span></span>"


def pdf_arguments(options: ConversionOptions) -> dict[str, Any]:
    arguments: dict[str, Any] = {
        "format": options.format,
        "landscape": options.landscape,
        "margin": {
            "top": options.margin.top,
            "right": options.margin.right,
            "bottom": options.margin.bottom,
            "left": options.margin.left,
        },
        "scale": options.scale,
        "print_background": options.print_background,
        "prefer_css_page_size": options.prefer_css_page_size,
        "tagged": options.tagged,
        # Chromium builds the outline from the structure tree, so no tags means no outline.
        "outline": options.outline and options.tagged,
    }
    if options.page_ranges:
        arguments["page_ranges"] = options.page_ranges
    if options.header_template or options.footer_template:
        arguments.update(
            display_header_footer=True,
            header_template=options.header_template or EMPTY_TEMPLATE,
            footer_template=options.footer_template or EMPTY_TEMPLATE,
        )
    return arguments
