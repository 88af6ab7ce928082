"""The loggers' shared settings. Each entry point has its Powertools Logger (one per service);
the level they log at comes from Settings like everything else."""
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
