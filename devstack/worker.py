"""Lambda's SQS event source mapping, played locally: long-poll, invoke, honour the answer.

Like AWS it hands the handler real-shaped SQS events, deletes what succeeded, and leaves a
reported failure on the queue (visible again after a short backoff, or when the handler set
it to come back, as the converter does) so that moto's redrive
moves it to the dead-letter queue after ``maxReceiveCount`` deliveries. Like AWS's scaling
it keeps several invocations in flight, each with its own batch.
"""

from __future__ import annotations

import concurrent.futures
import hashlib
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from aws_lambda_powertools import Logger

logger = Logger(service="pagepress-devstack")
Handler = Callable[[dict[str, Any], Any], Mapping[str, Any]]


@dataclass
class LambdaContextStub:
    """The few LambdaContext fields Powertools reads."""

    function_name: str
    memory_limit_in_mb: int = 2048
    invoked_function_arn: str = "arn:aws:lambda:us-east-1:000000000000:function:local"
    aws_request_id: str = ""

    def get_remaining_time_in_millis(self) -> int:
        return 120_000


def sqs_event(messages: list[dict], queue_arn: str, region: str) -> dict:
    """The event Lambda builds from received messages (field names as AWS sends them)."""
    return {
        "Records": [
            {
                "messageId": m["MessageId"],
                "receiptHandle": m["ReceiptHandle"],
                "body": m["Body"],
                "attributes": m.get("Attributes", {}),
                "messageAttributes": {
                    name: {
                        "stringValue": value.get("StringValue"),
                        "binaryValue": value.get("BinaryValue"),
                        "stringListValues": [],
                        "binaryListValues": [],
                        "dataType": value["DataType"],
                    }
                    for name, value in m.get("MessageAttributes", {}).items()
                },
                "md5OfBody": hashlib.md5(m["Body"].encode()).hexdigest(),  # noqa: S324 - SQS's own checksum
                "eventSource": "aws:sqs",
                "eventSourceARN": queue_arn,
                "awsRegion": region,
            }
            for m in messages
        ]
    }


class QueuePoller:
    """Plays one event source mapping: one receiver long-polls (moto's queue is not safe for
    concurrent receives) and hands each batch to an invocation of its own, up to
    ``invocations`` in flight, so no record waits for another batch's slowest page."""

    def __init__(
        self,
        sqs: Any,
        queue_url: str,
        handler: Handler,
        name: str,
        region: str,
        batch_size: int = 10,
        retry_backoff_seconds: int | None = 5,
        invocations: int = 1,
    ) -> None:
        self.name = name
        self._sqs = sqs
        self._url = queue_url
        self._handler = handler
        self._region = region
        self._batch_size = max(1, min(batch_size, 10))  # ReceiveMessage takes 1 to 10 messages
        self._backoff = retry_backoff_seconds
        self._invocations = max(1, invocations)
        self._free = threading.Semaphore(self._invocations)
        self._stopping = threading.Event()
        self._arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        self._receiver = threading.Thread(target=self._run, name=name, daemon=True)
        self._pool = concurrent.futures.ThreadPoolExecutor(self._invocations, thread_name_prefix=f"{name}-invoke")

    def start(self) -> None:
        self._receiver.start()

    def stop(self) -> None:
        self._stopping.set()

    def join(self, timeout: float) -> None:
        """Wait for the receiver and the invocations in flight (bounded)."""
        deadline = time.monotonic() + timeout
        self._receiver.join(timeout)
        for _ in range(self._invocations):  # every slot back: nothing in flight
            if not self._free.acquire(timeout=max(0.0, deadline - time.monotonic())):
                break
        self._pool.shutdown(wait=False)

    def _run(self) -> None:
        while not self._stopping.is_set():
            if not self._free.acquire(timeout=0.5):
                continue  # every invocation busy: look at the stop flag, then wait again
            slots = 1
            while slots * self._batch_size < 10 and self._free.acquire(blocking=False):
                slots += 1
            try:
                slots -= self._poll_once(slots)
            except Exception:  # noqa: BLE001 - the poller must outlive any one bad batch
                logger.exception("poll failed", extra={"queue": self.name})
                self._stopping.wait(1)
            finally:
                for _ in range(slots):  # slots no invocation took
                    self._free.release()

    def _poll_once(self, slots: int) -> int:
        """Receive up to ``slots`` batches and start an invocation for each; returns how many."""
        messages = self._sqs.receive_message(
            QueueUrl=self._url,
            MaxNumberOfMessages=min(10, slots * self._batch_size),
            WaitTimeSeconds=1,
            AttributeNames=["All"],
            MessageAttributeNames=["All"],
        ).get("Messages", [])
        batches = [messages[i : i + self._batch_size] for i in range(0, len(messages), self._batch_size)]
        for batch in batches:
            self._pool.submit(self._invoke, batch)
        return len(batches)

    def _invoke(self, messages: list[dict]) -> None:
        try:
            context = LambdaContextStub(function_name=self.name, aws_request_id=str(uuid.uuid4()))
            try:
                result = self._handler(sqs_event(messages, self._arn, self._region), context) or {}
                failed = {f["itemIdentifier"] for f in result.get("batchItemFailures", [])}
            except Exception:  # noqa: BLE001 - as on Lambda, an invocation error fails the whole batch
                logger.exception("invocation failed", extra={"queue": self.name})
                failed = {m["MessageId"] for m in messages}
            for message in messages:
                try:
                    if message["MessageId"] in failed:
                        if self._backoff is None:  # the handler chose when it comes back
                            continue
                        self._sqs.change_message_visibility(
                            QueueUrl=self._url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=self._backoff
                        )
                    else:
                        self._sqs.delete_message(QueueUrl=self._url, ReceiptHandle=message["ReceiptHandle"])
                except Exception:  # noqa: BLE001 - the message comes back after its visibility timeout
                    logger.exception("could not settle a message", extra={"queue": self.name})
        finally:
            self._free.release()
