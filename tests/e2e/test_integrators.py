"""End to end through `make run`, as an integrator uses PagePress: API keys, HTML and Markdown,
webhooks to a loopback receiver, the served contract, and the `pagepress` command."""

from __future__ import annotations

import os
import subprocess
import tempfile
import uuid
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.support.paths import REPO
from tests.support.pdf import pdf_text
from tests.support.polling import poll_until
from tests.support.receiver import Receiver, last_json
from tests.support.stack import RunningApp

pytestmark = pytest.mark.e2e
PASSWORD = "integrator-password"


@pytest.fixture(scope="module")
def receiver():
    server = Receiver().start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def app(pages, receiver, tmp_path_factory):
    data_dir = Path(tempfile.mkdtemp(prefix="pp-e2e-", dir="/tmp"))
    running = RunningApp(
        data_dir,
        tmp_path_factory.mktemp("logs") / "make-run.log",
        CONVERTER_EGRESS_ALLOW=f"127.0.0.1:{pages.port},127.0.0.1:{receiver.port}",
        RENDER_TIMEOUT_SECONDS="40",
        SETTLE_TIMEOUT_SECONDS="5",
        LOCAL_SNAPSHOT_INTERVAL_SECONDS="3600",
        WEBHOOK_RETRY_BASE_SECONDS="1",
    )
    running.start()
    yield running
    running.stop()


class Integrator:
    def __init__(self, app: RunningApp) -> None:
        self.api = app.base + "/api/v1"
        self.email = f"dev-{uuid.uuid4().hex[:8]}@example.com"
        assert (
            requests.post(
                self.api + "/sign-up", json={"email": self.email, "password": PASSWORD}, timeout=15
            ).status_code
            == 201
        )
        self.session = self.sign_in()

    def sign_in(self) -> str:
        response = requests.post(self.api + "/sign-in", json={"email": self.email, "password": PASSWORD}, timeout=15)
        assert response.status_code == 200, response.text
        return response.json()["token"]

    def call(self, method: str, path: str, credential: str, **kwargs) -> requests.Response:
        return requests.request(
            method, self.api + path, headers={"Authorization": f"Bearer {credential}"}, timeout=15, **kwargs
        )

    def new_key(self, **body) -> dict:
        created = self.call("POST", "/keys", self.session, json={"name": "integration", **body})
        assert created.status_code == 201, created.text
        return created.json()

    def wait_for(self, credential: str, name: str, timeout: float = 90) -> dict:
        def current():
            files = self.call("GET", "/files?limit=100", credential).json()["files"]
            return next((f for f in files if f["name"] == name), None)

        return poll_until(
            current,
            lambda f: f is not None and f["status"] in ("ready", "failed"),
            timeout,
            interval=0.5,
            what=f"{name} to finish",
        )

    def pdf(self, credential: str, name: str) -> str:
        download = self.call("GET", f"/file/{name}", credential)
        assert download.status_code == 200 and download.content.startswith(b"%PDF-"), download.status_code
        return pdf_text(download.content)


def test_a_key_converts_lists_and_downloads_outlives_a_sign_in_and_dies_when_revoked(app, pages):
    dev = Integrator(app)
    key = dev.new_key()["key"]
    dev.session = dev.sign_in()  # a second sign-in replaces the session, not the key
    url = pages.page("/keyed", "<title>Keyed</title><h1>Converted with an API key</h1>")
    requested = dev.call("POST", "/request", key, json={"url": url})
    assert requested.status_code == 202, requested.text
    name = requested.json()["name"]
    assert dev.wait_for(key, name)["status"] == "ready"
    assert "Converted with an API key" in dev.pdf(key, name)
    listed = dev.call("GET", "/keys", dev.session).json()["keys"]
    assert [k["last_used_at"] is not None for k in listed] == [True]
    assert dev.call("DELETE", f"/keys/{listed[0]['id']}", dev.session).status_code == 204
    refused = dev.call("GET", "/files", key)
    assert refused.status_code == 401 and refused.json()["error"]["code"] == "invalid_api_key"


def test_html_and_markdown_become_pdfs_holding_their_text(app):
    dev = Integrator(app)
    key = dev.new_key(scopes=["convert", "read"])["key"]
    html = dev.call("POST", "/request", key, json={"html": "<title>Pasted</title><p>Pasted HTML text</p>"})
    markdown = dev.call(
        "POST",
        "/request",
        key,
        data={"title": "Notes"},
        files={"file": ("notes.md", b"# Release notes\n\n* Markdown *rendered* to PDF\n")},
    )
    assert html.status_code == 202 and markdown.status_code == 202, (html.text, markdown.text)
    for response, text in ((html, "Pasted HTML text"), (markdown, "Markdown rendered to PDF")):
        entry = dev.wait_for(key, response.json()["name"])
        assert entry["status"] == "ready", entry
        assert text in " ".join(dev.pdf(key, entry["name"]).split())
    assert dev.wait_for(key, markdown.json()["name"])["title"] == "Notes"
    assert dev.call("DELETE", f"/file/{html.json()['name']}", key).status_code == 403  # no delete scope


def test_callbacks_are_signed_for_ready_and_failed_jobs_and_retried_until_delivered(app, pages, receiver):
    dev = Integrator(app)
    secret = dev.call("GET", "/webhooks/secret", dev.session).json()["secret"]
    page = pages.page("/hooked", "<title>Hooked</title><p>hooked</p>")
    receiver.statuses["/flaky"] = [500, 503]
    jobs = {
        "/ready": dev.call("POST", "/request", dev.session, json={"url": page, "callback_url": receiver.url("/ready")}),
        "/failed": dev.call(
            "POST",
            "/request",
            dev.session,
            json={"url": pages.origin + "/missing", "callback_url": receiver.url("/failed")},
        ),
        "/flaky": dev.call("POST", "/request", dev.session, json={"url": page, "callback_url": receiver.url("/flaky")}),
    }
    assert all(r.status_code == 202 for r in jobs.values()), [r.text for r in jobs.values()]
    poll_until(
        lambda: [len(receiver.at(p)) for p in ("/ready", "/failed", "/flaky")],
        lambda n: n == [1, 1, 3],
        60,
        interval=0.5,
        what="the callbacks",
    )
    for path, event in (("/ready", "conversion.ready"), ("/failed", "conversion.failed")):
        got = receiver.at(path)[0]
        assert got.signed_with(secret)
        body = last_json(receiver.at(path))
        assert body["event"] == event and body["file"]["name"] == jobs[path].json()["name"]
    assert all(r.signed_with(secret) for r in receiver.at("/flaky"))
    flaky = poll_until(
        lambda: dev.wait_for(dev.session, jobs["/flaky"].json()["name"])["callback"],
        lambda c: c["status"] == "delivered",
        30,
        what="the flaky callback to be recorded",
    )
    assert flaky == {"status": "delivered", "attempts": 3, "last_status": 200}


def test_bad_input_gets_a_clear_4xx(app, pages):
    dev = Integrator(app)
    url = pages.page("/bad-input", "<p>x</p>")
    cases: list[tuple[dict[str, Any], int]] = [
        ({"json": {"url": url, "html": "<p>x</p>"}}, 400),
        ({"json": {}}, 400),
        ({"json": {"html": "x" * (2 * 1024 * 1024 + 1)}}, 413),
        ({"files": {"file": ("page.pdf", b"%PDF-1.7")}}, 400),
        ({"json": {"url": url, "callback_url": "ftp://example.com/hook"}}, 400),
        ({"json": {"url": url, "callback_url": "http://10.0.0.1/hook"}}, 400),
        ({"json": {"url": url, "callback_url": "http://127.0.0.1:9/hook"}}, 400),
    ]
    for kwargs, status in cases:
        response = dev.call("POST", "/request", dev.session, **kwargs)
        assert response.status_code == status, (kwargs.get("json", kwargs.get("files")), response.text[:300])
        assert response.json()["error"]["code"] and response.json()["error"]["message"]


def test_the_contract_and_its_reference_page_are_served(app):
    spec = requests.get(app.base + "/api/v1/openapi.yaml", timeout=15)
    assert spec.status_code == 200 and spec.text == (REPO / "api" / "openapi.yaml").read_text()
    docs = requests.get(app.base + "/api/docs", timeout=15)
    assert docs.status_code == 200 and "createKey" in docs.text and "<script" not in docs.text


def test_the_cli_converts_a_page_end_to_end(app, pages, tmp_path):
    dev = Integrator(app)
    key = dev.new_key()["key"]
    url = pages.page("/cli", "<title>From the CLI</title><h1>Converted by the pagepress command</h1>")
    env = {**os.environ, "PAGEPRESS_URL": app.base, "PAGEPRESS_API_KEY": key}
    cli = str(REPO / ".venv" / "bin" / "pagepress")

    def run(*args: str, **overrides: str) -> subprocess.CompletedProcess:
        return subprocess.run([cli, *args], env={**env, **overrides}, capture_output=True, text=True, timeout=120)

    converted = run("convert", url, "-o", str(tmp_path / "out.pdf"), "--format", "Letter")
    assert converted.returncode == 0, converted.stderr
    name = converted.stdout.strip()
    assert "Converted by the pagepress command" in pdf_text((tmp_path / "out.pdf").read_bytes())
    listed = run("ls")
    assert listed.returncode == 0 and name in listed.stdout and "From the CLI" in listed.stdout
    assert run("get", name, "-o", str(tmp_path / "again.pdf")).returncode == 0
    assert (tmp_path / "again.pdf").read_bytes().startswith(b"%PDF-")
    assert run("rm", name).returncode == 0 and name not in run("ls").stdout
    refused = run("convert", "http://10.0.0.1/", "--wait")
    assert refused.returncode == 1 and "not public" in refused.stderr and "blocked_destination" in refused.stderr
    revoked = run("ls", PAGEPRESS_API_KEY="pp_" + "x" * 43)
    assert revoked.returncode == 1 and "invalid_api_key" in revoked.stderr
