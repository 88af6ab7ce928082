"""The corpus's web server: loopback HTTP/1.1 in a child process (its threads do not share our GIL).

Besides static files (optionally answered after a delay, like a slow API) it plays the
endpoints that keep real pages busy forever: an endless feed for infinite scroll, a
long-poll that is held open, a WebSocket that ticks, and a sink for analytics beacons.
"""

from __future__ import annotations

import base64
import hashlib
import json
import multiprocessing
import struct
import sys
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

_WS_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"  # RFC 6455's fixed handshake suffix


@dataclass(frozen=True)
class Route:
    """What one path answers. ``kind`` picks the behaviour; ``params`` tunes it."""

    kind: str = "static"  # static | feed | long-poll | websocket | beacon
    content_type: str = "text/html"
    body: bytes = b""
    delay: float = 0.0
    params: dict = field(default_factory=dict)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    routes: dict[str, Route] = {}

    def _target(self) -> tuple[str, dict]:
        parts = urlsplit(self.path)  # origin form, or absolute form through a proxy
        return parts.path or "/", parse_qs(parts.query)

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        path, query = self._target()
        route = self.routes.get(path)
        if route is None or route.kind == "beacon":
            return self._send(404, "text/plain", b"")
        if route.delay:
            time.sleep(route.delay)
        if route.kind == "static":
            return self._send(200, route.content_type, route.body)
        if route.kind == "feed":
            return self._feed(route, int((query.get("page") or ["1"])[0]))
        if route.kind == "long-poll":
            return self._long_poll(route, int((query.get("since") or ["0"])[0]))
        if route.kind == "websocket":
            return self._websocket(route)
        return self._send(500, "text/plain", b"unknown route kind")

    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        path, _ = self._target()
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        route = self.routes.get(path)
        self._send(204 if route is not None and route.kind == "beacon" else 404, "text/plain", b"")

    def _send(self, status: int, content_type: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-cache")
        self.end_headers()
        self.wfile.write(body)

    def _feed(self, route: Route, page: int) -> None:
        """``per_page`` items of an endless feed (every ``image_every``-th with a picture)."""
        per, every, pool = route.params["per_page"], route.params["image_every"], route.params["images"]
        items = []
        for n in range((page - 1) * per + 1, page * per + 1):
            item = {"id": n, "title": f"FEED-ITEM-{n}", "text": route.params["text"][n % len(route.params["text"])]}
            if n % every == 0:
                item["image"] = pool[(n // every) % len(pool)]
            items.append(item)
        self._send(200, "application/json", json.dumps({"page": page, "items": items}).encode())

    def _long_poll(self, route: Route, since: int) -> None:
        """The first poll answers at once; every later one is held, as a chat server would."""
        if since == 0:
            body = {"next": 1, "messages": [route.params["first_message"]]}
        else:
            time.sleep(route.params["hold_seconds"])
            body = {"next": since + 1, "messages": []}
        self._send(200, "application/json", json.dumps(body).encode())

    def _websocket(self, route: Route) -> None:
        """A server that pushes a tick every ``interval`` seconds until the client goes away."""
        key = self.headers.get("Sec-WebSocket-Key")
        if (self.headers.get("Upgrade") or "").lower() != "websocket" or not key:
            return self._send(400, "text/plain", b"websocket only")
        accept = base64.b64encode(hashlib.sha1((key + _WS_GUID).encode()).digest()).decode()  # noqa: S324 - the WebSocket handshake's own SHA-1
        self.send_response(101)
        self.send_header("Upgrade", "websocket")
        self.send_header("Connection", "Upgrade")
        self.send_header("Sec-WebSocket-Accept", accept)
        self.end_headers()
        self.wfile.flush()
        self.close_connection = True
        tick = 0
        try:
            while True:
                tick += 1
                text = route.params["first_message"] if tick == 1 else f"tick {tick}"
                self.wfile.write(_ws_text_frame(text))
                self.wfile.flush()
                time.sleep(route.params["interval"])
        except (BrokenPipeError, ConnectionResetError, OSError):
            return

    def log_message(self, *args: Any) -> None:
        pass


def _ws_text_frame(text: str) -> bytes:
    """One unmasked, final text frame (servers never mask)."""
    payload = text.encode()
    if len(payload) < 126:
        return bytes([0x81, len(payload)]) + payload
    return bytes([0x81, 126]) + struct.pack(">H", len(payload)) + payload


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256

    def handle_error(self, request, client_address) -> None:
        if not isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            super().handle_error(request, client_address)  # a client hanging up is not news


def _serve(routes: dict[str, Route], port_queue) -> None:
    handler = type("CorpusHandler", (_Handler,), {"routes": routes})
    httpd = _Server(("127.0.0.1", 0), handler)
    port_queue.put(httpd.server_address[1])
    httpd.serve_forever()


class PageServer:
    """``with PageServer(routes) as server: server.base`` -> http://127.0.0.1:<port>."""

    def __init__(self, routes: dict[str, Route]) -> None:
        self._routes = routes
        self._process: multiprocessing.process.BaseProcess | None = None
        self.port = 0

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int | None:
        """The serving child process (left out of the systems' CPU samples)."""
        return self._process.pid if self._process is not None else None

    def __enter__(self) -> PageServer:
        ctx = multiprocessing.get_context("fork")
        queue = ctx.Queue()
        self._process = ctx.Process(target=_serve, args=(self._routes, queue), daemon=True, name="bench-pages")
        self._process.start()
        self.port = queue.get(timeout=10)
        return self

    def __exit__(self, *exc: Any) -> None:
        if self._process is not None:
            self._process.terminate()
            self._process.join(5)
