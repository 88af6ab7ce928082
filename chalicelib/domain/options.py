"""Validate what a user asks of the PDF; every bound here matches api/openapi.yaml."""

from __future__ import annotations

import re
from typing import Any

from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.models import MEDIA_FEATURES, MEDIA_TYPES, PAPER_FORMATS, ConversionOptions, Margin, MediaFeature
from chalicelib.domain.outputs import LOSSY, OUTPUTS
from chalicelib.domain.page_ranges import parse_page_ranges
from chalicelib.domain.status_rules import parse_status_rules
from chalicelib.domain.templates import sanitise_template

_CSS_LENGTH = re.compile(r"^(0|[0-9]{1,4}(\.[0-9]{1,3})?(px|in|cm|mm))$")
_UNITS_PER_INCH = {"px": 96.0, "in": 1.0, "cm": 2.54, "mm": 25.4}
MAX_MARGIN_INCHES = 10.0
#: Printable width and height the margins must leave: Chromium refuses to print into none.
MIN_PRINTABLE_INCHES = 1.0
# (width, height) in inches, portrait, as Chromium prints them.
PAPER_INCHES = {
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
MAX_USER_AGENT = 256
MAX_FILENAME = 100
MAX_EXPRESSION = 1024
#: The most pages a PDF may have when nothing else says (MAX_PDF_PAGES is the converter's).
DEFAULT_MAX_PAGES = 500
#: Visible ASCII and spaces: a user agent travels as an HTTP header.
_HEADER_TEXT = re.compile(r"^[\x20-\x7e]+$")
_FILENAME_FORBIDDEN = re.compile(r'[/\\:*?"<>|]')
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
    "page_ranges",
    "single_page",
    "prefer_css_page_size",
    "omit_background",
    "user_agent",
    "media_features",
    "filename",
    "wait_for_expression",
    "fail_on_http_status",
    "fail_on_resource_http_status",
    "fail_on_resource_loading_failed",
    "fail_on_console_exceptions",
    "output",
    "full_page",
    "quality",
    "tagged",
    "outline",
    "headers",  # credentials: checked and sealed apart (domain.page_credentials)
    "cookies",
}


def parse_options(raw: Any, max_pages: int = DEFAULT_MAX_PAGES) -> ConversionOptions:
    if raw is None:
        return ConversionOptions()
    if not isinstance(raw, dict):
        raise InvalidInput("options must be an object.", field="options")
    unknown = sorted(set(raw) - _KNOWN)
    if unknown:
        raise InvalidInput(f"Unknown option: {unknown[0]}.", field=f"options.{unknown[0]}")
    defaults = ConversionOptions()
    output = _choice(raw, "output", tuple(OUTPUTS), defaults.output)
    image = OUTPUTS[output].is_image
    options = ConversionOptions(
        format=_choice(raw, "format", PAPER_FORMATS, defaults.format),
        landscape=_bool(raw, "landscape", defaults.landscape),
        margin=_margin(raw.get("margin", {})),
        scale=_scale(raw.get("scale", defaults.scale)),
        print_background=_bool(raw, "print_background", defaults.print_background),
        # A screenshot shows the page as on screen unless print styles are asked for.
        media=_choice(raw, "media", MEDIA_TYPES, "screen" if image else defaults.media),
        wait_for_selector=_text(raw, "wait_for_selector", MAX_SELECTOR, allow_empty=False),
        delay_ms=_delay(raw.get("delay_ms", defaults.delay_ms)),
        header_template=_template(raw, "header_template"),
        footer_template=_template(raw, "footer_template"),
        page_ranges=parse_page_ranges(raw.get("page_ranges"), max_pages),
        single_page=_bool(raw, "single_page", defaults.single_page),
        prefer_css_page_size=_bool(raw, "prefer_css_page_size", defaults.prefer_css_page_size),
        omit_background=_bool(raw, "omit_background", defaults.omit_background),
        user_agent=_user_agent(raw),
        media_features=_media_features(raw.get("media_features", [])),
        filename=_filename(raw),
        wait_for_expression=_text(raw, "wait_for_expression", MAX_EXPRESSION, allow_empty=False),
        fail_on_http_status=(
            None
            if raw.get("fail_on_http_status") is None
            else parse_status_rules(raw["fail_on_http_status"], "fail_on_http_status")
        ),
        fail_on_resource_http_status=parse_status_rules(
            raw.get("fail_on_resource_http_status", []), "fail_on_resource_http_status"
        ),
        fail_on_resource_loading_failed=_bool(
            raw, "fail_on_resource_loading_failed", defaults.fail_on_resource_loading_failed
        ),
        fail_on_console_exceptions=_bool(raw, "fail_on_console_exceptions", defaults.fail_on_console_exceptions),
        output=output,
        full_page=_bool(raw, "full_page", defaults.full_page),
        quality=_quality(raw.get("quality"), output),
        tagged=_bool(raw, "tagged", defaults.tagged),
        outline=_bool(raw, "outline", defaults.outline),
    )
    _check_printable_area(options)
    if image and options.page_ranges is not None:
        raise InvalidInput("A screenshot has no pages to choose: leave page_ranges out.", field="options.page_ranges")
    if options.single_page and options.page_ranges not in (None, "1"):
        raise InvalidInput("single_page prints one page: leave page_ranges out.", field="options.page_ranges")
    return options


def _quality(value: Any, output: str) -> int | None:
    if value is None:
        return None
    if output not in LOSSY:
        raise InvalidInput(f"quality is for {' and '.join(LOSSY)} output only.", field="options.quality")
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 100:
        raise InvalidInput("quality must be a whole number from 0 to 100.", field="options.quality")
    return value


def _user_agent(raw: dict[str, Any]) -> str | None:
    value = _text(raw, "user_agent", MAX_USER_AGENT, allow_empty=False)
    if value is not None and not _HEADER_TEXT.match(value):
        raise InvalidInput("user_agent must be visible ASCII characters and spaces.", field="options.user_agent")
    return value


def _filename(raw: dict[str, Any]) -> str | None:
    """A name for the download; it is made safe (ASCII, no separators) when the link is made."""
    value = _text(raw, "filename", MAX_FILENAME, allow_empty=False)
    if value is not None and (_FILENAME_FORBIDDEN.search(value) or any(ch in value for ch in "\t\n\r")):
        raise InvalidInput('filename must not contain / \\ : * ? " < > | or line breaks.', field="options.filename")
    return value


def _media_features(value: Any) -> tuple[MediaFeature, ...]:
    field = "options.media_features"
    names = ", ".join(MEDIA_FEATURES)
    if not isinstance(value, list) or len(value) > len(MEDIA_FEATURES):
        raise InvalidInput(f"media_features must be a list of {{name, value}} objects ({names}).", field=field)
    features: dict[str, MediaFeature] = {}
    for index, item in enumerate(value):
        where = f"{field}.{index}"
        if not isinstance(item, dict) or set(item) != {"name", "value"}:
            raise InvalidInput("Each media feature is an object with exactly a name and a value.", field=where)
        name, setting = item["name"], item["value"]
        if name not in MEDIA_FEATURES:
            raise InvalidInput(f"A media feature's name is one of {names}.", field=f"{where}.name")
        if setting not in MEDIA_FEATURES[name]:
            raise InvalidInput(f"{name} takes one of {', '.join(MEDIA_FEATURES[name])}.", field=f"{where}.value")
        if name in features:
            raise InvalidInput(f"{name} is given twice.", field=f"{where}.name")
        features[name] = MediaFeature(name, setting)
    return tuple(features.values())


def _check_printable_area(options: ConversionOptions) -> None:
    """Margins that leave the page no room would fail in Chromium on every attempt: say so now."""
    width, height = PAPER_INCHES[options.format]
    if options.landscape:
        width, height = height, width
    margin = options.margin
    room_across = width - length_inches(margin.left) - length_inches(margin.right)
    room_down = height - length_inches(margin.top) - length_inches(margin.bottom)
    if min(room_across, room_down) < MIN_PRINTABLE_INCHES:
        raise InvalidInput(
            f"The margins leave less than {MIN_PRINTABLE_INCHES:g}in to print on a "
            f"{'landscape ' if options.landscape else ''}{options.format} page.",
            field="options.margin",
        )


def _choice(raw: dict[str, Any], name: str, allowed: tuple[str, ...], default: str) -> str:
    value: str = raw.get(name, default)
    if value not in allowed:
        raise InvalidInput(f"{name} must be one of {', '.join(allowed)}.", field=f"options.{name}")
    return value


def _bool(raw: dict[str, Any], name: str, default: bool) -> bool:
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
        if not isinstance(length, str) or not _CSS_LENGTH.match(length) or length_inches(length) > MAX_MARGIN_INCHES:
            raise InvalidInput(
                f"margin {side} must be a length like 1cm, 10mm, 0.5in or 12px (at most 10in).",
                field=f"options.margin.{side}",
            )
    return Margin(**sides)


def length_inches(length: str) -> float:
    if length == "0":
        return 0.0
    return float(length[:-2]) / _UNITS_PER_INCH[length[-2:]]


def _text(raw: dict[str, Any], name: str, limit: int, allow_empty: bool) -> str | None:
    value = raw.get(name)
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > limit or (not allow_empty and not value.strip()):
        raise InvalidInput(f"{name} must be text of 1 to {limit} characters.", field=f"options.{name}")
    if any(ord(ch) < 32 and ch not in "\t\n\r" for ch in value):
        raise InvalidInput(f"{name} must not contain control characters.", field=f"options.{name}")
    return value


def _template(raw: dict[str, Any], name: str) -> str | None:
    value = _text(raw, name, MAX_TEMPLATE, allow_empty=True)
    if value is not None and _TEMPLATE_FORBIDDEN.search(value):
        raise InvalidInput(
            f"{name} may use text, styling and Chromium's classes (date, title, url, pageNumber, totalPages), "
            "but no scripts, images, links or other external resources.",
            field=f"options.{name}",
        )
    return sanitise_template(value) if value else value
