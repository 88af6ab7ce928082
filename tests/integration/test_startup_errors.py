"""`make run`'s start-up mistakes each get one line saying what to do, and exit code 2."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile

import pytest

from tests.support.paths import REPO


def start_stack(**env: str) -> subprocess.CompletedProcess:
    data_dir = tempfile.mkdtemp(prefix="pp-start-", dir="/tmp")
    clean = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "AWS_ENDPOINT_URL", "JWT_SECRET")}
    return subprocess.run(
        [sys.executable, "-m", "devstack"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        env={**clean, "DATA_DIR": data_dir, "HOST": "127.0.0.1", "PORT": "0", **env},
    )


def error_lines(result: subprocess.CompletedProcess) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.startswith("pagepress:")]


@pytest.fixture
def taken_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield sock.getsockname()[1]


def test_a_taken_port_says_which_and_how_to_choose_another(taken_port):
    result = start_stack(PORT=str(taken_port))
    assert result.returncode == 2
    [line] = error_lines(result)
    assert f"Port {taken_port}" in line and "make run PORT=" in line


def test_a_bad_database_url_says_so_and_how_to_fall_back():
    result = start_stack(DATABASE_URL="postgresql://nobody@127.0.0.1:1/nothing")
    assert result.returncode == 2
    [line] = error_lines(result)
    assert "DATABASE_URL" in line and "unset it" in line


def test_a_missing_chromium_says_how_to_install_it():
    result = start_stack(CHROMIUM_PATH="/nonexistent/chromium")
    assert result.returncode == 2
    [line] = error_lines(result)
    assert "CHROMIUM_PATH=/nonexistent/chromium does not exist" in line


def test_a_malformed_setting_is_named():
    result = start_stack(RENDER_TIMEOUT_SECONDS="soon")
    assert result.returncode == 2
    [line] = error_lines(result)
    assert "RENDER_TIMEOUT_SECONDS" in line
