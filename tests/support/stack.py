"""`make run` in a subprocess on free ports, as a newcomer would start it."""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path

import requests

from devstack.aws import free_port
from tests.support.paths import REPO
from tests.support.polling import poll_until


class RunningApp:
    def __init__(self, data_dir: Path, log_path: Path, **env: str) -> None:
        self.data_dir = data_dir
        self.log_path = log_path
        self.port = free_port()
        self.env = {
            **os.environ,
            "HOST": "127.0.0.1",
            "PORT": str(self.port),
            "DATA_DIR": str(data_dir),
            "MOTO_PORT": "0",
            **env,
        }
        for name in ("AWS_ENDPOINT_URL", "DATABASE_URL", "JWT_SECRET"):  # the stack must make its own
            self.env.pop(name, None)
        self._process: subprocess.Popen | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 240) -> RunningApp:
        log = open(self.log_path, "ab")
        self._process = subprocess.Popen(
            ["make", "--no-print-directory", "run"],
            cwd=REPO,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        poll_until(
            self._health,
            lambda status: status == 200 or self._process.poll() is not None,
            timeout,
            interval=0.5,
            what="make run to answer /api/v1/health",
        )
        if self._process.poll() is not None:
            raise AssertionError(f"make run exited {self._process.returncode}:\n{self.log()}")
        return self

    def _health(self) -> int | None:
        try:
            return requests.get(self.base + "/api/v1/health", timeout=2).status_code
        except requests.RequestException:
            return None

    def stop(self, timeout: float = 150) -> bool:
        """Ctrl-C to the process group, as in a terminal; True when the stack said it stopped cleanly."""
        if self._process is None:
            return True
        group = self._process.pid
        try:
            os.killpg(group, signal.SIGINT)
        except ProcessLookupError:
            return "pagepress: stopped" in self.log()
        try:
            # poll() reaps make, which would otherwise linger as a zombie in the group
            poll_until(
                lambda: self._process.poll() is None or _group_alive(group),
                lambda alive: not alive,
                timeout,
                interval=0.2,
                what="make run's processes to exit",
            )
        except AssertionError:
            os.killpg(group, signal.SIGKILL)
            raise AssertionError(f"make run did not stop within {timeout}s:\n{self.log()}") from None
        finally:
            self._process.wait(10)
        return "pagepress: stopped" in self.log()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-6000:]


def _group_alive(group: int) -> bool:
    try:
        os.killpg(group, 0)
        return True
    except ProcessLookupError:
        return False
