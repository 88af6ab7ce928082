"""WebSockets go through the egress guard's proxy, which is their only layer: one to an allowed
address reaches its server and the page shows what it said; one to anywhere else is refused
there (tests/integration/test_egress_guard.py's canary checks that side)."""

from __future__ import annotations

import io

import pytest

pytest.importorskip("playwright")

from pypdf import PdfReader  # noqa: E402 - after the importorskip above

from bench.page_server import PageServer, Route  # noqa: E402 - a loopback server that speaks WebSocket
from chalicelib.domain.models import ConversionOptions  # noqa: E402
from tests.support.renderers import loopback_renderer  # noqa: E402

pytestmark = pytest.mark.timeout(120)

PAGE = b"""<!doctype html><title>Live</title><p id=ticker>connecting...</p><script>
const socket = new WebSocket(`ws://${location.host}/ws`);
socket.onmessage = (event) => {
  document.getElementById('ticker').textContent = event.data;
  document.body.insertAdjacentHTML('beforeend', '<p id=ticked>ticked</p>');
  socket.close();
};
</script>"""


def test_a_websocket_to_an_allowed_address_reaches_its_server_through_the_proxy():
    routes = {
        "/live.html": Route(body=PAGE),
        "/ws": Route(kind="websocket", params={"interval": 0.2, "first_message": "FIRST-MESSAGE-OVER-THE-SOCKET"}),
    }
    with PageServer(routes) as server:
        renderer = loopback_renderer(f"127.0.0.1:{server.port}", render_timeout=20, settle_timeout=5)
        try:
            rendered = renderer.render(
                server.base + "/live.html", ConversionOptions(wait_for_selector="#ticked"), "corr-ws"
            )
        finally:
            renderer.close()
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(rendered.content)).pages)
    assert "FIRST-MESSAGE-OVER-THE-SOCKET" in text
    assert rendered.warnings == ()  # nothing was blocked on the way
