"""The unit tier runs on in-memory fakes (the fixtures below): no network, no browser, no database.

A test here that opens an internet socket or looks a name up fails at once, saying so; local
AF_UNIX sockets (asyncio's self-pipe, say) stay allowed.
"""

from __future__ import annotations

import socket
from typing import Any

import pytest

from tests.fakes.files import MemoryFileIndex, MemoryJobQueue, MemoryObjectStore, MemoryWebhookQueue, ScriptedRenderer


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


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Per test, so that tests of other tiers in the same run keep their network."""
    monkeypatch.setattr(socket, "socket", _UnixOnlySocket)
    monkeypatch.setattr(socket, "getaddrinfo", _no_lookup)
    monkeypatch.setattr(socket, "gethostbyname", _no_lookup)


# The in-memory ports the domain services' tests run on (tests/fakes/), fresh for each test.
@pytest.fixture
def index() -> MemoryFileIndex:
    return MemoryFileIndex()


@pytest.fixture
def store() -> MemoryObjectStore:
    return MemoryObjectStore()


@pytest.fixture
def queue() -> MemoryJobQueue:
    return MemoryJobQueue()


@pytest.fixture
def renderer() -> ScriptedRenderer:
    return ScriptedRenderer()


@pytest.fixture
def webhooks() -> MemoryWebhookQueue:
    return MemoryWebhookQueue()
