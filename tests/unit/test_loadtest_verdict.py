"""make loadtest's verdict (bench/loadtest/verdict.py) catches what it exists to catch."""

from __future__ import annotations

from bench.loadtest.faults import Window
from bench.loadtest.users import Exchange, Job, Recorder, User
from bench.loadtest.verdict import http_violations, judge

DOWN = [Window("database", started=10.0, ended=12.0)]


def _answer(status: int, at: float, retry_after: bool = True) -> Exchange:
    return Exchange("GET /files", status, at, at + 0.1, retry_after)


def test_a_503_with_retry_after_while_a_dependency_is_down_is_expected():
    assert http_violations([_answer(200, 1.0), _answer(503, 11.0), _answer(429, 20.0)], DOWN) == []


def test_every_other_server_error_is_a_violation():
    found = http_violations(
        [
            _answer(500, 11.0),  # a bug, even during a fault
            _answer(503, 11.0, retry_after=False),  # no word on when to come back
            _answer(503, 30.0),  # nothing was down
            _answer(0, 5.0),  # no answer at all
        ],
        DOWN,
    )
    assert len(found) == 4
    assert "500" in found[0] and "without Retry-After" in found[1] and "no dependency down" in found[2]


def _user(jobs: dict[str, str]) -> User:
    user = User(1, "http://127.0.0.1:1/api/v1", "http://127.0.0.1:2", Recorder(), seed=1)
    user.jobs = {
        name: Job(name, "http://127.0.0.1:2/article", deleted=status == "deleted") for name, status in jobs.items()
    }
    return user


def test_jobs_lost_stuck_resurrected_or_failed_without_a_reason_are_found():
    user = _user({"a": "ready", "b": "lost", "c": "processing", "d": "deleted", "e": "failed"})
    final = {
        f"{user.email} a": {"status": "ready"},
        f"{user.email} c": {"status": "processing"},
        f"{user.email} d": {"status": "ready"},
        f"{user.email} e": {"status": "failed", "error": {"code": "render_failed", "message": ""}},
        f"{user.email} f": {"status": "failed", "error": {"code": "not_found", "message": "HTTP 404"}},
    }
    jobs = judge([user], final)  # type: ignore[arg-type]  # entries shaped as the API lists them
    assert jobs.lost == [f"{user.email} b"]
    assert jobs.stuck == [f"{user.email} c (processing)"]
    assert jobs.resurrected == [f"{user.email} d"]
    assert jobs.without_reason == [f"{user.email} e"]
    assert jobs.unacknowledged == 1  # f: listed, never acknowledged, still checked
    assert jobs.failed == {"render_failed": 1, "not_found": 1}
