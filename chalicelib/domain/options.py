"""Validate what a user asks of the PDF; every bound here matches api/openapi.yaml."""

from __future__ import annotations

import re
from typing import Any

from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.models import MEDIA_TYPES, PAPER_FORMATS, ConversionOptions, Margin
from chalicelib.domain.templates import sanitise_template

_CSS_LENGTH = re.compile(r"^(0|[0-9]{1,4}(\.[0-9]{1,3})?(px|in|cm|mm))$")
_UNITS_PER_INCH = {"px": 96.0, "in": 1.0, "cm": 2.54, "mm": 25.4}
MAX_MARGIN_INCHES = 10.0
#: Printable width and height the margins must leave: Chromium refuses to print into none.
MIN_PRINTABLE_INCHES = 1.0
# (width, height) in inches, portrait, as Chromium prints them.
_PAPER_INCHES = {
    "A3": (11.69, 16.54),
    "A4": (8.27, 11.69),
    "A5": (5.83, 8.27),
    "Letter": (8.5, 11.0),
    "Legal": (8.5, 14.0),
    "Tabloid": (11.0, 17.0),
}
MAX_DELAY_MS = 10_000
MAX_SELECTOR = 256
MAX_TEMPLATE = 2048
# Header/footer templates are rendered by Chromium; they may use its template classes
# but must not pull anything from the network or run script. Plain attempts are refused
# with a reason (below); what passes is then sanitised with an allowlist (domain.templates),
# which is the guarantee: escapes and spellings this pattern misses are dropped there.
_TEMPLATE_FORBIDDEN = re.compile(
    r"<\s*(script|img|link|iframe|object|embed|video|audio|source|image|use)\b"
    r"|\b(src|href|srcset|xlink:href|action|formaction)\s*=|url\s*\(|@import",
    re.IGNORECASE,
)
_KNOWN = {
    "format",
    "landscape",
    "margin",
    "scale",
    "print_background",
    "media",
    "wait_for_selector",
    "delay_ms",
    "header_template",
    "footer_template",
    "tagged",
    "outline",
}


def parse_options(raw: Any) -> ConversionOptions:
    if raw is None:
        return ConversionOptions()
    if not isinstance(raw, dict):
        raise InvalidInput("options must be an object.", field="options")
    unknown = sorted(set(raw) - _KNOWN)
    if unknown:
        raise InvalidInput(f"Unknown option: {unknown[0]}.", field=f"options.{unknown[0]}")
    defaults = ConversionOptions()
    options = ConversionOptions(
        format=_choice(raw, "format", PAPER_FORMATS, defaults.format),
        landscape=_bool(raw, "landscape", defaults.landscape),
        margin=_margin(raw.get("margin", {})),
        scale=_scale(raw.get("scale", defaults.scale)),
        print_background=_bool(raw, "print_background", defaults.print_background),
        media=_choice(raw, "media", MEDIA_TYPES, defaults.media),
        wait_for_selector=_text(raw, "wait_for_selector", MAX_SELECTOR, allow_empty=False),
        delay_ms=_delay(raw.get("delay_ms", defaults.delay_ms)),
        header_template=_template(raw, "header_template"),
        footer_template=_template(raw, "footer_template"),
        tagged=_bool(raw, "tagged", defaults.tagged),
        outline=_bool(raw, "outline", defaults.outline),
    )
    _check_printable_area(options)
    return options


def _check_printable_area(options: ConversionOptions) -> None:
    """Margins that leave the page no room would fail in Chromium on every attempt: say so now."""
    width, height = _PAPER_INCHES[options.format]
    if options.landscape:
        width, height = height, width
    margin = options.margin
    room_across = width - _inches(margin.left) - _inches(margin.right)
    room_down = height - _inches(margin.top) - _inches(margin.bottom)
    if min(room_across, room_down) < MIN_PRINTABLE_INCHES:
        raise InvalidInput(
            f"The margins leave less than {MIN_PRINTABLE_INCHES:g}in to print on a "
            f"{'landscape ' if options.landscape else ''}{options.format} page.",
            field="options.margin",
        )


def _choice(raw: dict, name: str, allowed: tuple[str, ...], default: str) -> str:
    value = raw.get(name, default)
    if value not in allowed:
        raise InvalidInput(f"{name} must be one of {', '.join(allowed)}.", field=f"options.{name}")
    return value


def _bool(raw: dict, name: str, default: bool) -> bool:
    value = raw.get(name, default)
    if not isinstance(value, bool):
        raise InvalidInput(f"{name} must be true or false.", field=f"options.{name}")
    return value


def _scale(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0.1 <= value <= 2:
        raise InvalidInput("scale must be a number from 0.1 to 2.", field="options.scale")
    return float(value)


def _delay(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_DELAY_MS:
        raise InvalidInput(f"delay_ms must be a whole number from 0 to {MAX_DELAY_MS}.", field="options.delay_ms")
    return value


def _margin(value: Any) -> Margin:
    if not isinstance(value, dict):
        raise InvalidInput("margin must be an object with top, right, bottom and left.", field="options.margin")
    unknown = sorted(set(value) - {"top", "right", "bottom", "left"})
    if unknown:
        raise InvalidInput(f"Unknown margin side: {unknown[0]}.", field=f"options.margin.{unknown[0]}")
    defaults = Margin()
    sides = {side: value.get(side, getattr(defaults, side)) for side in ("top", "right", "bottom", "left")}
    for side, length in sides.items():
        if not isinstance(length, str) or not _CSS_LENGTH.match(length) or _inches(length) > MAX_MARGIN_INCHES:
            raise InvalidInput(
                f"margin {side} must be a length like 1cm, 10mm, 0.5in or 12px (at most 10in).",
                field=f"options.margin.{side}",
            )
    return Margin(**sides)


def _inches(length: str) -> float:
    if length == "0":
        return 0.0
    return float(length[:-2]) / _UNITS_PER_INCH[length[-2:]]


def _text(raw: dict, name: str, limit: int, allow_empty: bool) -> str | None:
    value = raw.get(name)
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > limit or (not allow_empty and not value.strip()):
        raise InvalidInput(f"{name} must be text of 1 to {limit} characters.", field=f"options.{name}")
    if any(ord(ch) < 32 and ch not in "\t\n\r" for ch in value):
        raise InvalidInput(f"{name} must not contain control characters.", field=f"options.{name}")
    return value


def _template(raw: dict, name: str) -> str | None:
    value = _text(raw, name, MAX_TEMPLATE, allow_empty=True)
    if value is not None and _TEMPLATE_FORBIDDEN.search(value):
        raise InvalidInput(
            f"{name} may use text, styling and Chromium's classes (date, title, url, pageNumber, totalPages), "
            "but no scripts, images, links or other external resources.",
            field=f"options.{name}",
        )
    return sanitise_template(value) if value else value
