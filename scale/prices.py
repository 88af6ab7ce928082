"""AWS prices and the competitors' plans, read from docs/prices.yaml (the one place they live)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

PRICES_FILE = Path(__file__).resolve().parent.parent / "docs" / "prices.yaml"


@dataclass(frozen=True)
class Plan:
    vendor: str
    name: str
    dollars_per_month: float
    documents: int

    @property
    def per_thousand(self) -> float:
        return self.dollars_per_month / self.documents * 1000


@dataclass(frozen=True)
class Prices:
    as_of: str
    region: str
    sources: dict[str, str]
    lambda_gb_second: dict[str, float]
    lambda_per_request: float
    sqs_per_request: float
    dynamodb_per_write_unit: float
    dynamodb_per_read_unit: float
    dynamodb_storage_gb_month: float
    s3_per_put: float
    s3_per_get: float
    s3_storage_gb_month: float
    api_gateway_per_request: float
    transfer_out_gb: float
    rds_proxy_vcpu_hour: float
    competitors_as_of: str
    competitor_urls: dict[str, str]
    plans: tuple[Plan, ...]


def load_prices(path: Path = PRICES_FILE) -> Prices:
    raw: dict[str, Any] = yaml.safe_load(path.read_text())
    lam, ddb, s3 = raw["lambda"], raw["dynamodb"], raw["s3"]
    competitors = dict(raw["competitors"])
    as_of = str(competitors.pop("as_of"))
    plans = tuple(
        Plan(vendor, p["name"], float(p["dollars_per_month"]), int(p["documents"]))
        for vendor, entry in competitors.items()
        for p in entry["plans"]
    )
    return Prices(
        as_of=str(raw["as_of"]),
        region=raw["region"],
        sources=dict(raw["sources"]),
        lambda_gb_second={arch: float(v) for arch, v in lam["gb_second"].items()},
        lambda_per_request=lam["per_million_requests"] / 1e6,
        sqs_per_request=raw["sqs"]["per_million_requests"] / 1e6,
        dynamodb_per_write_unit=ddb["per_million_write_request_units"] / 1e6,
        dynamodb_per_read_unit=ddb["per_million_read_request_units"] / 1e6,
        dynamodb_storage_gb_month=ddb["storage_gb_month"],
        s3_per_put=s3["per_thousand_put"] / 1000,
        s3_per_get=s3["per_thousand_get"] / 1000,
        s3_storage_gb_month=s3["storage_gb_month"],
        api_gateway_per_request=raw["api_gateway"]["http_api_per_million"] / 1e6,
        transfer_out_gb=raw["data_transfer"]["out_gb"],
        rds_proxy_vcpu_hour=raw["rds_proxy"]["vcpu_hour"],
        competitors_as_of=as_of,
        competitor_urls={vendor: entry["url"] for vendor, entry in competitors.items()},
        plans=plans,
    )
