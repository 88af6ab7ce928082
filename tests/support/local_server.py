"""The app behind devstack's loopback server (what `make run` serves), in this test process."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from pathlib import Path

from tests.support.paths import REPO


@contextlib.contextmanager
def serving(max_body_bytes: int, spa_dir: Path = REPO / "frontend-build" / "dist") -> Iterator[int]:
    """Serve app.py on a free loopback port until the block ends; yields the port."""
    import app as application
    from devstack.web import make_server

    original_class = application.app.__class__
    server = make_server(application.app, "127.0.0.1", 0, spa_dir, max_body_bytes)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
        application.app.__class__ = original_class
