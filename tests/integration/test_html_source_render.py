"""HTML a user sent, rendered by real Chromium from an origin that grants nothing.

A canary on loopback (not admitted) counts every hit and must stay at zero whatever the
HTML tries; a page server that is admitted shows subresources still load through the guard.
"""

from __future__ import annotations

import pytest

pytest.importorskip("playwright")

from chalicelib.config import Settings  # noqa: E402 - after the importorskip above
from chalicelib.domain.models import ConversionOptions  # noqa: E402 - after the importorskip above
from chalicelib.egress import EgressPolicy  # noqa: E402 - after the importorskip above
from converter.renderer import PlaywrightRenderer  # noqa: E402 - after the importorskip above
from tests.support.pages import PageServer, Reply  # noqa: E402 - after the importorskip above
from tests.support.pdf import pdf_text  # noqa: E402 - after the importorskip above

pytestmark = pytest.mark.timeout(120)


@pytest.fixture(scope="module")
def servers():
    allowed, canary = PageServer().start(), PageServer().start()
    yield allowed, canary
    allowed.stop()
    canary.stop()


@pytest.fixture(scope="module")
def renderer(servers):
    allowed, _ = servers
    renderer = PlaywrightRenderer(
        EgressPolicy(allow=f"127.0.0.1:{allowed.port}"),
        chromium_path=Settings.from_env({}).chromium_path,
        render_timeout_seconds=15,
        settle_timeout_seconds=3,
        render_concurrency=1,
    )
    yield renderer
    renderer.close()


def test_sent_html_becomes_a_pdf_of_its_text(renderer):
    pdf = renderer.render_html(
        "<title>Pasted page</title><h1>Hello from pasted HTML</h1>", ConversionOptions(), "cid-html"
    )
    assert pdf.title == "Pasted page" and pdf.pages == 1
    assert "Hello from pasted HTML" in pdf_text(pdf.content)


def test_sent_html_reaches_admitted_hosts_through_the_guard_and_nothing_else(renderer, servers):
    allowed, canary = servers
    allowed.routes["/style.css"] = Reply(body="h1::after { content: ' styled'; }", content_type="text/css")
    bait = canary.origin + "/bait"
    html = f"""<title>Tries</title><link rel="stylesheet" href="{allowed.origin}/style.css"><h1>Sent</h1>
    <img src="{bait}-img"><iframe src="{bait}-frame"></iframe><iframe src="file:///etc/passwd"></iframe>
    <img src="/relative.png"><img src="http://localhost:{canary.port}/bait-localhost">
    <script>fetch("{bait}-fetch").catch(() => {{}}); navigator.sendBeacon("{bait}-beacon", "x");
    fetch("file:///etc/passwd").catch(() => {{}});</script>"""
    pdf = renderer.render_html(html, ConversionOptions(), "cid-html-tries")
    text = pdf_text(pdf.content)
    assert "Sent styled" in text  # the admitted stylesheet loaded
    assert sum(canary.hits.values()) == 0, canary.hits
    assert "root:" not in text
    assert pdf.warnings and "blocked" in pdf.warnings[-1]
