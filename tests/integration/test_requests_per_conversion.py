"""The AWS requests one conversion makes, counted at the client as they leave for moto's server.

docs/scale.md prices a thousand PDFs from scale/requests.py's table of requests per conversion;
this test runs one conversion through the real API and the real converter handler (real
Chromium, a loopback page) and checks the table against what the code actually sends, so a
code change that adds a request changes the cost model or fails here.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from converter import handler
from converter.renderer import PlaywrightRenderer
from devstack.worker import LambdaContextStub, sqs_event
from scale.requests import PER_CONVERSION

SERVICES = ("dynamodb", "s3", "sqs")


class Calls:
    """Counts every AWS operation the container's clients send, by phase."""

    def __init__(self, stack: Any) -> None:
        self.phase = "setup"
        self.counts: dict[str, Counter[str]] = {}
        for service in SERVICES:
            stack.client(service).meta.events.register("before-call", self._count)

    def _count(self, model: Any, **_: Any) -> None:
        self.counts.setdefault(self.phase, Counter())[f"{model.service_model.service_name}:{model.name}"] += 1


@pytest.fixture
def settings(make_settings, page_server):
    return make_settings(egress_allow=f"127.0.0.1:{page_server.port}")


@pytest.fixture
def renderer_factory():
    return PlaywrightRenderer.from_settings


def test_one_conversion_sends_the_requests_the_cost_model_prices(wired, http, page_server):
    token = http.token("counted@example.com")
    url = page_server.page("/counted", "<title>Counted</title><h1>one conversion</h1>")
    calls = Calls(wired)

    calls.phase = "api_request"
    response = http.call("POST", "/request", {"url": url}, token=token)
    assert response.status_code == 202, response.json
    name = response.json["name"]

    # The event source mapping's own receive and delete are the poller's, not the function's.
    calls.phase = "esm"
    queue_url = wired.queue_urls.url(wired.settings.jobs_queue_name)
    messages = wired.client("sqs").receive_message(
        QueueUrl=queue_url, MaxNumberOfMessages=10, AttributeNames=["All"], MessageAttributeNames=["All"]
    )["Messages"]
    calls.phase = "converter"
    event = sqs_event(messages, "arn:aws:sqs:us-east-1:000000000000:jobs", wired.settings.aws_region)
    result = handler.lambda_handler(event, LambdaContextStub(function_name="converter"))  # type: ignore[arg-type]  # Lambda's context, as the local stack builds it
    assert result["batchItemFailures"] == []

    calls.phase = "api_list"
    listed = http.call("GET", "/files", token=token).json["files"]
    assert [(f["name"], f["status"]) for f in listed] == [(name, "ready")]
    calls.phase = "api_link"
    assert http.call("GET", f"/file/{name}/link", token=token).status_code == 200

    measured = {phase: dict(counts) for phase, counts in calls.counts.items() if phase != "esm"}
    assert measured == PER_CONVERSION
