"""`make run` on free ports with a loopback page server it is allowed to fetch: one per test module."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

from tests.support.pages import PageServer
from tests.support.stack import RunningApp


@pytest.fixture(scope="module")
def pages():
    server = PageServer().start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def app(pages, tmp_path_factory):
    # short: PostgreSQL's unix socket path has a length limit
    data_dir = Path(tempfile.mkdtemp(prefix="pp-e2e-", dir="/tmp"))
    running = RunningApp(
        data_dir,
        tmp_path_factory.mktemp("logs") / "make-run.log",
        CONVERTER_EGRESS_ALLOW=f"127.0.0.1:{pages.port}",
        RENDER_TIMEOUT_SECONDS="40",
        SETTLE_TIMEOUT_SECONDS="5",
        LOCAL_SNAPSHOT_INTERVAL_SECONDS="3600",
    )
    running.start()
    yield running
    running.stop()
