"""Whether the run held: every answer a 2xx/3xx/4xx or a 503 with Retry-After while a dependency
was down, and every job the API accepted ends ready or failed with a reason, none lost, none stuck."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from bench.loadtest.faults import Window
from bench.loadtest.users import TERMINAL, Exchange, User

#: A request that started this soon after a dependency came back may have met it down.
GRACE_SECONDS = 1.0


@dataclass
class Jobs:
    accepted: int = 0
    ready: int = 0
    failed: dict[str, int] = field(default_factory=dict)  # by error code
    deleted: int = 0
    downloaded: int = 0
    unacknowledged: int = 0  # entries listed whose POST never got its 202 (still checked)
    lost: list[str] = field(default_factory=list)
    stuck: list[str] = field(default_factory=list)
    without_reason: list[str] = field(default_factory=list)
    resurrected: list[str] = field(default_factory=list)


@dataclass
class Verdict:
    jobs: Jobs
    violations: list[str]
    settle_seconds: float

    @property
    def held(self) -> bool:
        return not self.violations


def during_fault(exchange: Exchange, windows: list[Window]) -> Window | None:
    for window in windows:
        end = window.ended if window.ended is not None else float("inf")
        if exchange.ended >= window.started and exchange.started <= end + GRACE_SECONDS:
            return window
    return None


def http_violations(exchanges: list[Exchange], windows: list[Window]) -> list[str]:
    found = []
    for exchange in exchanges:
        if exchange.status == 0:
            found.append(f"{exchange.route} got no answer at {exchange.started:.1f} s ({exchange.detail})")
        elif exchange.status == 503 and not exchange.retry_after:
            found.append(f"{exchange.route} answered 503 without Retry-After at {exchange.started:.1f} s")
        elif exchange.status == 503 and during_fault(exchange, windows) is None:
            found.append(f"{exchange.route} answered 503 at {exchange.started:.1f} s, with no dependency down")
        elif exchange.status >= 500 and exchange.status != 503:
            found.append(f"{exchange.route} answered {exchange.status} at {exchange.started:.1f} s: {exchange.detail}")
    return found


def settle(
    users: list[User], deadline_seconds: float, interval: float = 1.0
) -> tuple[dict[str, dict[str, Any]], float]:
    """Poll every user's list until nothing in it is pending or processing (or the deadline);
    returns (user email + name -> entry) as last seen and how long that took."""
    mark = time.monotonic()
    seen: dict[str, dict[str, dict[str, Any]]] = {}
    open_users = [user for user in users if user.token]
    while open_users:
        for user in list(open_users):
            listed = user.refresh()
            if listed is None:
                continue
            seen[user.email] = listed
            if all(entry["status"] in TERMINAL for entry in listed.values()):
                open_users.remove(user)
        if not open_users or time.monotonic() - mark > deadline_seconds:
            break
        time.sleep(interval)  # the stack works through its queue; the list is what a client can watch
    final = {f"{email} {name}": entry for email, listed in seen.items() for name, entry in listed.items()}
    return final, time.monotonic() - mark


def judge(users: list[User], final: dict[str, dict[str, Any]]) -> Jobs:
    jobs = Jobs()
    for user in users:
        known = set(user.jobs)
        for job in user.jobs.values():
            jobs.accepted += 1
            jobs.downloaded += job.downloaded
            key = f"{user.email} {job.name}"
            if job.deleted:
                jobs.deleted += 1
                if key in final:
                    jobs.resurrected.append(key)
            elif key not in final:
                jobs.lost.append(key)
        for key, entry in final.items():
            email, name = key.split(" ", 1)
            if email != user.email:
                continue
            jobs.unacknowledged += name not in known
            status = entry["status"]
            if status not in TERMINAL:
                jobs.stuck.append(f"{key} ({status})")
            elif status == "ready":
                jobs.ready += 1
            else:
                error = entry.get("error") or {}
                code = error.get("code") or "(none)"
                jobs.failed[code] = jobs.failed.get(code, 0) + 1
                if not error.get("message"):
                    jobs.without_reason.append(key)
    return jobs


def verdict(users: list[User], exchanges: list[Exchange], windows: list[Window], settle_seconds: float) -> Verdict:
    final, took = settle(users, settle_seconds)
    jobs = judge(users, final)
    violations = http_violations(exchanges, windows)
    violations += [f"user {user.email} stopped: {user.error}" for user in users if user.error]
    violations += [f"the stack never said it was back after the {w.fault} fault" for w in windows if w.ended is None]
    violations += [f"lost: {key}" for key in jobs.lost]
    violations += [f"stuck: {key}" for key in jobs.stuck]
    violations += [f"failed without a reason: {key}" for key in jobs.without_reason]
    violations += [f"deleted, yet listed again: {key}" for key in jobs.resurrected]
    return Verdict(jobs, violations, took)
