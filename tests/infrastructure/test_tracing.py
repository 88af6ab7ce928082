"""Tracing: each entry point turns X-Ray on through Powertools Tracer, and each Function traces."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.support.kustomize import render
from tests.support.manifests import BASE, of_kind
from tests.support.paths import REPO

PROBE = """
import importlib, sys
importlib.import_module(sys.argv[1])
from aws_xray_sdk.core import patcher
from aws_lambda_powertools import Tracer
print(sorted(patcher._PATCHED_MODULES), Tracer._config["service"], Tracer._config["disabled"])
"""


@pytest.mark.parametrize(
    "entry_point, service", [("app", "pagepress-api"), ("converter.handler", "pagepress-converter")]
)
def test_on_lambda_each_entry_point_patches_boto_for_x_ray(entry_point, service):
    # LAMBDA_TASK_ROOT is what tells Powertools it runs on Lambda; no browser is warmed up here.
    env = {**os.environ, "LAMBDA_TASK_ROOT": str(REPO), "AWS_REGION": "us-east-1", "CONVERTER_WARM_START": "false"}
    env.pop("POWERTOOLS_TRACE_DISABLED", None)
    result = subprocess.run(
        [sys.executable, "-c", PROBE, entry_point], cwd=REPO, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert "'botocore'" in result.stdout and f"{service} False" in result.stdout, result.stdout


def test_locally_tracing_stays_off():
    result = subprocess.run(
        [sys.executable, "-c", PROBE, "converter.handler"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        env={k: v for k, v in os.environ.items() if k != "LAMBDA_TASK_ROOT"},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("True") and "'botocore'" not in result.stdout


def test_every_function_traces_actively():
    for function in of_kind(render(BASE), "Function"):
        assert function["spec"]["tracingConfig"] == {"mode": "Active"}, function["metadata"]["name"]
