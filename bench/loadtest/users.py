"""Simulated people: each signs up and in (an account of its own, so per-user limits apply to
each as to a person), then requests a conversion, polls its list until the job ends, downloads
the PDF, deletes some, and starts again, until the load window closes.

Every HTTP exchange is recorded (route, status, duration, whether a 503 said Retry-After), and
every job the API accepted is tracked by name, so the verdict can tell whether any was lost.
"""

from __future__ import annotations

import random
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import requests

from bench.loadtest import pages

PASSWORD = "load-test-password-1"
TERMINAL = ("ready", "failed")
MAX_ATTEMPTS = 12  # of one request told to come back later (Retry-After, at most 5 s each)


@dataclass(frozen=True)
class Exchange:
    route: str
    status: int  # 0: no answer (connection refused or reset, timeout)
    started: float  # seconds since the run's start
    ended: float
    retry_after: bool  # the answer carried Retry-After
    detail: str = ""

    @property
    def millis(self) -> float:
        return (self.ended - self.started) * 1000


@dataclass
class Job:
    name: str
    url: str
    status: str = "pending"
    error: dict[str, Any] | None = None
    deleted: bool = False
    downloaded: bool = False


@dataclass
class Recorder:
    """What every user did, shared by all of them (appends under a lock)."""

    origin: float = field(default_factory=time.monotonic)
    exchanges: list[Exchange] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def now(self) -> float:
        return time.monotonic() - self.origin

    def add(self, exchange: Exchange) -> None:
        with self.lock:
            self.exchanges.append(exchange)


class User:
    def __init__(self, number: int, api: str, page_base: str, recorder: Recorder, seed: int) -> None:
        self.email = f"load-{number}-{uuid.uuid4().hex[:8]}@example.com"
        self.api = api
        self.page_base = page_base
        self.recorder = recorder
        self.rng = random.Random(seed)
        self.session = requests.Session()
        self.token = ""
        self.jobs: dict[str, Job] = {}
        self.error = ""  # why the user stopped early, if it did

    # --- one exchange -------------------------------------------------------------------------

    def call(
        self,
        method: str,
        path: str,
        route: str,
        json: dict[str, Any] | None = None,
        follow: bool = False,
        headers: dict[str, str] | None = None,
    ) -> requests.Response | None:
        """One request, recorded; a 503 or 429 is waited out (Retry-After) and asked again, as a
        client would (a bounded number of times), each attempt recorded. None without an answer."""
        headers = {**(headers or {}), **({"Authorization": f"Bearer {self.token}"} if self.token else {})}
        for _ in range(MAX_ATTEMPTS):
            started = self.recorder.now()
            try:
                response = self.session.request(
                    method, self.api + path, json=json, headers=headers, timeout=30, allow_redirects=False
                )
            except requests.RequestException as exc:
                self.recorder.add(Exchange(route, 0, started, self.recorder.now(), False, type(exc).__name__))
                return None
            self.recorder.add(
                Exchange(
                    route,
                    response.status_code,
                    started,
                    self.recorder.now(),
                    "Retry-After" in response.headers,
                    response.text[:200] if response.status_code >= 500 else "",
                )
            )
            wait = response.headers.get("Retry-After")
            if response.status_code in (429, 503) and wait and wait.isascii() and wait.isdigit():
                time.sleep(min(int(wait), 5))  # told when to come back
                continue
            if follow and response.status_code == 302:
                return self._follow(response.headers["Location"])
            return response
        return response

    def _follow(self, location: str) -> requests.Response | None:
        started = self.recorder.now()
        try:
            response = self.session.get(location, timeout=30)
        except requests.RequestException as exc:
            self.recorder.add(
                Exchange("GET /local-downloads/{token}", 0, started, self.recorder.now(), False, str(exc))
            )
            return None
        self.recorder.add(
            Exchange(
                "GET /local-downloads/{token}",
                response.status_code,
                started,
                self.recorder.now(),
                "Retry-After" in response.headers,
            )
        )
        return response

    # --- a person's session -------------------------------------------------------------------

    def run(self, until: float, poll_interval: float) -> None:
        try:
            self._sign_up_and_in()
            while self.recorder.now() < until:
                job = self._request()
                if job is not None:
                    self._wait_for(job, until, poll_interval)
                    if job.status == "ready":
                        self._download(job)
                        if self.rng.random() < 0.5:
                            self._delete(job)
                time.sleep(self.rng.uniform(0.2, 1.0))  # a person reading
        except _Stop as stop:
            self.error = str(stop)

    def _sign_up_and_in(self) -> None:
        body = {"email": self.email, "password": PASSWORD}
        answer = self.call("POST", "/sign-up", "POST /sign-up", body)
        if answer is None or answer.status_code != 201:
            raise _Stop(f"sign-up answered {answer and answer.status_code}")
        answer = self.call("POST", "/sign-in", "POST /sign-in", body)
        if answer is None or answer.status_code != 200:
            raise _Stop(f"sign-in answered {answer and answer.status_code}")
        self.token = answer.json()["token"]

    def _request(self) -> Job | None:
        url = pages.pick(self.page_base, self.rng)
        # One key per conversion: a POST retried after a 503 is the same job, not a second one.
        key = {"Idempotency-Key": uuid.uuid4().hex}
        answer = self.call("POST", "/request", "POST /request", {"url": url}, headers=key)
        if answer is None or answer.status_code != 202:
            return None
        job = Job(answer.json()["name"], url)
        self.jobs[job.name] = job
        return job

    def _wait_for(self, job: Job, until: float, poll_interval: float) -> None:
        while job.status not in TERMINAL and self.recorder.now() < until:
            time.sleep(poll_interval)
            self.refresh()

    def refresh(self) -> dict[str, dict[str, Any]] | None:
        """The user's whole list (name -> entry), noting each tracked job's status; None without an answer."""
        listed: dict[str, dict[str, Any]] = {}
        cursor = ""
        while True:
            answer = self.call("GET", f"/files?limit=100{cursor}", "GET /files")
            if answer is None or answer.status_code != 200:
                return None
            page = answer.json()
            listed.update({entry["name"]: entry for entry in page["files"]})
            if not page.get("next"):
                break
            cursor = f"&cursor={page['next']}"
        for name, entry in listed.items():
            if name in self.jobs:
                self.jobs[name].status = entry["status"]
                self.jobs[name].error = entry.get("error")
        return listed

    def _download(self, job: Job) -> None:
        answer = self.call("GET", f"/file/{job.name}", "GET /file/{name}", follow=True)
        job.downloaded = answer is not None and answer.status_code == 200 and answer.content.startswith(b"%PDF")

    def _delete(self, job: Job) -> None:
        answer = self.call("DELETE", f"/file/{job.name}", "DELETE /file/{name}")
        # 404: an attempt answered 503 after the entry had gone (the delete's last step failed).
        if answer is not None and answer.status_code in (204, 404):
            job.deleted = True


class _Stop(Exception):
    """A user cannot go on (it could not sign up or in)."""
