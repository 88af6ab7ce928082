"""Bad input from outside is a clean 4xx (or a refused proxy request), never a 500 or a dropped line."""

from __future__ import annotations

import asyncio
import http.client

import pytest

from chalicelib.egress import EgressPolicy
from converter.egress_proxy import PinningProxy, ProxyTimeouts
from tests.support.entries import pending_entry
from tests.support.local_server import serving


@pytest.fixture
def settings(make_settings, page_server):
    return make_settings(egress_allow=f"127.0.0.1:{page_server.port}")


@pytest.mark.parametrize("port", ["²", "⁸⁰", "①", "８０"])
def test_a_url_port_in_look_alike_digits_is_a_400(http, wired, port):
    token = http.token()
    response = http.call("POST", "/request", {"url": f"http://example.com:{port}/"}, token=token)
    assert response.status_code == 400, response.json
    assert response.json["error"]["field"] == "url"


@pytest.fixture
def local_server(wired):
    with serving(wired.settings.max_body_bytes) as port:
        yield port


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
        proxy = PinningProxy(
            EgressPolicy(resolver=lambda host, p: dialled_hosts.append(host) or []),  # type: ignore[func-returns-value]  # records, then answers nothing
            refused.append,
            ProxyTimeouts(head=2.0),
        )
        await proxy.start()
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", proxy.port)
            writer.write(f"CONNECT example.com:{port} HTTP/1.1\r\n\r\n".encode())
            await writer.drain()
            status = (await asyncio.wait_for(reader.readline(), 5)).decode().strip()
            writer.close()
            return status
        finally:
            await proxy.close()

    assert asyncio.run(scenario()).startswith("HTTP/1.1 400")
    assert dialled_hosts == []


@pytest.mark.parametrize(
    "options",
    [
        {"margin": {"top": "6in", "bottom": "6in"}},
        {"format": "A5", "margin": {"left": "3in", "right": "2.5in"}},
        {"format": "Letter", "landscape": True, "margin": {"top": "4in", "bottom": "4in"}},
    ],
)
def test_margins_that_leave_nothing_to_print_on_are_a_400(http, wired, page_server, options):
    token = http.token()
    response = http.call(
        "POST", "/request", {"url": page_server.page("/", "<p>hi</p>"), "options": options}, token=token
    )
    assert response.status_code == 400, response.json
    assert response.json["error"]["field"] == "options.margin"


@pytest.mark.parametrize(
    "second",
    [
        {"url": "/other"},
        {"url": "/", "options": {"landscape": True}},
    ],
)
def test_an_idempotency_key_reused_for_another_request_is_a_422(http, wired, page_server, second):
    token = http.token()
    page_server.page("/", "<p>first</p>")
    page_server.page("/other", "<p>other</p>")
    first = http.call(
        "POST", "/request", {"url": page_server.origin + "/"}, token=token, headers={"Idempotency-Key": "same-key"}
    )
    assert first.status_code == 202
    body = {**second, "url": page_server.origin + second["url"]}
    reused = http.call("POST", "/request", body, token=token, headers={"Idempotency-Key": "same-key"})
    assert reused.status_code == 422, reused.json
    assert reused.json["error"]["code"] == "idempotency_key_reused"
    same = http.call(
        "POST", "/request", {"url": page_server.origin + "/"}, token=token, headers={"Idempotency-Key": "same-key"}
    )
    assert same.status_code == 202 and same.json["name"] == first.json["name"]


def test_a_retry_checks_the_url_again(http, wired):
    from chalicelib.domain.models import FileStatus

    token = http.token()
    user_id = http.call("GET", "/me", token=token).json["id"]
    entry = pending_entry(user_id, url="http://127.0.0.1:9/")
    wired.file_index.create(entry)
    assert wired.file_index.mark_failed(user_id, entry.file_id, code="http_error", message="once allowed")
    response = http.call("POST", f"/file/{entry.file_id}/retry", token=token)
    assert response.status_code == 400, response.json
    assert response.json["error"]["code"] == "blocked_destination"
    assert wired.file_index.get(user_id, entry.file_id).status is FileStatus.FAILED
