"""When to try again after a failed attempt: one schedule for conversions and webhook deliveries.

Waiting the queue's whole visibility timeout (the converter's is 12 minutes, longer than a
render may take) before a retry makes a job that met a passing fault wait an hour before it
gives up; waiting a fixed short time hammers a dependency that is down. So: doubling waits
from a base, capped at SQS's longest delay.
"""

from __future__ import annotations

from dataclasses import dataclass

MAX_DELAY_SECONDS = 900  # SQS's longest message delay


@dataclass(frozen=True)
class RetrySchedule:
    """Attempt n failed: wait base x 2^(n-1) seconds (at most 15 minutes), up to max_attempts in all."""

    base_seconds: int = 30
    max_attempts: int = 8

    def delay_after(self, attempt: int) -> int | None:
        """Seconds until the next attempt, or None when ``attempt`` was the last one."""
        if attempt >= self.max_attempts:
            return None
        delay: int = min(self.base_seconds * 2 ** (attempt - 1), MAX_DELAY_SECONDS)
        return delay
