"""Throttling failed sign-ins without handing attackers a lockout button (ASVS V2.2.1).

Three counters, each over a sliding window:

- one client on one account (the pair): a few free failures, then a wait that doubles with
  every further failure. This is what slows a guesser down;
- the account, over all clients: a looser ceiling, for guessing spread over many addresses;
- the client, over all accounts: a looser ceiling, for one address trying many accounts.

The owner signing in from another client has no pair failures, so they get in while a
guesser is being slowed down; only a distributed attack can reach the account's ceiling.
Each attempt is recorded before it is judged, so parallel guesses see one another; an
attempt that is refused is then forgotten: a 429 costs the caller nothing further.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from chalicelib.domain.errors import TooManyAttempts
from chalicelib.domain.ports import AttemptLimiter


@dataclass(frozen=True)
class SignInLimits:
    per_account: int  # failures on one account from all clients per window
    per_client: int  # failures from one client on all accounts per window
    window_seconds: int
    free_per_pair: int = 3  # failures of one client on one account before waits begin


@dataclass(frozen=True)
class Attempt:
    """One admitted sign-in attempt, recorded as a failure until it succeeds."""

    keys: tuple[str, ...]
    pair_key: str
    at: datetime


class SignInThrottle:
    def __init__(self, limiter: AttemptLimiter, limits: SignInLimits, now: Callable[[], datetime]) -> None:
        self._limiter = limiter
        self._limits = limits
        self._now = now

    def admit(self, account: str, client: str) -> Attempt:
        """Record the attempt and return it, or forget it again and raise ``TooManyAttempts``."""
        pair_key = f"pair:{account}|{client}"
        attempt = Attempt((pair_key, f"account:{account}", f"client:{client}"), pair_key, self._now())
        for key in attempt.keys:
            self._limiter.record_failure(key, attempt.at)
        wait = self._wait_seconds(account, client, attempt)
        if wait > 0:
            for key in attempt.keys:
                self._limiter.forget(key, attempt.at)
            raise TooManyAttempts("Too many failed sign-ins. Try again later.", retry_after_seconds=math.ceil(wait))
        return attempt

    def succeeded(self, attempt: Attempt) -> None:
        """The attempt was right: it was no failure, and this client's record on the account is clean."""
        self._limiter.clear(attempt.pair_key)
        for key in attempt.keys:
            self._limiter.forget(key, attempt.at)

    def forget_account(self, account: str) -> None:
        """Drop every failure that names ``account`` (its e-mail): the account is gone."""
        self._limiter.clear(f"account:{account}")
        self._limiter.clear_prefix(f"pair:{account}|")

    def _wait_seconds(self, account: str, client: str, attempt: Attempt) -> float:
        """How long before this attempt may be judged; failures recorded before it count."""
        limits = self._limits
        window = timedelta(seconds=limits.window_seconds)
        since = attempt.at - window
        waits = [0.0]
        pair = self._limiter.failures(attempt.keys[0], since, attempt.at)
        if pair.count >= limits.free_per_pair and pair.newest is not None:
            delay = min(2.0 ** (pair.count - limits.free_per_pair), limits.window_seconds)
            waits.append(delay - (attempt.at - pair.newest).total_seconds())
        for key, ceiling in ((attempt.keys[1], limits.per_account), (attempt.keys[2], limits.per_client)):
            seen = self._limiter.failures(key, since, attempt.at)
            if seen.count >= ceiling and seen.oldest is not None:
                waits.append((seen.oldest + window - attempt.at).total_seconds())
        return max(waits)
