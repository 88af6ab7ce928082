"""The four load scenarios of issue 14, built around one assumed steady day."""

from __future__ import annotations

import math

from scale.model import Scenario

#: The assumed steady day: 50,000 PDFs, busiest at noon at 1.6x the day's mean rate.
STEADY_PER_DAY = 50_000
DIURNAL_SWING = 0.6
DAY_S = 86_400.0
HOUR_S = 3_600.0
MEAN_RATE = STEADY_PER_DAY / DAY_S
PEAK_RATE = MEAN_RATE * (1 + DIURNAL_SWING)
BURST_FACTOR, BURST_START_S, BURST_S = 10, 1_200.0, 600.0
CAMPAIGN_JOBS = 100_000
FAILURE_RATE, FAILURE_START_S, FAILURE_S = 0.2, 600.0, 300.0


def _no_failures(_: float) -> float:
    return 0.0


def steady_day() -> Scenario:
    return Scenario(
        name="steady",
        title=f"steady day ({STEADY_PER_DAY:,} PDFs, peak {PEAK_RATE:.2f}/s at noon)",
        duration_s=DAY_S,
        rate=lambda t: MEAN_RATE * (1 + DIURNAL_SWING * math.sin(2 * math.pi * (t / DAY_S - 0.25))),
        failure_rate=_no_failures,
        surge_end_s=DAY_S,
    )


def burst() -> Scenario:
    def rate(t: float) -> float:
        return PEAK_RATE * (BURST_FACTOR if BURST_START_S <= t < BURST_START_S + BURST_S else 1)

    return Scenario(
        name="burst",
        title=f"{BURST_FACTOR}x the noon rate for {BURST_S / 60:.0f} minutes ({PEAK_RATE * BURST_FACTOR:.1f}/s)",
        duration_s=HOUR_S,
        rate=rate,
        failure_rate=_no_failures,
        surge_end_s=BURST_START_S + BURST_S,
    )


def campaign(minutes: float = 60) -> Scenario:
    """The campaign's rate; ``minutes`` shorter than the hour for the concurrency sweep (a queue
    that keeps up for a quarter of an hour at a constant rate keeps up for the hour)."""
    return Scenario(
        name="campaign",
        title=f"{CAMPAIGN_JOBS:,} requests in an hour ({CAMPAIGN_JOBS / HOUR_S:.1f}/s)"
        + ("" if minutes == 60 else f", first {minutes:.0f} minutes"),
        duration_s=minutes * 60,
        rate=lambda t: CAMPAIGN_JOBS / HOUR_S,
        failure_rate=_no_failures,
        surge_end_s=minutes * 60,
    )


def failing() -> Scenario:
    def failure_rate(t: float) -> float:
        return FAILURE_RATE if FAILURE_START_S <= t < FAILURE_START_S + FAILURE_S else 0.0

    return Scenario(
        name="failing",
        title=f"converter failing {FAILURE_RATE:.0%} for {FAILURE_S / 60:.0f} minutes at the noon rate",
        duration_s=HOUR_S,
        rate=lambda t: PEAK_RATE,
        failure_rate=failure_rate,
        surge_end_s=FAILURE_START_S + FAILURE_S,
    )


def all_scenarios() -> list[Scenario]:
    return [steady_day(), burst(), campaign(), failing()]
