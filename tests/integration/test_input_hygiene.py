"""Bad input from outside is a clean 4xx (or a refused proxy request), never a 500 or a dropped line."""
from __future__ import annotations

import asyncio
import http.client
import threading

import pytest

from chalicelib.egress import EgressPolicy
from converter.egress_proxy import PinningProxy, ProxyTimeouts
from tests.support.paths import REPO


@pytest.mark.parametrize("port", ["²", "⁸⁰", "①", "８０"])
def test_a_url_port_in_look_alike_digits_is_a_400(http, wired, port):
    token = http.token()
    response = http.call("POST", "/request", {"url": f"http://example.com:{port}/"}, token=token)
    assert response.status_code == 400, response.json
    assert response.json["error"]["field"] == "url"


@pytest.fixture
def local_server(wired):
    import app as application
    from devstack.web import make_server

    original_class = application.app.__class__
    server = make_server(application.app, "127.0.0.1", 0, REPO / "frontend-build" / "dist",
                         wired.settings.max_body_bytes)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)
    application.app.__class__ = original_class


@pytest.mark.parametrize("length", ["²", "１０", "-1", "1e3"])
def test_the_local_server_answers_a_look_alike_content_length_with_a_400(local_server, length):
    connection = http.client.HTTPConnection("127.0.0.1", local_server, timeout=10)
    connection.putrequest("POST", "/api/v1/sign-in")
    connection.putheader("Content-Type", "application/json")
    connection.putheader("Content-Length", length.encode("utf-8"))
    connection.endheaders()
    response = connection.getresponse()
    assert response.status == 400
    assert b'"bad_request"' in response.read()
    connection.close()


@pytest.mark.parametrize("port", ["８０", "²", "0x50"])
def test_the_egress_proxy_refuses_a_connect_port_in_look_alike_digits(port):
    refused: list = []
    dialled_hosts: list = []

    async def scenario() -> str:
        proxy = PinningProxy(EgressPolicy(resolver=lambda host, p: dialled_hosts.append(host) or []),
                             refused.append, ProxyTimeouts(head=2.0))
        await proxy.start()
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", proxy.port)
            writer.write(f"CONNECT example.com:{port} HTTP/1.1\r\n\r\n".encode("utf-8"))
            await writer.drain()
            status = (await asyncio.wait_for(reader.readline(), 5)).decode().strip()
            writer.close()
            return status
        finally:
            await proxy.close()

    assert asyncio.run(scenario()).startswith("HTTP/1.1 400")
    assert dialled_hosts == []
