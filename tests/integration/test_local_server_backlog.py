"""make run's server keeps a crowd's connections waiting instead of refusing them (50 simulated users
arriving at once saw resets with socketserver's backlog of 5)."""

from __future__ import annotations

import contextlib
import socket

import app as application
from devstack.web import make_server
from tests.support.paths import REPO


def test_sixty_connections_arriving_at_once_all_get_through_while_none_is_accepted_yet():
    original_class = application.app.__class__
    server = make_server(application.app, "127.0.0.1", 0, REPO / "frontend-build" / "dist", 16384)
    try:
        with contextlib.ExitStack() as open_sockets:
            for _ in range(60):  # the server accepts nothing meanwhile: every one waits in the backlog
                client = open_sockets.enter_context(socket.socket())
                client.settimeout(3)
                client.connect(server.server_address)
    finally:
        server.server_close()
        application.app.__class__ = original_class
