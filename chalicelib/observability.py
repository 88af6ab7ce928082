"""The loggers' shared settings, and tracing. Each entry point has its Powertools Logger (one per
service); the level they log at comes from Settings like everything else. Metrics are the
converter's port (chalicelib/adapters/metrics.py)."""

from __future__ import annotations

import logging

from chalicelib.config import Settings

SERVICES = ("pagepress-api", "pagepress-converter", "pagepress-devstack")


def apply_log_level(settings: Settings) -> None:
    level = logging.getLevelName(settings.log_level.upper())
    if not isinstance(level, int):
        level = logging.INFO
    for service in SERVICES:
        logging.getLogger(service).setLevel(level)


def start_tracing(service: str) -> None:
    """X-Ray through Powertools Tracer, once per entry point, before any AWS client is made.

    Tracer patches boto3, so each AWS call is a subsegment and SQS carries the trace header on
    to the converter: API -> SQS -> converter is one trace. Powertools leaves it off outside
    Lambda (tests, ``make run``), so nothing is sent from there.
    """
    from aws_lambda_powertools import Tracer

    Tracer(service=service)
