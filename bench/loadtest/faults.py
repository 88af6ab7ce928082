"""The faults of a run, each at its moment: the converter's browser killed mid-render, the
database restarted, the local AWS endpoint restarted (both with their data kept; devstack's
SIGUSR2 and SIGUSR1). Each leaves a window, from its start until the stack says it is back,
inside which a 503 with Retry-After is the expected answer."""

from __future__ import annotations

import signal
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import psutil

from bench.loadtest.stack import signal_stack, wait_for_log
from bench.local_stack import LocalStackRun

FAULTS = ("browser", "database", "aws")
RESTART_TIMEOUT_SECONDS = 60.0


@dataclass
class Window:
    fault: str
    started: float  # seconds since the run's start
    ended: float | None = None  # when the stack said it was back; None if it never did
    detail: dict[str, Any] = field(default_factory=dict)


def chromium_browsers(root_pid: int) -> list[psutil.Process]:
    """The browser processes Playwright drives (``--remote-debugging-pipe``) under the stack's
    process: not their renderers, GPU or crash-handler helpers."""
    found = []
    for process in psutil.Process(root_pid).children(recursive=True):
        try:
            cmdline = process.cmdline()
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
        # Its helpers inherit the switch; they alone say what they are with --type=.
        if "--remote-debugging-pipe" in cmdline and not any(arg.startswith("--type=") for arg in cmdline):
            found.append(process)
    return found


def kill_browser(
    stack: LocalStackRun, now: Callable[[], float], rendering: Callable[[], int], wait: float = 15
) -> Window:
    """SIGKILL the converter's Chromium once a job is rendering (waiting at most ``wait`` s for one)."""
    deadline = time.monotonic() + wait
    while not rendering() and time.monotonic() < deadline:
        time.sleep(0.05)  # the users' polls say when a job is processing; nothing to block on
    window = Window("browser", now())
    killed = []
    for browser in chromium_browsers(stack.pid) if stack.pid else []:
        try:
            browser.kill()
            killed.append(browser.pid)
        except psutil.NoSuchProcess:
            pass
    window.ended = now()
    window.detail = {"killed_pids": killed, "jobs_processing": rendering()}
    return window


def restart(stack: LocalStackRun, fault: str, now: Callable[[], float]) -> Window:
    """Ask the stack to restart the database or the AWS endpoint; the window ends when it says it is done."""
    signum, done = {
        "database": (signal.SIGUSR2, "database restarted"),
        "aws": (signal.SIGUSR1, "local AWS endpoint restarted"),
    }[fault]
    window = Window(fault, now())
    outcome = wait_for_log(stack, done, signal_stack(stack, signum), RESTART_TIMEOUT_SECONDS)
    if outcome is not None:
        window.ended = now()
        window.detail = {key: value for key, value in outcome.items() if key in _REPORTED}
    return window


_REPORTED = (
    "down_seconds",
    "drain_and_save_seconds",
    "moto_restart_seconds",
    "in_flight_at_save",
    "objects",
    "items",
    "restored_items",
    "requeued",
)


def inject(fault: str, stack: LocalStackRun, now: Callable[[], float], rendering: Callable[[], int]) -> Window:
    if fault == "browser":
        return kill_browser(stack, now, rendering)
    return restart(stack, fault, now)
