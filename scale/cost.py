"""What conversions cost on AWS, by service: from request counts, measured durations and prices."""

from __future__ import annotations

import random
import statistics
from dataclasses import dataclass

from scale.manifests import PipelineSettings
from scale.measured import Measured
from scale.model import Outcome
from scale.prices import Prices
from scale.requests import API_CALLS, ITEMS_PER_TRANSACTION, per_conversion_counts

#: A file index entry is well under 1 KB, so each write is one write unit and each read at most
#: one read unit (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/read-write-operations.html).
ENTRY_BYTES = 1024
GB = 1e9


@dataclass(frozen=True)
class ConverterDuration:
    """Billed converter milliseconds per conversion on warm instances, by Monte Carlo over the
    measured renders: a batch lasts as long as its slowest page, times the memory size's factor."""

    ms_per_conversion: float

    @classmethod
    def of(cls, measured: Measured, memory_mb: int, batch_size: int, draws: int = 20_000) -> ConverterDuration:
        rng = random.Random(7)
        factor = measured.batch_factor(memory_mb, batch_size)
        batches = [
            max(rng.choice(measured.render_ms) for _ in range(batch_size)) * factor + measured.overhead_ms
            for _ in range(draws)
        ]
        return cls(statistics.fmean(batches) / batch_size)


def _lambda(prices: Prices, arch: str, memory_mb: int, ms: float, invocations: float) -> float:
    return memory_mb / 1024 * ms / 1000 * prices.lambda_gb_second[arch] + invocations * prices.lambda_per_request


def per_thousand(
    prices: Prices, measured: Measured, settings: PipelineSettings, arch: str, memory_mb: int, batch_size: int
) -> dict[str, float]:
    """Dollars per 1,000 conversions by service, at one architecture and converter memory size."""
    n = 1000
    counts = {call: k * n for call, k in per_conversion_counts(batch_size).items()}
    converter_ms = ConverterDuration.of(measured, memory_mb, batch_size).ms_per_conversion * n
    api_calls = len(API_CALLS) * n
    return {
        "converter Lambda": _lambda(prices, arch, memory_mb, converter_ms, n / batch_size),
        "API Lambda": _lambda(prices, arch, settings.api_memory_mb, measured.api_request_ms * api_calls, api_calls),
        "API Gateway": api_calls * prices.api_gateway_per_request,
        "SQS": sum(v for k, v in counts.items() if k.startswith("sqs:")) * prices.sqs_per_request,
        "DynamoDB": _dynamodb(prices, counts),
        "S3 requests": counts["s3:PutObject"] * prices.s3_per_put + counts["s3:GetObject"] * prices.s3_per_get,
        "data out (downloads)": n * measured.pdf_bytes_mean / GB * prices.transfer_out_gb,
    }


def _dynamodb(prices: Prices, counts: dict[str, float]) -> float:
    """On demand: a write unit per item written, two per item written in a transaction
    (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis.html#transaction-capacity-handling)."""
    writes = sum(v for k, v in counts.items() if k in ("dynamodb:PutItem", "dynamodb:UpdateItem"))
    writes += 2 * ITEMS_PER_TRANSACTION * counts.get("dynamodb:TransactWriteItems", 0)
    reads = sum(v for k, v in counts.items() if k in ("dynamodb:GetItem", "dynamodb:Query"))
    return writes * prices.dynamodb_per_write_unit + reads * prices.dynamodb_per_read_unit


def storage_per_thousand_month(prices: Prices, measured: Measured) -> dict[str, float]:
    """Keeping 1,000 PDFs (the corpus's mean size) and their entries for a month."""
    return {
        "S3 (PDFs)": 1000 * measured.pdf_bytes_mean / GB * prices.s3_storage_gb_month,
        "DynamoDB (entries)": 1000 * ENTRY_BYTES / GB * prices.dynamodb_storage_gb_month,
    }


def of_outcome(prices: Prices, measured: Measured, outcome: Outcome) -> float:
    """Dollars for one simulated scenario: what its invocations, receives and conversions used."""
    s = outcome.settings
    counts = per_conversion_counts(s.batch_size)
    done = outcome.ready
    api_calls = len(API_CALLS) * outcome.arrived
    sqs = outcome.arrived + 2 * outcome.receives  # send; each batch received and deleted
    per_ready = {k: v for k, v in counts.items() if not k.startswith("sqs:")}
    return (
        _lambda(prices, s.converter_architecture, s.converter_memory_mb, outcome.billed_ms, outcome.invocations)
        + _lambda(prices, s.api_architecture, s.api_memory_mb, measured.api_request_ms * api_calls, api_calls)
        + api_calls * prices.api_gateway_per_request
        + sqs * prices.sqs_per_request
        + _dynamodb(prices, {k: v * done for k, v in per_ready.items()})
        + done * (prices.s3_per_put + prices.s3_per_get)
        + done * measured.pdf_bytes_mean / GB * prices.transfer_out_gb
    )
