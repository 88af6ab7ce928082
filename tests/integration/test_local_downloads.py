"""make run's download links go through its server, which checks owner, key and expiry
(moto's presigned URLs opened any key, at any time)."""

from __future__ import annotations

import base64
import json
import time

import pytest
import requests

from chalicelib.adapters.local_downloads import LINK_PATH, SignedDownloads
from chalicelib.domain.models import ConversionOptions, object_key
from chalicelib.wiring import Container, reset_container
from tests.support.entries import pending_entry
from tests.support.local_server import serving

PDF = b"%PDF-1.7 local download test"


@pytest.fixture
def local(make_settings, wired):
    """The local server, and a container whose links point at it (as make run wires it)."""
    with serving(wired.settings.max_body_bytes) as port:
        base = f"http://127.0.0.1:{port}"
        container = Container(make_settings(local_downloads_url=base))
        reset_container(container)
        yield base, container


def _ready_file(
    http, container, email: str, content: bytes = PDF, options: ConversionOptions | None = None
) -> tuple[str, str, str]:
    token = http.token(email)
    user_id = http.call("GET", "/me", token=token).json["id"]
    from chalicelib.domain.outputs import OUTPUTS

    entry = pending_entry(user_id, options=options or ConversionOptions())
    container.file_index.create(entry)
    output = OUTPUTS[entry.options.output]
    container.object_store.put_pdf(entry.object_key, content, {}, output.content_type)
    container.file_index.mark_processing(user_id, entry.file_id, 1)
    container.file_index.mark_ready(user_id, entry.file_id, title="Doc", size=len(content), pages=1, warnings=())
    return token, user_id, entry.file_id


def _retarget(link: str, key: str) -> str:
    """The same signature over a payload naming another key."""
    prefix, token = link.split(LINK_PATH)
    body, signature = token.split(".")
    data = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    data["k"], data["o"] = key, key.split("/")[1]
    forged = base64.urlsafe_b64encode(json.dumps(data, separators=(",", ":")).encode()).decode().rstrip("=")
    return f"{prefix}{LINK_PATH}{forged}.{signature}"


def test_a_link_downloads_the_owners_pdf_through_the_app(http, local):
    base, container = local
    token, _, name = _ready_file(http, container, "ada@example.com")
    link = http.call("GET", f"/file/{name}/link", token=token).json["url"]
    assert link.startswith(base + LINK_PATH)
    response = requests.get(link, timeout=30)
    assert response.status_code == 200 and response.content == PDF
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment;")


def test_a_screenshot_downloads_as_an_image_with_its_extension(http, local):
    base, container = local
    png = b"\x89PNG\r\n\x1a\n local download test"
    token, user_id, name = _ready_file(http, container, "ada@example.com", png, ConversionOptions(output="png"))
    listed = http.call("GET", "/files", token=token).json["files"][0]
    assert listed["filename"] == "Doc.png" and listed["options"]["output"] == "png"
    link = http.call("GET", f"/file/{name}/link", token=token).json
    assert link["filename"] == "Doc.png"
    response = requests.get(link["url"], timeout=30)
    assert response.status_code == 200 and response.content == png
    assert response.headers["Content-Type"] == "image/png"
    assert 'filename="Doc.png"' in response.headers["Content-Disposition"]
    assert container.object_store.exists(f"users/{user_id}/{name}.png")
    assert http.call("DELETE", f"/file/{name}", token=token).status_code == 204
    assert not container.object_store.exists(f"users/{user_id}/{name}.png")


def test_a_link_does_not_open_another_key(http, local):
    _, container = local
    token, _, name = _ready_file(http, container, "ada@example.com")
    _, bob_id, bob_file = _ready_file(http, container, "bob@example.com")
    link = http.call("GET", f"/file/{name}/link", token=token).json["url"]
    forged = requests.get(_retarget(link, object_key(bob_id, bob_file)), timeout=30)
    assert forged.status_code == 403 and forged.json()["error"]["code"] == "link_invalid"
    assert PDF not in forged.content


def test_an_expired_link_is_refused(http, local):
    base, container = local
    _, user_id, name = _ready_file(http, container, "ada@example.com")
    issued_earlier = SignedDownloads(container.secrets.jwt_secret, now=lambda: time.time() - 120)
    expired = f"{base}{LINK_PATH}{issued_earlier.issue(object_key(user_id, name), 'doc.pdf', 60)}"
    response = requests.get(expired, timeout=30)
    assert response.status_code == 403 and response.json()["error"]["code"] == "link_expired"


def test_a_link_signed_with_another_secret_is_refused(http, local):
    base, container = local
    _, user_id, name = _ready_file(http, container, "ada@example.com")
    other = SignedDownloads(lambda: "another-secret-" + "x" * 40)
    response = requests.get(f"{base}{LINK_PATH}{other.issue(object_key(user_id, name), 'doc.pdf', 60)}", timeout=30)
    assert response.status_code == 403
