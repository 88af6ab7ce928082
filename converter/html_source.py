"""Serving HTML a user sent to the page from an origin that grants nothing.

The document is answered by Playwright routing for one fixed URL on a reserved name
(``.invalid`` never resolves), so it is not ``file:``, not loopback and not any real
site: it can read no local file and carries no one's cookies. Other paths on that origin
(a relative link, the favicon) get an empty 404 here, since nothing stands behind it;
every other request goes on to the egress guard and its proxy like any page's.
"""

from __future__ import annotations

from typing import Any

from playwright.async_api import Page, Route

SOURCE_HOST = "source.pagepress.invalid"
SOURCE_URL = f"https://{SOURCE_HOST}/"


async def serve_source(page: Page, html: str, guard: Any) -> None:
    async def answer(route: Route) -> None:
        if route.request.url == SOURCE_URL:
            await route.fulfill(status=200, content_type="text/html; charset=utf-8", body=html)
        else:
            await route.fulfill(status=404, content_type="text/plain", body="")

    guard.excuse(SOURCE_HOST)  # Chromium preconnects through the proxy, which refuses the name
    await page.route(SOURCE_URL + "**", answer)  # page routes run before the guard's context route
