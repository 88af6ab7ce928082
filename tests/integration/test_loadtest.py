"""make loadtest's machinery at a tiny scale (3 users, 10 s, the AWS endpoint restarted once), so it cannot rot.

The stack is ``python -m devstack`` in a subprocess, as ``make loadtest`` runs it; the
restart goes through the stack's SIGUSR1 hook and must keep every job and every file.
"""

from __future__ import annotations

from bench.loadtest.run import run


def test_a_tiny_load_test_with_the_aws_endpoint_restarted_holds_and_reports(tmp_path):
    out = tmp_path / "reliability.md"
    outcome, text = run(users=3, seconds=10, faults=("aws",), out=out, settle_seconds=120)

    assert outcome.violations == []
    assert outcome.jobs.accepted > 0 and not outcome.jobs.lost and not outcome.jobs.stuck
    assert out.read_text() == text
    assert "**Verdict: held**" in text
    for route in ("POST /sign-up", "POST /sign-in", "POST /request", "GET /files"):
        assert f"`{route}`" in text
    restart = next(line for line in text.splitlines() if line.startswith("| aws "))
    assert "never" not in restart and "restored_items" in restart  # the stack said it was back, state restored
