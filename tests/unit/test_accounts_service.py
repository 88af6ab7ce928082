"""The account rules on in-memory ports: no database needed to state them."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from chalicelib.domain import passwords
from chalicelib.domain.accounts import AccountService
from chalicelib.domain.errors import AuthenticationFailed, TooManyAttempts
from chalicelib.domain.signin_throttle import SignInLimits
from tests.fakes.accounts import MemoryLimiter, MemoryUsers
from tests.fakes.clock import Clock


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def service(clock):
    return AccountService(
        MemoryUsers(),
        MemoryLimiter(),
        lambda: "k" * 40,
        token_ttl_seconds=600,
        bcrypt_rounds=4,
        limits=SignInLimits(3, 10, 60),
        now=clock,
    )


def test_an_unknown_email_still_costs_a_bcrypt_check_of_the_same_cost(service, monkeypatch):
    checked = []
    real = passwords.verify_password

    def counting(pw: str, digest: str) -> bool:
        checked.append(digest)
        return real(pw, digest)

    monkeypatch.setattr(passwords, "verify_password", counting)
    with pytest.raises(AuthenticationFailed):
        service.sign_in("nobody@example.com", "whatever-1", client="c")
    assert checked == [passwords.dummy_hash(4)]
    assert checked[0].startswith("$2b$04$")  # same cost as real hashes


def test_the_account_ceiling_lifts_when_the_window_passes(service, clock):
    service.sign_up("ada@example.com", "correct horse")
    for n in range(3):  # three clients, one failure each: no pair is throttled, the account is
        with pytest.raises(AuthenticationFailed):
            service.sign_in("ada@example.com", "wrong", client=f"c{n}")
    with pytest.raises(TooManyAttempts) as throttled:
        service.sign_in("ada@example.com", "correct horse", client="c9")
    assert throttled.value.retry_after_seconds == 60
    clock.now += timedelta(seconds=60)
    assert service.sign_in("ada@example.com", "correct horse", client="c9").token


def test_a_successful_sign_in_forgets_that_clients_failures(clock):
    service = AccountService(
        MemoryUsers(),
        MemoryLimiter(),
        lambda: "k" * 40,
        token_ttl_seconds=600,
        bcrypt_rounds=4,
        limits=SignInLimits(50, 50, 60, free_per_pair=3),
        now=clock,
    )
    service.sign_up("ada@example.com", "correct horse")
    for _ in range(3):
        with pytest.raises(AuthenticationFailed):
            service.sign_in("ada@example.com", "wrong", client="c")
    clock.now += timedelta(seconds=1)  # the first wait
    service.sign_in("ada@example.com", "correct horse", client="c")
    for _ in range(3):  # the pair starts again from zero: three more free failures, no wait
        with pytest.raises(AuthenticationFailed):
            service.sign_in("ada@example.com", "wrong", client="c")
    with pytest.raises(TooManyAttempts):
        service.sign_in("ada@example.com", "correct horse", client="c")


def test_each_sign_in_replaces_the_session(service):
    service.sign_up("ada@example.com", "correct horse")
    first = service.sign_in("ada@example.com", "correct horse", client="c").token
    second = service.sign_in("ada@example.com", "correct horse", client="c").token
    assert service.authenticate(f"Bearer {second}").email == "ada@example.com"
    with pytest.raises(AuthenticationFailed) as replaced:
        service.authenticate(f"Bearer {first}")
    assert replaced.value.code == "session_replaced"


def test_parallel_guesses_cannot_slip_in_under_the_limit(clock):
    users, limiter = MemoryUsers(), MemoryLimiter()
    service = AccountService(
        users,
        limiter,
        lambda: "k" * 40,
        token_ttl_seconds=600,
        bcrypt_rounds=4,
        limits=SignInLimits(100, 100, 60, free_per_pair=3),
        now=clock,
    )
    service.sign_up("ada@example.com", "correct horse")
    checked = []
    gate = threading.Barrier(8)
    real = passwords.verify_password

    def counting(pw, digest):
        checked.append(pw)
        return real(pw, digest)

    def guess():
        gate.wait()
        try:
            service.sign_in("ada@example.com", "wrong guess", client="c")
        except (AuthenticationFailed, TooManyAttempts):
            pass

    original, passwords.verify_password = passwords.verify_password, counting
    try:
        threads = [threading.Thread(target=guess) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(10)
    finally:
        passwords.verify_password = original
    assert len(checked) <= 3
