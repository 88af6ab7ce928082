"""A loopback forward proxy that lets Chromium reach only what the egress policy allows.

Chromium is told to send *all* traffic here (``<-loopback>`` keeps even loopback and
link-local addresses off its implicit bypass list). For each CONNECT tunnel (https, wss)
and each absolute-form plain-HTTP request the proxy resolves the host through
``EgressPolicy.resolve`` — which refuses the whole name if any answer is not allowed — and
then dials only the addresses it just vetted. Chromium never resolves names itself, so a
DNS answer that changes between check and connect (rebinding) cannot redirect it.

Plain HTTP is one request per upstream connection (``Connection: close`` both ways):
otherwise Chromium could reuse a vetted connection for a request to another host.
Redirects are not followed here; Chromium follows them and each hop comes back through.
Every wait is bounded.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from chalicelib.domain.errors import InvalidInput
from chalicelib.egress import Blocked, EgressPolicy, RefusalKind, normalise_host
from chalicelib.numbers import ascii_hex, ascii_int, port_number

log = logging.getLogger(__name__)

_HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "proxy-connection",
    "proxy-authorization",
    "proxy-authenticate",
    "te",
    "trailer",
    "upgrade",
}
_MAX_HEAD_BYTES = 64 * 1024
Headers = list[tuple[str, str]]  # (name, value), in the order received
_CHUNK = 64 * 1024


@dataclass(frozen=True)
class BlockedRequest:
    """One request the guard refused: what was asked for, and why (for the job's log)."""

    url: str
    host: str
    port: int
    reason: str
    kind: RefusalKind = RefusalKind.FORBIDDEN


@dataclass(frozen=True)
class ProxyTimeouts:
    head: float = 10.0  # reading a request or response head
    resolve: float = 5.0  # DNS lookup for one host
    connect: float = 10.0  # TCP connect to one vetted address
    response: float = 60.0  # upstream's response head after the request was sent
    idle: float = 60.0  # a tunnel or body relay with no bytes either way


class _Refused(Exception):
    """The request cannot be served; ``status`` goes back to Chromium (None: just hang up)."""

    def __init__(self, status: bytes | None) -> None:
        super().__init__(status)
        self.status = status


class PinningProxy:
    """An asyncio HTTP proxy on 127.0.0.1:<ephemeral> that dials only policy-vetted addresses."""

    def __init__(
        self,
        policy: EgressPolicy,
        on_blocked: Callable[[BlockedRequest], None],
        timeouts: ProxyTimeouts = ProxyTimeouts(),
    ) -> None:
        self._policy = policy
        self._on_blocked = on_blocked
        self._timeouts = timeouts
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._writers: set[asyncio.StreamWriter] = set()
        #: (host, address, port) of every upstream connection attempted, for logs and tests.
        self.dialled: list[tuple[str, str, int]] = []

    @property
    def port(self) -> int:
        assert self._server is not None, "proxy not started"
        port: int = self._server.sockets[0].getsockname()[1]
        return port

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0, limit=_MAX_HEAD_BYTES)

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
        for writer in list(self._writers):  # handlers then end on their own, with an error
            writer.transport.abort()
        if self._tasks:
            _, pending = await asyncio.wait(list(self._tasks), timeout=1.0)
            for task in pending:
                task.cancel()
            if pending:
                await asyncio.wait(pending, timeout=self._timeouts.head)
        if self._server is not None:
            try:
                await asyncio.wait_for(self._server.wait_closed(), self._timeouts.head)
            except TimeoutError:
                log.warning("egress proxy did not close in time")
            self._server = None

    # --- one client connection ---------------------------------------------------------

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None, "called by the server, inside its task"
        self._tasks.add(task)
        self._writers.add(writer)
        try:
            await self._handle(reader, writer)
        except _Refused as refused:
            if refused.status:
                writer.write(b"HTTP/1.1 " + refused.status + b"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        except (
            TimeoutError,
            ConnectionError,
            asyncio.IncompleteReadError,
            asyncio.LimitOverrunError,
            ValueError,
            OSError,
        ) as exc:
            log.debug("egress proxy connection ended: %r", exc)
        finally:
            self._tasks.discard(task)
            self._writers.discard(writer)
            writer.close()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), self._timeouts.head)
        request_line, *header_lines = head[:-4].decode("latin-1").split("\r\n")
        parts = request_line.split(" ")
        if len(parts) != 3 or not parts[2].startswith("HTTP/1."):
            raise _Refused(b"400 Bad Request")
        method, target, _version = parts
        if method == "CONNECT":
            await self._tunnel(target, reader, writer)
        else:
            await self._forward(method, target, header_lines, reader, writer)

    async def _vet(self, url: str, host: str, port: int) -> list[str]:
        """The addresses the policy allows for host:port; records and refuses otherwise."""
        loop = asyncio.get_running_loop()
        try:
            return await asyncio.wait_for(
                loop.run_in_executor(None, self._policy.resolve, host, port), self._timeouts.resolve
            )
        except Blocked as exc:
            reason, kind = exc.reason, exc.kind
        except TimeoutError:
            reason, kind = f"{host} did not resolve within {self._timeouts.resolve:g}s", RefusalKind.LOOKUP_TIMEOUT
        self._on_blocked(BlockedRequest(url, _host_key(host), port, reason, kind))
        raise _Refused(None)

    async def _dial(
        self, host: str, addresses: list[str], port: int
    ) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        for address in addresses:
            self.dialled.append((host, address, port))
            try:
                streams = await asyncio.wait_for(
                    asyncio.open_connection(address, port, limit=_MAX_HEAD_BYTES), self._timeouts.connect
                )
            except (TimeoutError, OSError):
                continue
            self._writers.add(streams[1])
            return streams
        raise _Refused(b"502 Bad Gateway")

    # --- CONNECT: https and wss ----------------------------------------------------------

    async def _tunnel(self, target: str, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        host, sep, port_text = target.rpartition(":")
        port = port_number(port_text)
        if not sep or not host or port is None:
            raise _Refused(b"400 Bad Request")
        try:
            addresses = await self._vet(f"https://{target}/", host, port)
        except _Refused:
            raise _Refused(b"403 Forbidden") from None
        up_reader, up_writer = await self._dial(host, addresses, port)
        try:
            writer.write(b"HTTP/1.1 200 Connection Established\r\n\r\n")
            await writer.drain()
            await self._splice(reader, writer, up_reader, up_writer)
        finally:
            self._writers.discard(up_writer)
            up_writer.close()

    async def _splice(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        up_reader: asyncio.StreamReader,
        up_writer: asyncio.StreamWriter,
    ) -> None:
        """Copy both ways until both sides finish or nothing moves for ``idle`` seconds."""
        loop = asyncio.get_running_loop()
        last = [loop.time()]

        async def pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
            while True:
                try:
                    data = await asyncio.wait_for(source.read(_CHUNK), self._timeouts.idle)
                except TimeoutError:
                    if loop.time() - last[0] < self._timeouts.idle:
                        continue
                    raise
                if not data:
                    break
                last[0] = loop.time()
                sink.write(data)
                await sink.drain()
            if sink.can_write_eof():
                sink.write_eof()

        results = await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer), return_exceptions=True)
        for result in results:
            if isinstance(result, BaseException) and not isinstance(result, (OSError, asyncio.TimeoutError)):
                raise result

    # --- absolute-form plain HTTP --------------------------------------------------------

    async def _forward(
        self,
        method: str,
        target: str,
        header_lines: list[str],
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
    ) -> None:
        split = urlsplit(target)
        try:
            parsed = self._policy.parse_origin(target)
        except InvalidInput as exc:
            self._on_blocked(BlockedRequest(target, "", 0, exc.message))
            raise _Refused(None) from None
        if parsed.scheme != "http":
            raise _Refused(b"400 Bad Request")
        addresses = await self._vet(target, parsed.host, parsed.port)
        headers = _parse_headers(header_lines)
        up_reader, up_writer = await self._dial(parsed.host, addresses, parsed.port)
        try:
            origin_form = (split.path or "/") + (f"?{split.query}" if split.query else "")
            up_writer.write(_request_head(method, origin_form, headers, split.netloc))
            await _relay_request_body(headers, reader, up_writer, self._timeouts.idle)
            await up_writer.drain()
            response_head = await asyncio.wait_for(up_reader.readuntil(b"\r\n\r\n"), self._timeouts.response)
            writer.write(_closing_response_head(response_head))
            await _copy_until_eof(up_reader, writer, self._timeouts.idle)
        finally:
            self._writers.discard(up_writer)
            up_writer.close()


def _host_key(host: str) -> str:
    """The host as the policy normalises it, so refusals can be matched to URLs later."""
    try:
        return normalise_host(host)
    except InvalidInput:
        return host.strip("[]").lower()


def _parse_headers(lines: list[str]) -> Headers:
    headers: Headers = []
    for line in lines:
        name, sep, value = line.partition(":")
        if not sep or not name or name != name.strip():
            raise _Refused(b"400 Bad Request")
        headers.append((name, value.strip()))
    return headers


def _end_to_end(headers: Headers) -> Headers:
    """Drop hop-by-hop headers, including any the Connection header names."""
    named = {
        token.strip().lower() for name, value in headers if name.lower() == "connection" for token in value.split(",")
    }
    return [(n, v) for n, v in headers if n.lower() not in _HOP_BY_HOP | named]


def _request_head(method: str, origin_form: str, headers: Headers, netloc: str) -> bytes:
    kept = _end_to_end(headers)
    if not any(n.lower() == "host" for n, _ in kept):
        kept.insert(0, ("Host", netloc))
    lines = [f"{method} {origin_form} HTTP/1.1"] + [f"{n}: {v}" for n, v in kept] + ["Connection: close"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def _closing_response_head(head: bytes) -> bytes:
    status_line, *lines = head[:-4].decode("latin-1").split("\r\n")
    kept = _end_to_end(_parse_headers(lines))
    out = [status_line] + [f"{n}: {v}" for n, v in kept] + ["Connection: close", "Proxy-Connection: close"]
    return ("\r\n".join(out) + "\r\n\r\n").encode("latin-1")


async def _relay_request_body(
    headers: Headers, reader: asyncio.StreamReader, up_writer: asyncio.StreamWriter, idle: float
) -> None:
    """Forward exactly one request body, so nothing after it reaches this upstream."""
    values = {n.lower(): v for n, v in headers}
    if "chunked" in values.get("transfer-encoding", "").lower():
        while True:
            size_line = await asyncio.wait_for(reader.readuntil(b"\r\n"), idle)
            up_writer.write(size_line)
            size = ascii_hex(size_line.split(b";", 1)[0].strip().decode("latin-1"))
            if size is None:
                raise _Refused(b"400 Bad Request")
            if size == 0:
                while True:  # trailers, then the blank line
                    line = await asyncio.wait_for(reader.readuntil(b"\r\n"), idle)
                    up_writer.write(line)
                    if line == b"\r\n":
                        return
            up_writer.write(await asyncio.wait_for(reader.readexactly(size + 2), idle))
            await up_writer.drain()
    remaining = ascii_int(values.get("content-length", "0").strip() or "0")
    if remaining is None:
        raise _Refused(b"400 Bad Request")
    while remaining:
        data = await asyncio.wait_for(reader.read(min(remaining, _CHUNK)), idle)
        if not data:
            raise ConnectionError("client closed mid-body")
        remaining -= len(data)
        up_writer.write(data)
        await up_writer.drain()


async def _copy_until_eof(source: asyncio.StreamReader, sink: asyncio.StreamWriter, idle: float) -> None:
    while True:
        data = await asyncio.wait_for(source.read(_CHUNK), idle)
        if not data:
            return
        sink.write(data)
        await sink.drain()
