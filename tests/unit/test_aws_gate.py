"""The gate that lets make run restart its AWS endpoint without losing state (devstack/aws_gate.py)."""

from __future__ import annotations

import concurrent.futures
import threading
from concurrent.futures import ThreadPoolExecutor

import boto3
import pytest
from botocore.exceptions import EndpointConnectionError

from devstack.aws_gate import AwsGate


class _Answer:
    status_code = 200
    headers: dict = {}


class _Endpoint:
    """Answers every call after the gate has counted it; ``hold`` keeps calls in flight until released."""

    def __init__(self) -> None:
        self.hold = False
        self.inside = threading.Event()
        self.release = threading.Event()

    def __call__(self, **_: object) -> tuple[_Answer, dict]:
        if self.hold:
            self.inside.set()
            self.release.wait(10)
        return _Answer(), {"QueueUrls": []}


@pytest.fixture
def gated():
    gate = AwsGate("http://127.0.0.1:1")
    client = boto3.client(
        "sqs",
        region_name="us-east-1",
        endpoint_url="http://127.0.0.1:1",
        aws_access_key_id="x",
        aws_secret_access_key="x",
    )
    gate.guard(client)
    endpoint = _Endpoint()
    client.meta.events.register("before-call.sqs.ListQueues", endpoint)  # after the gate's handler
    return gate, client, endpoint


def test_a_closed_gate_refuses_other_threads_as_a_down_endpoint_and_lets_its_owner_through(gated):
    gate, client, _ = gated
    assert gate.close(drain_seconds=1) == 0
    with ThreadPoolExecutor(1) as other, pytest.raises(EndpointConnectionError):
        other.submit(client.list_queues).result()
    assert client.list_queues()["QueueUrls"] == []  # the restarting thread passes
    gate.open()
    with ThreadPoolExecutor(1) as other:
        assert other.submit(client.list_queues).result()["QueueUrls"] == []


@pytest.fixture
def call_in_flight(gated):
    """A call held inside the endpoint (counted by the gate) on a thread of its own; released at the end."""
    gate, client, endpoint = gated
    endpoint.hold = True
    with ThreadPoolExecutor(2) as pool:
        call = pool.submit(client.list_queues)
        assert endpoint.inside.wait(10)
        yield gate, pool, endpoint
        endpoint.release.set()
        assert call.result(10)["QueueUrls"] == []


def test_closing_waits_for_the_calls_in_flight(call_in_flight):
    gate, pool, endpoint = call_in_flight
    closing = pool.submit(gate.close, 10)
    with pytest.raises(concurrent.futures.TimeoutError):
        closing.result(0.3)  # still waiting for the call in flight
    endpoint.release.set()
    assert closing.result(10) == 0


def test_closing_gives_up_after_its_bound_and_says_how_many_were_left(call_in_flight):
    gate, _, _ = call_in_flight
    assert gate.close(drain_seconds=0.2) == 1
