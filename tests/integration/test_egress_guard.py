"""The egress guard against real Chromium: pages on an allowed loopback server try every
route we know to a canary server that is not allowed. The canary counts every TCP
connection it accepts and must end at 0; each attack page must still render, and its PDF
must hold nothing the canary serves.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import os
import shutil
import socket
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.async_api import Error as PlaywrightError
from playwright.async_api import async_playwright
from pypdf import PdfReader

from chalicelib.config import default_chromium
from chalicelib.egress import EgressPolicy
from converter.egress_guard import EgressGuard
from converter.egress_proxy import PinningProxy, ProxyTimeouts

CHROMIUM = default_chromium() or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
CANARY_SECRET = "CANARY-SECRET-4f9c"
PAGE_TEXT = "ALLOWED-PAGE-TEXT"
DEADLINE_SECONDS = 10.0

pytestmark = [
    pytest.mark.timeout(120),
    pytest.mark.skipif(not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM), reason="chromium not installed"),
]


# --- servers ------------------------------------------------------------------------------


class _CountingServer(ThreadingHTTPServer):
    """Counts every accepted TCP connection, before any parsing (TLS, CONNECT, garbage...)."""

    daemon_threads = True

    def __init__(self, address, handler, counter: list, family=socket.AF_INET) -> None:
        self.address_family = family
        self.counter = counter
        super().__init__(address, handler)

    def process_request(self, request, client_address) -> None:
        self.counter.append(client_address)
        super().process_request(request, client_address)


class _CanaryHandler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        body = f"<html><body><h1>{CANARY_SECRET}</h1></body></html>".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_POST = do_GET

    def log_message(self, *args) -> None:
        pass


class Canary:
    """Listens on 127.0.0.1 and ::1 at one port; every connection to either is a hit."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.hits: list = []
        self.v4 = _CountingServer((host, port), _CanaryHandler, self.hits)
        self.port = self.v4.server_address[1]
        self.servers = [self.v4]
        if host == "127.0.0.1":
            try:
                self.servers.append(_CountingServer(("::1", self.port), _CanaryHandler, self.hits, socket.AF_INET6))
            except OSError:
                pass  # no IPv6 loopback here; the IPv4 canary still counts
        for server in self.servers:
            threading.Thread(target=server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def close(self) -> None:
        for server in self.servers:
            server.shutdown()
            server.server_close()


def _page(title: str, body: str) -> str:
    return (
        f"<!doctype html><html><head><title>{title}</title></head><body><p>{PAGE_TEXT} {title}</p>{body}</body></html>"
    )


def attack_pages(canary: int) -> dict[str, str]:
    """Vector name -> HTML body; each one tries to reach the canary on port ``canary``."""
    c = f"http://127.0.0.1:{canary}"
    return {
        "img": f'<img src="{c}/img">',
        "img-localhost": f'<img src="http://localhost:{canary}/img">',
        "img-ipv6-loopback": f'<img src="http://[::1]:{canary}/img">',
        "img-v4-mapped": f'<img src="http://[::ffff:127.0.0.1]:{canary}/img">',
        "img-hex-dword": f'<img src="http://0x7f000001:{canary}/img">',
        "img-decimal-dword": f'<img src="http://2130706433:{canary}/img">',
        "img-short-form": f'<img src="http://127.1:{canary}/img">',
        "img-https": f'<img src="https://127.0.0.1:{canary}/img">',
        "iframe": f'<iframe src="{c}/iframe"></iframe>',
        "iframe-backslashes": f'<iframe src="\\\\127.0.0.1:{canary}\\iframe"></iframe>',
        "stylesheet": f'<link rel="stylesheet" href="{c}/style.css">',
        "css-import": f'<style>@import url("{c}/import.css");</style>',
        "css-background": f'<div style="width:10px;height:10px;background:url({c}/bg.png)"></div>',
        "font-face": (f'<style>@font-face{{font-family:evil;src:url("{c}/font.woff")}}p{{font-family:evil}}</style>'),
        "object": f'<object data="{c}/object" width="50" height="50"></object>',
        "embed": f'<embed src="{c}/embed" width="50" height="50">',
        "svg-image": f'<svg width="20" height="20"><image href="{c}/svg.png" width="20" height="20"/></svg>',
        "video-poster": f'<video poster="{c}/poster.png" width="20" height="20"></video>',
        "script-src": f'<script src="{c}/script.js"></script>',
        "fetch": f'<script>fetch("{c}/fetch").catch(() => {{}});</script>',
        "fetch-no-cors-post": (
            f'<script>fetch("{c}/post", {{method: "POST", mode: "no-cors", body: "x"}}).catch(() => {{}});</script>'
        ),
        "xhr": f'<script>var x = new XMLHttpRequest(); x.open("GET", "{c}/xhr"); x.send();</script>',
        "beacon": f'<script>navigator.sendBeacon("{c}/beacon", "data");</script>',
        "event-source": f'<script>new EventSource("{c}/sse");</script>',
        "websocket": f'<script>try {{ new WebSocket("ws://127.0.0.1:{canary}/ws"); }} catch (e) {{}}</script>',
        "worker-fetch": (
            "<script>new Worker(URL.createObjectURL(new Blob("
            f'[\'fetch("{c}/worker").catch(() => {{}});\'], {{type: "text/javascript"}})));</script>'
        ),
        "window-open": f'<script>window.open("{c}/popup");</script>',
        "window-open-noopener": f'<script>window.open("{c}/popup", "_blank", "noopener");</script>',
        "meta-refresh": f'<meta http-equiv="refresh" content="0;url={c}/refresh">',
        "location-change": f'<script>location.href = "{c}/location";</script>',
        "form-post": (
            f'<form id="f" method="POST" action="{c}/form"><input name="a" value="b"></form>'
            '<script>document.getElementById("f").submit();</script>'
        ),
        "redirect-chain-img": '<img src="/redirect?status=301&hops=301,302,307,308">',
        "redirect-chain-iframe": '<iframe src="/redirect?status=302&hops=302,307,308,301"></iframe>',
        "redirect-chain-fetch": '<script>fetch("/redirect?status=307&hops=307,308").catch(() => {});</script>',
        "redirect-to-file-iframe": '<iframe src="/to-file"></iframe>',
        "link-local-metadata": '<img src="http://169.254.169.254/latest/meta-data/">',
        "preconnect": f'<link rel="preconnect" href="https://127.0.0.1:{canary}">',
        "prefetch": f'<link rel="prefetch" href="{c}/prefetch">',
        "service-worker": _SW_ATTEMPT.replace("REGISTER", "navigator.serviceWorker.register('/sw.js')"),
        # Playwright's own blocking patches register() with JavaScript; a fresh realm's copy
        # of the prototype is the obvious way around it.
        "service-worker-fresh-realm": _SW_ATTEMPT.replace(
            "REGISTER",
            (
                "(() => { const f = document.createElement('iframe'); document.body.appendChild(f);"
                " return f.contentWindow.ServiceWorkerContainer.prototype.register"
                ".call(navigator.serviceWorker, '/sw.js'); })()"
            ),
        ),
    }


_SW_ATTEMPT = """<script>(async () => {
  try { await REGISTER; } catch (e) {}
  const registrations = await navigator.serviceWorker.getRegistrations();
  document.title = registrations.length ? "sw-registered" : "sw-refused";
})();</script>"""

#: Vectors where the main frame itself tries to leave for the canary while loading: a
#: refused main document (the job fails as blocked), not a missing resource. (A page that
#: leaves after loading, like meta-refresh, stays where it is and is printed.)
MAIN_FRAME_LEAVES = {"location-change", "form-post"}


#: Vectors whose attempt leaves no trace in the guard's refusals (the browser refuses them
#: itself, or never asks the network); for these, canary == 0 and the page rendering is the test.
NO_TRACE_EXPECTED = {
    "redirect-to-file-iframe",
    "iframe-backslashes",
    "preconnect",
    "prefetch",
    "service-worker",
    "service-worker-fresh-realm",
}


class PageServer:
    """The allowed server: attack pages, redirect chains that end at the canary, a service worker."""

    def __init__(self, canary: Canary, bind: str = "127.0.0.1", port: int = 0) -> None:
        pages = attack_pages(canary.port)
        canary_url = canary.url
        self.hits: list = []

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                url = urlsplit(self.path)
                query = parse_qs(url.query)
                if url.path.startswith("/attack/") and url.path[8:] in pages:
                    name = url.path[8:]
                    return self._send(200, _page(name, pages[name]))
                if url.path == "/plain":
                    return self._send(200, _page("plain", ""))
                if url.path == "/redirect":
                    hops = query.get("hops", ["302"])[0].split(",")
                    status, rest = int(hops[0]), hops[1:]
                    target = f"/redirect?hops={','.join(rest)}" if rest else f"{canary_url}/redirected"
                    return self._send(status, "", location=target)
                if url.path == "/to-file":
                    return self._send(302, "", location="file:///etc/passwd")
                if url.path == "/sw.js":
                    return self._send(
                        200,
                        f'self.addEventListener("fetch", e => fetch("{canary_url}/sw"));',
                        content_type="text/javascript",
                    )
                return self._send(404, "not here")

            def _send(
                self, status: int, body: str, location: str | None = None, content_type: str = "text/html"
            ) -> None:
                data = body.encode()
                self.send_response(status)
                if location:
                    self.send_header("Location", location)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args) -> None:
                pass

        self.server = _CountingServer((bind, port), Handler, self.hits)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


# --- fixtures: one loop, one browser, per module ----------------------------------------


class Harness:
    """Runs coroutines on one event loop that owns one Chromium for the whole module."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.playwright = self.run(async_playwright().start())
        self.browser = self.run(
            self.playwright.chromium.launch(
                executable_path=CHROMIUM,
                args=CHROMIUM_ARGS + EgressGuard.LAUNCH_ARGS,
            )
        )

    def run(self, coroutine):
        return self.loop.run_until_complete(coroutine)

    def close(self) -> None:
        self.run(self.browser.close())
        self.run(self.playwright.stop())
        self.loop.close()


@pytest.fixture(scope="module")
def canary():
    server = Canary()
    yield server
    server.close()
    assert server.hits == [], "the canary was reached at some point during this module"


@pytest.fixture(scope="module")
def pages(canary):
    server = PageServer(canary)
    yield server
    server.close()


@pytest.fixture(scope="module")
def harness():
    h = Harness()
    yield h
    h.close()


@pytest.fixture
def policy(pages) -> EgressPolicy:
    return EgressPolicy(allow=f"127.0.0.1:{pages.port}")


async def _poll(condition: Callable[[], bool], deadline: float = DEADLINE_SECONDS) -> bool:
    loop = asyncio.get_running_loop()
    end = loop.time() + deadline
    while loop.time() < end:
        if condition():
            return True
        await asyncio.sleep(0.05)
    return condition()


async def _settled_content(page) -> str:
    """The page's HTML once no navigation is under way (content() refuses during one)."""
    loop = asyncio.get_running_loop()
    end = loop.time() + DEADLINE_SECONDS
    while True:
        try:
            return await page.content()
        except PlaywrightError:
            if loop.time() > end:
                raise
            await asyncio.sleep(0.05)


def _pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages)


@contextlib.asynccontextmanager
async def guarded_page(harness: Harness, policy: EgressPolicy, attach: bool = True):
    """A page in a fresh context behind its own guard (routing layer too, unless attach=False)."""
    async with EgressGuard(policy) as guard:
        context = await harness.browser.new_context(**guard.context_options)
        try:
            page = await context.new_page()
            if attach:
                await guard.attach(context, page)
            yield guard, page
        finally:
            await context.close()


async def _visit(harness: Harness, policy: EgressPolicy, url: str, *, expect_trace_port: int | None):
    """Load url in a guarded context; return (pdf text, guard, page title)."""
    async with guarded_page(harness, policy) as (guard, page):
        await page.goto(url, wait_until="load", timeout=15_000)
        if expect_trace_port is not None:
            await _poll(lambda: any(b.port == expect_trace_port or not b.port for b in guard.blocked))
        await page.wait_for_load_state("networkidle", timeout=15_000)
        if "service-worker" in url:  # the page reports what register() achieved
            title = await page.wait_for_function(
                "document.title.startsWith('sw-') && document.title", timeout=DEADLINE_SECONDS * 1000
            )
            title = await title.json_value()
        else:
            title = await page.title()
        text = _pdf_text(await page.pdf())
    return text, guard, title


# --- the canary corpus ----------------------------------------------------------------

VECTORS = sorted(set(attack_pages(1)) - MAIN_FRAME_LEAVES)


@pytest.mark.parametrize("vector", VECTORS)
def test_page_cannot_reach_canary(harness, canary, pages, policy, vector) -> None:
    traced = vector not in NO_TRACE_EXPECTED
    port = 80 if vector == "link-local-metadata" else canary.port
    text, guard, title = harness.run(
        _visit(harness, policy, f"{pages.url}/attack/{vector}", expect_trace_port=port if traced else None)
    )
    assert canary.hits == []
    assert f"{PAGE_TEXT} {vector}" in text, "the allowed page must still render"
    assert CANARY_SECRET not in text
    assert "root:x:0:0" not in text
    if traced:
        assert any(b.port in (port, 0) for b in guard.blocked), f"{vector} was never attempted: {guard.blocked}"
    assert all(ip == "127.0.0.1" and p == pages.port for _, ip, p in guard.dialled)
    if vector.startswith("service-worker"):
        assert title == "sw-refused"


@pytest.mark.parametrize("vector", sorted(MAIN_FRAME_LEAVES))
def test_main_frame_leaving_for_canary_is_a_refused_navigation(harness, canary, pages, policy, vector) -> None:
    url = f"{pages.url}/attack/{vector}"

    async def scenario():
        async with guarded_page(harness, policy) as (guard, page):
            try:
                await page.goto(url, wait_until="load", timeout=15_000)
            except PlaywrightError:
                pass  # refused mid-load or after: either way the guard must say why
            await _poll(lambda: guard.blocked_navigation(url) is not None)
            content = await _settled_content(page)
        return guard, content

    guard, content = harness.run(scenario())
    assert canary.hits == []
    refused = guard.blocked_navigation(url)
    assert refused is not None and refused.port == canary.port and "loopback" in refused.reason
    assert CANARY_SECRET not in content


@pytest.mark.parametrize(
    "url, host",
    [
        pytest.param("http://169.254.169.254/latest/meta-data/", "169.254.169.254", id="link-local-metadata"),
        pytest.param("http://[::1]/", "::1", id="ipv6-loopback"),
        pytest.param("http://127.0.0.1:9001/2018-06-01/runtime/invocation/next", "127.0.0.1", id="lambda-runtime-api"),
        pytest.param("http://localhost/", "localhost", id="localhost"),
    ],
)
def test_implicit_bypass_hosts_go_through_the_proxy(harness, policy, url, host) -> None:
    """Chromium skips proxies for loopback and 169.254/16 unless told <-loopback>: with the
    routing layer left off, the refusal here can only have come from the proxy."""

    async def scenario():
        async with guarded_page(harness, policy, attach=False) as (guard, page):
            with pytest.raises(PlaywrightError):
                await page.goto(url, timeout=15_000)
        return guard

    guard = harness.run(scenario())
    assert host in {b.host for b in guard.blocked}
    assert guard.dialled == []


def test_proxy_alone_stops_subresources(harness, canary, pages, policy) -> None:
    """Without the routing layer, the proxy by itself keeps every fetch off the canary."""

    async def scenario():
        async with guarded_page(harness, policy, attach=False) as (guard, page):
            await page.goto(f"{pages.url}/plain")
            results = await page.evaluate(
                """async (urls) => Promise.all(urls.map(u => fetch(u, {mode: 'no-cors'})
                    .then(() => 'loaded', () => 'failed')))""",
                [
                    f"{canary.url}/a",
                    f"http://localhost:{canary.port}/b",
                    f"http://[::1]:{canary.port}/c",
                    f"https://127.0.0.1:{canary.port}/d",
                    f"{pages.url}/plain",
                ],
            )
        return guard, results

    guard, results = harness.run(scenario())
    assert results == ["failed", "failed", "failed", "failed", "loaded"]
    assert canary.hits == []
    assert len([b for b in guard.blocked if b.port == canary.port]) >= 4


# --- main documents and redirect hops ---------------------------------------------------

MAIN_NAVIGATIONS = [
    pytest.param("/redirect?hops=301", id="redirect-301"),
    pytest.param("/redirect?hops=302", id="redirect-302"),
    pytest.param("/redirect?hops=307", id="redirect-307"),
    pytest.param("/redirect?hops=308", id="redirect-308"),
    pytest.param("/redirect?hops=301,302,307,308", id="redirect-chain"),
]


@pytest.mark.parametrize("path", MAIN_NAVIGATIONS)
def test_redirect_hop_to_canary_fails_navigation(harness, canary, pages, policy, path) -> None:
    async def scenario():
        async with guarded_page(harness, policy) as (guard, page):
            with pytest.raises(PlaywrightError):
                await page.goto(pages.url + path, timeout=15_000)
        return guard

    guard = harness.run(scenario())
    assert canary.hits == []
    refused = guard.blocked_navigation(pages.url + path)
    assert refused is not None and refused.port == canary.port
    assert "loopback" in refused.reason


def test_blocked_main_document(harness, canary, pages, policy) -> None:
    async def scenario():
        async with guarded_page(harness, policy) as (guard, page):
            with pytest.raises(PlaywrightError):
                await page.goto(canary.url + "/", timeout=15_000)
        return guard

    guard = harness.run(scenario())
    assert canary.hits == []
    refused = guard.blocked_navigation(canary.url + "/")
    assert refused is not None and refused.port == canary.port


def test_redirect_to_file_fails_navigation(harness, pages, policy) -> None:
    async def scenario():
        async with guarded_page(harness, policy) as (guard, page):
            with pytest.raises(PlaywrightError):
                await page.goto(pages.url + "/to-file", timeout=15_000)
            content = await _settled_content(page)
        return content

    assert "root:x:0:0" not in harness.run(scenario())


def test_allowed_page_renders(harness, pages, policy) -> None:
    text, guard, _ = harness.run(_visit(harness, policy, f"{pages.url}/plain", expect_trace_port=None))
    assert f"{PAGE_TEXT} plain" in text
    assert guard.blocked == []
    assert guard.blocked_navigation(f"{pages.url}/plain") is None
    assert ("127.0.0.1", "127.0.0.1", pages.port) in guard.dialled


@pytest.mark.parametrize("vector, documents", [("img", 1), ("fetch", 1), ("iframe", 2)])
def test_only_navigations_are_paused_before_they_leave(
    harness, canary, pages, policy, monkeypatch, vector, documents
) -> None:
    """The second layer sees documents (the page, its frames); subresources meet the proxy alone.
    Pausing every request in the browser would cost a quarter of a conversion's CPU."""
    decided: list[tuple[str, bool]] = []
    decide = EgressGuard._decide_navigation

    async def counting(self, url: str, main_frame: bool):
        decided.append((url, main_frame))
        return await decide(self, url, main_frame)

    monkeypatch.setattr(EgressGuard, "_decide_navigation", counting)

    async def scenario():
        async with guarded_page(harness, policy) as (guard, page):
            await page.goto(f"{pages.url}/attack/{vector}", wait_until="load", timeout=15_000)
            await _poll(lambda: any(b.port == canary.port for b in guard.blocked))
            return guard

    guard = harness.run(scenario())
    assert decided[0] == (f"{pages.url}/attack/{vector}", True)
    assert len(decided) == documents, decided
    assert any(b.port == canary.port for b in guard.blocked), "the proxy refused the subresource"
    assert canary.hits == []


def test_allow_entry_admits_only_its_port(harness, canary, pages) -> None:
    """127.0.0.1:<pages> is allowed; the canary is the same address on another port."""
    policy = EgressPolicy(allow=f"127.0.0.1:{pages.port}")
    assert policy.check_address("127.0.0.1", canary.port) is not None
    assert policy.check_address("127.0.0.1", pages.port) is None


# --- DNS rebinding --------------------------------------------------------------------


class FlippingResolver:
    """A stub DNS server under attacker control: one answer until flipped, another after."""

    def __init__(self, before: list, after: list) -> None:
        self.before, self.after, self.flipped, self.calls = before, after, False, 0

    def __call__(self, host: str, port: int) -> list:
        self.calls += 1
        if host != "rebind.test":
            return []
        return list(self.after if self.flipped else self.before)


@pytest.fixture
def rebinding_canary(pages):
    """A canary on 127.0.0.2 at the page server's port: only the address differs."""
    try:
        server = Canary(host="127.0.0.2", port=pages.port)
    except OSError as exc:
        pytest.skip(f"cannot bind 127.0.0.2:{pages.port}: {exc}")
    yield server
    server.close()


def test_dns_rebinding_in_browser(harness, pages, rebinding_canary) -> None:
    resolver = FlippingResolver(["127.0.0.1"], ["127.0.0.2"])
    policy = EgressPolicy(allow=f"127.0.0.1:{pages.port}", resolver=resolver)
    url = f"http://rebind.test:{pages.port}/plain"
    assert policy.vet_url(url).host == "rebind.test"  # what the API saw

    async def scenario():
        async with guarded_page(harness, policy) as (guard, page):
            await page.goto(url, timeout=15_000)
            resolver.flipped = True  # the attacker's DNS now answers loopback-elsewhere
            outcome = await page.evaluate(
                "() => fetch('/plain?again', {cache: 'no-store'}).then(r => r.status, () => 'failed')"
            )
            text = _pdf_text(await page.pdf())
        return guard, outcome, text

    guard, outcome, text = harness.run(scenario())
    assert outcome == "failed"
    assert rebinding_canary.hits == []
    assert f"{PAGE_TEXT} plain" in text
    assert {ip for _, ip, _ in guard.dialled} == {"127.0.0.1"}
    assert any("127.0.0.2" in b.reason for b in guard.blocked)


def test_proxy_dials_only_the_address_it_checked(rebinding_canary) -> None:
    """Allowed on the first lookup, loopback on the second, straight at the proxy: the first
    CONNECT may dial only the address it checked; the second is refused before any dial.
    (127.0.0.1, admitted by the allow list, stands in for a public address: tests reach
    nothing beyond loopback.)"""
    answers = iter([["127.0.0.1"], ["127.0.0.2"]])
    policy = EgressPolicy(
        allow=f"127.0.0.1:{rebinding_canary.port}",
        ports=[rebinding_canary.port],
        resolver=lambda host, port: next(answers),
    )
    refused: list = []

    async def scenario():
        proxy = PinningProxy(policy, refused.append, ProxyTimeouts(connect=0.5, head=2.0))
        await proxy.start()
        try:
            statuses = []
            for _ in range(2):
                reader, writer = await asyncio.open_connection("127.0.0.1", proxy.port)
                writer.write(f"CONNECT rebind.test:{rebinding_canary.port} HTTP/1.1\r\n\r\n".encode())
                await writer.drain()
                statuses.append((await asyncio.wait_for(reader.readline(), 5)).decode().strip())
                writer.close()
            return proxy.dialled, statuses
        finally:
            await proxy.close()

    dialled, statuses = asyncio.run(scenario())
    assert dialled == [("rebind.test", "127.0.0.1", rebinding_canary.port)]
    assert statuses[1].startswith("HTTP/1.1 403")
    assert rebinding_canary.hits == []
    assert len(refused) == 1 and "127.0.0.2" in refused[0].reason


def test_mixed_answer_is_refused_whole() -> None:
    policy = EgressPolicy(resolver=lambda host, port: ["93.184.216.34", "127.0.0.1"])
    refused: list = []

    async def scenario():
        proxy = PinningProxy(policy, refused.append)
        await proxy.start()
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", proxy.port)
            writer.write(b"GET http://mixed.test/ HTTP/1.1\r\nHost: mixed.test\r\n\r\n")
            await writer.drain()
            reply = await asyncio.wait_for(reader.read(), 5)
            writer.close()
            return proxy.dialled, reply
        finally:
            await proxy.close()

    dialled, reply = asyncio.run(scenario())
    assert dialled == []
    assert reply == b""  # hung up: Chromium sees a network error, not a page
    assert refused and "127.0.0.1" in refused[0].reason


# --- the whole renderer ---------------------------------------------------------------


@pytest.fixture(scope="module")
def renderer(pages):
    from converter.renderer import PlaywrightRenderer  # the full converter path, guard included

    instance = PlaywrightRenderer(
        EgressPolicy(allow=f"127.0.0.1:{pages.port}"),
        chromium_path=CHROMIUM,
        render_timeout_seconds=30.0,
        settle_timeout_seconds=5.0,
        render_concurrency=1,
    )
    yield instance
    instance.close()


@pytest.mark.parametrize(
    "path",
    [
        pytest.param("canary", id="main-document"),
        pytest.param("/redirect?hops=302", id="redirect-302"),
        pytest.param("/redirect?hops=301,307,308", id="redirect-chain"),
        pytest.param("/attack/location-change", id="script-navigation"),
    ],
)
def test_renderer_fails_refused_navigation_as_blocked(renderer, canary, pages, path) -> None:
    from chalicelib.domain.errors import ConversionFailed
    from chalicelib.domain.models import ConversionOptions

    url = canary.url + "/" if path == "canary" else pages.url + path
    with pytest.raises(ConversionFailed) as caught:
        renderer.render(url, ConversionOptions(), "egress-test")
    assert caught.value.code == "blocked", caught.value.message
    if "location" not in path:  # the renderer names the chrome-error page there, not the reason
        assert "loopback" in caught.value.message
    assert canary.hits == []


def test_renderer_prints_page_whose_meta_refresh_is_refused(renderer, canary, pages) -> None:
    """The refresh fires after load; the page stays and is printed, not Chromium's error page."""
    from chalicelib.domain.models import ConversionOptions

    result = renderer.render(f"{pages.url}/attack/meta-refresh", ConversionOptions(), "egress-test")
    text = _pdf_text(result.content)
    assert f"{PAGE_TEXT} meta-refresh" in text and CANARY_SECRET not in text
    assert canary.hits == []


def test_renderer_renders_page_without_refused_resources(renderer, canary, pages) -> None:
    from chalicelib.domain.models import ConversionOptions

    result = renderer.render(f"{pages.url}/attack/iframe", ConversionOptions(), "egress-test")
    text = _pdf_text(result.content)
    assert f"{PAGE_TEXT} iframe" in text
    assert CANARY_SECRET not in text
    assert canary.hits == []
