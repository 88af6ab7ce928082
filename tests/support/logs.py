"""Capture what a Powertools logger writes (it holds its own stream, so capsys cannot)."""

from __future__ import annotations

import contextlib
import io
import logging
from collections.abc import Iterator

from aws_lambda_powertools import Logger


@contextlib.contextmanager
def captured(logger: Logger) -> Iterator[io.StringIO]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logger.registered_formatter)
    logger._logger.addHandler(handler)
    try:
        yield stream
    finally:
        logger._logger.removeHandler(handler)
