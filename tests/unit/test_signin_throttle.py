"""Sign-in throttling per (account, client) with doubling waits, on in-memory ports (issue 11, finding 4)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from chalicelib.domain.accounts import AccountService
from chalicelib.domain.errors import AuthenticationFailed, TooManyAttempts
from chalicelib.domain.signin_throttle import SignInLimits
from tests.fakes.accounts import MemoryLimiter, MemoryUsers
from tests.fakes.clock import Clock

RIGHT, WRONG = "correct horse", "wrong guess"


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def service(clock):
    accounts = AccountService(
        MemoryUsers(),
        MemoryLimiter(),
        lambda: "k" * 40,
        token_ttl_seconds=600,
        bcrypt_rounds=4,
        limits=SignInLimits(20, 40, 900, free_per_pair=3),
        now=clock,
    )
    accounts.sign_up("ada@example.com", RIGHT)
    return accounts


def _outcome(service, password: str, client: str) -> str:
    try:
        service.sign_in("ada@example.com", password, client=client)
        return "ok"
    except AuthenticationFailed:
        return "401"
    except TooManyAttempts as refused:
        return f"429:{refused.retry_after_seconds}"


def test_the_right_password_from_another_client_gets_in_while_a_guesser_is_throttled(service):
    outcomes = [_outcome(service, WRONG, "attacker") for _ in range(6)]
    assert outcomes[:3] == ["401"] * 3 and all(o.startswith("429") for o in outcomes[3:])
    assert _outcome(service, RIGHT, "owner") == "ok"
    assert _outcome(service, RIGHT, "attacker").startswith("429")  # the guesser's pair still waits


def test_waits_double_with_each_further_failure(service, clock):
    for _ in range(3):
        assert _outcome(service, WRONG, "c") == "401"
    waits = []
    for _ in range(5):
        refused = _outcome(service, WRONG, "c")
        waits.append(int(refused.split(":")[1]))
        clock.now += timedelta(seconds=waits[-1])
        assert _outcome(service, WRONG, "c") == "401"  # once waited, the next try is judged
    assert waits == [1, 2, 4, 8, 16]


def test_refused_attempts_are_not_counted(service, clock):
    for _ in range(3):
        assert _outcome(service, WRONG, "c") == "401"
    for _ in range(50):  # hammering while throttled neither extends the wait nor fills the ceilings
        assert _outcome(service, WRONG, "c") == "429:1"
    clock.now += timedelta(seconds=1)
    assert _outcome(service, RIGHT, "c") == "ok"


def test_the_account_ceiling_stops_guessing_spread_over_many_clients(service):
    assert [_outcome(service, WRONG, f"bot{n}") for n in range(20)] == ["401"] * 20
    assert _outcome(service, RIGHT, "owner").startswith("429:")


def test_the_client_ceiling_stops_one_client_trying_many_accounts(service):
    for n in range(40):
        with pytest.raises(AuthenticationFailed):
            service.sign_in(f"user{n}@example.com", WRONG, client="stuffer")
    assert _outcome(service, RIGHT, "stuffer").startswith("429:")
    assert _outcome(service, RIGHT, "owner") == "ok"
