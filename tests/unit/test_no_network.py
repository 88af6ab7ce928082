"""The unit tier's guard (conftest.py) stops what it should and lets through what it should."""

from __future__ import annotations

import socket

import pytest

REFUSED = "unit tests use no network"


def test_the_guard_refuses_an_internet_socket() -> None:
    with pytest.raises(RuntimeError, match=REFUSED):
        socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    with pytest.raises(RuntimeError, match=REFUSED):
        socket.create_connection(("127.0.0.1", 9), timeout=1)


def test_the_guard_refuses_a_name_lookup() -> None:
    with pytest.raises(RuntimeError, match=REFUSED):
        socket.getaddrinfo("example.com", 443)


def test_local_unix_sockets_stay_allowed() -> None:
    left, right = socket.socketpair()
    with left, right:
        left.sendall(b"x")
        assert right.recv(1) == b"x"
