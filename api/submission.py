"""What POST /request carries: a URL or HTML as JSON, or an .html/.md file as multipart/form-data."""

from __future__ import annotations

import email.policy
import json
from dataclasses import dataclass
from email.parser import BytesParser
from typing import Any

from chalice.app import Request

from api import schemas
from api.errors import RequestTooLarge
from chalicelib.config import Settings
from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.sources import Source, html_source, parse_title, uploaded_source

JSON = "application/json"
MULTIPART = "multipart/form-data"
_JSON_FIELDS = frozenset({"url", "html", "options", "title", "callback_url"})
_FORM_FIELDS = frozenset({"file", "options", "title", "callback_url"})


@dataclass(frozen=True)
class Submission:
    url: Any
    source: Source | None
    options: Any
    title: str | None
    callback_url: Any = None


def read_submission(request: Request, settings: Settings) -> Submission:
    content_type = (request.headers.get("content-type") or JSON).split(";")[0].strip().lower()
    if content_type == MULTIPART:
        return _from_form(request, settings)
    body = schemas.json_object(request, settings.max_request_bytes, _JSON_FIELDS)
    if "html" in body and "url" in body:  # even "url": null: the request says two things
        raise InvalidInput("Send either a url or html, not both.", "ambiguous_source", field="html")
    source = html_source(body["html"], settings.max_html_bytes) if "html" in body else None
    if "options" in body and not isinstance(body["options"], dict):
        raise InvalidInput("options must be an object.", field="options")
    return Submission(
        body.get("url"), source, body.get("options"), parse_title(body.get("title")), body.get("callback_url")
    )


def _from_form(request: Request, settings: Settings) -> Submission:
    fields = _form_fields(request, settings.max_request_bytes)
    unknown = sorted(set(fields) - _FORM_FIELDS)
    if unknown:
        raise InvalidInput(f"Unknown field: {unknown[0]}.", field=unknown[0])
    if "file" not in fields or fields["file"][0] is None:
        raise InvalidInput("Attach the .html or .md file as the form field 'file'.", field="file")
    title = parse_title(_text(fields, "title"))
    filename, content = fields["file"]
    source = uploaded_source(filename, content, settings.max_html_bytes, title)
    raw_options = _text(fields, "options")
    try:
        options = json.loads(raw_options) if raw_options is not None else None
    except ValueError:
        raise InvalidInput("options must be a JSON object.", field="options") from None
    return Submission(None, source, options, title, _text(fields, "callback_url"))


def _form_fields(request: Request, max_bytes: int) -> dict[str, tuple[str | None, bytes]]:
    """Each form field's file name (None for plain fields) and content."""
    raw = schemas.raw_body(request)
    if len(raw) > max_bytes:
        raise RequestTooLarge(f"The request body is larger than {max_bytes} bytes.")
    head = f"Content-Type: {request.headers.get('content-type')}\r\n\r\n".encode("latin-1", "replace")
    message = BytesParser(policy=email.policy.HTTP).parsebytes(head + raw)
    if not message.is_multipart() or message.defects:
        raise InvalidInput("The form data is malformed.", "invalid_form")
    fields: dict[str, tuple[str | None, bytes]] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str) or name in fields:
            raise InvalidInput("Every form field needs a name of its own.", "invalid_form")
        payload = part.get_payload(decode=True)
        fields[name] = (part.get_filename(), payload if isinstance(payload, bytes) else b"")
    return fields


def _text(fields: dict[str, tuple[str | None, bytes]], name: str) -> str | None:
    if name not in fields:
        return None
    try:
        return fields[name][1].decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidInput(f"{name} must be UTF-8 text.", field=name) from None
