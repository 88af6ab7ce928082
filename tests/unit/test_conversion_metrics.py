"""chalicelib/adapters/metrics.py: what reaches CloudWatch (EMF on stdout) or Datadog, by configuration."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from aws_lambda_powertools.metrics.provider.cloudwatch_emf.cloudwatch import AmazonCloudWatchEMFProvider

from chalicelib.adapters.metrics import NoMetrics, PowertoolsConversionMetrics, measurements
from chalicelib.config import ConfigError, Settings
from chalicelib.domain.jobs import Outcome
from chalicelib.wiring import Container

NOW = datetime(2026, 11, 29, 12, 0, 10, tzinfo=UTC)
READY = Outcome("ready", render_seconds=1.25, pdf_bytes=20480, requested_at="2026-11-29T12:00:00.000Z")
FAILED = Outcome("failed", "http_error", render_seconds=0.5, requested_at="2026-11-29T12:00:04.000Z")


def printed(capsys) -> list[dict]:
    return [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]


def test_a_job_reports_only_what_it_measured():
    assert measurements(READY, 2000, NOW) == {
        "conversions": 1,
        "render_seconds": 1.25,
        "pdf_bytes": 20480,
        "end_to_end_seconds": 10.0,
        "queue_seconds": 2.0,
    }
    assert measurements(Outcome("skipped", "deleted while rendering"), None, NOW) == {"conversions": 1}


def test_cloudwatch_gets_one_emf_record_per_job_by_outcome_and_failure_code(capsys):
    metrics = PowertoolsConversionMetrics("cloudwatch", "PagePress", "pagepress-converter", now=lambda: NOW)
    metrics.record(READY, 2000)
    metrics.record(FAILED, 100)
    ready, failed = printed(capsys)
    (directive,) = ready["_aws"]["CloudWatchMetrics"]
    assert directive["Namespace"] == "PagePress"
    assert set(directive["Dimensions"][0]) == {"service", "outcome", "code"}
    units = {m["Name"]: m["Unit"] for m in directive["Metrics"]}
    assert units == {
        "conversions": "Count",
        "render_seconds": "Seconds",
        "pdf_bytes": "Bytes",
        "end_to_end_seconds": "Seconds",
        "queue_seconds": "Seconds",
    }
    assert (ready["outcome"], ready["code"], ready["pdf_bytes"], ready["end_to_end_seconds"]) == (
        "ready",
        "none",
        [20480],
        [10.0],
    )
    assert (failed["outcome"], failed["code"], failed["end_to_end_seconds"]) == ("failed", "http_error", [6.0])
    assert "pdf_bytes" not in failed


def test_datadog_gets_the_same_metrics_tagged_with_outcome_and_code(capsys, monkeypatch):
    monkeypatch.setenv("DD_FLUSH_TO_LOG", "True")
    PowertoolsConversionMetrics("datadog", "PagePress", "pagepress-converter", now=lambda: NOW).record(FAILED, 100)
    lines = {line["m"]: line for line in printed(capsys)}
    assert set(lines) == {
        "PagePress.conversions",
        "PagePress.render_seconds",
        "PagePress.end_to_end_seconds",
        "PagePress.queue_seconds",
    }
    assert {"outcome:failed", "code:http_error", "service:pagepress-converter"} <= set(
        lines["PagePress.conversions"]["t"]
    )


def test_a_metric_that_cannot_be_sent_never_fails_the_job(monkeypatch, caplog):
    def refuse(self, raise_on_empty_metrics=False):
        raise RuntimeError("injected: the provider is broken")

    monkeypatch.setattr(AmazonCloudWatchEMFProvider, "flush_metrics", refuse)
    PowertoolsConversionMetrics("cloudwatch", "PagePress", "pagepress-converter").record(READY, None)  # no raise
    assert "metrics not recorded" in caplog.text and "injected" in caplog.text


def test_the_provider_is_chosen_by_configuration():
    assert Settings.from_env({}).metrics_provider == "off"
    assert isinstance(Container(Settings.from_env({})).conversion_metrics, NoMetrics)
    settings = Settings.from_env({"METRICS_PROVIDER": "Datadog", "METRICS_NAMESPACE": "Ours"})
    assert (settings.metrics_provider, settings.metrics_namespace) == ("datadog", "Ours")
    assert isinstance(Container(settings).conversion_metrics, PowertoolsConversionMetrics)
    with pytest.raises(ConfigError, match="METRICS_PROVIDER"):
        Settings.from_env({"METRICS_PROVIDER": "statsd"})
