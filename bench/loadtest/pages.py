"""The pages the simulated users convert, served on loopback (the stack is told to allow that port).

Most convert; one in ten is a page that does not exist, which must fail at once with a reason.
The slow page holds an image back for a moment, so a render is in progress long enough to be
interrupted when the browser is killed.
"""

from __future__ import annotations

import base64
import random

from bench.page_server import PageServer, Route

# A 1x1 PNG: the image the slow page waits for.
_PIXEL = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)
_PARAGRAPH = "<p>" + "PagePress turns web pages into PDFs for signed-in users. " * 12 + "</p>"
_ARTICLE = f"<!doctype html><title>Article</title><h1>An article</h1>{_PARAGRAPH * 20}".encode()
_SLOW = f'<!doctype html><title>Slow</title><h1>Slow image</h1><img src="/pixel.png">{_PARAGRAPH * 5}'.encode()

ROUTES = {
    "/article": Route(body=_ARTICLE),
    "/slow": Route(body=_SLOW),
    "/pixel.png": Route(content_type="image/png", body=_PIXEL, delay=0.8),
}
# What a user asks for, and how often; /missing answers 404.
PATHS = ("/article", "/slow", "/missing")
WEIGHTS = (6, 3, 1)


def loopback_pages() -> PageServer:
    """``with loopback_pages() as pages: pages.base, pages.port``."""
    return PageServer(ROUTES)


def pick(base: str, rng: random.Random) -> str:
    return base + rng.choices(PATHS, WEIGHTS)[0]
