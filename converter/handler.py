"""The converter Lambda: SQS batches in, one PDF (or one clear failure) per job out.

Records of a batch render concurrently (the renderer bounds how many at once); a transient
failure is reported back as a batch item failure so only that message is retried, and
after ``maxReceiveCount`` deliveries SQS moves it to the dead-letter queue, whose consumer
(``dead_letter_handler``) marks the job failed for its owner.
"""

from __future__ import annotations

import asyncio
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.batch import (
    AsyncBatchProcessor,
    BatchProcessor,
    EventType,
    async_process_partial_response,
    process_partial_response,
)
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from chalicelib.config import Settings
from chalicelib.domain.errors import ConversionFailed, DependencyUnavailable
from chalicelib.domain.ports import Renderer
from chalicelib.observability import start_tracing
from chalicelib.wiring import container
from converter.jobs_from_sqs import PoisonMessage, attempt_of, job_from_record, queued_for_ms

logger = Logger(service="pagepress-converter")
start_tracing("pagepress-converter")


def _batch[P: (BatchProcessor, AsyncBatchProcessor)](processor: type[P]) -> P:
    """A processor for one invocation: it holds that batch's records and results, and the local
    stack runs several invocations at once in one process (Lambda, one at a time). A wholly
    failed batch is reported item by item too, rather than raised (same retry, clearer logs)."""
    return processor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)


def playwright_renderer(settings: Settings) -> Renderer:
    """The renderer factory this Lambda wires its container with (the local stack uses it too)."""
    from converter.renderer import PlaywrightRenderer  # only the converter's image has Playwright

    return PlaywrightRenderer.from_settings(settings)


def convert_record(record: SQSRecord) -> str:
    """Raises to have SQS retry the record; returns the outcome otherwise."""
    logger.thread_safe_append_keys(message_id=record.message_id)
    try:
        job = job_from_record(record)
    except PoisonMessage as poison:
        return _reject_poison(record, poison)
    logger.thread_safe_append_keys(correlation_id=job.correlation_id, file_id=job.file_id, user_id=job.user_id)
    queued_ms = queued_for_ms(record)
    try:
        outcome = container(playwright_renderer).jobs.process(job, attempt_of(record))
        container().conversion_metrics.record(outcome, queued_ms)
        logger.info(
            "job finished",
            extra={"outcome": outcome.status, "detail": outcome.detail, "queue_ms": queued_ms, **outcome.timings},
        )
        return outcome.status
    except Exception:
        attempt = attempt_of(record)
        delay = container().job_retry_schedule.delay_after(attempt)
        logger.exception("job will be retried", extra={"attempt": attempt, "retry_in_seconds": delay})
        _retry_later(record, delay or 0)  # after the last attempt: to the dead-letter queue at once
        raise
    finally:
        logger.thread_safe_clear_keys()


def _retry_later(record: SQSRecord, delay_seconds: int) -> None:
    """A transient failure comes back after its backoff, not the queue's whole visibility timeout
    (sized for the longest render); if SQS will not take that, the timeout still brings it back."""
    try:
        container().job_retries.later(record.receipt_handle, delay_seconds)
    except DependencyUnavailable as exc:
        logger.warning("retry delay not set; the queue's visibility timeout applies", extra={"error": str(exc)})


async def _convert_record_async(record: SQSRecord) -> str:
    return await asyncio.to_thread(convert_record, record)


def _reject_poison(record: SQSRecord, poison: PoisonMessage) -> str:
    """A poison message fails once, visibly: logged as an error, its job (if named) marked failed."""
    logger.error("poison message dropped", extra={"reason": str(poison), "body": record.body[:500]})
    if poison.user_id and poison.file_id:
        container(playwright_renderer).file_index.mark_failed(
            poison.user_id, poison.file_id, code="invalid_job", message="The job could not be read; please retry."
        )
    logger.thread_safe_clear_keys()
    return "poison"


def give_up_record(record: SQSRecord) -> str:
    try:
        job = job_from_record(record)
    except PoisonMessage as poison:
        return _reject_poison(record, poison)
    jobs = container().jobs
    outcome = jobs.give_up(job, container().settings.jobs_max_receive_count)
    container().conversion_metrics.record(outcome, queued_for_ms(record))
    logger.warning(
        "job gave up", extra={"correlation_id": job.correlation_id, "file_id": job.file_id, "outcome": outcome.status}
    )
    return outcome.status


def warm_start() -> None:
    """Start Chromium and the spare pages while the process starts (Lambda's init phase runs
    before the first event, at full CPU), so the first job does not pay for the launch."""
    if Settings.from_env().warm_start:  # checked without building the container at import
        container(playwright_renderer).renderer().warm_up()


warm_start()


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    response = async_process_partial_response(
        event=event, record_handler=_convert_record_async, processor=_batch(AsyncBatchProcessor), context=context
    )
    _prepare_next_batch()
    return response


def _prepare_next_batch() -> None:
    """The batch's PDFs are stored and marked ready: replace a browser that recycling retired (or
    that died) now, rather than in front of the next batch's first job."""
    try:
        renderer = container(playwright_renderer).renderer()
    except ConversionFailed:  # the converter is stopping
        return
    renderer.prepare_next_job()


@logger.inject_lambda_context
def dead_letter_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return process_partial_response(
        event=event, record_handler=give_up_record, processor=_batch(BatchProcessor), context=context
    )
