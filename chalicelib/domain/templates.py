"""Header and footer templates, sanitised with an allowlist before Chromium ever sees them.

Chromium renders these in its own page with the document's privileges, so a template may
hold text, simple formatting, Chromium's placeholder classes and inline styles, and
nothing else: no scripts, no elements that fetch, no url() or escapes in CSS. An allowlist
(nh3, the Ammonia sanitiser) rather than a blocklist, so a spelling nobody thought of
(entities, CSS escapes, new tags) is dropped, not let through.
"""

from __future__ import annotations

import re

#: Chromium fills elements of these classes in (see page.pdf's headerTemplate).
CHROMIUM_CLASSES = frozenset({"date", "title", "url", "pageNumber", "totalPages"})
_TAGS = frozenset({"div", "span", "p", "br", "b", "strong", "i", "em", "u", "s", "small", "sub", "sup", "hr"})
_STYLE_PROPERTIES = frozenset(
    {
        "color",
        "background-color",
        "font-size",
        "font-family",
        "font-weight",
        "font-style",
        "text-align",
        "text-decoration",
        "vertical-align",
        "line-height",
        "letter-spacing",
        "white-space",
        "width",
        "height",
        "margin",
        "margin-top",
        "margin-right",
        "margin-bottom",
        "margin-left",
        "padding",
        "padding-top",
        "padding-right",
        "padding-bottom",
        "padding-left",
        "border",
        "border-top",
        "border-bottom",
        "display",
    }
)
# Inside an allowed property these could still fetch or hide a fetch: url(), image-set(),
# @import, CSS escapes (\75rl), expression(). A style holding any of them goes whole.
_UNSAFE_STYLE = re.compile(r"url|image|@|\\|expression|&", re.IGNORECASE)


def _keep_attribute(tag: str, attribute: str, value: str) -> str | None:
    """Only class (already narrowed to Chromium's) and a style with nothing that fetches:
    nh3 would keep its generic ones (lang, title) too."""
    if attribute == "class":
        return value
    if attribute == "style" and not _UNSAFE_STYLE.search(value):
        return value
    return None


def sanitise_template(html: str) -> str:
    """Only what a header or footer may hold; everything else removed (script and style
    elements with their content)."""
    import nh3  # native: loaded where used, like the account side's (the zip is built for Lambda's CPU)

    return nh3.clean(
        html,
        tags=set(_TAGS),
        clean_content_tags={"script", "style", "template", "noscript", "title", "textarea", "xmp"},
        attributes={tag: {"style"} for tag in _TAGS},
        allowed_classes={tag: set(CHROMIUM_CLASSES) for tag in _TAGS},
        attribute_filter=_keep_attribute,
        filter_style_properties=set(_STYLE_PROPERTIES),
        url_schemes=set(),
        strip_comments=True,
    )
