"""The end-to-end path: ``python -m devstack`` in a subprocess, driven through its HTTP API.

A request counts from the moment the client sends its POST until the moment the stack
marked the entry ``ready`` (its ``updated_at``, written after the PDF is stored: the
moment it can be downloaded; the stack runs on this machine's clock). The client polls
the file list only to learn that it happened, so how often it polls changes neither the
figure nor, much, the load on the stack being measured. The stack's JSON log lines are
kept in a file, so the converter's per-step timings can be read back per section.
"""

from __future__ import annotations

import concurrent.futures
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import datetime
from pathlib import Path

import requests

from devstack.aws import free_port

ROOT = Path(__file__).resolve().parent.parent


class StackFailed(RuntimeError):
    pass


class Unavailable(StackFailed):
    """The API answered 503: a dependency (its database pool...) was busy or down."""


class LocalStackRun:
    def __init__(
        self, allow_port: int, poll_interval: float = 0.015, batch_poll_interval: float = 0.1, **env: str
    ) -> None:
        self.poll_interval = poll_interval
        # A batch lasts seconds: polling the whole list every 15 ms would load the stack being measured.
        self.batch_poll_interval = batch_poll_interval
        self.data_dir = Path(tempfile.mkdtemp(prefix="ppb-", dir="/tmp"))  # short: pgserver's socket path
        self.log_path = self.data_dir / "stack.log"
        self.port = free_port()
        self.env = {
            **os.environ,
            "HOST": "127.0.0.1",
            "PORT": str(self.port),
            "DATA_DIR": str(self.data_dir / "d"),
            "MOTO_PORT": "0",
            "CONVERTER_EGRESS_ALLOW": f"127.0.0.1:{allow_port}",
            "LOCAL_SNAPSHOT_INTERVAL_SECONDS": "86400",
            "BCRYPT_ROUNDS": "4",
            **env,
        }
        for name in ("AWS_ENDPOINT_URL", "DATABASE_URL", "JWT_SECRET"):  # the stack makes its own
            self.env.pop(name, None)
        self._process: subprocess.Popen | None = None
        self._local = threading.local()
        self._token = ""
        self._count_lock = threading.Lock()
        self.unavailable: list[str] = []  # 503 answers to POST /request (each retried)
        self.startup_seconds = 0.0

    @property
    def api(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/v1"

    # --- lifecycle --------------------------------------------------------------------------

    def start(self, timeout: float = 180) -> LocalStackRun:
        mark = time.perf_counter()
        log = open(self.log_path, "ab")
        self._process = subprocess.Popen(
            [sys.executable, "-m", "devstack"],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise StackFailed(f"the local stack exited {self._process.returncode}:\n{self.log_tail()}")
            try:
                if requests.get(self.api + "/health", timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                pass
            time.sleep(0.25)
        else:
            raise StackFailed(f"the local stack did not answer /health within {timeout:.0f} s:\n{self.log_tail()}")
        self.startup_seconds = time.perf_counter() - mark
        email, password = f"bench-{uuid.uuid4().hex[:8]}@example.com", "bench-password-1"
        self._call("POST", "/sign-up", {"email": email, "password": password}, expect=201)
        self._token = self._call("POST", "/sign-in", {"email": email, "password": password}, expect=200)["token"]
        return self

    @property
    def pid(self) -> int | None:
        """The stack's process (``make loadtest`` signals it: devstack/__main__.py)."""
        return self._process.pid if self._process is not None else None

    def stop(self, timeout: float = 60) -> None:
        if self._process is not None and self._process.poll() is None:
            os.killpg(self._process.pid, signal.SIGINT)
            try:
                self._process.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self._process.pid, signal.SIGKILL)
                self._process.wait(10)

    def cleanup(self, keep_log: bool = False) -> None:
        """Remove the stack's state; with ``keep_log`` its log stays (``log_path``) for a post-mortem."""
        if not keep_log:
            shutil.rmtree(self.data_dir, ignore_errors=True)
            return
        for child in self.data_dir.iterdir():
            if child != self.log_path:
                shutil.rmtree(child, ignore_errors=True) if child.is_dir() else child.unlink(missing_ok=True)

    # --- the API ----------------------------------------------------------------------------

    def _session(self) -> requests.Session:
        session = getattr(self._local, "session", None)
        if session is None:
            session = self._local.session = requests.Session()
        return session

    def _call(self, method: str, path: str, body: dict | None = None, expect: int = 200) -> dict:
        headers = {"Authorization": f"Bearer {self._token}"} if self._token else {}
        response = self._session().request(method, self.api + path, json=body, headers=headers, timeout=30)
        if response.status_code == 503 and expect != 503:
            raise Unavailable(f"{method} {path}: {response.text[:200]}")
        if response.status_code != expect:
            raise StackFailed(f"{method} {path} answered {response.status_code}: {response.text[:300]}")
        return response.json() if response.content else {}

    def request(self, url: str, attempts: int = 50) -> str:
        """POST /request; a 503 (a dependency busy) is retried after 20 ms, as a client would,
        and counted in ``unavailable`` so the report can say so."""
        for _ in range(attempts - 1):
            try:
                return self._call("POST", "/request", {"url": url}, expect=202)["name"]
            except Unavailable as exc:
                with self._count_lock:
                    self.unavailable.append(str(exc))
                time.sleep(0.02)
        return self._call("POST", "/request", {"url": url}, expect=202)["name"]

    def statuses(self, limit: int = 100) -> dict[str, dict]:
        return {f["name"]: f for f in self._call("GET", f"/files?limit={limit}")["files"]}

    def wait_done(self, names: set[str], timeout: float = 180, interval: float | None = None) -> dict[str, dict]:
        """Poll the file list until every named entry is ready or failed; name -> entry."""
        deadline = time.monotonic() + timeout
        done: dict[str, dict] = {}
        # Newest first: ours are on top (a few more, in case a 503'd POST left one behind).
        limit = min(100, len(names) + 4)
        while time.monotonic() < deadline:
            for name, entry in self.statuses(limit).items():
                if name in names and entry["status"] in ("ready", "failed"):
                    done[name] = entry
            if len(done) == len(names):
                return done
            time.sleep(self.poll_interval if interval is None else interval)
        listed = self.statuses(100)
        stuck = {
            name: (listed[name]["status"], listed[name].get("attempts")) if name in listed else "not listed"
            for name in names - set(done)
        }
        raise StackFailed(
            f"{len(stuck)} of {len(names)} requests not done within {timeout:.0f} s: {stuck} "
            f"({len(self.unavailable)} POSTs answered 503 and were retried)"
        )

    def request_to_ready(self, url: str) -> tuple[float, float, dict]:
        """(ms from the POST until the entry was marked done, ms the POST itself took, the entry)."""
        sent, mark = time.time(), time.perf_counter()
        name = self.request(url)
        posted = time.perf_counter()
        entry = self.wait_done({name})[name]
        return _ms_until_marked(entry, sent), (posted - mark) * 1000, entry

    def batch_to_ready(self, urls: list[str]) -> tuple[float, dict[str, dict]]:
        """All ``urls`` requested at once (one client thread each) -> (ms until the last was
        marked done, entries)."""
        sent = time.time()
        with concurrent.futures.ThreadPoolExecutor(len(urls)) as pool:
            names = set(pool.map(self.request, urls))
        entries = self.wait_done(names, interval=self.batch_poll_interval)
        return max(_ms_until_marked(entry, sent) for entry in entries.values()), entries

    # --- its logs ---------------------------------------------------------------------------

    def log_offset(self) -> int:
        return self.log_path.stat().st_size if self.log_path.exists() else 0

    def log_lines(self, start: int = 0, end: int | None = None) -> list[str]:
        with open(self.log_path, "rb") as handle:
            handle.seek(start)
            data = handle.read() if end is None else handle.read(max(0, end - start))
        return data.decode(errors="replace").splitlines()

    def log_tail(self, chars: int = 4000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except OSError:
            return "(no log)"

    def render_concurrency(self) -> tuple[int | None, str]:
        """(the converter's render concurrency, where it was read): a ``render_concurrency`` key
        in the stack's log lines or in /health's answer, else the stack's own Settings."""
        found = re.findall(r'"render_concurrency"\s*:\s*(\d+)', "\n".join(self.log_lines()))
        if found:
            return int(found[-1]), "stack log"
        found = re.findall(r'"render_concurrency"\s*:\s*(\d+)', requests.get(self.api + "/health", timeout=5).text)
        if found:
            return int(found[-1]), "/health"
        from chalicelib.config import Settings

        value = Settings.from_env(self.env).render_concurrency
        return (value, "Settings") if isinstance(value, int) and value > 0 else (None, "unknown")


def _ms_until_marked(entry: dict, sent: float) -> float:
    """ms from ``sent`` (epoch seconds) until the stack last changed the entry (to ready or failed)."""
    marked = datetime.fromisoformat(entry["updated_at"].replace("Z", "+00:00")).timestamp()
    return (marked - sent) * 1000
