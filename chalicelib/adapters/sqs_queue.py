"""The job and webhook queues in SQS. The correlation id rides along as a message attribute."""

from __future__ import annotations

import json
import threading
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError

from chalicelib.domain.errors import DependencyUnavailable
from chalicelib.domain.models import ConversionJob
from chalicelib.domain.ports import JobQueue, JobRetries, WebhookQueue

if TYPE_CHECKING:
    from chalicelib.domain.webhooks import WebhookDelivery


class QueueUrls:
    """Resolves queue names to URLs once; the same names work on AWS and on moto."""

    def __init__(self, client: Any) -> None:
        self._sqs = client
        self._urls: dict[str, str] = {}
        self._lock = threading.Lock()

    def url(self, name: str) -> str:
        with self._lock:
            if name not in self._urls:
                try:
                    self._urls[name] = self._sqs.get_queue_url(QueueName=name)["QueueUrl"]
                except (ClientError, BotoCoreError) as exc:
                    raise DependencyUnavailable(f"SQS does not answer: {exc}") from exc
            return self._urls[name]


class _SqsQueue:
    def __init__(self, client: Any, urls: QueueUrls, queue_name: str) -> None:
        self._sqs = client
        self._urls = urls
        self._name = queue_name

    def _send(self, body: dict[str, Any], correlation_id: str, delay_seconds: int = 0) -> None:
        try:
            self._sqs.send_message(
                QueueUrl=self._urls.url(self._name),
                MessageBody=json.dumps(body),
                DelaySeconds=delay_seconds,
                MessageAttributes={"correlation_id": {"DataType": "String", "StringValue": correlation_id or "-"}},
            )
        except (ClientError, BotoCoreError) as exc:
            raise DependencyUnavailable(f"SQS does not answer: {exc}") from exc

    def ping(self) -> None:
        url = self._urls.url(self._name)
        try:
            self._sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])
        except (ClientError, BotoCoreError) as exc:
            raise DependencyUnavailable(f"SQS does not answer: {exc}") from exc


class SqsJobQueue(_SqsQueue, JobQueue):
    def send(self, job: ConversionJob) -> None:
        self._send(job.to_message(), job.correlation_id)


class SqsJobRetries(_SqsQueue, JobRetries):
    def later(self, receipt_handle: str, delay_seconds: int) -> None:
        try:
            self._sqs.change_message_visibility(
                QueueUrl=self._urls.url(self._name), ReceiptHandle=receipt_handle, VisibilityTimeout=delay_seconds
            )
        except (ClientError, BotoCoreError) as exc:
            raise DependencyUnavailable(f"SQS does not answer: {exc}") from exc


class SqsWebhookQueue(_SqsQueue, WebhookQueue):
    def send(self, delivery: WebhookDelivery, delay_seconds: int = 0) -> None:
        self._send(delivery.to_message(), delivery.correlation_id, delay_seconds)
