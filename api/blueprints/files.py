"""Conversions and files: request, list, download (link or redirect), retry, delete."""
from __future__ import annotations

from chalice import Blueprint, Response

from api import schemas
from api.routing import json_response, route, signed_in_user
from chalicelib.wiring import container

files = Blueprint(__name__)
_REQUEST_FIELDS = frozenset({"url", "options"})


@route(files, "/request", methods=["POST"])
def request_conversion():
    request = files.current_request
    user = signed_in_user(request)
    container().usage.admit_conversion(user)
    body = schemas.json_object(request, container().settings.max_body_bytes, _REQUEST_FIELDS)
    entry = container().conversions.request(
        user, body.get("url"), body.get("options"), request.headers.get("idempotency-key"),
        request.context["correlation_id"],
    )
    return json_response(schemas.file_entry(entry), 202)


@route(files, "/files", methods=["GET"], takes_body=False)
def list_files():
    request = files.current_request
    user = signed_in_user(request)
    params = request.query_params or {}
    page = container().conversions.list(user, schemas.list_limit(params.get("limit")), params.get("cursor"))
    body = {"files": [schemas.file_entry(entry) for entry in page.items]}
    if page.next_cursor:
        body["next"] = page.next_cursor
    return json_response(body)


@route(files, "/file/{name}", methods=["GET"], takes_body=False)
def download(name: str):
    url, _ = container().conversions.download_link(signed_in_user(files.current_request), name)
    return Response(body="", status_code=302, headers={"Location": url, "Cache-Control": "no-store"})


@route(files, "/file/{name}/link", methods=["GET"], takes_body=False)
def download_link(name: str):
    conversions = container().conversions
    url, filename = conversions.download_link(signed_in_user(files.current_request), name)
    return json_response({"url": url, "filename": filename, "expires_in": conversions.download_ttl_seconds})


@route(files, "/file/{name}/retry", methods=["POST"], takes_body=False)
def retry(name: str):
    user = signed_in_user(files.current_request)
    container().usage.admit_conversion(user)
    entry = container().conversions.retry(user, name)
    return json_response(schemas.file_entry(entry), 202)


@route(files, "/file/{name}", methods=["DELETE"], takes_body=False)
def delete(name: str):
    container().conversions.delete(signed_in_user(files.current_request), name)
    return json_response(None, 204)
