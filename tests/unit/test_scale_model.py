"""The scale model (scale/, `make simulate`): the manifests carry what it chose, and it behaves as SQS,
the event source mapping and Lambda do on the points its choice rests on."""

from __future__ import annotations

import dataclasses
import json

import pytest

from scale import __main__ as simulate_command
from scale.manifests import PipelineSettings, pipeline_settings
from scale.measured import Measured
from scale.model import Scenario, simulate


def test_the_prod_manifests_carry_the_settings_the_model_chose_and_ran_on():
    chosen = json.loads(simulate_command.CHOSEN.read_text())
    assert chosen.pop("overlay") == simulate_command.OVERLAY
    deployed = dataclasses.asdict(pipeline_settings(simulate_command.OVERLAY))
    deployed.pop("overlay")
    assert deployed == chosen, "the manifests changed since `make simulate` chose from them: run it again"


@pytest.mark.parametrize("overlay", ["base", "dev", "prod"])
def test_the_converters_reserved_concurrency_is_its_event_source_mappings_maximum(overlay):
    """Below it the function throttles its own mapping and jobs wait out the visibility timeout
    (and count a receive each time); above it the reservation is idle."""
    settings = pipeline_settings(overlay)
    assert settings.reserved_concurrency == settings.maximum_concurrency


MEASURED = Measured(
    render_ms=(500.0, 700.0, 900.0),
    overhead_ms=50.0,
    handoff_ms=10.0,
    cold_start_ms=2000.0,
    api_request_ms=100.0,
    pdf_bytes=(100_000,),
    transient_failure_rate=0.0,
    cpu_ms_per_page=600.0,
    wait_ms_per_page=200.0,
    bench_date="test",
    memory_size_date="test",
)
SETTINGS = PipelineSettings(
    overlay="test",
    converter_memory_mb=1769,
    converter_architecture="arm64",
    converter_timeout_s=120,
    reserved_concurrency=10,
    batch_size=1,
    batching_window_s=0,
    maximum_concurrency=10,
    visibility_timeout_s=60,
    max_receive_count=3,
    api_memory_mb=1024,
    api_architecture="arm64",
)


def scenario(rate: float, failure: float = 0.0, seconds: float = 120.0) -> Scenario:
    return Scenario("t", "t", seconds, lambda t: rate, lambda t: failure, seconds)


def test_within_capacity_every_job_is_ready_and_none_waits():
    outcome = simulate(scenario(rate=2.0), SETTINGS, MEASURED)
    assert outcome.arrived > 150 and outcome.ready == outcome.arrived
    assert outcome.dead_lettered == 0 and outcome.throttled_batches == 0
    assert max(outcome.queue_ages_s) < 1.0


def test_a_job_failing_every_time_goes_to_the_dead_letter_queue_after_max_receive_count_receives():
    outcome = simulate(scenario(rate=1.0, failure=1.0, seconds=10), SETTINGS, MEASURED)
    assert outcome.arrived > 0 and outcome.ready == 0
    assert outcome.dead_lettered == outcome.arrived
    assert outcome.failed_renders == outcome.arrived * SETTINGS.max_receive_count
    # each job waited its retry delays (15 s, then 30 s) between its receives, not the visibility timeout
    backoff = SETTINGS.retry_base_s * (2 ** (SETTINGS.max_receive_count - 1) - 1)
    assert backoff - 10 <= outcome.drain_s() < SETTINGS.visibility_timeout_s * (SETTINGS.max_receive_count - 1)


def test_reserved_concurrency_below_the_mappings_maximum_throttles_and_delays_jobs():
    starved = dataclasses.replace(SETTINGS, reserved_concurrency=2)
    outcome = simulate(scenario(rate=8.0), starved, MEASURED)
    assert outcome.throttled_batches > 0
    assert max(outcome.queue_ages_s) >= SETTINGS.visibility_timeout_s


def test_over_capacity_the_queue_grows_and_drains_after_the_surge():
    small = dataclasses.replace(SETTINGS, maximum_concurrency=2, reserved_concurrency=2)
    outcome = simulate(scenario(rate=5.0), small, MEASURED)
    assert outcome.ready == outcome.arrived
    assert outcome.drain_s() > 60 and max(outcome.queue_ages_s) > 60
