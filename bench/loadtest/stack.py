"""What the load test asks of the stack it runs (``bench/local_stack.py``: ``python -m devstack``,
as ``make run`` starts it): restarts by signal, and word in its log that they are done."""

from __future__ import annotations

import json
import os
import time
from typing import Any

from bench.local_stack import LocalStackRun


def signal_stack(stack: LocalStackRun, signum: int) -> int:
    """Send a restart signal; returns the log offset to look for its outcome from."""
    if stack.pid is None:
        raise RuntimeError("the stack is not running")
    offset = stack.log_offset()
    os.kill(stack.pid, signum)
    return offset


def wait_for_log(stack: LocalStackRun, message: str, offset: int, timeout: float) -> dict[str, Any] | None:
    """The first JSON log line saying ``message`` written after ``offset``, or None at the deadline."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for line in stack.log_lines(offset):
            if f'"message":"{message}"' in line:
                try:
                    said: dict[str, Any] = json.loads(line)
                    return said
                except ValueError:
                    return {"message": message}
        time.sleep(0.2)  # the stack's log file: polled, it offers nothing to block on
    return None
