"""The local stack's wiring (devstack/stack.py): pollers sized like AWS's mappings, moto kept on loopback."""

from __future__ import annotations

import time

import pytest

from tests.support.polling import poll_until


def test_the_local_converter_keeps_one_invocation_per_render_slot_in_flight(make_settings, monkeypatch, tmp_path):
    """One record per invocation, as many invocations as render slots: a record never waits for
    another's slow page, and never queues for a slot as `busy` (each costing a receive count)."""
    import devstack.stack as stack_module
    from chalicelib.config import LocalStackSettings

    built: dict[str, tuple[int, int]] = {}

    class RecordingPoller:
        def __init__(
            self, sqs, url, handler, name, region, batch_size=10, retry_backoff_seconds=5, invocations=1
        ) -> None:
            built[name] = (batch_size, invocations)

        def start(self) -> None:
            pass

    class Urls:
        def url(self, name: str) -> str:
            return f"http://queues/{name}"

    class FakeContainer:
        queue_urls = Urls()

        def client(self, service: str):
            return object()

    monkeypatch.setattr(stack_module, "QueuePoller", RecordingPoller)
    stack = stack_module.LocalStack(LocalStackSettings(data_dir=str(tmp_path)))
    stack._container = FakeContainer()  # type: ignore[assignment]  # only what _start_workers reads
    stack._start_workers(make_settings(render_concurrency=3))

    # the dead-letter and webhooks mappings on AWS take batches of 10, one at a time
    assert built == {"converter": (1, 3), "dead-letters": (10, 1), "webhooks": (10, 1)}


def test_moto_listens_on_loopback_even_when_the_app_listens_everywhere(postgres_url, monkeypatch, tmp_path):
    """moto serves every PDF without credentials: HOST=0.0.0.0 must expose the app only."""
    import devstack.stack as stack_module
    from chalicelib.config import LocalStackSettings
    from devstack.aws import MotoAws, free_port

    with pytest.raises(ValueError, match="loopback"):
        MotoAws("0.0.0.0", 0)

    bound: list[str] = []

    class Recorded(Exception):
        pass

    def recording_moto(host: str, port: int):
        bound.append(host)
        raise Recorded

    monkeypatch.setenv("DATABASE_URL", postgres_url)
    monkeypatch.setattr(stack_module, "MotoAws", recording_moto)
    stack = stack_module.LocalStack(
        LocalStackSettings(host="0.0.0.0", port=free_port("0.0.0.0"), data_dir=str(tmp_path))
    )
    with pytest.raises(Recorded):
        stack.start()
    assert bound == ["127.0.0.1"]


def test_the_poller_keeps_several_invocations_in_flight(make_settings, moto_aws):
    """Two records, two invocations: each waits until the other has started, which only works
    if the poller does not wait for one invocation to end before starting the next."""
    import threading

    from devstack.worker import QueuePoller

    settings = make_settings()
    sqs = moto_aws.client("sqs", settings.aws_region)
    url = sqs.get_queue_url(QueueName=settings.jobs_queue_name)["QueueUrl"]
    both_started = threading.Barrier(2, timeout=20)
    seen: list[int] = []

    def handler(event, _context):
        seen.append(len(event["Records"]))
        both_started.wait()  # raises BrokenBarrierError if the other never starts
        return {"batchItemFailures": []}

    poller = QueuePoller(sqs, url, handler, "converter", settings.aws_region, batch_size=1, invocations=2)
    for body in ("one", "two"):
        sqs.send_message(QueueUrl=url, MessageBody=body)
    poller.start()
    try:
        poll_until(
            lambda: sqs.get_queue_attributes(
                QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
            )["Attributes"],
            lambda counts: set(counts.values()) == {"0"},
            30,
            interval=0.05,
            what="both records to be handled and deleted",
        )
    finally:
        poller.stop()
        poller.join(10)
    assert seen == [1, 1]
    assert not both_started.broken


def test_the_local_queue_loses_no_message_while_sends_and_deletes_interleave(make_settings, moto_aws):
    """moto's delete rebuilt the message list from a stale copy, dropping a message sent at that
    moment (a job left pending for ever); devstack.moto_server serialises it. Bounded: 240
    messages, one minute."""
    import threading

    settings = make_settings()
    url = moto_aws.client("sqs", settings.aws_region).get_queue_url(QueueName=settings.jobs_queue_name)["QueueUrl"]
    expected = {f"job-{sender}-{n}" for sender in range(4) for n in range(60)}
    seen: set[str] = set()
    sending_done = threading.Event()
    deadline = time.monotonic() + 60

    def send(sender: int) -> None:
        sqs = moto_aws.client("sqs", settings.aws_region)
        for n in range(60):
            sqs.send_message(QueueUrl=url, MessageBody=f"job-{sender}-{n}")

    def consume() -> None:
        sqs = moto_aws.client("sqs", settings.aws_region)
        while time.monotonic() < deadline and not (sending_done.is_set() and expected <= seen):
            for message in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get(
                "Messages", []
            ):
                seen.add(message["Body"])
                sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])

    senders = [threading.Thread(target=send, args=(i,)) for i in range(4)]
    consumers = [threading.Thread(target=consume) for _ in range(4)]
    for thread in consumers + senders:
        thread.start()
    for thread in senders:
        thread.join(60)
    sending_done.set()
    for thread in consumers:
        thread.join(70)
    assert expected - seen == set()
