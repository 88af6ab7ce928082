"""The unit tier runs on in-memory fakes: no network, no browser, no database.

A test here that opens an internet socket or looks a name up fails at once, saying so; local
AF_UNIX sockets (asyncio's self-pipe, say) stay allowed.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import pytest


class NetworkInUnitTest(RuntimeError):
    pass


def _refuse(what: str) -> NetworkInUnitTest:
    return NetworkInUnitTest(f"unit tests use no network ({what}); move the test to tests/integration")


class _UnixOnlySocket(socket.socket):
    def __init__(self, family: Any = -1, type: Any = -1, proto: int = -1, fileno: int | None = None) -> None:  # noqa: A002 - socket.socket's own parameter names
        super().__init__(family, type, proto, fileno)
        if self.family != socket.AF_UNIX:
            self.close()
            raise _refuse(f"a {socket.AddressFamily(self.family).name} socket")


def _no_lookup(host: Any, *args: Any, **kwargs: Any) -> Any:
    raise _refuse(f"a DNS lookup of {host!r}")


@pytest.fixture(autouse=True, scope="session")
def no_network() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(socket, "socket", _UnixOnlySocket)
        patch.setattr(socket, "getaddrinfo", _no_lookup)
        patch.setattr(socket, "gethostbyname", _no_lookup)
        yield
