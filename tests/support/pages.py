"""A loopback HTTP server whose routes are set by each test."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

Body = str | bytes


@dataclass
class Reply:
    status: int = 200
    body: Body = ""
    content_type: str = "text/html; charset=utf-8"
    headers: dict = field(default_factory=dict)
    reason: str | None = None  # the status line's phrase, when not the standard one


class PageServer:
    """Serves registered paths on 127.0.0.1 (or another loopback ``host``); counts every hit per path."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.host = host
        self.routes: dict[str, Reply | Callable[[], Reply]] = {}
        self.hits: dict[str, int] = {}
        #: The headers of the last request to each path (lower-cased names).
        self.headers: dict[str, dict[str, str]] = {}
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                path = self.path.split("?", 1)[0]
                with server._lock:
                    server.hits[path] = server.hits.get(path, 0) + 1
                    server.headers[path] = {name.lower(): value for name, value in self.headers.items()}
                route = server.routes.get(path)
                reply = route() if callable(route) else route
                if reply is None:
                    reply = Reply(404, "<h1>Not here</h1>")
                body = reply.body.encode() if isinstance(reply.body, str) else reply.body
                self.send_response(reply.status, reply.reason)
                self.send_header("Content-Type", reply.content_type)
                self.send_header("Content-Length", str(len(body)))
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        self._httpd = ThreadingHTTPServer((host, 0), Handler)
        self._httpd.daemon_threads = True
        self.port = self._httpd.server_address[1]
        self._thread: threading.Thread | None = None

    @property
    def origin(self) -> str:
        return f"http://{self.host}:{self.port}"

    def page(self, path: str, html: str, status: int = 200) -> str:
        self.routes[path] = Reply(status, html)
        return self.origin + path

    def start(self) -> PageServer:
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
