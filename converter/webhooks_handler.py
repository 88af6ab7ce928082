"""The webhook Lambda: one delivery attempt per SQS message, off the render path.

Same image as the converter, no browser. A failed attempt is not a failed record: the
deliverer queues the next attempt with its delay and notes it on the entry; only an error
of our own (DynamoDB or SQS not answering) is reported back for SQS to retry the record.
"""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from chalicelib.domain.webhooks import WebhookDelivery
from chalicelib.wiring import container

logger = Logger(service="pagepress-webhooks")


def deliver_record(record: SQSRecord) -> str:
    try:
        delivery = WebhookDelivery.from_message(json.loads(record.body))
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        logger.error("unreadable webhook message dropped", extra={"reason": str(exc), "body": record.body[:500]})
        return "poison"
    logger.append_keys(correlation_id=delivery.correlation_id, file_id=delivery.file_id, user_id=delivery.user_id)
    try:
        outcome = container().webhooks.deliver(delivery)
        logger.info("webhook attempt", extra={"outcome": outcome, "attempt": delivery.attempt, "event": delivery.event})
        return outcome
    finally:
        logger.remove_keys(["correlation_id", "file_id", "user_id"])


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)  # per invocation
    return process_partial_response(event=event, record_handler=deliver_record, processor=processor, context=context)
