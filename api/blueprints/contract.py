"""The contract, served: the OpenAPI document under /api/v1 and its reference page at /api/docs."""

from __future__ import annotations

from chalice import Blueprint, Response

from api.reference import CSP, reference_page, spec_text
from api.routing import route

contract = Blueprint(__name__)
docs = Blueprint(__name__)


@route(contract, "/openapi.yaml", methods=["GET"], takes_body=False)
def openapi_document():
    return Response(
        body=spec_text(),
        status_code=200,
        headers={"Content-Type": "application/yaml; charset=utf-8", "Cache-Control": "no-cache"},
    )


@route(docs, "/docs", methods=["GET"], takes_body=False)
def reference():
    return Response(
        body=reference_page(),
        status_code=200,
        headers={
            "Content-Type": "text/html; charset=utf-8",
            "Cache-Control": "no-cache",
            "Content-Security-Policy": CSP,
            "X-Content-Type-Options": "nosniff",
        },
    )
