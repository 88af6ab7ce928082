"""One loopback HTTP server: the Chalice app under /api/, the SPA's files everywhere else.

API requests go through Chalice's own LocalGateway, so the app object Lambda runs answers
them. Static paths that are not files fall back to index.html (client-side routes).
"""

from __future__ import annotations

import json
import mimetypes
from functools import partial
from pathlib import Path
from typing import Any

from chalice.app import Chalice
from chalice.config import Config
from chalice.local import ChaliceRequestHandler, LocalChalice, LocalGatewayException, ThreadedHTTPServer

from api.headers import API_RESPONSE_HEADERS
from api.routing import correlation_id_from
from chalicelib.adapters.local_downloads import LINK_PATH, LocalDownloadStore
from chalicelib.adapters.s3_store import attachment
from chalicelib.domain.errors import AuthenticationFailed, DependencyUnavailable, NotFound, PagePressError
from chalicelib.domain.outputs import content_type_for
from chalicelib.numbers import ascii_int
from chalicelib.wiring import container

PLACEHOLDER = b"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>PagePress</title></head>
<body><main><h1>PagePress</h1><p>The API is running under <a href="/api/v1/health">/api/v1</a>.
The web app has not been built yet: run <code>make spa</code>.</p></main></body></html>"""

# What frontend-build/nginx serves the SPA with (security-headers.conf, and the CSP that
# 40-pagepress-config.sh writes for a same-origin API), so `make run` tests the real policy.
# HSTS is left out: `make run` is plain http on loopback.
SPA_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": SPA_CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}


class PagePressRequestHandler(ChaliceRequestHandler):
    server_version = "PagePress"
    sys_version = ""

    def __init__(self, *args: Any, spa_dir: Path, max_body_bytes: int, **kwargs: Any) -> None:
        self._spa_dir = spa_dir
        self._max_body = max_body_bytes
        super().__init__(*args, **kwargs)

    def _generic_handle(self) -> None:
        if self.path.startswith(LINK_PATH):
            self._serve_download()
            return
        if not self.path.startswith("/api/"):
            self._serve_static()
            return
        # The event names the real client, as API Gateway's identity.sourceIp does.
        self.local_gateway.event_converter.LOCAL_SOURCE_IP = self.client_address[0]
        length = ascii_int(self.headers.get("content-length", "0").strip())
        if length is None:
            self.close_connection = True
            self._send_json(400, "bad_request", "Content-Length must be a whole number in ASCII digits.")
            return
        if length > self._max_body:
            self.close_connection = True
            self._send_json(413, "request_too_large", f"The request body is larger than {self._max_body} bytes.")
            return
        try:
            super()._generic_handle()
        except Exception:  # noqa: BLE001 - never a stack trace on the wire
            self._send_json(500, "internal_error", "Something went wrong on our side. Please retry.")

    def _send_error_response(self, error: LocalGatewayException) -> None:
        # Chalice's gateway answers unknown routes like API Gateway (403 "Missing Authentication Token").
        self._send_json(404, "not_found", "There is no such API route.")

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - BaseHTTPRequestHandler's name
        """Access lines are left to the API's structured logs."""

    do_GET = do_PUT = do_POST = do_HEAD = do_DELETE = do_PATCH = do_OPTIONS = do_TRACE = do_CONNECT = _generic_handle

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """http.server's own refusals (an unknown method, a bad request line) in JSON, not HTML."""
        self.close_connection = True
        if code == 501:  # a method http.server has no handler for: like any method a route does not take
            self._send_json(405, "method_not_allowed", f"{self.command} is not allowed here.")
            return
        self._send_json(code, "bad_request" if code < 500 else "error", message or self.responses.get(code, ("",))[0])

    def _send_json(self, status: int, code: str, message: str, headers: dict[str, str] | None = None) -> None:
        """What the server answers itself (before the app): the same error shape and correlation header."""
        body = json.dumps({"error": {"code": code, "message": message}}).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        for name, value in {**API_RESPONSE_HEADERS, **(headers or {})}.items():
            self.send_header(name, value)
        self.send_header("X-Correlation-Id", correlation_id_from(self.headers.get("x-correlation-id")))
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _serve_download(self) -> None:
        """A local download link (chalicelib/adapters/local_downloads.py): owner, key and expiry
        checked before a byte of the PDF is read."""
        if self.command not in ("GET", "HEAD"):
            self._send_json(405, "method_not_allowed", "Only GET and HEAD are served here.")
            return
        store = container().object_store
        token = self.path[len(LINK_PATH) :].split("?", 1)[0]
        try:
            if not isinstance(store, LocalDownloadStore):
                raise NotFound("There is no such download.", "not_found")
            grant = store.links.check(token)
            body = store.read(grant.key)
        except PagePressError as refused:
            status = {AuthenticationFailed: 403, NotFound: 404}.get(type(refused), 503)
            waits = {"Retry-After": str(DependencyUnavailable.retry_after_seconds)} if status == 503 else {}
            self._send_json(status, refused.code, refused.message, waits)
            return
        self.send_response(200)
        self.send_header("Content-Type", content_type_for(grant.filename))
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Content-Disposition", attachment(grant.filename, grant.inline))
        for name, value in API_RESPONSE_HEADERS.items():
            self.send_header(name, value)
        self.end_headers()
        if self.command == "GET":
            self.wfile.write(body)

    def _serve_static(self) -> None:
        if self.command not in ("GET", "HEAD"):
            self._send_json(405, "method_not_allowed", "Only GET and HEAD are served here.")
            return
        path = self._static_file()
        if path is None:
            body, content_type, cache = PLACEHOLDER, "text/html; charset=utf-8", "no-cache"
        else:
            body = path.read_bytes()
            content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            if content_type.startswith("text/") or content_type in ("application/javascript", "image/svg+xml"):
                content_type += "; charset=utf-8"
            hashed = "/assets/" in self.path
            cache = "public, max-age=31536000, immutable" if hashed else "no-cache"
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", cache)
        for name, value in SECURITY_HEADERS.items():
            self.send_header(name, value)
        self.end_headers()
        if self.command == "GET":
            self.wfile.write(body)

    def _static_file(self) -> Path | None:
        root = self._spa_dir.resolve()
        relative = self.path.split("?", 1)[0].split("#", 1)[0].lstrip("/")
        candidate = (root / relative).resolve() if relative else root / "index.html"
        if candidate.is_file() and candidate.is_relative_to(root):
            return candidate
        index = root / "index.html"
        return index if index.is_file() else None


class LocalServer(ThreadedHTTPServer):
    """Chalice's threaded server with room for a crowd: socketserver's backlog of 5 connections
    waiting to be accepted reset the rest when 50 clients arrived at once (``make loadtest``)."""

    request_queue_size = 128


def make_server(app: Chalice, host: str, port: int, spa_dir: Path, max_body_bytes: int) -> ThreadedHTTPServer:
    app.__class__ = LocalChalice  # thread-local current_request, as `chalice local` does
    config = Config.create(chalice_stage="local", app_name="pagepress", lambda_timeout=30, lambda_memory_size=512)
    handler = partial(
        PagePressRequestHandler, app_object=app, config=config, spa_dir=spa_dir, max_body_bytes=max_body_bytes
    )
    return LocalServer((host, port), handler)
