"""Reading conversion jobs out of SQS records; a record that cannot be read is poison."""

from __future__ import annotations

import json
import time

from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from chalicelib.domain.models import ConversionJob


class PoisonMessage(Exception):
    """The record can never be processed: retrying it would only fail again."""

    def __init__(self, reason: str, user_id: str | None = None, file_id: str | None = None) -> None:
        super().__init__(reason)
        self.user_id = user_id
        self.file_id = file_id


def job_from_record(record: SQSRecord) -> ConversionJob:
    try:
        data = json.loads(record.body)
    except (TypeError, ValueError):
        raise PoisonMessage("the body is not JSON") from None
    if not isinstance(data, dict):
        raise PoisonMessage("the body is not a JSON object")
    try:
        return ConversionJob.from_message(data)
    except (KeyError, TypeError, ValueError) as exc:
        user_id, file_id = data.get("user_id"), data.get("file_id")
        ids = (user_id, file_id) if isinstance(user_id, str) and isinstance(file_id, str) else (None, None)
        raise PoisonMessage(f"the job is malformed ({type(exc).__name__}: {exc})", *ids) from None


def attempt_of(record: SQSRecord) -> int:
    """How many times SQS has delivered this message, this delivery included."""
    try:
        return max(1, int(record.attributes.approximate_receive_count))
    except (TypeError, ValueError):
        return 1


def queued_for_ms(record: SQSRecord) -> int | None:
    """How long the message waited between being sent and reaching the converter (ms)."""
    try:
        sent = int(record.attributes.sent_timestamp)
    except (TypeError, ValueError):
        return None
    return max(0, round(time.time() * 1000) - sent)
