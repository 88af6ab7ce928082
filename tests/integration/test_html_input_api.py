"""HTML and Markdown sent to POST /request: stored next to the PDF, deleted with it, bad input a clear 4xx."""

from __future__ import annotations

import json
import uuid

import pytest

from chalicelib.domain.models import source_key
from chalicelib.domain.sources import markdown_page


@pytest.fixture
def settings(make_settings, page_server):
    return make_settings(egress_allow=f"127.0.0.1:{page_server.port}", max_html_bytes=4096)


def _form(fields: dict[str, tuple[str | None, bytes]]) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = []
    for name, (filename, content) in fields.items():
        disposition = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename else "")
        parts.append(f"--{boundary}\r\nContent-Disposition: {disposition}\r\n\r\n".encode() + content + b"\r\n")
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def _upload(http, token, **fields):
    body, content_type = _form(fields)
    return http.call("POST", "/request", token=token, raw=body, headers={"Content-Type": content_type})


def _stored(wired, user_id: str, name: str) -> str | None:
    return wired.object_store.get_source(source_key(user_id, name))


def test_html_is_stored_next_to_its_pdf_queued_and_deleted_with_it(http, wired):
    token = http.token()
    me = http.call("GET", "/me", token=token).json["id"]
    sent = http.call("POST", "/request", {"html": "<h1>Hi</h1>", "title": "My report"}, token=token)
    assert sent.status_code == 202, sent.json
    entry = sent.json
    assert entry["source"] == "html" and entry["url"] == "" and entry["title"] == "My report"
    assert entry["filename"] == "My-report.pdf"
    assert _stored(wired, me, entry["name"]) == "<h1>Hi</h1>"
    assert http.call("DELETE", f"/file/{entry['name']}", token=token).status_code == 204
    assert _stored(wired, me, entry["name"]) is None


def test_markdown_and_html_files_upload_as_multipart(http, wired):
    token = http.token()
    me = http.call("GET", "/me", token=token).json["id"]
    md = _upload(
        http,
        token,
        file=("notes.md", b"# Notes\n\n| a | b |\n|---|---|\n| 1 | 2 |\n"),
        options=(None, json.dumps({"format": "Letter"}).encode()),
    )
    assert md.status_code == 202, md.json
    assert md.json["source"] == "markdown" and md.json["options"]["format"] == "Letter"
    stored = _stored(wired, me, md.json["name"])
    assert "<h1>Notes</h1>" in stored and "<table>" in stored and "<title>notes</title>" in stored
    page = _upload(http, token, file=("page.HTML", "<p>Grüße</p>".encode()), title=(None, b"Greetings"))
    assert page.status_code == 202, page.json
    assert page.json["source"] == "html" and page.json["title"] == "Greetings"
    assert _stored(wired, me, page.json["name"]) == "<p>Grüße</p>"


@pytest.mark.parametrize(
    "body, status, code, field",
    [
        ({"url": "http://example.com/", "html": "<p>x</p>"}, 400, "ambiguous_source", "html"),
        ({}, 400, "invalid_url", "url"),
        ({"html": ""}, 400, "invalid_input", "html"),
        ({"html": 42}, 400, "invalid_input", "html"),
        ({"html": "x" * 4097}, 413, "html_too_large", "html"),
        ({"html": "<p>x</p>", "title": ""}, 400, "invalid_input", "title"),
    ],
)
def test_bad_json_sources_get_a_clear_4xx(http, body, status, code, field):
    refused = http.call("POST", "/request", body, token=http.token())
    assert refused.status_code == status, refused.json
    assert refused.json["error"]["code"] == code and refused.json["error"]["field"] == field


@pytest.mark.parametrize(
    "fields, status, code",
    [
        ({"file": ("page.pdf", b"%PDF-1.7")}, 400, "unsupported_file_type"),
        ({"file": ("notes", b"# x")}, 400, "unsupported_file_type"),
        ({"file": ("page.html", b"\xff\xfe<p>")}, 400, "invalid_encoding"),
        ({"file": ("page.html", b"x" * 4097)}, 413, "html_too_large"),
        ({"file": ("page.html", b"   ")}, 400, "invalid_input"),
        ({"title": (None, b"no file")}, 400, "invalid_input"),
        ({"file": ("page.html", b"<p>x</p>"), "url": (None, b"http://example.com/")}, 400, "invalid_input"),
        ({"file": ("page.html", b"<p>x</p>"), "options": (None, b"{not json")}, 400, "invalid_input"),
    ],
)
def test_bad_uploads_get_a_clear_4xx(http, fields, status, code):
    refused = _upload(http, http.token(), **fields)
    assert refused.status_code == status, refused.json
    assert refused.json["error"]["code"] == code


def test_markdown_page_escapes_its_title_and_carries_the_print_stylesheet():
    page = markdown_page("Some *emphasis*", "<b>T</b>")
    assert "<title>&lt;b&gt;T&lt;/b&gt;</title>" in page and "<em>emphasis</em>" in page and "@page" in page
