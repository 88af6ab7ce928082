"""Conversions and files: request, list, download (link or redirect), retry, delete."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from chalice import Blueprint, Response

from api import schemas
from api.credentials import caller
from api.routing import json_response, route
from api.submission import JSON, MULTIPART, read_submission
from chalicelib.domain.file_filter import parse_filter
from chalicelib.wiring import container

files = Blueprint(__name__)


@route(files, "/request", methods=["POST"], content_types=[JSON, MULTIPART])
def request_conversion():
    request = files.current_request
    user = caller(request, "convert")
    container().usage.admit_conversion(user)
    submitted = read_submission(request, container().settings)
    entry = container().conversions.request(
        user,
        submitted.url,
        submitted.options,
        request.headers.get("idempotency-key"),
        request.context["correlation_id"],
        source=submitted.source,
        title=submitted.title,
        callback_url=submitted.callback_url,
    )
    return json_response(schemas.file_entry(entry), 202)


@route(files, "/files", methods=["GET"], takes_body=False)
def list_files():
    request = files.current_request
    user = caller(request, "read")
    params: Mapping[str, str] = request.query_params or {}
    conversions = container().conversions
    matching = parse_filter(params.get("q"), params.get("status"))
    page = conversions.list(user, schemas.list_limit(params.get("limit")), params.get("cursor"), matching)
    body: dict[str, Any] = {
        "files": [schemas.file_entry(entry, conversions.thumbnail_url(entry)) for entry in page.items]
    }
    if page.next_cursor:
        body["next"] = page.next_cursor
    return json_response(body)


@route(files, "/file/{name}", methods=["GET"], takes_body=False)
def download(name: str):
    url, _ = container().conversions.download_link(caller(files.current_request, "read"), name)
    return _see_other(url)


@route(files, "/file/{name}/view", methods=["GET"], takes_body=False)
def view(name: str):
    url, _ = container().conversions.download_link(caller(files.current_request, "read"), name, inline=True)
    return _see_other(url)


@route(files, "/file/{name}/thumbnail", methods=["GET"], takes_body=False)
def thumbnail(name: str):
    return _see_other(container().conversions.thumbnail_link(caller(files.current_request, "read"), name))


def _see_other(url: str) -> Response:
    return Response(body="", status_code=302, headers={"Location": url, "Cache-Control": "no-store"})


@route(files, "/file/{name}/link", methods=["GET"], takes_body=False)
def download_link(name: str):
    request = files.current_request
    conversions = container().conversions
    params: Mapping[str, str] = request.query_params or {}
    inline = schemas.disposition(params.get("disposition")) == "inline"
    url, filename = conversions.download_link(caller(request, "read"), name, inline)
    return json_response({"url": url, "filename": filename, "expires_in": conversions.download_ttl_seconds})


@route(files, "/file/{name}/retry", methods=["POST"], takes_body=False)
def retry(name: str):
    user = caller(files.current_request, "convert")
    container().usage.admit_conversion(user)
    entry = container().conversions.retry(user, name)
    return json_response(schemas.file_entry(entry), 202)


@route(files, "/file/{name}", methods=["DELETE"], takes_body=False)
def delete(name: str):
    container().conversions.delete(caller(files.current_request, "delete"), name)
    return json_response(None, 204)
