"""A warm Playwright renderer for a test module, and a way to lend it to one test's container."""

from __future__ import annotations

from chalicelib.config import default_chromium
from chalicelib.domain.models import ConversionOptions, RenderedPdf
from chalicelib.domain.page_credentials import PageCredentials
from chalicelib.domain.ports import Renderer
from chalicelib.egress import EgressPolicy
from converter.renderer import PlaywrightRenderer


def loopback_renderer(*allow: str, render_timeout: float = 15, settle_timeout: float = 3) -> PlaywrightRenderer:
    """Real Chromium, its egress guard open to the loopback ``host:port``s given."""
    return PlaywrightRenderer(
        EgressPolicy(allow=",".join(allow)),
        chromium_path=default_chromium(),
        render_timeout_seconds=render_timeout,
        settle_timeout_seconds=settle_timeout,
        render_concurrency=2,
    )


class Lent(Renderer):
    """A module's warm renderer, lent to one test's container without letting it close it."""

    def __init__(self, inner: Renderer) -> None:
        self.inner = inner

    def render(
        self, url: str, options: ConversionOptions, correlation_id: str, credentials: PageCredentials | None = None
    ) -> RenderedPdf:
        return self.inner.render(url, options, correlation_id, credentials)

    def render_html(self, html: str, options: ConversionOptions, correlation_id: str) -> RenderedPdf:
        return self.inner.render_html(html, options, correlation_id)

    def close(self) -> None:
        """Lent, not owned: the module's fixture closes it."""
