"""The contract, served: the OpenAPI document itself, and a reference page that needs nothing from elsewhere."""

from __future__ import annotations

import re

import yaml

from tests.support.paths import REPO


def test_the_openapi_document_is_served_as_it_is_in_the_repository(api):
    response = api.http.get("/api/v1/openapi.yaml")
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("application/yaml")
    assert response.body.decode() == (REPO / "api" / "openapi.yaml").read_text()
    assert "/keys" in yaml.safe_load(response.body)["paths"]


def test_the_reference_page_shows_every_operation_and_loads_nothing_from_elsewhere(api):
    response = api.http.get("/api/docs")
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/html")
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]
    page = response.body.decode()
    spec = yaml.safe_load((REPO / "api" / "openapi.yaml").read_text())
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method in ("get", "post", "delete"):
                assert f'id="{operation["operationId"]}"' in page, (method, path)
    assert not re.search(r"<script|<link|src=|https?://", page)
    assert "exactly one of: url" in page and "api/v1/openapi.yaml" in page
