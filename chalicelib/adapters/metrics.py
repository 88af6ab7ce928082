"""Converter metrics through Powertools: CloudWatch (embedded metric format) or Datadog, by configuration.

Each finished job is one small set of metrics, flushed at once: the converter renders records
of a batch concurrently, and a provider per job needs no shared state or handler decorator.

- ``conversions`` (count), with the job's ``outcome`` (ready, failed, skipped) and failure ``code``
- ``render_seconds``: navigation to printed PDF; ``end_to_end_seconds``: request to outcome
- ``pdf_bytes``; ``queue_seconds``: how long SQS held the message before this delivery
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.metrics.provider.cloudwatch_emf.cloudwatch import AmazonCloudWatchEMFProvider
from aws_lambda_powertools.metrics.provider.datadog.datadog import DatadogProvider

from chalicelib.domain.jobs import Outcome
from chalicelib.domain.ports import ConversionMetrics

UNITS = {
    "conversions": MetricUnit.Count,
    "render_seconds": MetricUnit.Seconds,
    "end_to_end_seconds": MetricUnit.Seconds,
    "pdf_bytes": MetricUnit.Bytes,
    "queue_seconds": MetricUnit.Seconds,
}


def _now() -> datetime:
    return datetime.now(UTC)


def measurements(outcome: Outcome, queued_ms: int | None, now: datetime) -> dict[str, float]:
    """The values one job reports; only those it got as far as measuring."""
    values: dict[str, float] = {"conversions": 1}
    if outcome.render_seconds is not None:
        values["render_seconds"] = round(outcome.render_seconds, 3)
    if outcome.pdf_bytes is not None:
        values["pdf_bytes"] = outcome.pdf_bytes
    if outcome.requested_at:
        requested = datetime.fromisoformat(outcome.requested_at.replace("Z", "+00:00"))
        values["end_to_end_seconds"] = round(max(0.0, (now - requested).total_seconds()), 3)
    if queued_ms is not None:
        values["queue_seconds"] = queued_ms / 1000
    return values


class PowertoolsConversionMetrics(ConversionMetrics):
    def __init__(self, provider: str, namespace: str, service: str, now: Callable[[], datetime] = _now) -> None:
        if provider not in ("cloudwatch", "datadog"):
            raise ValueError(f"no metrics provider {provider!r}")
        self._provider = provider
        self._namespace = namespace
        self._service = service
        self._now = now

    def record(self, outcome: Outcome, queued_ms: int | None) -> None:
        """Never raises: a metric that cannot be sent must not send a finished job round again."""
        try:
            self._flush(outcome, queued_ms)
        except Exception:  # noqa: BLE001 - whatever the provider raises, the job stays done
            logging.getLogger(self._service).warning("metrics not recorded", exc_info=True)

    def _flush(self, outcome: Outcome, queued_ms: int | None) -> None:
        values = measurements(outcome, queued_ms, self._now())
        tags = {"outcome": outcome.status, "code": outcome.detail if outcome.status == "failed" else "none"}
        if self._provider == "datadog":
            datadog = DatadogProvider(namespace=self._namespace, default_tags={"service": self._service})
            for name, value in values.items():
                datadog.add_metric(name=name, value=value, outcome=tags["outcome"], code=tags["code"])
            datadog.flush_metrics()
            return
        emf = AmazonCloudWatchEMFProvider(namespace=self._namespace, service=self._service)
        for tag, tag_value in tags.items():
            emf.add_dimension(name=tag, value=tag_value)
        for name, value in values.items():
            emf.add_metric(name=name, unit=UNITS[name], value=value)
        emf.flush_metrics()


class NoMetrics(ConversionMetrics):
    """METRICS_PROVIDER=off: locally and in tests, where nobody collects them."""

    def record(self, outcome: Outcome, queued_ms: int | None) -> None:
        return None
