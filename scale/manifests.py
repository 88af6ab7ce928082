"""The pipeline's settings as the ACK manifests deploy them: base with one overlay's patches.

Only what the model needs (the converter Function, its event source mapping and the jobs
queue), read from the YAML so the model and the deployment cannot drift apart unnoticed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from chalicelib.config import Settings

MANIFESTS = Path(__file__).resolve().parent.parent / "ack-manifests"
CONVERTER = ("Function", "pagepress-converter")
API = ("Function", "pagepress-api")
CONVERTER_ESM = ("EventSourceMapping", "pagepress-converter-jobs")
JOBS_QUEUE = ("Queue", "pagepress-jobs")


@dataclass(frozen=True)
class PipelineSettings:
    overlay: str
    converter_memory_mb: int
    converter_architecture: str
    converter_timeout_s: int
    reserved_concurrency: int | None
    batch_size: int
    batching_window_s: int
    maximum_concurrency: int
    visibility_timeout_s: int
    max_receive_count: int
    api_memory_mb: int
    api_architecture: str
    #: A transient failure's first retry delay (the converter's JOBS_RETRY_BASE_SECONDS), doubling.
    retry_base_s: int = Settings.jobs_retry_base_seconds


def _documents(path: Path) -> list[dict[str, Any]]:
    return [d for d in yaml.safe_load_all(path.read_text()) if d]


def _overlaid(base: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    """A JSON merge patch (the ACK kinds take no strategic merge): nested maps merge, the rest replaces."""
    out = dict(base)
    for name, value in patch.items():
        out[name] = (
            _overlaid(out[name], value) if isinstance(value, dict) and isinstance(out.get(name), dict) else value
        )
    return out


def resources(overlay: str) -> dict[tuple[str, str], dict[str, Any]]:
    """(kind, name) -> resource, base/ with ``overlay``'s patches applied ("base" for none)."""
    base = MANIFESTS / "base"
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for entry in _documents(base / "kustomization.yaml")[0]["resources"]:
        for doc in _documents(base / entry):
            found[(doc["kind"], doc["metadata"]["name"])] = doc
    if overlay != "base":
        directory = MANIFESTS / "overlays" / overlay
        for entry in _documents(directory / "kustomization.yaml")[0].get("patches", []):
            patch = _documents(directory / entry["path"])[0]
            target = (patch["kind"], patch["metadata"]["name"])
            found[target] = _overlaid(found[target], patch)
    return found


def pipeline_settings(overlay: str) -> PipelineSettings:
    docs = resources(overlay)
    converter, api = docs[CONVERTER]["spec"], docs[API]["spec"]
    esm, queue = docs[CONVERTER_ESM]["spec"], docs[JOBS_QUEUE]["spec"]
    return PipelineSettings(
        overlay=overlay,
        converter_memory_mb=int(converter["memorySize"]),
        converter_architecture=converter["architectures"][0],
        converter_timeout_s=int(converter["timeout"]),
        reserved_concurrency=converter.get("reservedConcurrentExecutions"),
        batch_size=int(esm["batchSize"]),
        batching_window_s=int(esm.get("maximumBatchingWindowInSeconds", 0)),
        maximum_concurrency=int(esm["scalingConfig"]["maximumConcurrency"]),
        visibility_timeout_s=int(queue["visibilityTimeout"]),
        max_receive_count=int(json.loads(queue["redrivePolicy"])["maxReceiveCount"]),
        api_memory_mb=int(api["memorySize"]),
        api_architecture=api["architectures"][0],
        retry_base_s=int(
            converter.get("environment", {})
            .get("variables", {})
            .get("JOBS_RETRY_BASE_SECONDS", Settings.jobs_retry_base_seconds)
        ),
    )
