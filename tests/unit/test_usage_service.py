"""Per-user limits on in-memory ports (issue 11, limits per user)."""

from __future__ import annotations

import pytest

from chalicelib.domain.errors import QuotaExceeded, TooManyAttempts
from chalicelib.domain.models import User
from chalicelib.domain.ports import Holdings, HoldingsFull, HoldingsLimits
from chalicelib.domain.usage import UsageLimits, UsageService, refusal
from tests.fakes.usage import MemoryUsageLedger

ADA = User("ada", "ada@example.com", "hash")
BOB = User("bob", "bob@example.com", "hash")


class Seconds:
    def __init__(self, at: float) -> None:
        self.at = at

    def __call__(self) -> float:
        return self.at


@pytest.fixture
def ledger():
    return MemoryUsageLedger()


def _service(ledger, clock, rpm=3, unfinished=2, stored=100):
    return UsageService(ledger, UsageLimits(rpm, unfinished, stored), now=clock)


def test_requests_over_the_rate_are_refused_until_the_next_minute(ledger):
    clock = Seconds(600 * 60 + 45.5)
    service = _service(ledger, clock)
    for _ in range(3):
        service.admit_conversion(ADA)
    with pytest.raises(TooManyAttempts) as refused:
        service.admit_conversion(ADA)
    assert refused.value.code == "rate_limited" and refused.value.retry_after_seconds == 15
    service.admit_conversion(BOB)  # another user's allowance is their own
    clock.at += 15
    service.admit_conversion(ADA)


def test_refusal_names_the_limit_the_holdings_reached() -> None:
    limits = HoldingsLimits(max_unfinished_jobs=2, max_stored_bytes=100)
    pending = refusal(HoldingsFull(Holdings(unfinished_jobs=2, stored_bytes=100), limits))
    assert isinstance(pending, TooManyAttempts)  # jobs finish by themselves: ask again later
    assert (
        pending.code == "too_many_pending" and pending.retry_after_seconds >= 1 and "2 conversions" in pending.message
    )
    full = refusal(HoldingsFull(Holdings(unfinished_jobs=1, stored_bytes=100), limits))
    assert isinstance(full, QuotaExceeded) and full.code == "quota_exceeded" and "100 bytes" in full.message


def test_admitting_a_request_counts_only_the_rate(ledger):
    """The holdings limits are the file index's to check, in the write that records the job."""
    service = _service(ledger, Seconds(0))
    ledger.held["ada"] = Holdings(unfinished_jobs=50, stored_bytes=10_000)
    service.admit_conversion(ADA)
    assert ledger.requests_in("ada", 0) == 1


def test_usage_reports_each_limit_with_what_is_used(ledger):
    service = _service(ledger, Seconds(120))
    service.admit_conversion(ADA)
    ledger.held["ada"] = Holdings(unfinished_jobs=1, stored_bytes=42)
    used = service.usage(ADA)
    assert (used.requests_this_minute, used.unfinished_jobs, used.stored_bytes) == (1, 1, 42)
    assert used.limits == UsageLimits(3, 2, 100)
