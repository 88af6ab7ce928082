"""The loggers the converter's parts accept: Powertools' structured Logger (the Lambda's) is not
a ``logging.Logger`` subclass, and tests hand in plain ones."""

from __future__ import annotations

import logging

from aws_lambda_powertools import Logger

Log = logging.Logger | Logger
