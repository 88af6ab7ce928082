"""bench/reliability.md: per route latency percentiles and answers by kind, the faults and what
they cost, the jobs' outcomes and the verdict."""

from __future__ import annotations

import math
import os
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from bench.loadtest.faults import Window
from bench.loadtest.users import Exchange
from bench.loadtest.verdict import Verdict, during_fault
from bench.stats import table


@dataclass(frozen=True)
class Settings:
    users: int
    seconds: float
    faults: tuple[str, ...]
    env: dict[str, str]
    started_at: str


def percentile(values: list[float], q: float) -> float:
    """Nearest rank: the smallest value at or above q percent of them."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


def route_rows(exchanges: list[Exchange]) -> list[list[object]]:
    by_route: dict[str, list[Exchange]] = defaultdict(list)
    for exchange in exchanges:
        by_route[exchange.route].append(exchange)
    rows = []
    for route in sorted(by_route):
        answered = [e for e in by_route[route] if e.status]
        millis = [e.millis for e in answered]
        rows.append(
            [
                f"`{route}`",
                len(by_route[route]),
                *(f"{percentile(millis, q):.0f}" for q in (50, 95, 99)),
                sum(200 <= e.status < 400 for e in answered),
                sum(400 <= e.status < 500 and e.status != 429 for e in answered),
                sum(e.status == 429 for e in answered),
                sum(e.status == 503 for e in answered),
                sum(e.status >= 500 and e.status != 503 for e in answered),
                len(by_route[route]) - len(answered),
            ]
        )
    return rows


def fault_rows(windows: list[Window], exchanges: list[Exchange]) -> list[list[object]]:
    rows = []
    for window in windows:
        caught = [e for e in exchanges if e.status == 503 and during_fault(e, [window]) is window]
        ended = f"{window.ended:.1f}" if window.ended is not None else "never"
        detail = ", ".join(f"{key} {value}" for key, value in window.detail.items())
        rows.append([window.fault, f"{window.started:.1f}", ended, len(caught), detail])
    return rows


def write(path: Path, settings: Settings, exchanges: list[Exchange], windows: list[Window], verdict: Verdict) -> str:
    jobs = verdict.jobs
    failed = ", ".join(f"{code} {count}" for code, count in sorted(jobs.failed.items())) or "none"
    env = ", ".join(f"`{key}={value}`" for key, value in sorted(settings.env.items()))
    lines = [
        "# Reliability under load and faults",
        "",
        f"Written by `make loadtest` ({settings.started_at}, {os.cpu_count()} CPUs shared with other work):"
        f" {settings.users} simulated users for {settings.seconds:g} s against `python -m devstack`"
        " (what `make run` starts), each its own account, converting pages served on loopback,"
        " polling its list, downloading and deleting. Faults: "
        + (", ".join(settings.faults) or "none")
        + f". Environment for the stack: {env}.",
        "",
        f"**Verdict: {'held' if verdict.held else 'FAILED'}** — {len(verdict.violations)} violation(s).",
        "",
        "## Answers per route (ms; 503s are each attempt a client retried after Retry-After)",
        "",
        table(
            ["route", "requests", "p50", "p95", "p99", "2xx/3xx", "4xx", "429", "503", "other 5xx", "no answer"],
            route_rows(exchanges),
        ),
        "",
        "## Faults (seconds from the start; a 503 counts for a fault when the request overlapped it)",
        "",
        table(["fault", "started", "back", "503s", "detail"], fault_rows(windows, exchanges)),
        "",
        "## Jobs",
        "",
        table(
            ["accepted", "ready (listed)", "failed", "deleted", "downloaded", "lost", "stuck", "no reason"],
            [
                [
                    jobs.accepted,
                    jobs.ready,
                    failed,
                    jobs.deleted,
                    jobs.downloaded,
                    len(jobs.lost),
                    len(jobs.stuck),
                    len(jobs.without_reason),
                ]
            ],
        ),
        "",
        f"After the load stopped, every list was polled until nothing was pending or processing:"
        f" {verdict.settle_seconds:.1f} s. Entries listed whose POST never saw its 202: {jobs.unacknowledged}.",
    ]
    if verdict.violations:
        lines += ["", "## Violations", ""] + [f"- {v}" for v in verdict.violations[:50]]
    text = "\n".join(lines) + "\n"
    path.write_text(text)
    return text
