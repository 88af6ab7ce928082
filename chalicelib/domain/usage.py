"""Per-user limits, so one account cannot take the service for itself: conversion requests
per minute, jobs waiting or rendering at once, and bytes of PDFs kept.

Rates and waiting jobs pass with time (429 with Retry-After); stored bytes only when the
user deletes files (403 quota_exceeded). The rate is counted here, before anything else; the
holdings limits are checked by the file index in the very write that records the job
(``FileIndex.create``), so two requests at the same instant cannot both take the last place,
and ``refusal`` says which limit it was.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from chalicelib.domain.errors import QuotaExceeded, TooManyAttempts
from chalicelib.domain.models import User
from chalicelib.domain.ports import HoldingsFull, HoldingsLimits, UsageLedger

#: How soon to ask again when too many jobs are waiting: about one job's render.
PENDING_RETRY_AFTER_SECONDS = 15


@dataclass(frozen=True)
class UsageLimits:
    requests_per_minute: int
    max_unfinished_jobs: int
    max_stored_bytes: int

    @property
    def holdings(self) -> HoldingsLimits:
        return HoldingsLimits(self.max_unfinished_jobs, self.max_stored_bytes)


@dataclass(frozen=True)
class Usage:
    requests_this_minute: int
    unfinished_jobs: int
    stored_bytes: int
    limits: UsageLimits
    files: int = 0


class UsageService:
    def __init__(self, ledger: UsageLedger, limits: UsageLimits, now: Callable[[], float] = time.time) -> None:
        self._ledger = ledger
        self._limits = limits
        self._now = now

    def admit_conversion(self, user: User) -> None:
        """Count a conversion request (queued or retried) and refuse it when over the rate."""
        now = self._now()
        minute = int(now // 60)
        if self._ledger.count_request(user.id, minute) > self._limits.requests_per_minute:
            raise TooManyAttempts(
                f"More than {self._limits.requests_per_minute} conversion requests in a minute; slow down.",
                retry_after_seconds=math.ceil((minute + 1) * 60 - now),
                code="rate_limited",
            )

    def usage(self, user: User) -> Usage:
        holdings = self._ledger.holdings(user.id)
        requests = self._ledger.requests_in(user.id, int(self._now() // 60))
        return Usage(requests, holdings.unfinished_jobs, holdings.stored_bytes, self._limits, holdings.files)


def refusal(full: HoldingsFull) -> TooManyAttempts | QuotaExceeded:
    """What to tell a user whose job the file index refused: which limit, and how far in."""
    holdings, limits = full.holdings, full.limits
    if holdings.unfinished_jobs >= limits.max_unfinished_jobs:
        return TooManyAttempts(
            f"You already have {holdings.unfinished_jobs} conversions waiting or in progress; wait for some to finish.",
            retry_after_seconds=PENDING_RETRY_AFTER_SECONDS,
            code="too_many_pending",
        )
    return QuotaExceeded(
        f"Your PDFs take {holdings.stored_bytes} bytes of your {limits.max_stored_bytes}; delete some to make new ones."
    )
